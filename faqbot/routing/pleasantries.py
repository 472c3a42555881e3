"""A pleasantry in front of (or after) a question does not answer it.

Small-talk entries are whole-message pleasantries (「こんにちは」, 「ありがとう」).  A
message of several sentences whose best match is small talk — 「こんにちは。解約したい
です」, 「ありがとう。あと料金は？」 — may still ask something in its other sentences:
those are routed without the sentences that small talk answers on their own (a message
of one sentence, without the clauses: 「ありがとう、あと料金は？」).  So is
a message that opens with a connective (「じゃあどうすれば止まるの？」: 「じゃあ」 holds
the greeting 「やあ」), without it.  The router decides what a sentence is; this module
only cuts and joins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

from faqbot.text.analysis import is_english_function_word
from faqbot.text.normalize import english_connectives
from faqbot.text.shipped import shipped_table

# A sentence ends after Japanese full stops, question and exclamation marks or a line break, and
# after an ASCII full stop followed by a space ("…will be. I have…"; a date's 「2027.3.31」 has none).
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])|(?<=\.)(?=\s)")
# A clause ends after a Japanese or Latin comma: 「ありがとう、あと料金は？」.
_CLAUSE_END = re.compile(r"(?<=[、，,])")
_CONNECTIVES = "connectives.yaml"
_LATIN = re.compile(r"[A-Za-z]")
_ENGLISH_WORD = re.compile(r"[a-z']+")
# What may separate a connective from the rest: 「じゃあ、」, "so,", 「えっと…」.
_SEPARATORS = re.compile(r"[\s、，,.。…・~〜ー-]+")


def sentences(text: str) -> list[str]:
    """The non-blank sentences of ``text``, each with its end mark (「こんにちは。」, 「解約したいです」)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def clauses(text: str) -> list[str]:
    """The non-blank parts of ``text`` cut after each comma (「ありがとう、」, "Thanks,"), each with its comma."""
    return [part.strip() for part in _CLAUSE_END.split(text) if part.strip()]


def sentences_or_clauses(text: str) -> list[str]:
    """The sentences of ``text``, or its clauses when it is one sentence: the pieces a pleasantry, an
    announcement or a refund demand stands in."""
    found = sentences(text)
    return found if len(found) > 1 else clauses(text)


def without_pleasantries(parts: Sequence[str], is_pleasantry: Callable[[str], bool]) -> str | None:
    """A message's sentences (``parts``, as :func:`sentences` cuts them) less those that ``is_pleasantry``,
    joined, when there are two or more and some but not all are.

    None when nothing would change or nothing would be left: the message is then routed whole.
    """
    kept = _kept(parts, is_pleasantry)
    return "".join(kept) if kept is not None else None


def without_empty_sentences(text: str) -> str | None:
    """``text`` less its English sentences of function words alone ("What should I do?"), when it has
    one and another sentence remains; None otherwise (the message is routed whole)."""
    if not _LATIN.search(text):
        return None  # the common case, Japanese: no English sentence to drop
    kept = _kept(sentences(text), _function_words_only)  # stripped sentences: a space between them
    return " ".join(kept) if kept is not None else None


def _kept(parts: Sequence[str], dropped: Callable[[str], bool]) -> list[str] | None:
    """``parts`` less those ``dropped``, when some but not all of two or more are; else None."""
    if len(parts) < 2:
        return None
    kept = [part for part in parts if not dropped(part)]
    return kept if 0 < len(kept) < len(parts) else None


def _function_words_only(sentence: str) -> bool:
    """Is ``sentence`` English and made of words that only build a sentence ("What should I do?")?"""
    words = _ENGLISH_WORD.findall(sentence.casefold())
    return sentence.isascii() and bool(words) and all(map(is_english_function_word, words))


@cache
def connectives() -> tuple[str, ...]:
    """The shipped connectives and fillers, folded, longest first: the Japanese ones of
    ``routing/data/connectives.yaml`` and the English ones normalisation strips too
    (:func:`faqbot.text.normalize.english_connectives`)."""
    words = [*shipped_table(__file__, _CONNECTIVES)["connectives"], *english_connectives()]
    folded = {_fold(str(word)) for word in words}
    return tuple(sorted(folded, key=lambda word: (-len(word), word)))


def after_connective(text: str) -> str | None:
    """``text`` (folded) less the connectives it opens with (「え、じゃあ」: both), or None when it opens with
    none or nothing follows."""
    rest = _after_one_connective(_fold(text).lstrip())
    if rest is None:
        return None
    while (further := _after_one_connective(rest)) is not None:
        rest = further
    return rest if rest.strip() else None


def without_connectives(text: str) -> str:
    """``text`` less the connectives it opens with (「いや、やっぱりいいです」 → 「やっぱりいいです」), or ``text``
    itself when it opens with none or nothing follows them: what a clause or a whole message says."""
    return after_connective(text) or text


def _after_one_connective(folded: str) -> str | None:
    """``folded`` less the one connective it opens with, or None when it opens with none."""
    for word in connectives():
        rest = folded[len(word) :] if folded.startswith(word) else None
        # An English word ends at a word boundary: "so" does not open "sorry".
        if rest is None or (word.isascii() and rest[:1].isascii() and rest[:1].isalnum()):
            continue
        separator = _SEPARATORS.match(rest)
        return rest[separator.end() :] if separator else rest
    return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
