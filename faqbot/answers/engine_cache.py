"""A compiled-engine cache on disk, so one ``faqbot ask`` starts in a blink.

Building the engine (validating the knowledge base, rendering every template
for every product, computing kana readings, building the n-gram indexes)
takes about a second for the shipped knowledge base and a minute at 50,000
entries; opening a cached one maps its file (:mod:`faqbot.answers.engine_file`:
a small pickle, every array mapped read-only) in milliseconds.  The cache key
is a hash of every knowledge-base file *and* of faqbot's own code, so an
edited knowledge base or an upgraded faqbot never reads a stale engine: it
simply misses and rebuilds.  The code part covers every file of the package
(templates included) by path, size and modification time — an edited source
file changes its modification time, and stat-ing is what keeps a warm start
from reading and hashing the whole package — and the installed versions of the
libraries whose data or pickles the engine holds (numpy, pykakasi, fugashi,
unidic-lite, wordfreq, rapidfuzz, jinja2, PyYAML), read from their
``*.dist-info`` folder names.  An engine is stored only when the knowledge
base did not change while it was being built, and a loaded engine must carry
the content hash of the files on disk now (remembered per signature of the
files — path, size, modification time, inode — so a warm start reads no YAML;
see :func:`_content_hash`).  Beside the engines, one per-text cache per knowledge-base folder
(:mod:`faqbot.answers.build_cache`) lets a rebuild after an edit analyse only
the new texts, parse only the edited entries files, and extract the n-grams of only those
files' texts (:mod:`faqbot.answers.segment_files`); the last build's fitted values are kept when
the rule of :mod:`faqbot.routing.fit_reuse` allows (:mod:`faqbot.answers.fit_files`).  A cache file that cannot be read,
or fails the engine file's checks (truncated, corrupt), is rebuilt; one that
cannot be written is ignored; old engines beyond the newest few are deleted so
the folder does not grow without bound.  A freshly built engine is stored and
then served from the file it was stored in, so the processes of ``faqbot
serve`` share its pages whether it was built or found.

Location: ``$FAQBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faqbot``, else
``~/.cache/faqbot``.  ``FAQBOT_CACHE=off`` disables it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.answers.build_cache import load_memo, load_parsed, memo_path, parsed_path, store_memo, store_parsed
from faqbot.answers.engine_file import EngineFileError, read_engine_file, sync_file, write_engine_file
from faqbot.answers.fit_files import fits_path, load_fits, store_fits
from faqbot.answers.segment_files import segment_folder, segment_store, store_segments
from faqbot.kb.entry_table import EntryList
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import SHIPPED_KB, kb_content_hash, load_knowledge_base
from faqbot.routing.fit_reuse import FitHistory, FitRecord
from faqbot.text.heap import give_back

_PACKAGE = Path(__file__).resolve().parent.parent  # the whole faqbot package
# Libraries whose data (pykakasi's dictionary) or pickled objects the engine holds.
_LIBRARIES = ("numpy", "pykakasi", "fugashi", "unidic-lite", "wordfreq", "rapidfuzz", "jinja2", "PyYAML")
# Distribution folders as installers name them (PEP 503-normalised names, "_" for "-").
_DIST_INFO = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info")
_WANTED = {re.sub(r"[-_.]+", "_", name).lower() for name in _LIBRARIES}
_SUFFIX = ".engine"
_HEX64 = re.compile(r"[0-9a-f]{64}")
# Files modified more recently than this are hashed, not remembered (see _content_hash).
_SETTLED_NS = 2_000_000_000
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
    """Python's version, the libraries' versions, and every package file's path, size and mtime."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update("\n".join(_library_versions()).encode())
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
    content_hash = _content_hash(root, folder)
    path = folder / f"engine-{_key(root, content_hash)}{_SUFFIX}"
    engine = _read(path, content_hash)
    if engine is not None:
        return engine
    # The per-text results of the last build of this folder: only new texts are analysed.
    # Read first, so that a reading child can start loading its dictionary while the
    # knowledge base loads (it is needed as soon as the build has found the new texts).
    earlier = _EarlierBuild(folder, root)
    try:
        files = parsed_path(folder, _key(root, ""))
        parsed = load_parsed(files)
        kb = load_knowledge_base(root, parsed)
        store_parsed(files, parsed)
        del parsed  # the entries keep their own pickles; the rest is the cache's bookkeeping
        # After an edit the router packs the entries as soon as it has read them, and moves each
        # merged index out of the heap as it is made (the merges were the edit's peak at 50,000
        # entries), into unnamed files in the cache folder.
        engine = earlier.build(kb, _spill_folder(folder))
    finally:
        earlier.cool_down()
    del kb  # the engine holds it
    give_back()  # what the build freed, before the caches and the engine file are written
    # Store only what matches the files as they are now: an edit made while we
    # were building must not be filed under the old content's key, or the new one's.
    current = engine.kb.content_hash == content_hash == kb_content_hash(root)
    if current:
        _pack(engine.kb, folder)  # when the build did not (a cold build)
    stored, written = _store(folder, path, engine, content_hash) if current else (None, None)
    if written is not None:
        # Served from the file just written: its arrays then live in shared, read-only
        # pages (forked server workers never copy them), like a cache hit's.  Taken now, so
        # the built engine's arrays and entries (~250 MB at 50,000 entries) are freed before
        # the per-text cache is written rather than held beside it.
        engine = written
        give_back()
    try:
        earlier.keep()  # written while the engine file is flushed to disk
    finally:
        if stored is not None:
            stored()
    return engine


