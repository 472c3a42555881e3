"""What each run of the character channel's texts gave a build, on disk, one file per run, named by its key.

:mod:`faqbot.routing.char_runs` cuts the stored texts along the entries files
and asks for each run's results (surfaces, n-gram segments, the texts' digests)
by a hash of what they depend on.  Here they are kept as one small pickle per
run in a folder per knowledge-base folder and faqbot version (the folder's key
is the per-text cache's: folder + code hash), so a rebuild after a one-file edit
maps the unchanged files' runs and writes only the new ones.  Each file is an
engine file (:mod:`faqbot.answers.engine_file`: a small pickle, every array mapped
read-only), so a run's n-gram postings are pages of the page cache that the merge
reads once and then gives back (:func:`faqbot.text.heap.release`), instead of
~170 MB of copies held until every index is merged at 50,000 entries.  After each build the folder keeps
exactly the runs that build used; folders of other faqbot versions beyond the
newest few are deleted.

Like the other caches this one only ever saves time: a missing, unreadable or
foreign file is computed again, a folder that cannot be written is skipped.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

from faqbot.answers.engine_file import EngineFileError, read_engine_file, write_engine_file
from faqbot.routing.segments import SegmentStore
from faqbot.text.replace_file import replaced_atomically

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
        return read_run(path / f"{key}{_SUFFIX}")  # the store checks what it reads

    return SegmentStore(load)


def store_segments(path: Path, store: SegmentStore) -> None:
    """Write the segments ``store`` extracted to ``path`` and delete those this build did not use."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        for key, value in store.extracted.items():
            write_run(path / f"{key}{_SUFFIX}", value)
        wanted = {f"{key}{_SUFFIX}" for key in store.used}
        for old in path.iterdir():
            if old.name not in wanted and not old.name.startswith("."):  # not another build's file in writing
                old.unlink(missing_ok=True)
        _prune(path.parent)
    except OSError:
        return  # a read-only home must not stop the bot


def read_run(path: Path) -> object:
    """What the run file ``path`` holds, its arrays mapped read-only (None when missing or unreadable)."""
    try:
        return read_engine_file(path)
    except (OSError, EngineFileError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
            KeyError, TypeError, ValueError):
        return None


def write_run(path: Path, value: object) -> None:
    """Write one run's results to ``path`` atomically (a temporary file renamed into place; raises OSError).

    Never over a file in place: another build may have it mapped.
    """
    with replaced_atomically(path, "segment-") as tmp:
        write_engine_file(value, tmp, sync=False)


def _prune(folder: Path) -> None:
    """Delete all but the :data:`_KEEP` most recently written segment folders."""
    folders = sorted(folder.glob(f"{_PREFIX}*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[_KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
