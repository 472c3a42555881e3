"""A knowledge base's entries as one blob, each entry decoded when it is read.

A 50,000-entry knowledge base is half a million Python objects (entries,
their questions, pages, notes): unpickling them was most of a cached engine's
load time, and each worker that touched them made their pages private.
Answering one question reads a handful of entries, so the engine file keeps
every entry pickled on its own in one byte array, with its id in a
:class:`~faqbot.text.packed.StringIndex`: the array is mapped from the file,
and an entry is decoded only when it is read.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from faqbot.text.packed import PackedSequence, PackedStrings, StringIndex

if TYPE_CHECKING:  # only for type hints: knowledge imports this module
    from faqbot.kb.knowledge import Entry


class EntryTable(PackedSequence["Entry"]):
    """An immutable sequence of entries stored pickled, one after the other; each read in ``lang``."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        super().__init__([pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL) for e in entries])
        ids = [e.id for e in entries]
        self._ids = PackedStrings(ids)
        self._by_id = StringIndex(ids)
        self._lang = "ja"

    def in_language(self, lang: str) -> EntryTable:
        """The same entries, each read in ``lang`` (see :meth:`Entry.in_language`)."""
        view = object.__new__(EntryTable)
        view.__dict__.update(self.__dict__)
        view._lang = lang
        return view

    def _decode(self, data: memoryview) -> Entry:
        entry: Entry = pickle.loads(data)  # noqa: S301 - our own engine file
        return entry.in_language(self._lang)

    def position(self, entry_id: str) -> int:
        """The position of the entry with ``entry_id``, or -1."""
        return self._by_id.get(entry_id)

    @property
    def ids(self) -> Sequence[str]:
        """Every entry id, in order, without decoding the entries."""
        return self._ids