def _pack(kb: KnowledgeBase, folder: Path) -> None:
    """Pack ``kb``'s entries as the engine file holds them (nothing when they are), their bytes in ``folder``.

    The entries as objects are freed, and the table does not stand in the heap beside them.
    """
    if not isinstance(kb.entries, EntryList):
        return  # packed already
    try:
        kb.pack_entries(_spill_folder(folder))
    except OSError:  # the folder is full or gone: in the heap, as the write would have packed them
        kb.pack_entries()
    give_back()


def _spill_folder(folder: Path) -> Path | None:
    """``folder``, created when missing, for a build's packed entries; None when it cannot be (the heap then)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def build_like(kb: KnowledgeBase, earlier: Path) -> Engine:
    """Build ``kb`` with the per-text results, n-gram segments and fits of ``earlier``'s last build.

    For a changed copy of a knowledge base (``faqbot learn``'s preview): what the copy
    shares with ``earlier`` is not analysed again, and the fits are kept or refitted by
    the same rule as after an edit, so the preview routes as the knowledge base will once
    the change is written.  Nothing is written to the cache.
    """
    folder = cache_dir()
    if folder is None:
        return Engine.build(kb)
    build = _EarlierBuild(folder, Path(earlier))
    try:
        return build.build(kb)
    finally:
        build.cool_down()


class _EarlierBuild:
    """What the last build of the knowledge base in ``root`` left in ``folder``: per-text results, segments, fits.

    :meth:`build` builds with them; :meth:`keep` writes back what that build added.
    """

    def __init__(self, folder: Path, root: Path) -> None:
        key = _key(root, "")
        self._texts = memo_path(folder, key)
        self._segments = segment_folder(folder, key)
        self._fitted = fits_path(folder, key)
        self._memo = load_memo(self._texts)
        self._memo.warm_up()
        self._store = segment_store(self._segments)
        self._fits: dict[str, FitRecord] | None = None  # this build's fit records, once built

    def build(self, kb: KnowledgeBase, spill: Path | None = None) -> Engine:
        """The engine for ``kb``, reusing what the earlier build left; ``spill``: see :meth:`Engine.build`."""
        fits = FitHistory(kb, load_fits(self._fitted))
        engine = Engine.build(kb, self._memo, self._store, fits, spill)
        self._fits = fits.records  # not the history: it holds the knowledge base
        return engine

    def cool_down(self) -> None:
        """End the reading child started for the build if the build did not use it (a broken knowledge base)."""
        self._memo.cool_down()

    def keep(self) -> None:
        """Write the per-text results, segments and fits of the build just made."""
        store_memo(self._texts, self._memo)
        store_segments(self._segments, self._store)
        if self._fits is not None:
            store_fits(self._fitted, self._fits)


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
    content_hash = kb_content_hash(root)
    if time.time_ns() - newest > _SETTLED_NS:
        _write_atomically(folder, memo, content_hash.encode())
    return content_hash


def _write_atomically(folder: Path, path: Path, data: bytes) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".content-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(name, path)
    except OSError:
        return  # not remembered: hashed again next time


def _read(path: Path, content_hash: str) -> Engine | None:
    """The engine in ``path`` if it is a sound engine file for ``content_hash``, else None."""
    try:
        engine = read_engine_file(path)
    except (OSError, EngineFileError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, KeyError, TypeError, ValueError):
        return None  # missing or unreadable: the caller rebuilds
    if isinstance(engine, Engine) and engine.kb.content_hash == content_hash:
        return engine
    return None


def _store(folder: Path, path: Path, engine: Engine, content_hash: str) -> tuple[Callable[[], bool], Engine | None]:
    """Write ``engine`` to a temporary file and start flushing it to disk in a thread.

    Returns a call that waits for the flush, renames the file to ``path`` and says whether it
    was stored (False when the cache folder is not writable), and the engine read back from
    the file just written (None when it was not written).  The flush (0.08 s of a 10k
    edit) overlaps with writing the per-text cache and the segments; a reader still never
    sees a file that is not on disk whole, since it is renamed into place only after it.
    The engine read back stays sound whatever the flush does: the file was written whole,
    and a mapping outlives the file's name.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".engine-", suffix=".tmp")
        os.close(fd)
    except OSError:
        return _not_stored, None  # a read-only home must not stop the bot
    tmp = Path(name)
    try:
        write_engine_file(engine, tmp, sync=False)
    except OSError:
        tmp.unlink(missing_ok=True)
        return _not_stored, None
    written = _read(tmp, content_hash)
    failed: list[OSError] = []

    def flush() -> None:
        try:
            sync_file(tmp)
        except OSError as exc:
            failed.append(exc)

    flushing = threading.Thread(target=flush, name="faqbot-engine-flush")
    flushing.start()

    def finish() -> bool:
        flushing.join()
        try:
            if failed:
                raise failed[0]
            os.replace(tmp, path)
            _prune(folder)
        except OSError:
            tmp.unlink(missing_ok=True)
            return False
        return True

    return finish, written


def _not_stored() -> bool:
    return False


def _prune(folder: Path) -> None:
    """Delete all but the :data:`_KEEP` most recently written engines."""
    engines = sorted(folder.glob(f"engine-*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in engines[_KEEP:]:
        old.unlink(missing_ok=True)
    memos = sorted(folder.glob("content-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in memos[4 * _KEEP :]:  # a few signatures per engine: touched files, copies
        old.unlink(missing_ok=True)
