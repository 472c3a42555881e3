"""The intent router: ranks knowledge-base entries for a customer message.

Evidence, combined into one confidence in [0, 1]:

* idf-weighted n-gram coverage between the message and each question, both
  ways (how much of the message the question explains, how much of the
  question the message contains), on the surface form after normalisation,
  product-name masking and synonym canonicalisation — robust to word order,
  particles, extra words and long stories around a question;
* the same against each question's kana reading when the customer wrote in
  kana (「けいやく いつまで」 meets 「契約 いつまで」);
* how much of the message the entry's whole vocabulary (all its questions
  together) explains, which rewards new combinations of the entry's words;
* rapidfuzz similarity with the best questions, which rewards near-verbatim
  wording and tolerates typos.

Out-of-scope examples from the knowledge base compete as a pseudo-entry:
when they win, the router falls back instead of answering something close but
wrong.  Below the knowledge base's threshold it falls back; when the top two
entries are within the clarify margin it asks which one was meant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from faqbot.kb.knowledge import KIND_COMPUTE, KnowledgeBase
from faqbot.routing.entities import Entities
from faqbot.routing.ngram_index import NgramIndex
from faqbot.text.normalize import is_kana_text, normalize, normalize_term
from faqbot.text.readings import readings_isolated
from faqbot.text.synonyms import SynonymMap

DECISION_ANSWER = "answer"
DECISION_CLARIFY = "clarify"
DECISION_FALLBACK = "fallback"
FALLBACK = "fallback"

_OUT_OF_SCOPE = "__out_of_scope__"
# How many questions the n-gram prefilter hands to the fuzzy re-ranking.
_CANDIDATE_QUESTIONS = 60
# Weights of the evidence (best question, entry vocabulary, rapidfuzz); they sum to 1 so the confidence
# stays in [0, 1].  Chosen by leave-one-out routing of the KB's own alternates
# and checked on the public dev set.
_W_QUESTION, _W_ENTRY, _W_FUZZ = 0.5, 0.3, 0.2
# Share of the better coverage (query→question or question→query) in the blend.
_BLEND = 0.5
# rapidfuzz only re-ranks an entry's few best questions: it is the costly part.
_FUZZ_PER_ENTRY = 5
# Stored questions this short (normalised characters) match inside other words.
_SHORT_QUESTION = 4
# A date in the message is strong evidence for a computed answer (which needs one).
_COMPUTE_DATE_BONUS = 0.12


@dataclass(frozen=True)
class Match:
    """One ranked entry: its id, the question that matched best, and the confidence."""

    entry_id: str
    question: str
    confidence: float


@dataclass(frozen=True)
class Routing:
    """The router's verdict on one message."""

    query: str
    decision: str  # "answer", "clarify" or "fallback"
    matches: tuple[Match, ...]  # real entries, best first
    confidence: float  # confidence in the decision's intent (see :attr:`intent`)
    out_of_scope: bool = False  # fell back because out-of-scope examples matched best

    @property
    def intent(self) -> str:
        """The answered entry id, or ``"fallback"``; for clarify, the best guess."""
        if self.decision == DECISION_FALLBACK or not self.matches:
            return FALLBACK
        return self.matches[0].entry_id


