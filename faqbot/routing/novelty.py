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

The threshold is fitted when the engine is built (:func:`fit_novelty`), on the
knowledge base's own material: positives are its questions and alternates, each
scored with its own text left out of the vocabulary (a word only that question
uses counts as unknown); negatives are its out-of-scope examples plus the
shipped general off-domain questions (``routing/data/offdomain.yaml``).  The
threshold is the smallest share that keeps :data:`POSITIVE_TARGET` of the
positives answerable — which, the veto firing above it, refuses the most
negatives — and never below :data:`MIN_THRESHOLD`, so a word the knowledge base
never uses cannot alone refuse a message that is mostly about known things.  A
knowledge base with fewer than :data:`MIN_POSITIVES` questions gets no veto.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from faqbot.kb.knowledge import KIND_SMALLTALK, Entry, KnowledgeBase
from faqbot.text.analysis import NEGATION, Analysis
from faqbot.text.packed import PackedFloats
from faqbot.text.shipped import shipped_table

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
_OFFDOMAIN = "offdomain.yaml"
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

    def unknown_share(self, analysis: Analysis) -> float:
        """The part of the message's salient weight carried by words the knowledge base never uses."""
        total = unknown = 0.0
        for term, reading, w in zip(analysis.terms, analysis.readings, self._weights(analysis), strict=True):
            total += w
            if not self.knows(term, reading):
                unknown += w
        return unknown / total if total > 0 else 0.0

    def fires(self, analysis: Analysis) -> bool:
        """Is the message mostly about things the knowledge base never mentions?"""
        return self.unknown_share(analysis) > self.threshold


def _first_known(term_weight: float, reading_weight: float) -> float:
    """The term's listed weight, else its reading's, else the highest (NaN: not listed)."""
    if not math.isnan(term_weight):
        return term_weight
    return _MAX_WEIGHT if math.isnan(reading_weight) else reading_weight


@dataclass(frozen=True)
class NoveltyFit:
    """The veto and the evidence it was fitted on (for the docs, tests and lint)."""

    veto: NoveltyVeto
    positives: np.ndarray  # unknown shares of the KB's own questions, each left out
    negatives: np.ndarray  # unknown shares of out-of-scope and general questions


def offdomain_questions() -> list[str]:
    """The shipped general questions no customer-support knowledge base is about."""
    return [str(q) for q in shipped_table(__file__, _OFFDOMAIN)["questions"]]


def fit_novelty(
    vocabulary: Sequence[Analysis],
    questions: Sequence[Analysis],
    negatives: Sequence[Analysis],
    topical: Sequence[bool] | None = None,
    rarity: Mapping[str, float] | None = None,
) -> NoveltyFit:
    """Fit the veto (see the module docstring).

    ``vocabulary`` is every text of the knowledge base that is not a question;
    ``questions`` are its questions and alternates, each vocabulary, and a
    positive where ``topical`` says so (default: all); ``negatives`` are
    messages the knowledge base does not answer.  ``rarity``: the table :func:`rarities`
    returns, when the caller has it already (it depends on wordfreq's lists only).
    """
    term_df: Counter[str] = Counter()
    reading_df: Counter[str] = Counter()
    for doc in (*vocabulary, *questions):
        term_df.update(set(doc.terms))
        reading_df.update(set(doc.readings))
    rarity = rarity if rarity is not None else rarities()
    veto = NoveltyVeto(frozenset(term_df), frozenset(reading_df), rarity)
    chosen = [q for q, keep in zip(questions, topical or [True] * len(questions), strict=True) if keep]
    # Each distinct word's weight once, not once per occurrence (400,000 at 10,000 entries).
    weight = cache(veto.weight)
    positives = np.array([_left_out_share(veto, weight, q, term_df, reading_df) for q in chosen])
    negative_shares = np.array([veto.unknown_share(n) for n in negatives])
    threshold = OFF
    if len(positives) >= MIN_POSITIVES:
        # Veto when share > t: the smallest t with POSITIVE_TARGET of positives at or below it.
        threshold = max(MIN_THRESHOLD, float(np.quantile(positives, POSITIVE_TARGET, method="higher")))
    # Packed once fitted (fitting looks words up millions of times, a dict is quicker there):
    # the engine cache maps the table instead of unpickling 58,000 words (faqbot.text.packed).
    fitted = NoveltyVeto(veto.known_terms, veto.known_readings, PackedFloats(rarity), threshold)
    return NoveltyFit(fitted, positives, negative_shares)


