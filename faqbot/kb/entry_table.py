"""A knowledge base's entries: as loaded (:class:`EntryList`), or as one blob (:class:`EntryTable`).

A 50,000-entry knowledge base is half a million Python objects (entries,
their questions, pages, notes): unpickling them was most of a cached engine's
load time, and each worker that touched them made their pages private.
Answering one question reads a handful of entries, so the engine file keeps
every entry pickled on its own in one byte array, with its id in a
:class:`~faqbot.text.packed.StringIndex`: the array is mapped from the file,
and an entry is decoded only when it is read.

Both classes answer the same questions (``ids``, ``position``, ``in_language``,
``packed``), so :class:`~faqbot.kb.knowledge.KnowledgeBase` never asks which one
it holds.
"""

from __future__ import annotations

import hashlib
import mmap
import pickle
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from faqbot.text.heap import release
from faqbot.text.packed import PackedSequence, PackedStrings, StringIndex

if TYPE_CHECKING:  # only for type hints: knowledge imports this module
    from faqbot.kb.knowledge import Entry


class EntryPickles(Sequence["bytes | memoryview"]):
    """Each entry pickled (views of the arrays ``arrays``, mapped read-only when they came from a cache file).

    :meth:`release` gives the mapped pages back once read: the bytes stay readable, and a
    later read faults them in again from the page cache.
    """

    def __init__(self, pickles: Sequence[bytes | memoryview], arrays: Sequence[tuple[int, object]] = ()) -> None:
        """``arrays``: each array the pickles view, with the position of the first pickle that views it
        (the pickles of one array come one after the other)."""
        self._pickles = pickles
        self._arrays = tuple(arrays)

    def __len__(self) -> int:
        return len(self._pickles)

    @overload
    def __getitem__(self, index: int) -> bytes | memoryview: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes | memoryview]: ...

    def __getitem__(self, index: int | slice) -> bytes | memoryview | Sequence[bytes | memoryview]:
        return self._pickles[index]

    def release(self) -> None:
        """Give back this process's pages of the mapped arrays the pickles view (nothing else is touched)."""
        release(*(array for _, array in self._arrays))

    def joined(self, spill: Path | None = None) -> np.ndarray:
        """Every pickle, one after the other (uint8): one array's at a time, its pages given back once copied.

        ``b"".join`` of them all faulted the whole mapped cache in beside the copy (62 MB each
        at 50,000 entries).  ``spill``: a folder to write them to, in an unnamed file mapped
        read-only, instead of the heap (see :meth:`EntryList.packed`).
        """
        starts = [start for start, _ in self._arrays] or [0]
        arrays = [array for _, array in self._arrays] or [None]
        groups = [(a, b, array) for a, b, array in zip(starts, [*starts[1:], len(self._pickles)], arrays, strict=True) if a < b]
        return _joined((self._part(a, b, array) for a, b, array in groups), spill)

    def _part(self, start: int, end: int, array: object) -> bytes:
        part = b"".join(self._pickles[start:end])
        release(array)  # copied: the mapped cache file's pages go back
        return part


def _joined(parts: Iterable[bytes], spill: Path | None) -> np.ndarray:
    """``parts`` one after the other: in the heap, or (``spill``) in an unnamed file there, mapped read-only.

    The file's pages are the page cache's: given back once read (:func:`~faqbot.text.heap.release`),
    read again from there on demand, and the file goes when the mapping does.
    """
    if spill is None:
        out = bytearray()
        for part in parts:
            out += part
        blob = np.frombuffer(out, dtype=np.uint8)
        blob.flags.writeable = False
        return blob
    with tempfile.TemporaryFile(dir=spill, prefix=".entries-") as handle:
        for part in parts:
            handle.write(part)
        handle.flush()
        if not handle.tell():
            return np.zeros(0, dtype=np.uint8)
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(memoryview(mapped), dtype=np.uint8)


# The entries this process decoded lately, by (the table's blob's id, its language, position), each
# with a weak reference to its blob, so a reused id never matches and a knowledge base reloaded away
# (its engine file unmapped) is not kept alive here.  A turn reads about five entries (the best one twice:
# the router's small-talk check, then the reply; the small-talk entries every turn), and decoding
# one is an unpickling of a few dozen microseconds; entries are frozen, so all get the same value.
_RECENT: dict[tuple[int, str, int], tuple[weakref.ref[np.ndarray], Entry]] = {}
_RECENT_MAX = 256  # cleared when full: a server meets endless answers, a turn a handful


