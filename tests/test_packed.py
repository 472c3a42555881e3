"""Tests of faqbot.text.packed: packed strings and string indexes behave like tuples and dicts."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.text.packed import DigestIndex, PackedFloats, PackedStrings, StringIndex, digests

WORDS = ["解約", "解", "契約更新", "", "a\x00", "abc", "ab"]


def test_packed_strings_read_back_every_string_in_order() -> None:
    packed = PackedStrings(WORDS)
    assert len(packed) == 7
    assert list(packed) == WORDS
    assert [packed[i] for i in range(7)] == WORDS
    assert packed[-1] == "ab"
    assert packed[1:3] == ("解", "契約更新")
    with pytest.raises(IndexError):
        packed[7]


def test_packed_strings_survive_pickling() -> None:
    assert list(pickle.loads(pickle.dumps(PackedStrings(WORDS), protocol=5))) == WORDS


@pytest.mark.parametrize(
    ("key", "position"),
    [
        ("解約", 0),
        ("解", 1),
        ("契約更新", 2),
        ("", 3),
        ("a\x00", 4),  # a NUL numpy cannot keep in a fixed-width string
        ("abc", 5),
        ("ab", 6),
        ("a", -1),  # a prefix of stored keys
        ("abcd", -1),
        ("契約更新です", -1),  # longer than any stored key: never cut down to one
        ("解約\x00", -1),
        ("b", -1),
    ],
)
def test_string_index_finds_exactly_the_stored_keys(key: str, position: int) -> None:
    index = StringIndex(WORDS)
    assert index.get(key) == position
    assert (key in index) == (position >= 0)


def test_string_index_looks_up_many_keys_in_order() -> None:
    index = StringIndex(WORDS)
    assert index.lookup(["ab", "zz", "解約", "ab"]).tolist() == [6, -1, 0, 6]
    assert index.lookup([]).tolist() == []
    assert StringIndex([]).lookup(["x"]).tolist() == [-1]


def test_string_index_batch_with_keys_that_cannot_be_stored() -> None:
    # A batch holding a key too long or with a NUL takes the per-key path; every key fits
    # in the other; both must find what one look-up per key finds.
    index = StringIndex(WORDS)
    odd = ["ab", "契約更新です", "解約\x00", "a\x00", "解約", ""]
    assert index.lookup(odd).tolist() == [6, -1, -1, 4, 0, 3]
    plain = ["ab", "契約", "解約", "", "abcd"[:3], "解"]
    assert index.lookup(plain).tolist() == [index.get(k) for k in plain] == [6, -1, 0, 3, 5, 1]


def test_packed_floats_is_a_read_only_mapping() -> None:
    table = PackedFloats({"する": 0.0, "解約": 1.5, "x": 3.0})
    assert table["解約"] == 1.5
    assert table.get("解約") == 1.5
    assert table.get("ない", 9.0) == 9.0
    assert dict(table) == {"する": 0.0, "解約": 1.5, "x": 3.0}
    with pytest.raises(KeyError):
        table["ない"]


def test_packed_floats_values_of_many_keys_at_once() -> None:
    table = PackedFloats({"する": 0.0, "解約": 1.5, "x": 3.0, "a\x00": 4.0})
    assert table.values_of(["x", "ない", "解約", "a\x00", "する"], -1.0) == [3.0, -1.0, 1.5, 4.0, 0.0]
    assert table.values_of([], -1.0) == []
    assert PackedFloats({}).values_of(["x"], 2.0) == [2.0]


def test_packed_strings_take_reads_many_positions_in_order() -> None:
    packed = PackedStrings(WORDS)
    assert packed.take(np.array([2, 0, 3, 2, 6])) == ["契約更新", "解約", "", "契約更新", "ab"]
    assert packed.take(np.zeros(0, dtype=np.int64)) == []


@pytest.mark.parametrize(
    ("keep", "more", "expected"),
    [
        ([True] * 7, [], WORDS),
        ([False] * 7, ["新"], ["新"]),
        ([True, False, True, True, False, False, True], ["x", ""], ["解約", "契約更新", "", "ab", "x", ""]),
    ],
)
def test_selected_packed_strings_keep_the_chosen_strings_in_order(keep: list[bool], more: list[str], expected: list[str]) -> None:
    assert list(PackedStrings(WORDS).select(np.array(keep), more)) == expected


def test_a_digest_index_finds_exactly_the_stored_strings() -> None:
    stored = ["解約したい", "", "a" * 5000, "a\x00", "\ud800"]
    index = DigestIndex(digests(stored))
    wanted = ["a\x00", "解約したい", "解約したい ", "a" * 4999, "", "\ud800", "b"]
    assert index.lookup(digests(wanted)).tolist() == [3, 0, -1, -1, 1, 4, -1]
    assert DigestIndex(digests([])).lookup(digests(["x"])).tolist() == [-1]


def test_packed_strings_joined_are_the_parts_one_after_another() -> None:
    parts = [PackedStrings(["解約", ""]), PackedStrings([]), PackedStrings(["ab", "契約更新"])]
    joined = PackedStrings.joined(parts)
    assert list(joined) == ["解約", "", "ab", "契約更新"] and len(joined) == 4
    assert joined.take(np.array([3, 0])) == ["契約更新", "解約"]
    assert list(PackedStrings.joined([])) == []


@given(st.lists(st.text(alphabet="ab解約\x00 ", max_size=4), max_size=12), st.text(alphabet="ab解約\x00 ", max_size=5))
@settings(max_examples=300, deadline=None)
def test_string_index_get_finds_what_a_one_key_lookup_finds(stored: list[str], key: str) -> None:
    index = StringIndex(list(dict.fromkeys(stored)))
    assert index.get(key) == int(index.lookup([key])[0])


def test_the_rarity_table_unpacks_to_itself() -> None:
    # The per-text cache stores wordfreq's table packed only; a refit of the veto reads it back
    # as a dict, which must be the table rarities() makes: every word, weight and position.
    from faqbot.routing.novelty_fit import rarities

    table = rarities()
    assert list(PackedFloats(table).as_dict().items()) == list(table.items())
