"""rapidfuzz similarity of a message with a few candidate questions, the character channel's last evidence.

Only an entry's best few questions are compared (rapidfuzz is the costly part of a route), and
the texts are first renamed to one-byte characters when they use few enough distinct ones, which
rapidfuzz compares through a table: the same scores, 2–3 times faster.
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np
from rapidfuzz import fuzz, process

from faqbot.routing import postings


def fuzzy_similarity(surface: str, questions: list[str]) -> np.ndarray:
    """rapidfuzz similarity of ``surface`` with each question, in [0, 1] (float64).

    Whole-string, or a slightly discounted best part when both have four
    characters or more.  One ``cdist`` call per scorer: the candidates are
    scored in C instead of one Python call each.
    """
    surface, questions = relabelled(surface, questions)
    ratio = process.cdist([surface], questions, scorer=fuzz.ratio, dtype=np.float64)[0]
    if len(surface) >= 4:
        partial = 0.85 * process.cdist([surface], questions, scorer=fuzz.partial_ratio, dtype=np.float64)[0]
        long = np.fromiter(map(len, questions), dtype=np.int64, count=len(questions)) >= 4
        ratio = np.where(long, np.maximum(ratio, partial), ratio)
    similarities: np.ndarray = ratio / 100.0
    return similarities


def relabelled(surface: str, questions: list[str]) -> tuple[str, list[str]]:
    """The texts with their characters renamed ``\\x00``, ``\\x01``… when they use at most 256 distinct ones.

    rapidfuzz's scores depend only on which characters are equal, and it compares
    one-byte characters through a table instead of a hash map: renamed, the same
    scores come 2–3 times faster (kanji and kana are not one-byte characters).
    Texts with more distinct characters, or any outside the BMP, are returned as they are.
    """
    compiled = postings.kernels
    if compiled is not None:
        renamed = compiled.relabelled([surface, *questions])
        return (renamed[0], renamed[1:]) if renamed is not None else (surface, questions)
    return relabelled_numpy(surface, questions)


def relabelled_numpy(surface: str, questions: list[str]) -> tuple[str, list[str]]:
    """:func:`relabelled` in numpy (the reference the compiled code is tested against)."""
    joined = surface + "".join(questions)
    if not joined:
        return surface, questions
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.max() > 0xFFFF:
        return surface, questions
    # Each distinct character's rank among them by code point, through a table of every
    # BMP code point: a mark and a scan of 64 kB instead of sorting every character.
    present = np.zeros(0x10000, dtype=bool)
    present[codes] = True
    distinct = np.flatnonzero(present)
    if len(distinct) > 0x100:
        return surface, questions
    table = np.empty(0x10000, dtype=np.uint8)
    table[distinct] = np.arange(len(distinct), dtype=np.uint8)
    text = table[codes].tobytes().decode("latin-1")
    ends = list(accumulate(map(len, questions), initial=len(surface)))
    return text[: len(surface)], [text[a:b] for a, b in zip(ends, ends[1:], strict=False)]
