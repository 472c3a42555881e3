"""Tests of faqbot.text.literals: literal words found as a regular-expression alternation finds them."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faqbot.text.literals import Literals

# Each row: the words in order of preference, a text, what re.sub with "<word>" gives (written out).
CASES = [
    (["abc", "ab", "bcd"], "xabcd", "x<abc>d"),  # leftmost, then the first listed
    (["ab", "abc"], "xabcd", "x<ab>cd"),  # the first listed wins even when shorter
    (["bcd", "abcd"], "abcde", "<abcd>e"),  # the leftmost wins over the first listed
    (["クレジットカード", "カード"], "クレジットカードとカード", "<クレジットカード>と<カード>"),
    (["aa"], "aaaaa", "<aa><aa>a"),  # no overlaps
    (["解約"], "更新したい", "更新したい"),  # nothing found: the text itself
    ([], "何でも", "何でも"),  # no words
]


@pytest.mark.parametrize(("words", "text", "expected"), CASES)
def test_replace_as_the_alternation_would(words: list[str], text: str, expected: str) -> None:
    assert Literals(words).replace(text, lambda w: f"<{w}>") == expected


def test_found_lists_the_words_left_to_right() -> None:
    assert Literals(["カード", "解約"]).found("解約とカードと解約") == ["解約", "カード", "解約"]


def test_an_empty_word_is_refused() -> None:
    with pytest.raises(ValueError, match="empty word"):
        Literals(["解約", ""])


def test_pickled_and_read_back_it_finds_the_same() -> None:
    literals = Literals(["更新料", "更新", "料金"])
    back = pickle.loads(pickle.dumps(literals))
    assert back == literals
    assert back.found("更新料と料金の更新") == ["更新料", "料金", "更新"]


_ALPHABET = st.sampled_from("abあい")


@given(st.lists(st.text(_ALPHABET, min_size=1, max_size=3), max_size=6), st.text(_ALPHABET, max_size=12))
def test_equals_re_sub_of_the_alternation(words: list[str], text: str) -> None:
    pattern = re.compile("|".join(map(re.escape, words))) if words else None
    expected = pattern.sub(lambda m: f"<{m.group(0)}>", text) if pattern is not None else text
    assert Literals(words).replace(text, lambda w: f"<{w}>") == expected


@pytest.mark.parametrize("text", ["\ud800解約", "解約\udfffやめる", "\udc80", "やめたい\ud83d"])
def test_a_lone_surrogate_is_read_as_the_alternation_reads_it(text: str) -> None:
    # The automaton reads UTF-8, which a lone surrogate cannot be written in: such a text
    # is still searched, and the positions are its own.
    words = ["解約", "やめたい", "やめる"]
    literals = Literals(words)
    alternation = re.compile("|".join(map(re.escape, words)))
    assert literals.found(text) == alternation.findall(text)
    assert literals.replace(text, lambda w: f"<{w}>") == alternation.sub(lambda m: f"<{m[0]}>", text)
