"""The personal-data rules as data: one definition for the server and the widget.

The patterns here are written in the subset of regular-expression syntax that
Python's :mod:`re` and JavaScript's ``RegExp`` read the same way (``\\uXXXX``
escapes, explicit character classes, no ``\\d``/``\\s``, whose meaning differs),
and they apply to *normalised* text (see :func:`faqbot.text.privacy.normalise`).
:func:`rules_json` hands them to the help widget, so the browser masks what it
keeps in sessionStorage by exactly the rules the server uses.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from functools import cache

CARD_MASK = "[カード番号]"
EMAIL_MASK = "[メールアドレス]"
PHONE_MASK = "[電話番号]"

#: Card numbers are 13–19 digits.
CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19
#: An unfinished digit run this long at the end of a message that talks about a card is
#: masked (and warned about) by itself; shorter tails (「下4桁は1234」) only wait for more.
CARD_TAIL_MASK_DIGITS = 6

# What may stand between two digit groups once the text is NFKC-normalised: every Unicode
# space and line/paragraph separator, the zero-width ones (ZWSP, ZWNJ, ZWJ, word joiner,
# BOM, soft hyphen, Mongolian vowel separator), and the punctuation people group digits
# with (. / , _ -, the hyphen and dash look-alikes, the long-vowel mark ー an IME produces,
# 、。・).  Full-width forms (．／，＿－) are ASCII after NFKC.
SEPARATOR = (
    r"[\u0009-\u000d\u0020\u0085\u00a0\u00ad\u1680\u180e\u2000-\u200d\u2028\u2029"
    r"\u202f\u205f\u2060\u3000\ufeff.,/_\-\u2010-\u2015\u2212\u30fb\u30fc\u3001\u3002]"
)
#: Between two digit groups: one to three separators (double spaces, 「 - 」).
GAP = SEPARATOR + "{1,3}"
#: A maximal run of digit groups, not glued to a letter or digit.
DIGIT_RUN = rf"(?<![0-9A-Za-z])[0-9]+(?:{GAP}[0-9]+)*(?![0-9A-Za-z])"
#: Thirteen digits with gaps: every card candidate contains this (a quick first test).
CARD_HINT = rf"[0-9](?:{SEPARATOR}{{0,3}}[0-9]){{12}}"
#: What may follow the last digit run of a message for the run to count as its end.
TRAILER = rf"{SEPARATOR}*"
#: A digit run at the very start of a message (leading separators allowed).
HEAD_RUN = rf"^{SEPARATOR}*[0-9]+(?:{GAP}[0-9]+)*(?![0-9A-Za-z])"
# Words that make a bare digit run a card number (matched case-insensitively, after NFKC).
CARD_CONTEXT = r"カード|クレジット|card|visa|master|jcb|amex|diners"

EMAIL = (
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*\u0020?@\u0020?"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
_PHONE_GAP = rf"(?:{SEPARATOR}|[()]){{0,3}}"  # phones also use parentheses: 03(1234)5678
PHONE = (
    r"(?<![0-9A-Za-z\-])"  # not the tail of a longer number or code (TM-0312345678)
    rf"(?:\+81{_PHONE_GAP}[0-9](?:{_PHONE_GAP}[0-9]){{8,10}}"  # +81 3 1234 5678
    rf"|\(?0[0-9](?:{_PHONE_GAP}[0-9]){{8,9}})"  # 03-1234-5678, 090.1234.5678
    r"(?![0-9A-Za-z])"
)
#: Japanese mobile/IP prefixes of 11-digit numbers; free dial starts 0120/0570/0800.
MOBILE_PREFIXES = ("070", "080", "090", "050", "060")
FREE_DIAL_PREFIXES = ("0120", "0570", "0800")


@cache
def digit_zeros() -> tuple[int, ...]:
    """Code points of the ``0`` of every Unicode decimal-digit block (Arabic-Indic, Devanagari, …).

    NFKC leaves these digits as they are; both sides map them to ASCII by their block.
    """
    return tuple(
        cp for cp in range(sys.maxunicode + 1) if unicodedata.decimal(chr(cp), None) == 0
    )


def rules_json() -> str:
    """The rules as a JSON object for the widget's masker (``faqbot/web/static/privacy.js``)."""
    return json.dumps(
        {
            "masks": {"card": CARD_MASK, "email": EMAIL_MASK, "phone": PHONE_MASK},
            "card": {"min": CARD_MIN_DIGITS, "max": CARD_MAX_DIGITS, "tailMask": CARD_TAIL_MASK_DIGITS},
            "patterns": {
                "run": DIGIT_RUN, "hint": CARD_HINT, "trailer": TRAILER, "head": HEAD_RUN,
                "context": CARD_CONTEXT, "email": EMAIL, "phone": PHONE,
            },
            "mobile": list(MOBILE_PREFIXES),
            "freeDial": list(FREE_DIAL_PREFIXES),
            "digitZeros": list(digit_zeros()),
        },
        ensure_ascii=True,
    )