class Router:
    """Routes messages for one knowledge base; build once, route many times.

    Questions are stored column-wise (texts, surfaces, owner positions) rather
    than as one object each: at 250,000 questions that keeps the router small
    to pickle and quick to unpickle from the engine cache.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._synonyms = SynonymMap(kb.synonyms)
        # Product names are entities, not evidence of intent: without this,
        # 「モバイルの解約」 drifts to whichever entry mentions モバイル most.
        self._product_names = SynonymMap(
            (("", tuple(_product_words(kb))),)
        )
        owners = [e.id for e in kb.entries] + ([_OUT_OF_SCOPE] if kb.out_of_scope else [])
        texts: list[str] = []
        owner_of: list[int] = []
        for pos, entry in enumerate(kb.entries):
            texts.extend(entry.questions)
            owner_of.extend([pos] * len(entry.questions))
        texts.extend(kb.out_of_scope)
        owner_of.extend([len(kb.entries)] * len(kb.out_of_scope))
        surfaces = [self._surface(t) for t in texts]
        self._owners = tuple(owners)
        self._doc_text = tuple(texts)
        self._doc_surface = tuple(surfaces)
        self._doc_owner = np.array(owner_of, dtype=np.int32)
        self._doc_ids_by_text: dict[str, list[int]] | None = None  # built on first `exclude`
        self._surface_index = NgramIndex(surfaces)
        self._short_doc = np.fromiter((len(s) <= _SHORT_QUESTION for s in surfaces), dtype=bool, count=len(surfaces))
        self._reading_index = NgramIndex([normalize(r) for r in readings_isolated(texts)])
        # An entry's vocabulary: its questions' surfaces run together, in order.
        grouped: list[list[str]] = [[] for _ in owners]
        for surface, pos in zip(surfaces, owner_of, strict=False):
            grouped[pos].append(surface)
        self._entry_index = NgramIndex(["".join(group) for group in grouped])
        self._compute = {pos for pos, e in enumerate(kb.entries) if e.kind == KIND_COMPUTE}
        self._subjects = tuple(s for s in (normalize_term(x) for x in kb.out_of_scope_subjects) if s)

    def _masked(self, text: str) -> str:
        return self._product_names.canonicalize(normalize(text))

    def _surface(self, text: str) -> str:
        return self._synonyms.canonicalize(self._masked(text))

    def rank(
        self, query: str, entities: Entities | None = None, top: int = 5, exclude: str | None = None
    ) -> tuple[Match, ...]:
        """Real entries ranked for ``query`` (no threshold applied).

        ``exclude`` leaves one stored question out, so the knowledge-base lint can
        ask where an alternate question would route if it were not stored.
        """
        scored = self._score(query, entities, exclude)
        return tuple(m for m in scored if m.entry_id != _OUT_OF_SCOPE)[:top]

    def route(
        self, query: str, entities: Entities | None = None, top: int = 5, exclude: str | None = None
    ) -> Routing:
        """Decide how to treat ``query``: answer, clarify or fall back (``exclude``: see :meth:`rank`)."""
        scored = self._score(query, entities, exclude)
        real = tuple(m for m in scored if m.entry_id != _OUT_OF_SCOPE)[:top]
        oos = next((m for m in scored if m.entry_id == _OUT_OF_SCOPE), None)
        best = real[0].confidence if real else 0.0
        settings = self.kb.settings
        if self._mentions_other_subject(query):
            return Routing(query, DECISION_FALLBACK, real, max(0.9, 1.0 - best), out_of_scope=True)
        if oos is not None and oos.confidence >= best:
            # Confidence in falling back: the out-of-scope match, or how little
            # any entry explains, whichever says it more strongly.
            confidence = max(oos.confidence, round(1.0 - best, 4))
            return Routing(query, DECISION_FALLBACK, real, confidence, out_of_scope=True)
        if best < settings.threshold:
            return Routing(query, DECISION_FALLBACK, real, round(1.0 - best, 4))
        if len(real) > 1 and best - real[1].confidence < settings.clarify_margin:
            return Routing(query, DECISION_CLARIFY, real, best)
        return Routing(query, DECISION_ANSWER, real, best)

    def _mentions_other_subject(self, query: str) -> bool:
        norm = normalize_term(query)
        return any(subject in norm for subject in self._subjects)

    def _excluded(self, text: str) -> list[int]:
        if self._doc_ids_by_text is None:
            by_text: dict[str, list[int]] = {}
            for doc_id, doc_text in enumerate(self._doc_text):
                by_text.setdefault(doc_text, []).append(doc_id)
            self._doc_ids_by_text = by_text
        return self._doc_ids_by_text.get(text, [])

    def _question_scores(self, surface: str, kana: str | None, exclude: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The questions sharing an n-gram with ``surface`` (ascending ids) and their blended scores.

        Only those questions can score above zero, so everything after the
        index look-up works on them alone, not on every stored question.
        """
        index = self._surface_index
        shared, qmass = index.shared_mass(surface)
        if kana is None:
            ids = np.flatnonzero(shared > 0.0)  # on a bool mask: several times faster than on floats
        else:
            r_shared, r_qmass = self._reading_index.shared_mass(kana)
            ids = np.flatnonzero((shared > 0.0) | (r_shared > 0.0))
        q_cov = (shared[ids] / qmass).astype(np.float32)
        d_cov = (shared[ids] / index.doc_mass(ids)).astype(np.float32)
        if kana is not None:
            q_cov = np.maximum(q_cov, (r_shared[ids] / r_qmass).astype(np.float32))
            d_cov = np.maximum(d_cov, (r_shared[ids] / self._reading_index.doc_mass(ids)).astype(np.float32))
        # A question of a few characters ("hi", 「また」) is contained in countless
        # messages ("which", 「またカードが…」): for those, only the share of the
        # message it explains counts, not the share of itself the message contains.
        d_cov = np.where(self._short_doc[ids], q_cov, d_cov)
        scores = _blend(q_cov, d_cov)
        if exclude is not None:
            keep = ~np.isin(ids, self._excluded(exclude))
            ids, scores = ids[keep], scores[keep]
        return ids, scores

    def _score(self, query: str, entities: Entities | None, exclude: str | None = None) -> list[Match]:
        masked = self._masked(query)
        surface = self._synonyms.canonicalize(masked)
        if not surface:
            return []
        # Decided before synonyms: 「せいきゅう」 → 請求 would make a kana message look
        # like kanji and lose the reading channel it needs for the rest of its words.
        kana = masked if is_kana_text(masked) else None
        ids, scores = self._question_scores(surface, kana, exclude)
        top = _top_k(ids, scores, _CANDIDATE_QUESTIONS)
        if not len(top):
            return []
        top_ids = ids[top]
        candidates: dict[int, list[int]] = {}  # owner → positions in top, best first
        for pos, owner in enumerate(self._doc_owner[top_ids].tolist()):
            candidates.setdefault(owner, []).append(pos)
        fuzzed = [pos for picks in candidates.values() for pos in picks[:_FUZZ_PER_ENTRY]]
        similarity = dict(zip(fuzzed, _fuzzy(surface, [self._doc_surface[i] for i in top_ids[fuzzed].tolist()]), strict=False))
        entry_shared, entry_qmass = self._entry_index.shared_mass(surface)
        owners = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        firsts = [picks[0] for picks in candidates.values()]  # each entry's best question
        best = top_ids[firsts]
        fuzzy = np.array([max(similarity[pos] for pos in picks[:_FUZZ_PER_ENTRY]) for picks in candidates.values()])
        entry_cov = (entry_shared[owners] / entry_qmass).astype(np.float32)
        # In float64 from the float32 coverages, term by term: one array operation per
        # evidence instead of a few numpy scalars per candidate entry.
        confidence = (
            _W_QUESTION * scores[top[firsts]].astype(np.float64)
            + _W_ENTRY * entry_cov.astype(np.float64)
            + _W_FUZZ * fuzzy
        )
        has_date = entities is not None and entities.expiry is not None
        matches: list[Match] = []
        for owner, doc, value in zip(owners.tolist(), best.tolist(), confidence.tolist(), strict=False):
            if has_date and owner in self._compute:
                value += _COMPUTE_DATE_BONUS
            matches.append(Match(self._owners[owner], self._doc_text[doc], round(min(value, 1.0), 4)))
        matches.sort(key=lambda m: m.confidence, reverse=True)
        return matches


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


def _product_words(kb: KnowledgeBase) -> list[str]:
    words: list[str] = []
    for product in kb.products:
        words.extend((product.name, *product.aliases))
        words.extend(word for group in product.keywords for word in group)
    return words


def _fuzzy(surface: str, questions: list[str]) -> list[float]:
    """rapidfuzz similarity of ``surface`` with each question, in [0, 1].

    Whole-string, or a slightly discounted best part when both have four
    characters or more.  One ``cdist`` call per scorer: the candidates are
    scored in C instead of one Python call each.
    """
    ratio = process.cdist([surface], questions, scorer=fuzz.ratio, dtype=np.float64)[0]
    if len(surface) >= 4:
        partial = 0.85 * process.cdist([surface], questions, scorer=fuzz.partial_ratio, dtype=np.float64)[0]
        long = np.fromiter((len(q) >= 4 for q in questions), dtype=bool, count=len(questions))
        ratio = np.where(long, np.maximum(ratio, partial), ratio)
    similarities: list[float] = (ratio / 100.0).tolist()
    return similarities