def _kind_codes(kinds: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct kinds (sorted) and each entry's kind as an index into them."""
    names = tuple(sorted(set(kinds)))
    code = {name: i for i, name in enumerate(names)}
    return names, np.fromiter((code[k] for k in kinds), dtype=np.uint8, count=len(kinds))


class EntryTable(PackedSequence["Entry"]):
    """An immutable sequence of entries stored pickled, one after the other; each read in ``lang``."""

    def __init__(
        self, entries: Iterable[Entry], pickled: Sequence[bytes | memoryview] | None = None, spill: Path | None = None
    ) -> None:
        """Pack ``entries``; ``pickled``: each of them already pickled, when the caller has them.

        ``spill``: a folder where the packed bytes are written and mapped from, rather than held
        in the heap (see :meth:`EntryList.packed`).
        """
        entries = list(entries)
        if pickled is None:
            pickled = [pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL) for e in entries]
        if isinstance(pickled, EntryPickles) or spill is not None:
            lengths = np.fromiter(map(len, pickled), dtype=np.int64, count=len(pickled))
            self._offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
            # Copied an array at a time (see EntryPickles.joined).
            self._blob = pickled.joined(spill) if isinstance(pickled, EntryPickles) else _joined([b"".join(pickled)], spill)
        else:
            super().__init__(pickled)
        ids = [e.id for e in entries]
        self._ids = PackedStrings(ids)
        self._by_id = StringIndex(ids)
        self._kinds, self._kind_codes = _kind_codes([e.kind for e in entries])
        self._lang = "ja"

    def in_language(self, lang: str) -> EntryTable:
        """The same entries, each read in ``lang`` (see :meth:`Entry.in_language`)."""
        view = object.__new__(EntryTable)
        view.__dict__.update(self.__dict__)
        view._lang = lang
        return view

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | Sequence[Entry]:
        if isinstance(index, slice):
            return super().__getitem__(index)
        key = (id(self._blob), self._lang, index)
        found = _RECENT.get(key)
        if found is not None and found[0]() is self._blob:
            return found[1]
        entry = super().__getitem__(index)
        if len(_RECENT) >= _RECENT_MAX:
            _RECENT.clear()
        _RECENT[key] = (weakref.ref(self._blob), entry)
        return entry

    def _decode(self, data: memoryview) -> Entry:
        entry: Entry = pickle.loads(data)  # noqa: S301 - our own engine file
        return entry.in_language(self._lang)

    def position(self, entry_id: str) -> int:
        """The position of the entry with ``entry_id``, or -1."""
        return self._by_id.get(entry_id)

    def positions_of_kind(self, kind: str) -> np.ndarray:
        """The positions of the entries of ``kind``, in order, without decoding any entry.

        A 50,000-entry knowledge base has a handful of small-talk and compute entries: finding
        them by decoding every entry cost a chat's first message ~1 s.
        """
        if kind not in self._kinds:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self._kind_codes == self._kinds.index(kind))

    @property
    def ids(self) -> Sequence[str]:
        """Every entry id, in order, without decoding the entries."""
        return self._ids

    def packed(self, spill: Path | None = None) -> EntryTable:
        """Itself: already packed."""
        return self


class EntryList(Sequence["Entry"]):
    """The entries as loaded from YAML: a tuple, with an id index built on first use."""

    def __init__(self, entries: Iterable[Entry], pickled: Sequence[bytes | memoryview] | None = None) -> None:
        """The entries; ``pickled``: each of them pickled (kept by the parsed-files cache), for :meth:`packed`."""
        self._entries = tuple(entries)
        self._pickled = pickled if pickled is not None and len(pickled) == len(self._entries) else None
        self._run_keys: dict[tuple[int, int], str] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | Sequence[Entry]:
        return self._entries[index]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryList) and self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]  # equal by value, like the tuple it wraps

    def __repr__(self) -> str:
        return f"EntryList({len(self)} entries)"

    @cached_property
    def _by_id(self) -> dict[str, int]:
        # Built once: a 50k-entry knowledge base must not be scanned per look-up.
        return {entry.id: pos for pos, entry in enumerate(self._entries)}

    def position(self, entry_id: str) -> int:
        """The position of the entry with ``entry_id``, or -1."""
        return self._by_id.get(entry_id, -1)

    @property
    def ids(self) -> Sequence[str]:
        """Every entry id, in order."""
        return tuple(entry.id for entry in self._entries)

    def positions_of_kind(self, kind: str) -> np.ndarray:
        """The positions of the entries of ``kind``, in order."""
        return np.array([i for i, entry in enumerate(self._entries) if entry.kind == kind], dtype=np.int64)

    def in_language(self, lang: str) -> EntryList:
        """The same entries, each in ``lang`` (see :meth:`Entry.in_language`)."""
        return EntryList(entry.in_language(lang) for entry in self._entries)

    @property
    def pickles(self) -> Sequence[bytes | memoryview]:
        """Each entry pickled, as the parsed-files cache keeps it (pickled here, once, when the loader had none).

        Equal entries files give equal bytes (an unchanged file's are the very bytes stored),
        and the bytes decode to the entry: a build keys what it derives from a run of entries
        by them instead of hashing the texts it would derive (:mod:`faqbot.routing.segments`).
        """
        if self._pickled is None:
            self._pickled = [pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL) for e in self._entries]
        return self._pickled

    def run_key(self, start: int, end: int) -> str:
        """A hash of the :attr:`pickles` of entries ``start:end`` (each one's length, then all of them).

        Kept once made: the character channel's runs and the analyses' are the same runs,
        each keyed by it (:func:`~faqbot.routing.segments.entries_key`), and hashing 11 MB of
        pickles twice was 0.01 s of a 10k edit.
        """
        key = self._run_keys.get((start, end))
        if key is None:
            run = self.pickles[start:end]
            digest = hashlib.sha256(np.fromiter(map(len, run), dtype=np.int64, count=len(run)).tobytes())
            digest.update(b"".join(run))
            key = self._run_keys[start, end] = digest.hexdigest()[:32]
        return key

    def release_pickles(self) -> None:
        """Give back the pages of the pickles' mapped cache file, once read (see :class:`EntryPickles`)."""
        if isinstance(self._pickled, EntryPickles):
            self._pickled.release()

    def packed(self, spill: Path | None = None) -> EntryTable:
        """The entries packed for the engine file (see :class:`EntryTable`).

        ``spill``: a folder for the packed bytes (an unnamed file, mapped read-only): a build about to
        write its engine file packs its entries so, and they are not held in the heap beside the
        entries as objects at the build's end (62 MB at 50,000 entries).
        """
        table = EntryTable(self._entries, self._pickled, spill)
        self.release_pickles()  # copied into the table
        return table
