"""The three fits of a build, kept across a small knowledge-base edit under a stated rule.

Building a router fits three values on the knowledge base's own material: the
lexical weight (:mod:`faqbot.routing.training`, ≤ 250 held-out routes), the
unknown-content veto's threshold (:mod:`faqbot.routing.novelty_fit`, every question
scored left out) and the calibrated decision (:mod:`faqbot.routing.calibration`,
routing its held-out examples).  At 10,000 entries they are 1.5 s of a one-file edit's
rebuild, yet an edit of a few questions moves them little or not at all.  This
module wraps the fits (it does not change them) and keeps a value an earlier
build fitted when, and only when, **all** of these hold:

1. **Same shape.** The knowledge base the value was fitted on and this one have
   the same entries (ids, kinds, number of questions each, in order), the same
   out-of-scope examples and subjects, synonyms, products and router settings,
   and the same number of blank questions (:func:`fingerprint`'s ``frame``).
   The fits' samples are drawn by position with a fixed seed, so with the same
   shape they draw the same positions.
2. **Few changes.** At most :data:`MAX_CHANGED_SHARE` of the entries (at least
   one entry) differ from the knowledge base **the value was fitted on** — not
   from the last build's: a kept value keeps its origin, so edits add up until
   the value is refitted.  An entry differs when one of its questions or its
   answer, English texts, page titles or notes differ (a CRC-32 of them all).
3. **Not in the sample.** Lexical weight and calibration: no changed entry is
   one whose question the fit routed or read (recorded while it ran,
   :class:`FitTrace`).  Veto: its threshold is the 99th percentile of every
   question's left-out unknown share (floored at 0.5), so ``k`` changed
   questions (``k``: every question of the changed entries) can move it at most ``k`` places in the sorted shares; the value
   is kept only when every threshold within ``k`` places is the same (ties, or
   all under the floor).  The veto's vocabulary is always rebuilt.

4. **Its inputs kept.** The calibration is kept only when the veto and the
   lexical weight were kept in the same build: its examples' scores depend on
   the weight, and which of them reach the model on the veto.

Otherwise the value is fitted afresh (and becomes the new origin).  What a kept
value ignores: the edit's effect on *other* examples' routes (idf, the
vocabulary), bounded by rule 2.  Every build records, per fit, whether it was
kept and the content hash of the knowledge base it was fitted on
(:class:`FitOrigin`, ``Router.fit_origins``), so a router never carries a value
from a differently shaped knowledge base unrecorded.  A full build (no earlier
records) fits everything, exactly as before this module.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.routing.calibration import Calibration
from faqbot.routing.calibration_fit import fit_calibration
from faqbot.routing.fit_origin import FitOrigin
from faqbot.routing.novelty import MIN_POSITIVES, MIN_THRESHOLD, OFF, POSITIVE_TARGET, NoveltyVeto
from faqbot.routing.novelty_fit import fit_novelty, negative_texts, veto_material
from faqbot.routing.training import fit_lexical_weight
from faqbot.text.analysis import Analysis
from faqbot.text.packed import PackedFloats

if TYPE_CHECKING:
    from faqbot.routing.router import Router

LEXICAL_WEIGHT, VETO, CALIBRATION = "lexical weight", "veto", "calibration"
# Entries that may differ from the knowledge base a value was fitted on, as a share of all.
MAX_CHANGED_SHARE = 0.01


@dataclass(frozen=True, eq=False)
class KbPrint:
    """What the fits see of a knowledge base: its shape, and a checksum of each entry's routed texts."""

    content_hash: str
    frame: str  # hash of everything but the entries' wording (rule 1)
    entries: np.ndarray  # uint32 CRC-32 of each entry's questions, answer, English texts, page titles, notes
    counts: np.ndarray  # each entry's number of questions


@dataclass(frozen=True, eq=False)
class EntryPrints:
    """What the fits see of a run of entries: each one's number of questions and checksum, and its blank questions."""

    counts: np.ndarray  # int64
    blank: int
    checksums: np.ndarray  # uint32 CRC-32 of each entry's routed texts


def entry_prints(entries: Sequence[Entry]) -> EntryPrints:
    """:class:`EntryPrints` of ``entries``: a pure function of them, remembered with a run's analyses."""
    counts = np.fromiter((len(e.questions) for e in entries), dtype=np.int64, count=len(entries))
    blank = sum(not q.strip() for e in entries for q in e.questions)
    checksums = np.fromiter((zlib.crc32(_routed(e).encode("utf-8", "surrogatepass")) for e in entries), dtype=np.uint32, count=len(entries))
    return EntryPrints(counts, blank, checksums)


