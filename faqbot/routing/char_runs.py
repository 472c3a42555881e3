"""The character channel's per-text work, done and remembered one run of stored texts at a time.

The character channel derives from every stored text its surface (normalised,
product names masked, synonyms canonicalised), its kana reading normalised,
and three n-gram segments: of the surfaces, of the readings, and of each
entry's vocabulary (its questions' surfaces run together).  The texts are cut
into runs where the n-gram segments always were cut (:func:`~faqbot.routing.segments.entry_starts`:
each entries file, every :data:`~faqbot.routing.segments.MAX_SEGMENT_ENTRIES`
entries, the out-of-scope examples apart), and everything one run gives is a
:class:`CharRun`, remembered under a hash of what it depends on (the run's
entries as pickled, :func:`~faqbot.routing.segments.entries_key`, whose questions are
its texts; the out-of-scope run's texts; and the synonyms and product words).

After a one-file edit the runs of the other files are found whole: their texts
are not looked up one by one in the per-text cache, read, normalised or
segmented again, and the channel's arrays are their arrays put end to end.
Only their per-text cache entries are marked as used, by the digests the run
keeps, so the cache still holds exactly the last build's texts.  A run found is
exactly what computing it would give (each part is a pure function of what its
key hashes), so the channel equals a channel built from nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.ngram_extract import Segment, segment
from faqbot.routing.segments import SegmentStore, content_key, entries_key, entry_starts
from faqbot.text.heap import release
from faqbot.text.memo import NORMALIZED, READING, TextMemo
from faqbot.text.normalize import normalize
from faqbot.text.packed import PackedStrings

# Stored questions this short (normalised characters) match inside other words.
SHORT_QUESTION = 4


@dataclass(frozen=True)
class CharRun:
    """Everything the character channel derives from one run of stored texts."""

    keys: np.ndarray  # the texts' digests (n × 2 uint64): their per-text cache entries
    reading_keys: np.ndarray  # their readings' digests: the normalised readings' cache entries
    stored: PackedStrings  # the texts themselves (packing every stored text was 0.04 s of a 10k edit)
    surfaces: PackedStrings
    short: np.ndarray  # bool: a surface of at most SHORT_QUESTION characters
    texts: Segment  # n-grams of the surfaces
    entries: Segment  # n-grams of each entry's vocabulary (the out-of-scope run: one pseudo-entry)
    readings: Segment  # n-grams of the normalised readings


@dataclass(frozen=True)
class _Span:
    """One run: its texts and, per entry of the run, how many of them are its questions."""

    texts: Sequence[str]
    counts: tuple[int, ...]
    key: str


@dataclass(frozen=True)
class _Computed:
    """What a run not found gives before its readings: everything of its :class:`CharRun` but those."""

    span: _Span
    keys: np.ndarray  # the texts' digests (n × 2 uint64)
    stored: PackedStrings
    packed: PackedStrings  # the surfaces
    surfaces: list[str]
    texts: Segment  # the surfaces' n-grams
    entries: Segment  # each entry's vocabulary's n-grams


class RunPlan:
    """The runs of a knowledge base's stored texts, and which of them ``store`` already holds."""

    def __init__(self, kb: KnowledgeBase, texts: Sequence[str], context: str, store: SegmentStore) -> None:
        """``texts``: every stored text (questions by entry, then the out-of-scope examples); ``context``:
        a hash of everything a surface depends on besides its text (synonyms, product words).
        """
        self._store = store
        self.context = context
        self.size = len(texts)  # every stored text, found or not
        counts = [len(e.questions) for e in kb.entries]
        firsts = [*entry_starts(kb), len(kb.entries)]
        bounds = np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).tolist()
        pairs = [(a, b) for a, b in zip(firsts, firsts[1:], strict=False) if a < b]
        self._spans = [
            self._span(texts[bounds[a] : bounds[b]], tuple(counts[a:b]), entries_key(kb, a, b)) for a, b in pairs
        ]
        if kb.out_of_scope:  # one pseudo-entry holding every example
            self._spans.append(self._span(texts[bounds[-1] : bounds[-1] + len(kb.out_of_scope)], (len(kb.out_of_scope),)))
        self._found = [store.find(span.key, CharRun) for span in self._spans]

    def _span(self, texts: Sequence[str], counts: tuple[int, ...], entries: str | None = None) -> _Span:
        """A run of ``texts``, keyed by its entries (``entries``: :func:`entries_key`), else (the examples) by the texts."""
        if entries is not None:  # the texts and counts are the entries' questions
            return _Span(texts, counts, hashlib.sha256(f"char-run-entries\n{self.context}\n{entries}".encode()).hexdigest()[:32])
        digest = hashlib.sha256(f"char-run\n{self.context}\n{content_key(texts)}\n{counts}".encode())
        return _Span(texts, counts, digest.hexdigest()[:32])

    @property
    def missing(self) -> list[str]:
        """The texts of the runs not found, in order (the ones whose readings are needed)."""
        return [t for span, run in zip(self._spans, self._found, strict=True) if run is None for t in span.texts]

    def runs(
        self,
        memo: TextMemo,
        surface: Callable[[str], str],
        readings: Callable[[], list[str]],
        meanwhile: Callable[[list[Segment], list[Segment]], None] | None = None,
    ) -> list[CharRun]:
        """Every run, found or computed (``readings()``: the readings of :attr:`missing`, asked for last); once per plan.

        ``meanwhile``: called with every run's text and entry segments, in order, before the
        readings are asked for (the indexes that need no reading are merged while the reading
        child finishes: after a one-file edit it is still loading its dictionary by then).
        """
        kind = f"surface:{self.context}"
        made: list[_Computed] = []
        kept: list[np.ndarray] = []
        kept_readings: list[np.ndarray] = []
        for at, (span, run) in enumerate(zip(self._spans, self._found, strict=True)):
            if run is not None:
                memo.known_digests(span.texts, run.keys)  # the questions are looked up again for their analyses
                kept.append(np.array(run.keys))  # copied: a mapped run's pages go back
                kept_readings.append(np.array(run.reading_keys))
                release(run.keys, run.reading_keys)
                # Its texts are not needed again: they are the entries' questions, which the
                # caller may free while the indexes are merged (KnowledgeBase.pack_entries).
                self._spans[at] = _Span((), span.counts, span.key)
                continue
            surfaces = memo.mapped(kind, span.texts, surface)
            ends = np.cumsum(span.counts).tolist()
            vocabularies = ["".join(surfaces[a:b]) for a, b in zip([0, *ends], ends, strict=False)]
            made.append(_Computed(
                span, memo.digests(span.texts), PackedStrings(span.texts), PackedStrings(surfaces), surfaces,
                segment(surfaces), segment(vocabularies),
            ))
        if kept:  # the found runs' per-text results, kept in one look-up per kind (one per run was 0.035 s of a 10k edit)
            keys = np.concatenate(kept)
            memo.keep(READING, keys)
            memo.keep(kind, keys)
            memo.keep(NORMALIZED, np.concatenate(kept_readings))
            del keys, kept, kept_readings
        if meanwhile is not None:
            computed_parts = {one.span.key: (one.texts, one.entries) for one in made}
            parts = [
                (run.texts, run.entries) if run is not None else computed_parts[span.key]
                for span, run in zip(self._spans, self._found, strict=True)
            ]
            meanwhile([texts for texts, _ in parts], [entries for _, entries in parts])
            del computed_parts, parts
        # The readings last: the reading child has had the most time by now.
        read = iter(readings() if made else [])
        computed: dict[str, CharRun] = {}
        for one in made:
            mine = [next(read) for _ in one.span.texts]
            normalized = memo.mapped(NORMALIZED, mine, normalize)
            short = np.fromiter((len(s) <= SHORT_QUESTION for s in one.surfaces), dtype=bool, count=len(one.surfaces))
            run = CharRun(one.keys, memo.digests(mine), one.stored, one.packed, short, one.texts, one.entries, segment(normalized))
            computed[one.span.key] = self._store.add(one.span.key, run)
        runs = [run if run is not None else computed[span.key] for span, run in zip(self._spans, self._found, strict=True)]
        # Used once: the runs found are the caller's now, dropped when its indexes are merged.
        self._spans, self._found = [], []
        return runs
