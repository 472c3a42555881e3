"""What an engine-cache miss does: build the engine with what the last build left, and store it.

Beside the engines (:mod:`faqbot.answers.engine_cache`), one per-text cache per
knowledge-base folder (:mod:`faqbot.answers.build_cache`) lets a rebuild after an edit
analyse only the new texts, parse only the edited entries files, and extract the n-grams
of only those files' texts (:mod:`faqbot.answers.segment_files`); the last build's fitted
values are kept when the rule of :mod:`faqbot.routing.fit_reuse` allows
(:mod:`faqbot.answers.fit_files`).  An engine is stored only when the knowledge base it
read is the one the cache was looked up for.  A cache file that cannot be written is ignored; old
engines beyond the newest few are deleted so the folder does not grow without bound.  A
freshly built engine is stored and then served from the file it was stored in, so the
processes of ``faqbot serve`` share its pages whether it was built or found.

A module of its own so that a warm start, which finds its engine, imports none of the
build's code (the per-text caches, the parser of the knowledge base, the fits).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.answers.build_cache import load_memo, load_parsed, memo_path, parsed_path, store_memo, store_parsed
from faqbot.answers.cache_folder import ENGINE_SUFFIX, cache_key, read_cached
from faqbot.answers.cache_location import cache_dir
from faqbot.answers.engine_file import sync_file, write_engine_file
from faqbot.answers.fit_files import fits_path, load_fits, store_fits
from faqbot.answers.segment_files import segment_folder, segment_store, store_segments
from faqbot.kb.entry_table import EntryList
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.routing.earlier_build import EarlierBuild
from faqbot.routing.fit_reuse import FitHistory, FitRecord
from faqbot.text.collector import collector_paused
from faqbot.text.heap import give_back

# Engines kept in the cache folder (one per knowledge base and faqbot version in use).
_KEEP = 8


def rebuild(root: Path, folder: Path, path: Path, content_hash: str, code: str) -> Engine:
    """Build the engine of the knowledge base in ``root`` and store it in ``folder`` as ``path``.

    ``content_hash``: the knowledge base's files' when the cache was looked up; the engine
    is stored only when the build read the same; ``code``: the :func:`code_hash` it was looked
    up with.  Raises :class:`~faqbot.errors.KnowledgeBaseError` for a broken knowledge base.
    """
    # A build makes the knowledge base's objects, all alive to its end, and little garbage in
    # cycles: the collector's full walks over them were 0.06-0.1 s of a 10k edit.
    with collector_paused(), _pruning(folder):
        return _rebuild(root, folder, path, content_hash, code)


@contextmanager
def _pruning(folder: Path) -> Iterator[None]:
    """Delete old engines in a thread while the block runs, leaving room for the one it stores.

    Deleting an engine evicts its pages (61 MB at 10,000 entries): 0.04 s of every edit
    once :data:`_KEEP` were kept, when it came after the new engine was stored.
    """
    pruning = threading.Thread(target=_prune, args=(folder, _KEEP - 1), name="faqbot-engine-prune")
    pruning.start()
    try:
        yield
    finally:
        pruning.join()


def _rebuild(root: Path, folder: Path, path: Path, content_hash: str, code: str) -> Engine:
    # The per-text results of the last build of this folder: only new texts are analysed.
    # Read first, so that a reading child can start loading its dictionary while the
    # knowledge base loads (it is needed as soon as the build has found the new texts).
    key = cache_key(root, "", code)  # the folder's caches'
    caches = _FolderCaches(folder, key)
    try:
        files = parsed_path(folder, key)
        parsed = load_parsed(files)
        kb = load_knowledge_base(root, parsed)
        store_parsed(files, parsed)
        del parsed  # the entries keep their own pickles; the rest is the cache's bookkeeping
        # After an edit the router packs the entries as soon as it has read them, and moves each
        # merged index out of the heap as it is made (the merges were the edit's peak at 50,000
        # entries), into unnamed files in the cache folder.
        engine = caches.build(kb, _spill_folder(folder))
    finally:
        caches.cool_down()
    del kb  # the engine holds it
    give_back()  # what the build freed, before the caches and the engine file are written
    # Store only an engine of the content the cache was looked up for.  The loader hashed the
    # files after reading them, so an edit made since the look-up shows here; one made after
    # the loader read them leaves this engine the old content's, rightly filed under its key
    # (hashing the files once more was 0.01 s of a 10k edit, and guarded nothing more).
    current = engine.kb.content_hash == content_hash
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
        caches.keep()  # written while the engine file is flushed to disk
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
    build = _FolderCaches(folder, cache_key(Path(earlier), ""))
    try:
        return build.build(kb)
    finally:
        build.cool_down()


class _FolderCaches:
    """What the last build of a knowledge-base folder left in the cache folder: per-text results, segments, fits.

    :meth:`build` builds with them; :meth:`keep` writes back what that build added.
    """

    def __init__(self, folder: Path, key: str) -> None:
        """What the last build left in ``folder`` under ``key``: the knowledge-base folder's :func:`cache_key` (no content hash)."""
        self._texts = memo_path(folder, key)
        self._segments = segment_folder(folder, key)
        self._fitted = fits_path(folder, key)
        self._memo = load_memo(self._texts)
        self._memo.warm_up()
        self._store = segment_store(self._segments)
        self._fits: dict[str, FitRecord] | None = None  # this build's fit records, once built

    def build(self, kb: KnowledgeBase, spill: Path | None = None) -> Engine:
        """The engine for ``kb``, reusing what the earlier build left; ``spill``: see :class:`~faqbot.routing.earlier_build.EarlierBuild`."""
        fits = FitHistory(kb, load_fits(self._fitted))
        engine = Engine.build(kb, EarlierBuild(self._memo, self._store, fits, spill))
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
    failed: list[OSError] = []

    def flush() -> None:
        try:
            sync_file(tmp)
        except OSError as exc:
            failed.append(exc)

    flushing = threading.Thread(target=flush, name="faqbot-engine-flush")
    flushing.start()  # before the engine is read back: the flush is the store's longest step
    written = read_cached(tmp, content_hash)

    def finish() -> bool:
        flushing.join()
        try:
            if failed:
                raise failed[0]
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
            return False
        return True

    return finish, written


def _not_stored() -> bool:
    return False


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently written engines (and their remembered content hashes); never raises."""
    try:
        engines = sorted(folder.glob(f"engine-*{ENGINE_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in engines[keep:]:
            old.unlink(missing_ok=True)
        memos = sorted(folder.glob("content-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in memos[4 * _KEEP :]:  # a few signatures per engine: touched files, copies
            old.unlink(missing_ok=True)
    except OSError:
        return  # a file another process deleted meanwhile, a folder not writable: pruned next time
