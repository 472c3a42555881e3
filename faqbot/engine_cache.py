"""A compiled-engine cache on disk, so one ``faqbot ask`` starts in a blink.

Building the engine (validating the knowledge base, rendering every template
for every product, computing kana readings, building the n-gram indexes)
takes about a second; unpickling it takes milliseconds.  The cache key is a
hash of every knowledge-base file *and* of faqbot's own source, so an edited
knowledge base or an upgraded faqbot never reads a stale engine: it simply
misses and rebuilds.  A cache that cannot be read or written is ignored.

Location: ``$FAQBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faqbot``, else
``~/.cache/faqbot``.  ``FAQBOT_CACHE=off`` disables it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from faqbot.answering import Engine
from faqbot.kb_loader import SHIPPED_KB, kb_content_hash, load_knowledge_base

_PACKAGE = Path(__file__).resolve().parent


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
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(root: Path) -> str:
    """The key of ``root``'s compiled engine: knowledge-base content + faqbot code."""
    return hashlib.sha256((kb_content_hash(root) + _code_hash()).encode()).hexdigest()[:32]


def load_engine(root: Path | str | None = None) -> Engine:
    """The engine for the knowledge base in ``root``, from the cache when it is current.

    Raises :class:`~faqbot.errors.KnowledgeBaseError` for a broken knowledge
    base, exactly as :func:`~faqbot.kb_loader.load_knowledge_base` does.
    """
    root = Path(root) if root is not None else SHIPPED_KB
    folder = cache_dir()
    if folder is None or not root.is_dir():
        return Engine.build(load_knowledge_base(root))
    path = folder / f"engine-{cache_key(root)}.pickle"
    try:
        with path.open("rb") as handle:
            engine = pickle.load(handle)  # noqa: S301 - our own file, keyed by content hash
        if isinstance(engine, Engine):
            return engine
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass  # missing or unreadable: rebuild below
    engine = Engine.build(load_knowledge_base(root))
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
    except OSError:
        return  # a read-only home must not stop the bot
