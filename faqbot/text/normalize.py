"""Text normalisation for matching Japanese (and English) customer text.

Customers write the same word many ways: full- or half-width (ｶｰﾄﾞ, ＡＢＣ, １２３),
katakana or hiragana, with or without long-vowel marks, small kana, spaces,
punctuation and emoji, and with polite endings that carry no meaning for the
question.  :func:`normalize` folds all of these into one canonical form so
that matching compares meaning-bearing characters only.  The endings, and the English
connectives and openings such as "And" and "Tell me about", are words, not code:
``data/endings.yaml``.

This module is the bottom layer: it imports nothing from faqbot but
:mod:`faqbot.text.shipped`, which reads that table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

# Small kana and their full-size forms (after katakana→hiragana folding).
_SMALL_KANA = str.maketrans(
    {
        "ぁ": "あ", "ぃ": "い", "ぅ": "う", "ぇ": "え", "ぉ": "お",
        "っ": "つ", "ゃ": "や", "ゅ": "ゆ", "ょ": "よ", "ゎ": "わ",
        "ゕ": "か", "ゖ": "け",
        # 1ヶ月 / 1ヵ月 / 1カ月 / 1か月 are one word; ヶ is read か here.
        "ヶ": "か", "ヵ": "か",
    }
)

# Characters that only lengthen a vowel or decorate: dropped so that
# メール / メエル / めーる and 〜 variants meet.
_DROPPED = {"ー", "〜", "～", "ｰ", "~"}

# Up to ヴ (U+30F4): ヵ and ヶ are read as か (see _SMALL_KANA), not folded to ゕ/ゖ.
_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F4
_KANA_OFFSET = 0x60
_KATAKANA_TO_HIRAGANA = {cp: cp - _KANA_OFFSET for cp in range(_KATAKANA_START, _KATAKANA_END + 1)}
# One message is normalised several times a turn (router, entities, subjects, dialogue
# phrases); normalising is a pure function of the text, so recent results are kept.
_CACHED_TEXTS = 4096


def katakana_to_hiragana(text: str) -> str:
    """Fold katakana to hiragana (ア→あ, ヴ→ゔ); other characters are unchanged."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def _keep_for_matching(ch: str) -> bool:
    if ch in _DROPPED:
        return False
    category = unicodedata.category(ch)
    # Letters and digits carry meaning; punctuation, symbols (emoji), marks,
    # separators and controls do not.  々 (Lm) is a letter and stays.
    return category[0] in ("L", "N")


class _MatchingFold(dict[int, "int | None"]):
    """A ``str.translate`` table, filled on first sight of each character: kana folded
    (katakana→hiragana, small→full size), anything that is not a letter or digit dropped.

    One C-level ``translate`` instead of a Python call per character.  Only
    characters of the Basic Multilingual Plane are remembered, so the table
    stays under 65,536 entries whatever customers type.
    """

    def __missing__(self, codepoint: int) -> int | None:
        folded = katakana_to_hiragana(chr(codepoint)).translate(_SMALL_KANA)
        value = ord(folded) if _keep_for_matching(folded) else None
        if codepoint < 0x10000:
            self[codepoint] = value
        return value


_FOLD_FOR_MATCHING = _MatchingFold()


# The table of the words stripped before matching.
_ENDINGS_TABLE = "endings.yaml"


@dataclass(frozen=True)
class _Frames:
    """What :func:`normalize` strips, read from ``data/endings.yaml``."""

    # Sentence-final politeness, filler and "about X" frames, as they are matched (after small-kana
    # folding: でしょうか is seen as でしようか), by length, longest first: a text's suffix of each
    # length is one set look-up, not one ``endswith`` per ending (4.4 million calls for a
    # 10,000-entry knowledge base).
    endings_by_length: tuple[tuple[int, frozenset[str]], ...]
    # English openings that only say "I ask about X", and an article after them (or alone) in front
    # of X: stripped once from the start of the text, as the Japanese frames are from the end.
    request_opening: re.Pattern[str]
    leading_article: re.Pattern[str]
    # An English connective in front of them all ("And the fee?"): stripped first.
    leading_connective: re.Pattern[str]


@cache
def _table() -> Any:
    """``data/endings.yaml``, read on first use rather than at import: PyYAML takes ~20 ms to import,
    and the analysis children import this module only to fold kana."""
    from faqbot.text.shipped import shipped_table

    return shipped_table(__file__, _ENDINGS_TABLE)


