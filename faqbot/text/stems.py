"""English stems: "days" and "day", "charged" and "charge" as one word.

MeCab gives a Japanese word its dictionary lemma (:mod:`faqbot.text.analysis`) but leaves an English
word as written, so a knowledge base that says "day" does not know "days".  The Snowball English
stemmer (PyStemmer: the Snowball project's own stemmers, compiled; about 1 ms to import) folds
inflections into one stem.  It is not a lemma — "notify" is "notifi" — so stems are compared only
with stems.  Loaded with the first English word stemmed: a Japanese conversation never imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any


@cache
def _stemmer() -> Any:
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints

    return Stemmer.Stemmer("english")


def english_stem(word: str) -> str:
    """The Snowball English stem of ``word`` (lower case): "days" → "day", "charged" → "charg"."""
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=4)
def english_stems(words: frozenset[str]) -> frozenset[str]:
    """The stems of the English (ASCII letter) words among ``words``; remembered for the last few sets."""
    return frozenset(_stems(w for w in words if w.isascii() and w.isalpha()))


def _stems(words: Iterable[str]) -> list[str]:
    return [str(s) for s in _stemmer().stemWords(list(words))]


__all__ = ["english_stem", "english_stems"]
