"""The unknown-content veto: refuse a message mostly about words the knowledge base never uses.

A customer asking how to renew a passport shares 「更新」 with the FAQ, so the
similarity channels find a renewal entry and answer it.  What gives the message
away is what the FAQ lacks: パスポート occurs nowhere in the knowledge base.  The
veto measures that directly.  For a message's content lemmas
(:mod:`faqbot.text.analysis`; product names already masked), each weighted by
its general-language rarity, the **unknown share** is the part of the weight
carried by lemmas that occur in no field of the knowledge base — questions,
alternates, answers, notes, page titles, synonyms, product names, in either
language (a lemma also counts as known when its reading is a known reading, so
kana spellings of known words stay known).

Rarity is ``log10(f_common / f)`` floored at 0, with ``f`` the word's frequency
in wordfreq's general Japanese (or, for Latin words, English) list: words more
frequent than :data:`COMMON_FREQUENCY` (する, ある, こと, "get") carry no weight,
so a message is not refused for its phrasing; words rarer than
:data:`FLOOR_FREQUENCY`, or missing from the lists, weigh the most.  Only the
rarities of words frequent enough to be listed are kept (a few tens of
thousands), looked up once at build time, so answering never imports wordfreq.

The threshold is fitted when the engine is built, on the knowledge base's own material
(:mod:`faqbot.routing.novelty_fit`, where the rarity table is made too); answering reads
only the values here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from faqbot.text.analysis import NEGATION, Analysis
from faqbot.text.packed import PackedFloats
from faqbot.text.stems import english_stem, english_stems

# Words at least this frequent in general language (1 in 1,000 words) weigh nothing.
COMMON_FREQUENCY = 1e-3
# Rarer words are not kept; a word missing from the table weighs as much as this one.
FLOOR_FREQUENCY = 1e-6
# Share of the knowledge base's own questions the veto must leave answerable.
POSITIVE_TARGET = 0.99
# The veto fires only when unknown words carry more than half the salient weight: below that,
# the message is mostly about known things and the similarity channels decide.
MIN_THRESHOLD = 0.5
# Fewer positives than this cannot place a 99th percentile, and a vocabulary that small cannot
# tell a paraphrase (変える for 変更) from a new topic: the veto is off (threshold OFF).
MIN_POSITIVES = 100
OFF = 1.0  # a share never exceeds 1: the veto never fires
_MAX_WEIGHT = math.log10(COMMON_FREQUENCY / FLOOR_FREQUENCY)
_KANA = re.compile(r"[\u3041-\u309fー]+")  # readings are in hiragana
# Shorter readings (か, かい) occur inside too many unrelated words to vouch for a kana run.
MIN_READING = 3


@dataclass(frozen=True, eq=False)
class NoveltyVeto:
    """What the knowledge base knows, how rare each word is, and the fitted threshold."""

    known_terms: frozenset[str]
    known_readings: frozenset[str]
    rarity: Mapping[str, float] = field(repr=False)  # weight of listed words; others weigh _MAX_WEIGHT
    threshold: float = MIN_THRESHOLD

    def weight(self, term: str, reading: str) -> float:
        """The term's salience: its general-language rarity (0 for NEGATION and numbers).

        wordfreq lists words as written, unidic gives lemmas: 為る is listed as する,
        so a lemma missing from the list is looked up by its reading.
        """
        if term == NEGATION or term.isdigit():
            return 0.0
        return self.rarity.get(term, self.rarity.get(reading, _MAX_WEIGHT))

    def _weights(self, analysis: Analysis) -> list[float]:
        """:meth:`weight` of every term of ``analysis``, in order.

        A packed table is searched once for every term and reading together: one lookup
        per word was most of the veto's cost per message (140 → 19 µs at 10k entries).
        """
        rarity = self.rarity
        if not isinstance(rarity, PackedFloats):
            return [self.weight(t, r) for t, r in zip(analysis.terms, analysis.readings, strict=True)]
        n = len(analysis.terms)
        values = rarity.values_of([*analysis.terms, *analysis.readings], math.nan)
        return [
            0.0 if term == NEGATION or term.isdigit() else _first_known(values[i], values[n + i])
            for i, term in enumerate(analysis.terms)
        ]

    def knows(self, term: str, reading: str) -> bool:
        """Does the knowledge base use this word (or, for a kana run, a known word inside it)?

        A run of kana the dictionary could not cut (「ユウコウキゲンガ」, 「クレジッドカード」) is
        a kana spelling or a typo of words the knowledge base may well use: it is known when
        it contains the reading of a known word of :data:`MIN_READING` kana or more.
        """
        return term in self.known_terms or reading in self.known_readings or self.contains_known(reading)

    def contains_known(self, reading: str) -> bool:
        """Is ``reading`` a run of kana with a known reading strictly inside it?"""
        if not _KANA.fullmatch(reading):
            return False
        return any(
            reading[i : i + n] in self.known_readings
            for n in range(MIN_READING, len(reading))
            for i in range(len(reading) - n + 1)
        )

    def knows_stem(self, term: str, reading: str) -> bool:
        """:meth:`knows`, or an English word whose stem is the stem of a word the knowledge base uses
        ("days" where it says "day")."""
        if self.knows(term, reading):
            return True
        return term.isascii() and term.isalpha() and english_stem(term) in english_stems(self.known_terms)

    def unknown_share(self, analysis: Analysis, by_stem: bool = False) -> float:
        """The part of the message's salient weight carried by words the knowledge base never uses
        (``by_stem``: English words known by their stems, :meth:`knows_stem`)."""
        knows = self.knows_stem if by_stem else self.knows
        total = unknown = 0.0
        for term, reading, w in zip(analysis.terms, analysis.readings, self._weights(analysis), strict=True):
            total += w
            if not knows(term, reading):
                unknown += w
        return unknown / total if total > 0 else 0.0

    def fires(self, analysis: Analysis, by_stem: bool = False) -> bool:
        """Is the message mostly about things the knowledge base never mentions?

        ``by_stem``: English words known by their stems — the dialogue's reading of a short English
        follow-up (168th rule); the router's veto reads words as written.
        """
        return self.unknown_share(analysis, by_stem) > self.threshold


def _first_known(term_weight: float, reading_weight: float) -> float:
    """The term's listed weight, else its reading's, else the highest (NaN: not listed)."""
    if not math.isnan(term_weight):
        return term_weight
    return _MAX_WEIGHT if math.isnan(reading_weight) else reading_weight
