"""Where faqbot keeps what it builds and installs: the cache folder and its word-vector tables.

``$FAQBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faqbot``, else ``~/.cache/faqbot``.
``FAQBOT_CACHE=off`` switches the engine cache off (every start builds); installed word
vectors (``faqbot vectors install``) are still read from the same folder then, since they
are a download a user asked for, not a cache that can be rebuilt.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faqbot.text.word_vectors import WordVectors

VECTORS = "vectors"  # the cache folder's sub-folder of installed tables, one folder per name


def cache_root() -> Path:
    """The cache folder's place, whether or not caching is switched off."""
    explicit = os.environ.get("FAQBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "faqbot"


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is switched off."""
    if os.environ.get("FAQBOT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    return cache_root()


def vectors_folder(name: str) -> Path:
    """Where the word-vector table ``name`` is installed (it may not be)."""
    return cache_root() / VECTORS / name


def installed_vectors(name: str | None) -> WordVectors | None:
    """The installed table ``name`` (None: no name, or not installed or unreadable: a build goes without)."""
    if name is None:
        return None
    # Imported here: every start reads this module (the cache key), only a build reads a table.
    from faqbot.text.word_vectors import WordVectorsError, load_word_vectors

    try:
        return load_word_vectors(vectors_folder(name))
    except WordVectorsError:
        return None


def vectors_stamp() -> str:
    """The installed tables' names and their files' sizes and times: part of every engine's cache key,
    so installing or removing a table rebuilds the engines that name it."""
    folder = cache_root() / VECTORS
    try:
        tables = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return ""
    stamps = []
    for table in tables:
        try:
            stat = (table / "about.json").stat()
        except OSError:
            continue
        stamps.append(f"{table.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(stamps)
