"""The character channel: idf-weighted character n-gram coverage with each stored question.

Robust to what a morphological analyser cannot handle: typos, kana
spellings of kanji words, half-width text, words no dictionary knows.
Evidence, combined into one score in [0, 1] per entry:

* idf-weighted n-gram coverage between the message and each question, both
  ways (how much of the message the question explains, how much of the
  question the message contains), on the surface form after normalisation,
  product-name masking and synonym canonicalisation;
* the same against each question's kana reading when the customer wrote in
  kana (「けいやく いつまで」 meets 「契約 いつまで」);
* how much of the message the entry's whole vocabulary (all its questions
  together) explains, which rewards new combinations of the entry's words;
* rapidfuzz similarity with the best questions, which rewards near-verbatim
  wording and tolerates typos.

Out-of-scope examples compete as a pseudo-entry, :data:`OUT_OF_SCOPE`; the
router uses how well they match as one piece of evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from faqbot.kb.knowledge import KIND_COMPUTE, KnowledgeBase
from faqbot.routing.fuzzy_similarity import fuzzy_similarity
from faqbot.routing.ngram_index import NgramIndex, gram_keys
from faqbot.routing.postings import half_coverages
from faqbot.routing.segments import SegmentStore
from faqbot.text.normalize import is_kana_text, normalize, normalize_term
from faqbot.text.packed import PackedStrings
from faqbot.text.synonyms import SynonymMap

if TYPE_CHECKING:
    from faqbot.routing.char_runs import RunPlan
    from faqbot.routing.ngram_extract import Segment
    from faqbot.text.memo import TextMemo

OUT_OF_SCOPE = "__out_of_scope__"
# How many questions the n-gram prefilter hands to the fuzzy re-ranking.
_CANDIDATE_QUESTIONS = 60
# Weights of the evidence (best question, entry vocabulary, rapidfuzz); they sum to 1 so the
# score stays in [0, 1].  Chosen by leave-one-out routing of the KB's own alternates.
_W_QUESTION, _W_ENTRY, _W_FUZZ = 0.5, 0.3, 0.2
# Share of the better coverage (query→question or question→query) in the blend.
_BLEND = 0.5
# rapidfuzz only re-ranks an entry's few best questions: it is the costly part.
_FUZZ_PER_ENTRY = 5
# Held-out entry vocabularies remembered at most while fitting (each a few thousand n-gram keys).
_VOCABULARIES = 4096
# A date in the message is strong evidence for a computed answer (which needs one).
COMPUTE_DATE_BONUS = 0.12


@dataclass(frozen=True)
class CharScores:
    """The character channel's verdict on one message: candidate entries and their scores."""

    owners: np.ndarray  # entry positions (the out-of-scope pseudo-entry is ``len(kb.entries)``)
    scores: np.ndarray  # in [0, 1], before any date bonus
    best_doc: np.ndarray  # the stored question behind each score


_EMPTY = CharScores(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))


