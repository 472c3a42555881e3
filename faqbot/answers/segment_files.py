"""What each run of the character channel's texts gave a build, on disk, one file per run, named by its key.

:mod:`faqbot.routing.char_runs` cuts the stored texts along the entries files
and asks for each run's results (surfaces, n-gram segments, the texts' digests)
by a hash of what they depend on.  Here they are kept as one small pickle per
run in a folder per knowledge-base folder and faqbot version (the folder's key
is the per-text cache's: folder + code hash), so a rebuild after a one-file edit
reads the unchanged files' runs (a few tens of MB at 10,000 entries, from the
page cache) and writes only the new ones.  After each build the folder keeps
exactly the runs that build used; folders of other faqbot versions beyond the
newest few are deleted.

Like the other caches this one only ever saves time: a missing, unreadable or
foreign file is computed again, a folder that cannot be written is skipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from faqbot.answers.build_cache import read_pickle, write_pickle
from faqbot.routing.segments import SegmentStore

_PREFIX = "segments-"
_SUFFIX = ".segment"
# Segment folders kept in the cache folder (one per knowledge-base folder and faqbot version).
_KEEP = 8


def segment_folder(folder: Path, key: str) -> Path:
    """Where the segments of the knowledge base keyed ``key`` live."""
    return folder / f"{_PREFIX}{key}"


def segment_store(path: Path) -> SegmentStore:
    """A store that finds segments in ``path`` (none when it is missing)."""

    def load(key: str) -> object:
        return read_pickle(path / f"{key}{_SUFFIX}")  # the store checks what it reads

    return SegmentStore(load)


def store_segments(path: Path, store: SegmentStore) -> None:
    """Write the segments ``store`` extracted to ``path`` and delete those this build did not use."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        for key, value in store.extracted.items():
            write_pickle(path / f"{key}{_SUFFIX}", value, "segment-")
        wanted = {f"{key}{_SUFFIX}" for key in store.used}
        for old in path.iterdir():
            if old.name not in wanted and not old.name.startswith("."):  # not another build's file in writing
                old.unlink(missing_ok=True)
        _prune(path.parent)
    except OSError:
        return  # a read-only home must not stop the bot


def _prune(folder: Path) -> None:
    """Delete all but the :data:`_KEEP` most recently written segment folders."""
    folders = sorted(folder.glob(f"{_PREFIX}*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[_KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
