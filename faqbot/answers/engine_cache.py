"""A compiled-engine cache on disk, so one ``faqbot ask`` starts in a blink.

Building the engine (validating the knowledge base, rendering every template
for every product, computing kana readings, building the n-gram indexes)
takes about a second; unpickling it takes milliseconds.  The cache key is a
hash of every knowledge-base file *and* of faqbot's own source, so an edited
knowledge base or an upgraded faqbot never reads a stale engine: it simply
misses and rebuilds.  The code hash covers every file of the package
(templates included) and the versions of the libraries whose data or pickles
the engine holds (numpy, pykakasi, fugashi, unidic-lite, wordfreq, rapidfuzz, jinja2, PyYAML).  An engine is
stored only when the knowledge base did not change while it was being built,
and a loaded engine must carry the content hash of the files on disk now.
Beside the engines, one per-text cache per knowledge-base folder
(:mod:`faqbot.answers.build_cache`) lets a rebuild after an edit analyse only
the new texts.  A cache that cannot be read or written is ignored; old engines beyond the
newest few are deleted so the folder does not grow without bound.

Location: ``$FAQBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faqbot``, else
``~/.cache/faqbot``.  ``FAQBOT_CACHE=off`` disables it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import sys
import tempfile
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.answers.build_cache import load_memo, memo_path, store_memo
from faqbot.kb.loader import SHIPPED_KB, kb_content_hash, load_knowledge_base

_PACKAGE = Path(__file__).resolve().parent.parent  # the whole faqbot package
# Libraries whose data (pykakasi's dictionary) or pickled objects the engine holds.
_LIBRARIES = ("numpy", "pykakasi", "fugashi", "unidic-lite", "wordfreq", "rapidfuzz", "jinja2", "PyYAML")
# Engines kept in the cache folder (one per knowledge base and faqbot version in use).
_KEEP = 8


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is switched off."""
    if os.environ.get("FAQBOT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    explicit = os.environ.get("FAQBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "faqbot"


def _code_hash() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}=={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name} missing".encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(root: Path, content_hash: str) -> str:
    # The folder is part of the key: the engine's knowledge base remembers where
    # it was loaded from (lint and `faqbot check` read and print that path).
    return hashlib.sha256((str(root.resolve()) + content_hash + _code_hash()).encode()).hexdigest()[:32]


def load_engine(root: Path | str | None = None) -> Engine:
    """The engine for the knowledge base in ``root``, from the cache when it is current.

    Raises :class:`~faqbot.errors.KnowledgeBaseError` for a broken knowledge
    base, exactly as :func:`~faqbot.kb.loader.load_knowledge_base` does.
    """
    root = Path(root) if root is not None else SHIPPED_KB
    folder = cache_dir()
    if folder is None or not root.is_dir():
        return Engine.build(load_knowledge_base(root))
    content_hash = kb_content_hash(root)
    path = folder / f"engine-{_key(root, content_hash)}.pickle"
    try:
        with path.open("rb") as handle:
            engine = pickle.load(handle)  # noqa: S301 - our own file, keyed by content hash
        if isinstance(engine, Engine) and engine.kb.content_hash == content_hash:
            return engine
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass  # missing or unreadable: rebuild below
    # The per-text results of the last build of this folder: only new texts are analysed.
    texts = memo_path(folder, _key(root, ""))
    memo = load_memo(texts)
    engine = Engine.build(load_knowledge_base(root), memo)
    store_memo(texts, memo)
    # Store only what matches the files as they are now: an edit made while we
    # were building must not be filed under the old content's key, or the new one's.
    if engine.kb.content_hash == content_hash == kb_content_hash(root):
        _store(folder, path, engine)
    return engine


def _store(folder: Path, path: Path, engine: Engine) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a concurrent reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".engine-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(engine, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(folder)
    except OSError:
        return  # a read-only home must not stop the bot


def _prune(folder: Path) -> None:
    """Delete all but the :data:`_KEEP` most recently written engines."""
    engines = sorted(folder.glob("engine-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in engines[_KEEP:]:
        old.unlink(missing_ok=True)