class CharChannel:
    """Character n-gram scoring of every stored question; build once, score many times.

    Questions are stored column-wise (texts, surfaces, owner positions) rather
    than as one object each: at 250,000 questions that keeps the channel small
    to pickle and quick to unpickle from the engine cache.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        readings: Callable[[], list[str]] | None = None,
        memo: TextMemo | None = None,
        segments: SegmentStore | None = None,
        plan: RunPlan | None = None,
        before_merge: Callable[[], None] | None = None,
        spill: Path | None = None,
    ) -> None:
        """Index ``kb``'s stored texts; ``readings`` returns the kana readings of ``plan.missing`` (default: read them here).

        The router starts the readings early in a child process and hands over
        the call that collects them: they are needed last, for the reading index.
        ``memo`` remembers each text's normalised forms for the next build;
        ``segments``, what each run of texts gave an earlier build (:mod:`faqbot.routing.char_runs`);
        ``plan``: its runs, when the caller made it (:func:`char_plan`).  ``before_merge``: called
        once the channel has read everything it needs of ``kb``'s entries, before its indexes are
        merged (the caller packs the entries then: :meth:`KnowledgeBase.pack_entries`).  ``spill``: a
        folder where each merged index is moved as soon as it is made (:meth:`NgramIndex.spill`).
        """
        from faqbot.text.memo import TextMemo  # a build's: answering from a cached engine never loads it

        memo = memo if memo is not None else TextMemo()
        self.kb = kb
        self._synonyms = SynonymMap(kb.synonyms)
        # Product names are entities, not evidence of intent: without this,
        # 「モバイルの解約」 drifts to whichever entry mentions モバイル most.
        self._product_names = SynonymMap(
            (("", tuple(product_words(kb))),)
        )
        # Everything the channel keeps of the entries, taken first (packed, not tuples: a cached
        # engine maps them, faqbot.text.packed), so that the entries as objects are not needed
        # while the indexes are merged; the texts themselves come packed with their runs.
        # Each entry owns its questions (the question and every alternate), the pseudo-entry the examples.
        counts = [1 + len(entry.alternates) for entry in kb.entries]
        counts.append(len(kb.out_of_scope))
        self._doc_owner = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        self.compute = np.array([e.kind == KIND_COMPUTE for e in kb.entries], dtype=bool)
        plan = plan if plan is not None else char_plan(kb, segments)
        # Each run of texts (an entries file's) found whole or computed (faqbot.routing.char_runs);
        # the readings of the runs not found are collected last.
        merged: list[NgramIndex] = []

        def merge(texts: list[Segment], entries: list[Segment]) -> None:  # while the reading child finishes
            if before_merge is not None:
                before_merge()
            for parts in (texts, entries):
                index = NgramIndex.from_segments(parts)
                index.spill(spill)
                merged.append(index)

        runs = plan.runs(memo, self.surface, readings if readings is not None else lambda: _read(plan.missing), merge)
        self._doc_text = PackedStrings.joined([run.stored for run in runs]).spilled(spill)
        self._doc_surface = PackedStrings.joined([run.surfaces for run in runs]).spilled(spill)
        for run in runs:  # copied: a mapped run's pages go back (faqbot.text.heap.release)
            run.stored.release()
            run.surfaces.release()
        self._doc_ids_by_text: dict[str, list[int]] | None = None  # built on first `exclude`
        self._vocabularies: dict[tuple[int, ...], frozenset[int]] = {}  # filled while fitting
        # The surfaces' index, and each entry's vocabulary's (its questions' surfaces run together,
        # in order), merged before the readings were collected; then the readings'.
        self._surface_index, self._entry_index = merged
        self._short_doc = np.concatenate([run.short for run in runs]) if runs else np.zeros(0, dtype=bool)
        self._reading_index = NgramIndex.from_segments([run.readings for run in runs])
        self._reading_index.spill(spill)

    def __getstate__(self) -> dict[str, object]:
        # The leave-one-out look-up (a dict of every stored text, filled while fitting at build
        # time) is rebuilt on first use: pickled, it was 250,000 lists and 0.35 s of every
        # cached start at 50k entries, for the lint's `exclude` alone.
        # The held-out vocabularies likewise: fitting's working memory, of no use to a reader.
        return {**self.__dict__, "_doc_ids_by_text": None, "_vocabularies": {}}

    @property
    def texts(self) -> Sequence[str]:
        """Every stored question, then every out-of-scope example (document ids index this)."""
        return self._doc_text

    @property
    def doc_owner(self) -> np.ndarray:
        """The entry position of each stored text (out-of-scope examples: ``len(kb.entries)``)."""
        return self._doc_owner

    def holds_verbatim(self, text: str, doc: int) -> bool:
        """Does ``text`` read, after normalisation, product masking and synonyms, as the stored text ``doc``?"""
        return 0 <= doc < len(self._doc_text) and self._doc_surface[doc] == self.surface(text)

    def _masked(self, text: str) -> str:  # product names out, before synonyms
        return self._product_names.canonicalize(normalize(text))

    def canonical(self, word: str) -> str:
        """``word`` as the channel reads a dictionary term: folded (:func:`normalize_term`), synonyms canonical
        (「クレカ」 and 「クレジットカード」 are one)."""
        return self._synonyms.canonicalize(normalize_term(word))

    def surface(self, text: str) -> str:
        """``text`` as the channel compares it: normalised, product names out, synonyms canonical."""
        return self._synonyms.canonicalize(self._masked(text))

    def excluded(self, text: str) -> list[int]:
        """The ids of the stored texts equal to ``text``."""
        if self._doc_ids_by_text is None:
            by_text: dict[str, list[int]] = {}
            for doc_id, doc_text in enumerate(self._doc_text):
                by_text.setdefault(doc_text, []).append(doc_id)
            self._doc_ids_by_text = by_text
        return self._doc_ids_by_text.get(text, [])

    def _question_scores(
        self, surface: str, kana: str | None, exclude: str | None, held_out: Sequence[int] = (), keys: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The questions sharing an n-gram with ``surface`` (ascending ids) and their blended scores.

        Only those questions can score above zero, so everything after the
        index look-up works on them alone, not on every stored question.
        ``keys``: ``gram_keys(surface)``, when the caller already has them.
        """
        index = self._surface_index
        shared, qmass = index.shared_mass(surface, keys)
        if kana is None and _BLEND == 0.5:
            # The usual message: one pass finds the questions sharing mass and blends their coverages.
            ids, scores = half_coverages(shared, qmass, index.doc_masses, self._short_doc)
            return self._left_out(ids, scores, exclude, held_out)
        if kana is None:
            ids = np.flatnonzero(shared > 0.0)  # on a bool mask: several times faster than on floats
        else:
            r_shared, r_qmass = self._reading_index.shared_mass(kana)
            ids = np.flatnonzero((shared > 0.0) | (r_shared > 0.0))
        found = shared[ids]
        # Divided in float64 and rounded to float32 as it is written out: what
        # ``(found / qmass).astype(np.float32)`` gives, without the float64 array between.
        q_cov = np.divide(found, qmass, out=np.empty(len(ids), dtype=np.float32), casting="same_kind")
        d_cov = np.divide(found, index.doc_mass(ids), out=np.empty(len(ids), dtype=np.float32), casting="same_kind")
        if kana is not None:
            q_cov = np.maximum(q_cov, (r_shared[ids] / r_qmass).astype(np.float32))
            d_cov = np.maximum(d_cov, (r_shared[ids] / self._reading_index.doc_mass(ids)).astype(np.float32))
        # A question of a few characters ("hi", 「また」) is contained in countless
        # messages ("which", 「またカードが…」): for those, only the share of the
        # message it explains counts, not the share of itself the message contains.
        np.copyto(d_cov, q_cov, where=self._short_doc[ids])
        scores = _mean(q_cov, d_cov) if _BLEND == 0.5 else _blend(q_cov, d_cov)
        return self._left_out(ids, scores, exclude, held_out)

    def _left_out(self, ids: np.ndarray, scores: np.ndarray, exclude: str | None, held_out: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """``ids`` and ``scores`` less the stored texts equal to ``exclude`` and those ``held_out``."""
        if exclude is not None or len(held_out):
            keep = ~np.isin(ids, [*(self.excluded(exclude) if exclude is not None else []), *held_out])
            ids, scores = ids[keep], scores[keep]
        return ids, scores

    def _held_out_vocabulary(self, keys: np.ndarray, entry_shared: np.ndarray, held_out: Sequence[int]) -> np.ndarray:
        """``entry_shared`` with each held-out question's entry vocabulary rebuilt without it.

        ``exclude`` leaves a question out of the question index only, so its words still
        count through its entry's vocabulary; a held-out question must not vouch for itself.
        """
        corrected = entry_shared.copy()
        gone = set(held_out)
        for owner in {int(self._doc_owner[i]) for i in held_out}:
            corrected[owner] = self._entry_index.shared_with(keys, self._vocabulary_without(owner, gone))
        return corrected

    def _vocabulary_without(self, owner: int, gone: set[int]) -> frozenset[int]:
        """The n-gram keys of ``owner``'s questions run together, those in ``gone`` left out.

        Remembered per (entry, questions left out): the calibration fit routes a pseudo-query twice
        with its own question held out, and a rival's best-matched question recurs across
        pseudo-queries (ninety-sixth rule); rebuilt, each was the whole entry's text (the shipped
        KB's ~55 questions) cut into n-grams again.
        """
        # An entry's texts are contiguous (entries in order, then the out-of-scope examples).
        start, end = np.searchsorted(self._doc_owner, (owner, owner + 1)).tolist()
        key = (owner, *sorted(i for i in gone if start <= i < end))
        found = self._vocabularies.get(key)
        if found is None:
            if len(self._vocabularies) >= _VOCABULARIES:
                self._vocabularies.clear()
            kept = [self._doc_surface[i] for i in range(start, end) if i not in gone]
            found = self._vocabularies[key] = frozenset(gram_keys("".join(kept)).tolist())
        return found

    def scores(self, query: str, exclude: str | None = None, held_out: Sequence[int] = ()) -> CharScores:
        """Each candidate entry's score for ``query``.

        ``exclude``: a stored text to leave out of the question index; ``held_out``: stored
        text ids to leave out entirely, their entries' vocabularies included (calibration).
        """
        masked = self._masked(query)
        surface = self._synonyms.canonicalize(masked)
        if not surface:
            return _EMPTY
        # Decided before synonyms: 「せいきゅう」 → 請求 would make a kana message look
        # like kanji and lose the reading channel it needs for the rest of its words.
        kana = masked if is_kana_text(masked) else None
        keys = gram_keys(surface)  # the surface and entry indexes number n-grams alike
        ids, scores = self._question_scores(surface, kana, exclude, held_out, keys)
        top = _top_k(ids, scores, _CANDIDATE_QUESTIONS)
        if not len(top):
            return _EMPTY
        top_ids = ids[top]
        candidates: dict[int, list[int]] = {}  # owner → positions in top, best first
        for pos, owner in enumerate(self._doc_owner[top_ids].tolist()):
            candidates.setdefault(owner, []).append(pos)
        fuzzed = [pos for picks in candidates.values() for pos in picks[:_FUZZ_PER_ENTRY]]
        similarity = fuzzy_similarity(surface, self._doc_surface.take(top_ids[fuzzed]))  # by entry, as fuzzed runs
        entry_shared, entry_qmass = self._entry_index.shared_mass(surface, keys)
        if len(held_out):
            entry_shared = self._held_out_vocabulary(keys, entry_shared, held_out)
        owners = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        firsts = [picks[0] for picks in candidates.values()]  # each entry's best question
        # Each entry's best similarity: its run of fuzzed questions, entries in turn.
        runs = np.fromiter((min(len(picks), _FUZZ_PER_ENTRY) for picks in candidates.values()), dtype=np.int64, count=len(candidates))
        fuzzy = np.maximum.reduceat(similarity, np.cumsum(runs) - runs)
        entry_cov = (entry_shared[owners] / entry_qmass).astype(np.float32)
        # In float64 from the float32 coverages, term by term: one array operation per
        # evidence instead of a few numpy scalars per candidate entry.
        value = (
            _W_QUESTION * scores[top[firsts]].astype(np.float64)
            + _W_ENTRY * entry_cov.astype(np.float64)
            + _W_FUZZ * fuzzy
        )
        return CharScores(owners, np.minimum(value, 1.0), top_ids[firsts].astype(np.int64))


def _top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores, best first, ties by smaller id (a stable sort's order).

    ``np.argpartition`` finds the k-th best value in linear time; only the few
    that beat or tie it are sorted, instead of every stored question.
    """
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        chosen = np.flatnonzero(scores >= kth)  # k, plus any further ties with the k-th
    else:
        chosen = np.arange(len(scores))
    return chosen[np.lexsort((ids[chosen], -scores[chosen]))][:k]


def _blend(q_cov: np.ndarray, d_cov: np.ndarray) -> np.ndarray:
    """One similarity from both coverages: mostly the better one, some of the worse."""
    blended: np.ndarray = _BLEND * np.maximum(q_cov, d_cov) + (1 - _BLEND) * np.minimum(q_cov, d_cov)
    return blended


def _mean(q_cov: np.ndarray, d_cov: np.ndarray) -> np.ndarray:
    """:func:`_blend` when ``_BLEND`` is one half, bit for bit, in two passes instead of five; ``d_cov`` is overwritten.

    Half the better plus half the worse is half the sum: halving a float32 is exact
    (coverages are 0 or far above the subnormals: shares of masses of at least one
    idf), so ``0.5·max + 0.5·min`` and ``(q + d)·0.5`` round the same exact sum once.
    """
    np.add(q_cov, d_cov, out=d_cov)
    d_cov *= np.float32(0.5)
    return d_cov


def stored_texts(kb: KnowledgeBase) -> list[str]:
    """Every question of every entry, grouped by entry, then every out-of-scope example: the stored texts."""
    texts = [q for entry in kb.entries for q in entry.questions]
    texts.extend(kb.out_of_scope)
    return texts


def char_plan(kb: KnowledgeBase, segments: SegmentStore | None = None) -> RunPlan:
    """The runs of ``kb``'s stored texts and which of them ``segments`` holds (none without a store)."""
    # A surface depends on the text, the synonyms and the product names.
    from faqbot.routing.char_runs import RunPlan  # a build's: answering from a cached engine never loads it

    context = hashlib.sha256(repr((kb.synonyms, product_words(kb))).encode()).hexdigest()[:16]
    return RunPlan(kb, stored_texts(kb), context, segments if segments is not None else SegmentStore())


def product_words(kb: KnowledgeBase) -> list[str]:
    """Every product name, alias and keyword: entities, masked out of intent evidence.

    Each name and alias also comes with each of the knowledge base's ``mention_suffixes`` after
    it ("Mac version" beside "Mac"), so that the suffix is masked with the name it belongs to.
    """
    words: list[str] = []
    for product in kb.products:
        names = (product.name, *product.aliases)
        words.extend(names)
        words.extend(_suffixed(name, suffix) for name in names for suffix in kb.mention_suffixes)
        words.extend(word for group in product.keywords for word in group)
    return words


def _suffixed(name: str, suffix: str) -> str:
    """``name`` followed by ``suffix`` as text writes them: a Latin word after a space, anything else joined."""
    return f"{name} {suffix}" if suffix[:1].isascii() and suffix[:1].isalpha() else f"{name}{suffix}"


def _read(texts: list[str]) -> list[str]:
    """The kana readings of ``texts`` (a build's work: pykakasi's module is imported here, not by answering)."""
    from faqbot.text.readings import readings_isolated

    return readings_isolated(texts)
