"""What the router reads from its texts' analyses, done and remembered one run of entries at a time.

Building a router reads every question's, answer's and page-title list's topic
terms (the lexical index, :mod:`faqbot.routing.lexical`) and the set of terms and
readings the knowledge base uses (the veto's vocabulary, :mod:`faqbot.routing.novelty`).
At 10,000 entries that is 70,000 analyses looked up in the per-text cache, and
30,000 more texts for the vocabulary, though a one-file edit changes one run.
So, as for the character channel (:mod:`faqbot.routing.char_runs`), the entries
are cut into the same runs (:func:`~faqbot.routing.segments.entry_starts`) and
each run's results are an :class:`AnalysisRun`, remembered under a hash of the
run's entries as pickled (:func:`~faqbot.routing.segments.entries_key`: its texts are
theirs, so they are built only for a run that is computed) and of what the analyser
masks (the product words).  A run found
marks its texts' analyses as used in the per-text cache (by the digests it
keeps) and is not looked up text by text.  The lexical index is built from the
runs' term columns (:meth:`~faqbot.routing.lexical.LexicalIndex.from_columns`),
which number the terms as the whole lists would: the same index.  A run also keeps
what the fits see of its entries (:func:`~faqbot.routing.fit_reuse.entry_prints`), so
the knowledge base's fingerprint after an edit is its runs' put end to end.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.routing.fit_reuse import EntryPrints, entry_prints
from faqbot.routing.lexical import TermColumns, Vocabulary
from faqbot.routing.novelty_fit import entry_vocabulary_texts, kb_vocabulary_texts
from faqbot.routing.segments import SegmentStore, entries_key, entry_starts
from faqbot.text.heap import release
from faqbot.text.memo import TextMemo


class Analyser(Protocol):
    """The build's analyses through its memo (``build_analyser.BuildAnalyser``)."""

    kind: str  # what the memo files the analyses under

    def topic_terms(self, texts: list[str]) -> list[tuple[str, ...]]: ...

    def vocabulary(self, texts: list[str]) -> tuple[set[str], set[str]]: ...


@dataclass(frozen=True)
class AnalysisRun:
    """The topic terms of one run's questions, answers and page titles, and the words of its texts."""

    keys: np.ndarray  # the digests of every text the run analysed (their per-text cache entries)
    questions: TermColumns  # one document per question
    answers: TermColumns  # one per entry
    pages: TermColumns  # one per entry
    terms: frozenset[str]  # every term of its questions and of the entries' other texts (the veto's)
    readings: frozenset[str]
    prints: EntryPrints  # what the fits see of its entries (faqbot.routing.fit_reuse)


@dataclass(frozen=True)
class _Span:
    questions: list[str]
    answers: list[str]
    pages: list[str]
    vocabulary: list[str]  # the non-blank questions, then the entries' other texts the veto knows
    entries: Sequence[Entry]


class AnalysisPlan:
    """The runs of a knowledge base's entries for the analyses, found in ``store`` or computed."""

    def __init__(self, kb: KnowledgeBase, analyser: Analyser, template_tag: re.Pattern[str], store: SegmentStore) -> None:
        self._kb = kb
        self._analyser = analyser
        self._store = store
        self._template_tag = template_tag
        firsts = [*entry_starts(kb), len(kb.entries)]
        self._bounds = [(a, b) for a, b in zip(firsts, firsts[1:], strict=False) if a < b]
        self._keys = [self._key(a, b) for a, b in self._bounds]

    def _key(self, start: int, end: int) -> str:
        """The run's key: of its entries (:func:`entries_key`; its texts are theirs) and the analyser's kind."""
        return hashlib.sha256(f"analysis-run-entries\n{self._analyser.kind}\n{entries_key(self._kb, start, end)}".encode()).hexdigest()[:32]

    def _span(self, start: int, end: int) -> _Span:
        """The run's texts (built only for a run that is computed)."""
        entries: Sequence[Entry] = self._kb.entries[start:end]
        tag = self._template_tag
        questions = [q for e in entries for q in e.questions]
        answers = [tag.sub(" ", e.answer) for e in entries]
        pages = [" ".join(e.pages.for_product(None)) for e in entries]
        vocabulary = [q for q in questions if q.strip()] + [t for e in entries for t in entry_vocabulary_texts(e, tag)]
        return _Span(questions, answers, pages, vocabulary, entries)

    def runs(self, memo: TextMemo) -> list[AnalysisRun]:
        """Every run, found (its analyses kept in ``memo``) or computed through the analyser."""
        found: list[AnalysisRun] = []
        kept: list[np.ndarray] = []
        for (start, end), key in zip(self._bounds, self._keys, strict=True):
            run = self._store.find(key, AnalysisRun)
            if run is not None:
                kept.append(np.array(run.keys))  # copied: a mapped run's pages go back
                release(run.keys)
            else:
                run = self._store.add(key, self._computed(self._span(start, end), memo))
            found.append(run)
        if kept:  # the found runs' analyses, kept in one look-up (one per run was 0.017 s of a 10k edit)
            memo.keep_analyses(self._analyser.kind, np.concatenate(kept))
        return found

    def _computed(self, span: _Span, memo: TextMemo) -> AnalysisRun:
        analyser = self._analyser
        terms, readings = analyser.vocabulary(span.vocabulary)
        texts = [*dict.fromkeys([*span.questions, *span.answers, *span.pages, *span.vocabulary])]
        return AnalysisRun(
            memo.digests(texts),
            Vocabulary.columns(analyser.topic_terms(span.questions)),
            Vocabulary.columns(analyser.topic_terms(span.answers)),
            Vocabulary.columns(analyser.topic_terms(span.pages)),
            frozenset(terms),
            frozenset(readings),
            entry_prints(span.entries),
        )

    def vocabulary(self, runs: Sequence[AnalysisRun]) -> tuple[set[str], set[str]]:
        """Every term and reading the veto knows: the runs', and the synonyms' and products' words."""
        terms, readings = self._analyser.vocabulary(kb_vocabulary_texts(self._kb))
        for run in runs:
            terms.update(run.terms)
            readings.update(run.readings)
        return terms, readings
