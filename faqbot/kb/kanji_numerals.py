"""Kanji numerals in dates as Arabic digits: 三月三十一日 → 3月31日, 令和九年 → 令和9年.

Only numerals before 年/月/日 (or after 令和/平成) are converted, so 一番目 or
三つ目 (numbered choices, counts) are left alone.
"""

from __future__ import annotations

import re

__all__ = ["kanji_numerals_to_digits"]

# Kanji numerals as people write them in dates: 三月三十一日, 令和九年, 二〇二七年, 二千二十七年.
_KANJI_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNIT = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千]{1,8}(?=[ \t]{0,2}[年月日])|(?<=令和|平成)[〇零一二三四五六七八九十]{1,3}")


def _kanji_value(numeral: str) -> int:
    """三十一 → 31, 二千二十七 → 2027, 二〇二七 → 2027 (digit by digit when there is no unit)."""
    if not any(ch in _KANJI_UNIT for ch in numeral):
        return int("".join(str(_KANJI_DIGIT[ch]) for ch in numeral))
    total, digit = 0, 0
    for ch in numeral:
        if ch in _KANJI_UNIT:
            total += (digit or 1) * _KANJI_UNIT[ch]
            digit = 0
        else:
            digit = _KANJI_DIGIT[ch]
    return total + digit


def kanji_numerals_to_digits(text: str) -> str:
    """Kanji numerals before 年/月/日 (and after 令和/平成) as Arabic digits: 三月三十一日 → 3月31日."""
    return _KANJI_NUMBER.sub(lambda m: str(_kanji_value(m.group(0))), text)
