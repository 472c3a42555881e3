"""Tests of faqbot.kb.kanji_numerals: kanji numerals in dates as digits."""

from __future__ import annotations

import pytest

from faqbot.kb.kanji_numerals import kanji_numerals_to_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三月三十一日", "3月31日"),
        ("令和九年", "令和9年"),
        ("二〇二七年", "2027年"),
        ("二千二十七年", "2027年"),
        ("十日", "10日"),
        ("二十日", "20日"),
        ("三十一日", "31日"),
        ("一番目", "一番目"),  # not before 年/月/日: left alone
        ("三つ目", "三つ目"),
    ],
)
def test_kanji_numerals_to_digits(text: str, expected: str) -> None:
    assert kanji_numerals_to_digits(text) == expected