def _left_out_share(
    veto: NoveltyVeto,
    weight: Callable[[str, str], float],
    question: Analysis,
    term_df: Counter[str],
    reading_df: Counter[str],
) -> float:
    """The question's unknown share with its own text taken out of the vocabulary."""
    own_terms, own_readings = set(question.terms), set(question.readings)
    total = unknown = 0.0
    for term, reading in zip(question.terms, question.readings, strict=True):
        w = weight(term, reading)
        total += w
        known = term_df[term] - (term in own_terms) > 0 or reading_df[reading] - (reading in own_readings) > 0
        if not known and not veto.contains_known(reading):
            unknown += w
    return unknown / total if total > 0 else 0.0


def rarities() -> dict[str, float]:
    """Rarity weight of every listed word (see the module docstring); imports wordfreq lazily."""
    import wordfreq  # build time only: 0.2 s and 20 MB of lists

    table: dict[str, float] = {}
    for lang in ("ja", "en"):
        for word, f in wordfreq.get_frequency_dict(lang, wordlist="best").items():
            # The Japanese list holds Latin words too; English is the better judge of those.
            if f >= FLOOR_FREQUENCY and (lang == "ja") != word.isascii():
                table[word] = max(0.0, math.log10(COMMON_FREQUENCY / f))
    return table


@dataclass(frozen=True)
class VetoMaterial:
    """What the veto is fitted on, analysed: see :func:`fit_novelty`'s arguments."""

    vocabulary: list[Analysis]
    questions: list[Analysis]
    negatives: list[Analysis]
    topical: list[bool]


def veto_material(
    kb: KnowledgeBase,
    analyses: Callable[[list[str]], list[Analysis]],
    template_tag: re.Pattern[str],
    question_analyses: Sequence[Analysis] | None = None,
) -> VetoMaterial:
    """``kb``'s texts as :func:`fit_novelty` reads them, analysed by ``analyses`` (a list at a time).

    ``question_analyses``: every question's analysis, entries in order, when the caller has them.
    Small-talk questions are vocabulary but not positives: each greeting is its own
    wording (「thx」, 「おやすみなさい」), so leaving one out says nothing about topics.
    """
    every = [(q, e.kind != KIND_SMALLTALK) for e in kb.entries for q in e.questions]
    questions = [(q, keep) for q, keep in every if q.strip()]
    if question_analyses is None:
        analysed = analyses([q for q, _ in questions])
    else:
        analysed = [a for a, (q, _) in zip(question_analyses, every, strict=True) if q.strip()]
    return VetoMaterial(
        analyses(vocabulary_texts(kb, template_tag)),
        analysed,
        analyses(negative_texts(kb)),
        [keep for _, keep in questions],
    )


def vocabulary_texts(kb: KnowledgeBase, template_tag: re.Pattern[str]) -> list[str]:
    """The non-blank texts of ``kb`` besides its questions whose words the veto knows (see :func:`veto_material`)."""
    return [t for entry in kb.entries for t in entry_vocabulary_texts(entry, template_tag)] + kb_vocabulary_texts(kb)


def entry_vocabulary_texts(entry: Entry, template_tag: re.Pattern[str]) -> list[str]:
    """The non-blank texts of one entry besides its questions whose words the veto knows."""
    texts = [template_tag.sub(" ", entry.answer), entry.question_en or "", template_tag.sub(" ", entry.answer_en or "")]
    texts.extend(entry.pages.for_product(None))
    texts.extend(t for note in entry.notes for t in (note.text, note.text_en or ""))
    return [t for t in texts if t.strip()]


def kb_vocabulary_texts(kb: KnowledgeBase) -> list[str]:
    """The non-blank words of ``kb``'s synonyms and products, which the veto knows too."""
    texts = [w for canonical, variants in kb.synonyms for w in (canonical, *variants)]
    for product in kb.products:
        texts.extend((product.name, *product.aliases, product.name_en or ""))
        texts.extend(word for group in product.keywords for word in group)
    return [t for t in texts if t.strip()]


def negative_texts(kb: KnowledgeBase) -> list[str]:
    """The non-blank texts the veto is fitted to refuse: ``kb``'s out-of-scope examples and the general questions."""
    return [t for t in (*kb.out_of_scope, *offdomain_questions()) if t.strip()]
