"""A compiled-engine cache on disk, so one ``faqbot ask`` starts in a blink.

Building the engine (validating the knowledge base, rendering every template
for every product, computing kana readings, building the n-gram indexes)
takes about a second for the shipped knowledge base and a minute at 50,000
entries; opening a cached one maps its file (:mod:`faqbot.answers.engine_file`:
a small pickle, every array mapped read-only) in milliseconds.  Engines are keyed by
the knowledge base's content and faqbot's own code (:mod:`faqbot.answers.cache_folder`);
a loaded engine must carry the content hash of the files on disk now (remembered per
signature of the files — path, size, modification time, inode — so a warm start reads
no YAML; see :func:`_content_hash`).  A miss, or a cache file that cannot be read or
fails the engine file's checks (truncated, corrupt), is built again by
:mod:`faqbot.answers.engine_rebuild`, imported only then: a warm start loads none of the
build's code.

Location: ``$FAQBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faqbot``, else
``~/.cache/faqbot``.  ``FAQBOT_CACHE=off`` disables it.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.answers.cache_folder import code_hash, engine_path, read_cached
from faqbot.answers.cache_location import cache_dir
from faqbot.kb import SHIPPED_KB
from faqbot.kb.templating import keep_compiled_templates
from faqbot.text.replace_file import replaced_atomically

_HEX64 = re.compile(r"[0-9a-f]{64}")
# Files modified more recently than this are hashed, not remembered (see _content_hash).
_SETTLED_NS = 2_000_000_000


def load_engine(root: Path | str | None = None) -> Engine:
    """The engine for the knowledge base in ``root``, from the cache when it is current.

    Raises :class:`~faqbot.errors.KnowledgeBaseError` for a broken knowledge
    base, exactly as :func:`~faqbot.kb.loader.load_knowledge_base` does.
    """
    root = Path(root) if root is not None else SHIPPED_KB
    folder = cache_dir()
    if folder is None or not root.is_dir():
        from faqbot.kb.loader import load_knowledge_base  # a build's

        return Engine.build(load_knowledge_base(root))
    content_hash = _content_hash(root, folder)
    code = code_hash()
    path = engine_path(folder, root, content_hash, code)
    engine = read_cached(path, content_hash)
    if engine is not None:
        # Not for a build: it renders every answer once to check it, and would write them all.
        keep_compiled_templates(folder / "templates")
        return engine
    from faqbot.answers.engine_rebuild import rebuild  # a build's code, imported on a miss only

    return rebuild(root, folder, path, content_hash, code)


def _content_hash(root: Path, folder: Path) -> str:
    """:func:`kb_content_hash` of ``root``, remembered per signature of its files.

    Hashing reads every YAML file: 40 MB, 30-70 ms of a warm start, at 50,000
    entries.  The signature is each file's path, size, modification time (ns) and
    inode, as git's index and make use; an edit changes it.  Like git's "racy"
    rule, a result is remembered only once every file is older than
    :data:`_SETTLED_NS`: a file written within the same clock tick as it was hashed
    could change again without its modification time moving.
    """
    signature = hashlib.sha256()
    newest = 0
    for path in sorted(root.rglob("*.yaml")):
        stat = path.stat()
        newest = max(newest, stat.st_mtime_ns)
        signature.update(f"{path.relative_to(root).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}\n".encode())
    memo = folder / f"content-{signature.hexdigest()[:32]}"
    try:
        remembered = memo.read_text(encoding="ascii")
        if _HEX64.fullmatch(remembered):
            return remembered
    except (OSError, UnicodeDecodeError):
        pass  # not remembered yet
    from faqbot.kb.loader import kb_content_hash  # the YAML parser: a build's, or an edit's

    content_hash = kb_content_hash(root)
    if time.time_ns() - newest > _SETTLED_NS:
        _remember(memo, content_hash.encode())
    return content_hash


def _remember(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replaced_atomically(path, "content-") as tmp:
            tmp.write_bytes(data)
    except OSError:
        return  # not remembered: hashed again next time
