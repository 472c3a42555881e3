"""Masking personal data before anything is stored or echoed.

One function, :func:`mask_personal_data`, replaces card numbers, e-mail
addresses and phone numbers with a placeholder; the analytics recorder calls
it on every query, and the hardening work reuses it for replies.  What a
maintainer needs to improve the knowledge base — order numbers, dates,
prices, product names — survives.

Card numbers are 13–19 digits, optionally grouped by spaces or hyphens
(ASCII or full-width, as Japanese IMEs produce them), and must pass the Luhn
check: a 13-digit order number that is not Luhn-valid is kept.  Phone numbers
follow Japanese formats (03-1234-5678, 090-1234-5678, 0120-123-456,
03(1234)5678, 09012345678, +81 90 1234 5678).
"""

from __future__ import annotations

import re

CARD_MASK = "[カード番号]"
EMAIL_MASK = "[メールアドレス]"
PHONE_MASK = "[電話番号]"

_DIGIT = "[0-9０-９]"
# Separators customers type between digit groups: ASCII/full-width space and the
# hyphen look-alikes a Japanese IME produces (‐ − － and the long-vowel mark ー).
_SEP = "[ \u3000\\-\u2010\u2011\u2012\u2013\u2212\uff0d\u30fc]"
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")

# A maximal run of digit groups; card candidates are looked for inside it.
_DIGIT_RUN = re.compile(rf"(?<![0-9０-９A-Za-z]){_DIGIT}+(?:{_SEP}{_DIGIT}+)*(?![0-9０-９A-Za-z])")
_GROUP = re.compile(rf"{_DIGIT}+")
# Thirteen digits with at most one separator between neighbours: every card candidate
# contains this, and one C-level search rules most texts out (log lines, IP addresses).
_CARD_HINT = re.compile(rf"{_DIGIT}(?:{_SEP}?{_DIGIT}){{12}}")

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*[@＠]"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:[.．][A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*[.．][A-Za-z]{2,}"
)

_H = f"(?:{_SEP}|[(（)）])"  # phone separators also include parentheses: 03(1234)5678
_PHONE = re.compile(
    rf"(?<![0-9０-９A-Za-z\-－])"  # not the tail of a longer number or code
    rf"(?:[+＋](?:81|８１){_H}*{_DIGIT}(?:{_H}*{_DIGIT}){{8,10}}"  # +81 3 1234 5678
    rf"|[(（]?[0０]{_DIGIT}(?:{_H}*{_DIGIT}){{8,9}})"  # 03-1234-5678, 09012345678
    rf"(?![0-9０-９A-Za-z])"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text.translate(_TO_ASCII) if ch.isdigit())


def luhn_valid(digits: str) -> bool:
    """True when the ASCII digit string passes the Luhn checksum."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_spans(text: str) -> list[tuple[int, int]]:
    """Spans of Luhn-valid 13–19 digit numbers, each a whole run or whole groups of one."""
    spans: list[tuple[int, int]] = []
    if not _CARD_HINT.search(text):
        return spans
    for run in _DIGIT_RUN.finditer(text):
        groups = [
            (run.start() + g.start(), run.start() + g.end(), g.group().translate(_TO_ASCII))
            for g in _GROUP.finditer(run.group())
        ]
        i = 0
        while i < len(groups):
            found = None
            digits = ""
            # Windows of whole groups starting at i, growing only while they can still be a
            # card (at most 19 digits): linear in the run, so a message of thousands of
            # short digit groups cannot make masking quadratic.  The longest valid window
            # wins, so 4111 1111 1111 1111 is one card.
            for j in range(i, len(groups)):
                digits += groups[j][2]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and luhn_valid(digits):
                    found = (groups[i][0], groups[j][1], j)
            if found is None:
                i += 1
                continue
            spans.append((found[0], found[1]))
            i = found[2] + 1
    return spans


def _is_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    if candidate.startswith(("+", "＋")):
        national = digits[2:]  # after the country code 81
        if national.startswith("0"):  # +81 (0)3-1234-5678: the trunk 0 written anyway
            national = national[1:]
        return 9 <= len(national) <= 10
    if not 10 <= len(digits) <= 11:
        return False
    if len(digits) == 11:
        # 11 digits: mobile/IP (070/080/090/050) or free dial 0800/0120 with 7 digits.
        return digits[:3] in ("070", "080", "090", "050", "060") or digits.startswith("0800")
    return digits[1] != "0" or digits.startswith(("0120", "0570", "0800"))


def contains_card_number(text: str) -> bool:
    """True when ``text`` holds a Luhn-valid 13–19 digit card number."""
    return bool(_card_spans(text))


def mask_personal_data(text: str) -> str:
    """``text`` with card numbers, e-mail addresses and phone numbers replaced by placeholders.

    Placeholders are ``[カード番号]``, ``[メールアドレス]`` and ``[電話番号]``; order numbers,
    dates and prices are left as they are.
    """
    if not text:
        return text
    out = text
    for start, end in reversed(_card_spans(out)):
        out = out[:start] + CARD_MASK + out[end:]
    out = _EMAIL.sub(EMAIL_MASK, out)
    return _PHONE.sub(lambda m: PHONE_MASK if _is_phone(m.group()) else m.group(), out)