@cache
def _frames() -> _Frames:
    """What :func:`normalize` strips, from the table (by the first :func:`normalize`)."""
    table = _table()
    folded = {str(e).translate(_SMALL_KANA) for e in table["polite_endings"]}
    by_length = tuple((n, frozenset(e for e in folded if len(e) == n)) for n in sorted({len(e) for e in folded}, reverse=True))
    return _Frames(
        by_length,
        _at_start(table["request_openings"]),
        _at_start(table["leading_articles"]),
        _at_start(list(english_connectives()), comma=True),
    )


@cache
def english_connectives() -> tuple[str, ...]:
    """The English connectives that open a follow-up ("and", "so", "by the way"), as ``data/endings.yaml`` lists them."""
    return tuple(str(word) for word in _table()["leading_connectives"])


def _at_start(phrases: list[object], comma: bool = False) -> re.Pattern[str]:
    """One of ``phrases`` (longest first) at the start of a text, after any white space and followed by
    some (``comma``: a run of them, each followed by a comma and some, or by some: "Hmm, so how…")."""
    alternatives = "|".join(re.escape(str(p)) for p in sorted(phrases, key=lambda p: -len(str(p))))
    if comma:  # a run of them, each with its comma if any: "hmm, and the fee?"
        return re.compile(r"^\s*(?:(?:" + alternatives + r")\s*,?\s+)+")
    return re.compile(r"^\s*(?:" + alternatives + r")\s+")


def _strip_request_opening(text: str) -> str:
    """``text`` (NFKC, case-folded) less an English connective, request opening and leading article, when
    two or more characters are left."""
    frames = _frames()
    rest = frames.leading_connective.sub("", text, count=1)
    rest = frames.leading_article.sub("", frames.request_opening.sub("", rest, count=1), count=1)
    return rest if len(rest.strip()) >= 2 else text


def _strip_polite_endings(text: str) -> str:
    by_length = _frames().endings_by_length
    changed = True
    while changed and text:
        changed = False
        # The longest ending that matches, as trying every ending longest first would find.
        for n, endings in by_length:
            # Keep at least two characters: 「です」 alone is a (poor) question, not nothing.
            if len(text) - n >= 2 and text[-n:] in endings:
                text = text[:-n]
                changed = True
                break
    return text


@lru_cache(maxsize=_CACHED_TEXTS)
def normalize(text: str) -> str:
    """Return the canonical matching form of ``text``.

    NFKC (width), case folding, katakana→hiragana, small kana→full size,
    long-vowel marks dropped, punctuation/emoji/spaces dropped, polite endings
    stripped.  Idempotent: ``normalize(normalize(s)) == normalize(s)``.

    >>> normalize("ｸﾚｼﾞｯﾄｶｰﾄﾞを変更したいです！")
    'くれじつとかどを変更したい'
    """
    # The opening is read on the folded text while it still has its spaces (「the」 is not 「there」).
    return _strip_polite_endings(_strip_request_opening(_folded(text)).translate(_FOLD_FOR_MATCHING))


@lru_cache(maxsize=_CACHED_TEXTS)
def normalize_term(text: str) -> str:
    """Normalise a dictionary term (alias, synonym): like :func:`normalize` but
    without stripping endings, which could eat a term such as 「止めたい」→「止めた」."""
    return _folded(text).translate(_FOLD_FOR_MATCHING)


def _folded(text: str) -> str:
    """``text`` in NFKC, case-folded: the first step of :func:`normalize` and :func:`normalize_term`."""
    # casefold can produce sequences NFKC would compose differently (e.g. "İ").
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


#: CJK ideographs as inclusive code-point ranges: extension A, the unified block, the
#: compatibility block. The one definition of "kanji" the router's n-grams and has_kanji share.
KANJI_CODE_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_KANJI_RANGES = tuple((chr(low), chr(high)) for low, high in KANJI_CODE_RANGES)
_KANA = re.compile(r"[\u3041-\u309f]")


def has_kanji(text: str) -> bool:
    """True when ``text`` contains at least one CJK ideograph."""
    # Compared, not matched: compiling a character class of these ranges walks their 28,000
    # code points (~3 ms of every process's start); a message is a few dozen characters.
    if not text or max(text) < "\u3400":  # kana, Latin, digits: at C speed
        return False
    return any(low <= char <= high for char in text for low, high in _KANJI_RANGES)


def has_hiragana(text: str) -> bool:
    """True when ``text`` contains at least one hiragana."""
    return _KANA.search(text) is not None


def is_kana_text(normalized: str) -> bool:
    """True when a normalised string is written in kana (no kanji) and has some kana.

    Such queries are compared against the knowledge base's readings too,
    since a customer who writes せいきゅうび means 請求日.
    """
    return not has_kanji(normalized) and has_hiragana(normalized)
