"""Tests of faqbot.kb.entry_table: packed entries read back as the entries they were."""

from __future__ import annotations

import pickle

import pytest

from faqbot.kb.entry_table import EntryList, EntryTable
from faqbot.kb.loader import load_knowledge_base


def test_packed_entries_equal_the_loaded_ones() -> None:
    kb = load_knowledge_base()
    table = EntryTable(kb.entries)
    assert len(table) == len(kb.entries)
    assert list(table) == list(kb.entries)
    assert table[-1] == kb.entries[-1]
    assert list(table.ids) == [e.id for e in kb.entries]
    assert table.position("about") == [e.id for e in kb.entries].index("about")
    assert table.position("no-such-entry") == -1


def test_a_pickled_knowledge_base_keeps_its_entries_and_english() -> None:
    kb = load_knowledge_base()
    copy = pickle.loads(pickle.dumps(kb, protocol=5))
    assert isinstance(copy.entries, EntryTable)
    assert copy.entry("about") == kb.entry("about")
    assert copy.entry_ids == kb.entry_ids
    english = copy.in_language("en")
    assert english.entry("about").question == kb.in_language("en").entry("about").question
    assert english.entry("about").question != kb.entry("about").question  # the shipped KB is translated


def test_loaded_entries_answer_like_the_packed_ones() -> None:
    """EntryList (as loaded) and EntryTable (as cached) give the same ids, positions and translations."""
    kb = load_knowledge_base()
    loaded, packed = kb.entries, kb.entries.packed()
    assert isinstance(loaded, EntryList)
    assert isinstance(packed, EntryTable)
    assert list(loaded.ids) == list(packed.ids)
    assert loaded.position("about") == packed.position("about") == list(loaded.ids).index("about")
    assert loaded.position("no-such-entry") == packed.position("no-such-entry") == -1
    assert list(loaded.in_language("en")) == list(packed.in_language("en"))
    assert loaded.in_language("en")[0].question != loaded[0].question  # the shipped KB is translated
    assert loaded == EntryList(list(loaded)) and loaded != tuple(loaded)


def test_entries_read_lately_are_read_again_only_from_their_own_table_and_language() -> None:
    kb = load_knowledge_base()
    table = EntryTable(kb.entries)
    english = table.in_language("en")
    other = EntryTable(reversed(list(kb.entries)))
    first = table[0]
    assert table[0] is first  # the same frozen value, not decoded twice
    assert english[0] == kb.entries.in_language("en")[0] and english[0].question != first.question
    assert other[0] == kb.entries[-1] and table[0] == first
    assert table[1] == kb.entries[1] and table[-1] == kb.entries[-1]
    # A turn reads several entries: the first is still remembered after others were read.
    assert table[0] is first


def test_a_table_dropped_is_not_kept_alive_by_what_was_read_from_it() -> None:
    import gc
    import weakref

    kb = load_knowledge_base()
    table = EntryTable(kb.entries)
    table[0]
    blob = weakref.ref(table._blob)
    del table
    gc.collect()
    assert blob() is None  # a reloaded knowledge base's engine file can be unmapped


@pytest.mark.parametrize("kind", ["faq", "smalltalk", "compute", "no-such-kind"])
def test_entries_of_a_kind_are_found_without_decoding_the_others(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A 50,000-entry knowledge base has four small-talk entries: a chat's first message decoded
    # every entry to find them (~1 s at 50k), as did a follow-up looking for the compute entry.
    kb = load_knowledge_base()
    expected = [e.id for e in kb.entries if e.kind == kind]
    assert [int(i) for i in kb.entries.positions_of_kind(kind)] == [i for i, e in enumerate(kb.entries) if e.kind == kind]
    kb.pack_entries()
    reads: list[int] = []
    decode = EntryTable._decode
    monkeypatch.setattr(EntryTable, "_decode", lambda self, data: reads.append(1) or decode(self, data))
    assert [e.id for e in kb.entries_of_kind(kind)] == expected
    assert len(reads) == len(expected)
    assert [e.id for e in kb.in_language("en").entries_of_kind(kind)] == expected
