"""Fitting the unknown-content veto (:mod:`faqbot.routing.novelty`) when an engine is built.

The threshold is fitted when the engine is built (:func:`fit_novelty`), on the
knowledge base's own material: positives are its questions and alternates, each
scored with its own text left out of the vocabulary (a word only that question
uses counts as unknown); negatives are its out-of-scope examples plus the
shipped general off-domain questions (``routing/data/offdomain.yaml``).  The
threshold is the smallest share that keeps :data:`~faqbot.routing.novelty.POSITIVE_TARGET` of the
positives answerable — which, the veto firing above it, refuses the most
negatives — and never below :data:`~faqbot.routing.novelty.MIN_THRESHOLD`, so a word the knowledge base
never uses cannot alone refuse a message that is mostly about known things.  A
knowledge base with fewer than :data:`~faqbot.routing.novelty.MIN_POSITIVES` questions gets no veto.

The rarity table (:func:`rarities`) is wordfreq's, looked up once here, so answering never
imports wordfreq.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from faqbot.kb.knowledge import KIND_SMALLTALK, Entry, KnowledgeBase
from faqbot.routing.novelty import (
    COMMON_FREQUENCY,
    FLOOR_FREQUENCY,
    MIN_POSITIVES,
    MIN_THRESHOLD,
    OFF,
    POSITIVE_TARGET,
    NoveltyVeto,
)
from faqbot.text.analysis import Analysis
from faqbot.text.packed import PackedFloats
from faqbot.text.shipped import shipped_table

_OFFDOMAIN = "offdomain.yaml"


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
