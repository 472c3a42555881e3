"""The character channel's n-gram segments on disk, one file each, named by their documents' hash.

:mod:`faqbot.routing.segments` cuts the three n-gram indexes along the entries
files and asks for each run's n-grams by a hash of its texts.  Here they are
kept as one small pickle per segment in a folder per knowledge-base folder and
faqbot version (the folder's key is the per-text cache's: folder + code hash),
so a rebuild after a one-file edit reads the unchanged files' segments (a few
tens of MB at 10,000 entries, from the page cache) and writes only the new
ones.  After each build the folder keeps exactly the segments that build used;
folders of other faqbot versions beyond the newest few are deleted.

Like the other caches this one only ever saves time: a missing, unreadable or
foreign file is extracted again, a folder that cannot be written is skipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from faqbot.answers.build_cache import read_pickle, write_pickle
from faqbot.routing.ngram_extract import Segment
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

    def load(key: str) -> Segment | None:
        found = read_pickle(path / f"{key}{_SUFFIX}")
        return found if isinstance(found, Segment) else None

    return SegmentStore(load)


def store_segments(path: Path, store: SegmentStore) -> None:
    """Write the segments ``store`` extracted to ``path`` and delete those this build did not use."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        for key in store.extracted:
            write_pickle(path / f"{key}{_SUFFIX}", store.used[key], "segment-")
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