def fingerprint(kb: KnowledgeBase, runs: Sequence[EntryPrints] | None = None) -> KbPrint:
    """``kb`` as the fits see it (rules 1 and 2 of the module docstring).

    ``runs``: :func:`entry_prints` of consecutive runs of its entries, all of them in order
    (found with each run's analyses after an edit); else computed here.
    """
    entries = kb.entries
    parts = [entry_prints(entries)] if runs is None else runs
    counts = np.concatenate([p.counts for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    checksums = np.concatenate([p.checksums for p in parts]) if parts else np.zeros(0, dtype=np.uint32)
    if len(counts) != len(entries):
        raise ValueError(f"{len(counts)} entries in the runs' prints, {len(entries)} in the knowledge base")
    blank = sum(p.blank for p in parts)
    shape = (
        [e.id for e in entries], [e.kind for e in entries], counts.tobytes(), kb.out_of_scope,
        kb.out_of_scope_subjects, kb.synonyms, kb.products, kb.settings, blank,
    )
    return KbPrint(kb.content_hash, hashlib.sha256(repr(shape).encode()).hexdigest(), checksums, counts)


def _routed(entry: Entry) -> str:
    """An entry's routed texts as one string, separated by a unit separator (its questions come first)."""
    notes = [t for n in entry.notes for t in (n.text, n.text_en or "")]
    return "\x1f".join(
        [*entry.questions, entry.answer, entry.question_en or "", entry.answer_en or "", *entry.pages.for_product(None), *notes]
    )


@dataclass(frozen=True)
class Change:
    """How a knowledge base differs from the one a value was fitted on (same shape)."""

    entries: np.ndarray  # positions of the entries changed
    questions: int  # the questions of those entries: at most this many questions changed


def change(old: KbPrint, new: KbPrint) -> Change | None:
    """What changed from ``old`` to ``new``; None when their shapes differ (rule 1)."""
    if old.frame != new.frame or len(old.entries) != len(new.entries):
        return None
    changed = np.flatnonzero(old.entries != new.entries)
    return Change(changed, int(new.counts[changed].sum()))


class FitTrace:
    """The texts a fit asks the router to route or analyse, and the stored texts it holds out."""

    def __init__(self) -> None:
        """An empty trace."""
        self.texts: set[str] = set()
        self.held: set[int] = set()

    def read(self, text: str | None, held_out: Sequence[int] = ()) -> None:
        """Note one routed or analysed text (``held_out``: stored text ids left out for it)."""
        if text is not None:
            self.texts.add(text)
        self.held.update(held_out)


@dataclass(frozen=True, eq=False)
class FitRecord:
    """One fitted value, the knowledge base it was fitted on and what the fit read."""

    made_on: KbPrint
    value: float | Calibration
    sample: np.ndarray  # entry positions whose questions the fit routed or read (rule 3)
    positives: np.ndarray  # the veto's left-out shares, ascending (empty for the other fits)


class FitHistory:
    """This build's fits: each kept from ``previous`` when the rule allows it, else fitted."""

    def __init__(self, kb: KnowledgeBase, previous: Mapping[str, FitRecord] | None = None) -> None:
        """The fits of a build of ``kb``; ``previous``: the records an earlier build left (by kind).

        Without ``previous`` (no store to keep them in) no records are made.
        """
        self._previous = dict(previous or {})
        self._recording = previous is not None
        self._print: KbPrint | None = None
        self._runs: Sequence[EntryPrints] | None = None
        self._kb = kb
        self.records: dict[str, FitRecord] = {}  # this build's, to store for the next
        self.origins: list[FitOrigin] = []

    def printed(self, runs: Sequence[EntryPrints]) -> None:
        """Take ``runs`` (:func:`entry_prints` of every run of entries, in order) for the knowledge base's :func:`fingerprint`."""
        self._runs = runs

    def _now(self) -> KbPrint:
        if self._print is None:
            self._print = fingerprint(self._kb, self._runs)
        return self._print

    def _kept(self, kind: str, allowed: Callable[[FitRecord, Change], bool]) -> FitRecord | None:
        """The earlier record of ``kind`` when the rule keeps it (and noted as kept)."""
        record = self._previous.get(kind)
        if record is None:
            return None
        found = change(record.made_on, self._now())
        limit = max(1, math.floor(MAX_CHANGED_SHARE * len(self._kb.entries)))
        if found is None or len(found.entries) > limit or not allowed(record, found):
            return None
        self.records[kind] = record
        self.origins.append(FitOrigin(kind, record.made_on.content_hash, True, len(found.entries)))
        return record

    def _fitted(self, kind: str, value: float | Calibration, sample: Callable[[], np.ndarray], positives: np.ndarray) -> None:
        if self._recording:
            self.records[kind] = FitRecord(self._now(), value, sample(), positives)
        self.origins.append(FitOrigin(kind, self._kb.content_hash, False, 0))

    def veto(
        self,
        analyses: Callable[[list[str]], list[Analysis]],
        vocabulary: Callable[[], tuple[set[str], set[str]]],
        template_tag: re.Pattern[str],
        rarity: Callable[[], Mapping[str, float]],
        packed: Callable[[], PackedFloats],
        questions: Callable[[], Sequence[Analysis]],
    ) -> NoveltyVeto:
        """The unknown-content veto: vocabulary always rebuilt, threshold kept or fitted.

        ``analyses`` analyses a list of texts, ``vocabulary`` gives every term and reading of
        the analyses of the knowledge base's questions and other texts (what the veto knows); ``rarity``: the rarity table
        (asked for only when the threshold is fitted); ``packed``: the same table packed, as the veto keeps it; ``questions``: every question's analysis, in order (asked for only
        when the threshold is fitted).  A kept threshold needs only the vocabulary
        (the known terms' and readings' sets), not each analysis.
        """
        kb = self._kb
        kept = self._kept(VETO, _veto_unmoved)
        if kept is not None and isinstance(kept.value, float):
            terms, readings = vocabulary()
            analyses(negative_texts(kb))  # unused here, looked up so the per-text cache keeps them for a refit
            return NoveltyVeto(frozenset(terms), frozenset(readings), packed(), kept.value)
        material = veto_material(kb, analyses, template_tag, questions())
        fit = fit_novelty(material.vocabulary, material.questions, material.negatives, material.topical, rarity())
        self._fitted(VETO, fit.veto.threshold, _nothing, np.sort(fit.positives))
        return fit.veto

    def lexical_weight(self, router: Router) -> float:
        """The lexical weight (:func:`~faqbot.routing.training.fit_lexical_weight`), kept or fitted."""
        kept = self._kept(LEXICAL_WEIGHT, _sample_unchanged)
        if kept is not None and isinstance(kept.value, float):
            return kept.value
        trace = router.trace = FitTrace()
        try:
            weight = fit_lexical_weight(router)
        finally:
            router.trace = None
        self._fitted(LEXICAL_WEIGHT, weight, lambda: _sample(router, trace), np.zeros(0))
        return weight

    def calibration(self, router: Router, target: float) -> Calibration:
        """The calibrated decision (:func:`~faqbot.routing.calibration_fit.fit_calibration`), kept or fitted.

        Kept only when the veto and the lexical weight were kept too (rule 4): its examples'
        scores depend on the weight, and which of them reach the model on the veto.  A weight
        the knowledge base states (``router.lexical_weight``) is part of the fingerprint, so it
        is the same as the earlier build's whenever anything is kept.

        With a word-vector channel its table and fitted weight are part of the record's kind,
        so a calibration fitted with other vectors, or without, is never kept.
        """
        inputs = {VETO} if router.kb.settings.lexical_weight is not None else {VETO, LEXICAL_WEIGHT}
        inputs_kept = {o.kind for o in self.origins if o.reused} >= inputs
        kind = CALIBRATION if router.vectors is None else f"{CALIBRATION} with {router.vectors.words.digest} at {router.vector_weight!r}"
        kept = self._kept(kind, _sample_unchanged) if inputs_kept else None
        if kept is not None and isinstance(kept.value, Calibration):
            return kept.value
        trace = router.trace = FitTrace()
        try:
            fitted = fit_calibration(router, target).calibration
        finally:
            router.trace = None
        self._fitted(kind, fitted, lambda: _sample(router, trace), np.zeros(0))
        return fitted


def _nothing() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def _sample(router: Router, trace: FitTrace) -> np.ndarray:
    """The entries whose questions ``trace`` saw routed, analysed or held out."""
    char = router.char_channel
    real = len(router.kb.entries)
    docs = {i for text in trace.texts for i in char.excluded(text)} | trace.held
    owners = char.doc_owner[np.array(sorted(docs), dtype=np.int64)] if docs else np.zeros(0, dtype=np.int64)
    return np.unique(owners[owners < real]).astype(np.int64)


def _sample_unchanged(record: FitRecord, found: Change) -> bool:
    """Rule 3 for the routed fits: no changed entry is one the fit routed or read."""
    return not np.isin(found.entries, record.sample).any()


def _veto_unmoved(record: FitRecord, found: Change) -> bool:
    """Rule 3 for the veto: every threshold within ``found.questions`` places of the percentile is the same."""
    shares = record.positives
    if len(shares) < MIN_POSITIVES:
        return record.value == OFF
    rank = math.ceil(POSITIVE_TARGET * (len(shares) - 1))  # numpy's quantile, method "higher"
    low = shares[max(rank - found.questions, 0)]
    high = shares[min(rank + found.questions, len(shares) - 1)]
    return max(MIN_THRESHOLD, float(low)) == max(MIN_THRESHOLD, float(high)) == record.value


__all__ = ["EntryPrints", "FitHistory", "FitOrigin", "FitRecord", "FitTrace", "KbPrint", "change", "entry_prints", "fingerprint"]
