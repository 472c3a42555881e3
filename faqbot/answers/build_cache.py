"""The per-text build cache on disk: an edited knowledge base re-analyses only its new texts.

The engine cache (:mod:`faqbot.answers.engine_cache`) misses on any edit to the
knowledge base, and a from-scratch build at 10,000 entries spent most of its
time in MeCab and pykakasi on texts the previous build had already seen.  This
cache keeps those per-text results (:class:`~faqbot.text.memo.TextMemo`: the
analysis of every prepared text, the reading of every stored text) in one
file per knowledge-base folder, beside the engines, in the engine file's format
(its arrays mapped read-only when read).  They depend on the text
alone, so they are reused whatever else changed; the file's key includes the
code hash (faqbot's source and the analysers' versions), so an upgrade starts
afresh.  After each build the file is rewritten with exactly the texts that
build used, and only when that differs from what was read.

Beside it, one pickle of the entries files parsed and validated
(:class:`~faqbot.kb.parsed_files.ParsedFiles`, keyed by each file's content), so an
edit parses only the edited file's YAML.

An unreadable or foreign file is ignored (the build then analyses everything);
a file that cannot be written is skipped: the cache only ever saves time.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from faqbot.answers.engine_file import EngineFileError, read_engine_file, write_engine_file
from faqbot.kb.parsed_files import ParsedFiles
from faqbot.text.memo import StoredMemo, TextMemo

_PREFIX = "texts-"
_FILES_PREFIX = "files-"
# Per-text caches kept in the folder (one per knowledge-base folder in use).
_KEEP = 8
# Bumped when the pickled layout changes (9: the per-text cache is an engine file, mapped).
_FORMAT = 9


def memo_path(folder: Path, key: str) -> Path:
    """Where the per-text cache of the knowledge base keyed ``key`` lives."""
    return folder / f"{_PREFIX}{key}.pickle"


def load_memo(path: Path) -> TextMemo:
    """A memo seeded with the texts stored at ``path`` (an empty one when there is none or it is unreadable).

    The file is an engine file (:mod:`faqbot.answers.engine_file`): its arrays are mapped
    read-only, so a build after an edit, which looks up the digests and reads back only the
    edited texts' results, holds those pages and not the whole cache (~110 MB at 50,000
    entries when it was unpickled).
    """
    try:
        stored = read_engine_file(path)
    except (OSError, EngineFileError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
            KeyError, TypeError, ValueError):
        return TextMemo()
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _FORMAT and isinstance(stored[1], StoredMemo)):
        return TextMemo()
    return TextMemo(stored[1])


def store_memo(path: Path, memo: TextMemo) -> None:
    """Write this build's texts to ``path`` (atomically), when they differ from what was read.

    Written to a temporary file renamed into place, never over the file in place: the memo
    it was read from (this build's, or another process's) maps it.
    """
    if not memo.changed:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{_PREFIX}", suffix=".tmp")
        os.close(fd)
        try:
            write_engine_file((_FORMAT, memo.stored()), Path(tmp), sync=False)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent, _PREFIX)
    except OSError:
        return  # a read-only home must not stop the bot


def parsed_path(folder: Path, key: str) -> Path:
    """Where the parsed entries files of the knowledge base keyed ``key`` live."""
    return folder / f"{_FILES_PREFIX}{key}.pickle"


def load_parsed(path: Path) -> ParsedFiles:
    """Parsed entries files seeded from ``path`` (none when there is no readable store)."""
    stored = read_pickle(path)
    if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == _FORMAT and isinstance(stored[1], dict)
            and isinstance(stored[2], frozenset)):
        return ParsedFiles()
    return ParsedFiles(stored[1], stored[2])


def store_parsed(path: Path, parsed: ParsedFiles) -> None:
    """Write this build's parsed files to ``path`` (atomically), when they differ from what was read."""
    if parsed.changed:
        store_pickle(path, (_FORMAT, parsed.used, frozenset(parsed.renders)), _FILES_PREFIX)


def read_pickle(path: Path) -> object:
    """What the cache file ``path`` holds (None when it is missing or unreadable)."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file, keyed by code hash
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def write_pickle(path: Path, stored: object, prefix: str) -> None:
    """Write ``stored`` to ``path`` atomically (a temporary file named ``.<prefix>…`` renamed into place).

    Raises OSError: a caller that may skip the write catches it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{prefix}", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(stored, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def store_pickle(path: Path, stored: object, prefix: str) -> None:
    """:func:`write_pickle`, then keep only the newest :data:`_KEEP` files ``<prefix>*.pickle``; never raises."""
    try:
        write_pickle(path, stored, prefix)
        _prune(path.parent, prefix)
    except OSError:
        return  # a read-only home must not stop the bot


def _prune(folder: Path, prefix: str) -> None:
    """Delete all but the :data:`_KEEP` most recently written caches of one kind."""
    caches = sorted(folder.glob(f"{prefix}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in caches[_KEEP:]:
        old.unlink(missing_ok=True)
