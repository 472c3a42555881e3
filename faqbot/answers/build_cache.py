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

Beside it, a folder of the entries files parsed and validated
(:class:`~faqbot.kb.parsed_files.ParsedFiles`): one engine file per entries file, named by
the key of its content, holding its entries' pickles in one array (mapped read-only when
read), and one small pickle of the answers and the files known to render.  An edit parses only the
edited file's YAML and writes only its file: the unchanged files' pickles are neither
unpickled nor written again (the whole store was 62 MB at 50,000 entries, rewritten on
every edit), and their mapped pages are given back once read.

An unreadable or foreign file is ignored (the build then analyses everything);
a file that cannot be written is skipped: the cache only ever saves time.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

from faqbot.answers.engine_file import EngineFileError, read_engine_file, write_engine_file
from faqbot.kb.parsed_files import ParsedFiles, PickledFile
from faqbot.text.memo import TextMemo
from faqbot.text.memo_stored import StoredMemo
from faqbot.text.replace_file import replaced_atomically

_PREFIX = "texts-"
_FILES_PREFIX = "files-"
_ENTRIES_SUFFIX = ".entries"
_RENDERS = "renders.pickle"
# Per-text caches kept in the folder (one per knowledge-base folder in use).
_KEEP = 8
# Bumped when the pickled layout changes (9: the per-text cache is an engine file, mapped;
# 10: the parsed entries files are a folder of engine files, one per entries file; 11: each
# also holds its entries in one pickle).
_FORMAT = 11


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
        with replaced_atomically(path, _PREFIX) as tmp:
            write_engine_file((_FORMAT, memo.stored(path.parent)), tmp, sync=False)
        _prune(path.parent, _PREFIX)
    except OSError:
        return  # a read-only home must not stop the bot


def parsed_path(folder: Path, key: str) -> Path:
    """The folder of the parsed entries files of the knowledge base keyed ``key``."""
    return folder / f"{_FILES_PREFIX}{key}"


def load_parsed(path: Path) -> ParsedFiles:
    """Parsed entries files found in the folder ``path`` as they are asked for (none when it is missing or unreadable)."""

    def load(key: str) -> PickledFile | None:
        try:
            stored = read_engine_file(path / f"{key}{_ENTRIES_SUFFIX}")
        except (OSError, EngineFileError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                KeyError, TypeError, ValueError):
            return None
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _FORMAT and isinstance(stored[1], PickledFile):
            return stored[1]
        return None

    renders = read_pickle(path / _RENDERS)
    if not (
        isinstance(renders, tuple) and len(renders) == 3 and renders[0] == _FORMAT
        and isinstance(renders[1], frozenset) and isinstance(renders[2], dict)
    ):
        renders = (_FORMAT, frozenset(), {})
    return ParsedFiles(load, renders[1], renders[2])


def store_parsed(path: Path, parsed: ParsedFiles) -> None:
    """Write the entries files this build parsed into the folder ``path``, delete those it did not use.

    Each is written to a temporary file renamed into place, never over a file in place: a
    build maps the files it reads.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        for key, file in parsed.fresh.items():
            with replaced_atomically(path / f"{key}{_ENTRIES_SUFFIX}", "entries-") as tmp:
                write_engine_file((_FORMAT, file), tmp, sync=False)
        if parsed.renders_changed or parsed.file_renders_changed:
            write_pickle(path / _RENDERS, (_FORMAT, frozenset(parsed.renders), parsed.file_renders), "renders-")
        wanted = {f"{key}{_ENTRIES_SUFFIX}" for key in parsed.used}
        for old in path.glob(f"*{_ENTRIES_SUFFIX}"):
            if old.name not in wanted:
                old.unlink(missing_ok=True)
        _prune_folders(path.parent, _FILES_PREFIX)
    except OSError:
        return  # a read-only home must not stop the bot


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
    with replaced_atomically(path, prefix) as tmp, tmp.open("wb") as handle:
        pickle.dump(stored, handle, protocol=pickle.HIGHEST_PROTOCOL)


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


def _prune_folders(folder: Path, prefix: str) -> None:
    """Delete all but the :data:`_KEEP` most recently written folders ``<prefix>*`` (and files of older formats so named)."""
    found = sorted(folder.glob(f"{prefix}*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in found[_KEEP:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
