"""Where the engine cache lives, how its engines are keyed, and reading one back.

The cache key is a hash of every knowledge-base file *and* of faqbot's own code, so an
edited knowledge base or an upgraded faqbot never reads a stale engine: it simply misses
and rebuilds.  The code part covers every file of the package (templates included) by
path, size and modification time — an edited source file changes its modification time,
and stat-ing is what keeps a warm start from reading and hashing the whole package — and
the installed versions of the libraries whose data or pickles the engine holds (numpy,
pykakasi, fugashi, unidic-lite, wordfreq, rapidfuzz, jinja2, PyYAML), read from their
``*.dist-info`` folder names, and the word-vector tables installed (an engine whose knowledge
base names one holds its vectors).

Location: :mod:`faqbot.answers.cache_location`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.answers.cache_location import vectors_stamp
from faqbot.answers.engine_file import EngineFileError, read_engine_file

_PACKAGE = Path(__file__).resolve().parent.parent  # the whole faqbot package
# Libraries whose data (pykakasi's dictionary) or pickled objects the engine holds.
_LIBRARIES = ("numpy", "pykakasi", "fugashi", "unidic-lite", "wordfreq", "rapidfuzz", "jinja2", "PyYAML")
# Distribution folders as installers name them (PEP 503-normalised names, "_" for "-").
_DIST_INFO = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info")
_WANTED = {re.sub(r"[-_.]+", "_", name).lower() for name in _LIBRARIES}
ENGINE_SUFFIX = ".engine"


def code_hash() -> str:
    """Python's version, the libraries' versions, every package file's path, size and mtime, and
    the installed word-vector tables (:func:`~faqbot.answers.cache_location.vectors_stamp`)."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update("\n".join(_library_versions()).encode())
    digest.update(vectors_stamp().encode())
    root = str(_PACKAGE)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")  # walked in sorted order
        relative = folder[len(root) :]  # os.path.relpath costs more than all the stat calls
        for name in sorted(files):
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{relative}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _library_versions() -> list[str]:
    """``name==version`` of each library in :data:`_LIBRARIES` found on ``sys.path`` (the first one wins).

    Read from the ``*.dist-info`` folder names, as importlib.metadata would, without
    importing it (a tenth of every ``faqbot ask``).
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            match = _DIST_INFO.fullmatch(name)
            if match:
                key = re.sub(r"[-_.]+", "_", match["name"]).lower()
                if key in _WANTED:
                    found.setdefault(key, match["version"])
    return [f"{name}=={found.get(name, 'missing')}" for name in sorted(_WANTED)]


def cache_key(root: Path, content_hash: str, code: str | None = None) -> str:
    """The key of what is cached for the knowledge base in ``root`` with ``content_hash`` ("": its folder's caches).

    ``code``: :func:`code_hash`, when the caller has it (a rebuild keys the engine and the
    folder's caches with one).
    """
    # The folder is part of the key: the engine's knowledge base remembers where
    # it was loaded from (lint and `faqbot check` read and print that path).
    code = code_hash() if code is None else code
    return hashlib.sha256((str(root.resolve()) + content_hash + code).encode()).hexdigest()[:32]


def engine_path(folder: Path, root: Path, content_hash: str, code: str | None = None) -> Path:
    """Where the engine of the knowledge base in ``root`` with ``content_hash`` is kept in ``folder`` (``code``: see :func:`cache_key`)."""
    return folder / f"engine-{cache_key(root, content_hash, code)}{ENGINE_SUFFIX}"


def read_cached(path: Path, content_hash: str) -> Engine | None:
    """The engine in ``path`` if it is a sound engine file for ``content_hash``, else None."""
    try:
        engine = read_engine_file(path)
    except (OSError, EngineFileError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, KeyError, TypeError, ValueError):
        return None  # missing or unreadable: the caller rebuilds
    if isinstance(engine, Engine) and engine.kb.content_hash == content_hash:
        return engine
    return None
