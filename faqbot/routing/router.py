"""The intent router: ranks knowledge-base entries for a customer message and decides.

Two channels find candidates:

* the lexical channel (:mod:`faqbot.routing.lexical`): BM25 over the
  content-word lemmas of every field — questions, answer text, page titles;
* the character channel (:mod:`faqbot.routing.char_channel`): n-gram coverage
  and fuzzy similarity with the stored questions, for typos, kana spellings and
  words the dictionary does not know;

and, for a knowledge base that names an installed word-vector table, a third re-ranks the
first of them (:mod:`faqbot.routing.vector_channel`).

They are fused as ``char + w · lexical`` (``w`` chosen per knowledge base by
leave-one-out routing of its alternates, or of its questions found through their
answers when it has none, see :mod:`faqbot.routing.training`);
the fused score divided by ``1 + w`` is a match's score (``Match.confidence``), in [0, 1].
The routing's confidence is the probability that the best entry is right, from
a model fitted per knowledge base (:mod:`faqbot.routing.calibration`).  The
router falls back when a message names a subject the knowledge base declares
out of scope, when its out-of-scope examples explain the message at least as
well as the best entry, when that probability is below the threshold fitted for
the knowledge base's target precision and refusal (or the best character score below its
hand-set ``router.threshold``, when it states one), or when words the knowledge
base never uses carry most of the message (:mod:`faqbot.routing.novelty`); it
asks which one was meant when the two best are within the clarify margin.  That decision is
:mod:`faqbot.routing.decision`'s; this module ranks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from faqbot.kb.knowledge import KIND_SMALLTALK, KnowledgeBase
from faqbot.routing import calibration, decision
from faqbot.routing.calibration import UNFITTED
from faqbot.routing.candidates import Candidates
from faqbot.routing.char_channel import COMPUTE_DATE_BONUS, OUT_OF_SCOPE, CharChannel
from faqbot.routing.entities import Entities
from faqbot.routing.fit_origin import FitOrigin
from faqbot.routing.lexical import FieldScores, LexicalIndex
from faqbot.routing.novelty import NoveltyVeto
from faqbot.routing.pleasantries import (
    after_connective,
    sentences_or_clauses,
    without_connectives,
    without_empty_sentences,
    without_pleasantries,
)
from faqbot.routing.verdict import DECISION_FALLBACK, Match, Routing
from faqbot.text.analysis import Analysis, Word, analyze, masked, words
from faqbot.text.dialect import standard_japanese
from faqbot.text.literals import Literals
from faqbot.text.normalize import normalize_term
from faqbot.text.packed import PackedStrings

if TYPE_CHECKING:
    from faqbot.routing.earlier_build import EarlierBuild
    from faqbot.routing.fit_reuse import FitTrace
    from faqbot.routing.vector_channel import VectorChannel  # a type only: a router without one never loads it
    from faqbot.text.word_vectors import WordVectors

# Entries the lexical channel hands on; the character channel adds its own.
_LEXICAL_CANDIDATES = 40


@dataclass(frozen=True, eq=False)
class Routed:
    """One message's routing with what it was decided on: the text ranked and that text's candidates."""

    text: str  # standard Japanese, less a pleasantry or a sentence asking nothing that was set aside
    routing: Routing
    found: Candidates


class Router:
    """Routes messages for one knowledge base; build once, route many times."""

    def __init__(
        self, kb: KnowledgeBase, products: Literals, novelty: NoveltyVeto, lexical: LexicalIndex, char: CharChannel
    ) -> None:
        """A router over ``kb``'s built indexes, unfitted (lexical weight 0, no calibration): see :meth:`build`.

        ``products``: the product names masked before analysis; ``novelty``: the unknown-content veto;
        ``lexical`` and ``char``: the two channels' indexes of the same stored questions.
        """
        self.kb = kb
        self.trace: FitTrace | None = None  # set while a fit runs: the texts it reads (fit_reuse)
        self._products = products
        self.novelty = novelty
        self._lexical = lexical
        self.char_channel = char
        self._char = char
        self._real_questions = len(char.texts) - len(kb.out_of_scope)  # the stored questions, then the examples
        # The out-of-scope subjects, normalised (decision.subject_in looks for them in a message).
        self.subjects = tuple(s for s in (normalize_term(x) for x in kb.out_of_scope_subjects) if s)
        self.lexical_weight = 0.0
        # The word-vector channel, for a knowledge base that names an installed table, and its fitted weight.
        self.vectors: VectorChannel | None = None
        self.vector_weight = 0.0
        self.calibration = UNFITTED
        # Which knowledge base each fitted value was fitted on, and whether a build kept it.
        self.fit_origins: tuple[FitOrigin, ...] = ()

    @classmethod
    def build(cls, kb: KnowledgeBase, earlier: EarlierBuild | None = None, vectors: WordVectors | None = None) -> Router:
        """Index ``kb`` and fit its values (:func:`faqbot.routing.router_build.build_router`).

        ``earlier``: what an earlier build left to reuse (:class:`~faqbot.routing.earlier_build.EarlierBuild`);
        ``vectors``: the word vectors ``kb`` names, when installed (a word-vector channel, see
        :mod:`faqbot.routing.vector_channel`).
        """
        # Imported here, not with the module: answering from a cached engine needs none of a build's code.
        from faqbot.routing.router_build import build_router

        return build_router(kb, earlier, vectors)

    @property
    def scale(self) -> float:
        """What a fused score is divided by to be a match's score in [0, 1]: ``(1 + w) · (1 + λ)``."""
        return (1.0 + self.lexical_weight) * (1.0 + self.vector_weight)

    @property
    def probability_cut(self) -> float:
        """The calibrated probability the router answers at: the KB's stated ``min_confidence``, else the fitted one's.

        (A hand-set ``router.threshold`` decides on the character score instead; the fitted cut
        is returned then, as the scale a report marks.)
        """
        stated = self.kb.settings.min_confidence
        return self.calibration.threshold if stated is None else stated

    @property
    def score_floor(self) -> float:
        """The lowest best-entry score the router answers at: the KB's hand-set one; else, with a stated
        ``min_confidence``, the lowest its probability model can answer at; else a stated ``score_cut``;
        else the fitted decision's."""
        settings = self.kb.settings
        if settings.threshold is not None:
            return settings.threshold
        if settings.min_confidence is not None:
            return self.calibration.lowest_score_at(settings.min_confidence)
        if settings.score_cut is not None:
            return settings.score_cut
        return self.calibration.score_floor

    # -- evidence ---------------------------------------------------------------------------

    def _masked(self, text: str) -> str:
        """The text as the analyser reads it, product names masked (they are entities, not intents)."""
        return masked(text, self._products)

    def analyze(self, text: str) -> Analysis:
        """The text's analysis with product names masked, as the router reads it."""
        if self.trace is not None:
            self.trace.read(text)
        return analyze(self._masked(text))

    def candidates(
        self,
        query: str,
        entities: Entities | None = None,
        exclude: str | None = None,
        held_out: Sequence[int] = (),
        analysis: Analysis | None = None,
        both_channels: bool = False,
    ) -> Candidates:
        """Every entry either channel finds for ``query``, with each channel's score.

        ``held_out``: stored question ids left out of every index, as if never written
        (see :meth:`CharChannel.scores`); calibration routes its pseudo-queries so.

        When the fitted lexical weight is 0 (the shipped KB: its character channel alone
        routes held-out alternates as well), the lexical channel could only append
        zero-score candidates, so it is not run: no tagger is loaded for one ``faqbot ask``.
        ``analysis``: the query's :meth:`analyze`, when the caller already has it.
        ``both_channels``: run the lexical channel whatever the weight, for a caller that
        weighs the channels itself (``faqbot eval``'s table of other weights); the fused
        scores stay the router's own.
        With a word-vector channel the first candidates are re-ranked by it
        (:meth:`VectorChannel.reranked`), a held-out or excluded question subtracted from its
        entry's vector too, and ``cosine`` holds its cosines.
        """
        if self.trace is not None:
            self.trace.read(exclude, held_out)
        n = len(self.kb.entries)
        char = self._char.scores(query, exclude, held_out)
        fields: FieldScores | None = None
        if self.lexical_weight > 0.0 or both_channels:
            excluded = [i for i in self._char.excluded(exclude) if i < self._real_questions] if exclude else []
            excluded += [i for i in held_out if i < self._real_questions]
            analysis = analysis if analysis is not None else self.analyze(query)
            fields = self._lexical.score(analysis.topic_terms, excluded)
            # Capped at 1 (the answer and page fields can add beyond the question ceiling), so
            # the fused score divided by 1 + w is a confidence in [0, 1].  In place: the
            # fields' sum, divided, capped, as ``np.minimum(fields.total / fields.ceiling, 1.0)``.
            lexical = fields.question + fields.answer
            lexical += fields.pages
            lexical /= fields.ceiling
            np.minimum(lexical, 1.0, out=lexical)
            # argpartition: the best few in linear time, not a sort of every entry.
            lex_top = np.argpartition(np.negative(lexical), _LEXICAL_CANDIDATES)[:_LEXICAL_CANDIDATES] if n > _LEXICAL_CANDIDATES else np.arange(n)
            lex_top = lex_top[lexical[lex_top] > 0]
        else:
            lexical = np.zeros(n)
            lex_top = np.zeros(0, dtype=np.int64)  # every lexical score is 0: none would be kept
        # The character channel's scores and questions at the candidates only (its owners are
        # distinct): the same values a dense array by entry gave, without filling one.
        real = char.owners < n
        examples = np.flatnonzero(~real)  # the out-of-scope examples' owner, when they scored
        oos, oos_doc = (float(char.scores[examples[0]]), int(char.best_doc[examples[0]])) if len(examples) else (0.0, -1)
        owners = _union(char.owners[real], lex_top)
        char_by_entry = np.zeros(len(owners))
        char_doc = np.full(len(owners), -1, dtype=np.int64)
        at = np.searchsorted(owners, char.owners[real])
        char_by_entry[at] = char.scores[real]
        char_doc[at] = char.best_doc[real]
        if entities is not None and entities.expiry is not None:
            char_by_entry = char_by_entry + COMPUTE_DATE_BONUS * self._char.compute[owners]
        fused = char_by_entry + self.lexical_weight * lexical[owners]
        order = np.argsort(-fused, kind="stable")
        found = Candidates(owners[order], fused[order], char_by_entry[order], lexical[owners[order]], char_doc[order], fields, oos, oos_doc)
        if self.vectors is None:
            return found
        # A held-out question (or the stated exclusion) no longer speaks for its entry's vector either.
        texts, owner_of = self._char.texts, self._char.doc_owner
        ids = [i for i in [*held_out, *(self._char.excluded(exclude) if exclude else [])] if i < self._real_questions]
        held = [(int(owner_of[i]), self.analyze(texts[i]).topic_terms) for i in ids]
        terms = (analysis if analysis is not None else self.analyze(query)).topic_terms
        return self.vectors.reranked(found, terms, held, self.lexical_weight, self.vector_weight)

    # -- public API -------------------------------------------------------------------------

    def _scored(
        self, query: str, entities: Entities | None, exclude: str | None, top: int, analysis: Analysis | None = None
    ) -> tuple[list[Match], Candidates]:
        """The ``top`` candidates as matches, best first, and the evidence of all."""
        found = self.candidates(query, entities, exclude, analysis=analysis)
        scale = self.scale
        owners = found.owners[:top]
        positions = owners.tolist()
        ids = self.kb.ids  # read without decoding the entries of a packed table
        # The ids and questions of the few matches read in one go from the packed columns
        # (each item read alone cost a bounds check and two numpy scalar reads).
        names = ids.take(owners) if isinstance(ids, PackedStrings) else [ids[pos] for pos in positions]
        matches = [
            Match(name, question, round(min(value / scale, 1.0), 4))
            for name, question, value in zip(names, self._questions_of(found, positions), found.fused[:top].tolist(), strict=True)
        ]
        return matches, found

    def _questions_of(self, found: Candidates, positions: list[int]) -> list[str]:
        """The stored question behind each of the first candidates (``positions``: their entries), in order.

        The character channel's best question, else the lemmas' best, else the entry's own question.
        """
        docs = found.char_doc[: len(positions)].tolist()
        if found.fields is not None:
            docs = [doc if doc >= 0 else found.fields.best_question(pos) for doc, pos in zip(docs, positions, strict=True)]
        texts = self._char.texts
        known = [doc for doc in docs if doc >= 0]
        read = iter(texts.take(np.array(known, dtype=np.int64)) if isinstance(texts, PackedStrings) else [texts[doc] for doc in known])
        return [next(read) if doc >= 0 else self.kb.entries[pos].question for doc, pos in zip(docs, positions, strict=True)]

    def rank(
        self, query: str, entities: Entities | None = None, top: int = 5, exclude: str | None = None
    ) -> tuple[Match, ...]:
        """Entries ranked for ``query`` (no threshold applied): for the text :meth:`route` ranks, less a
        pleasantry or a sentence asking nothing it set aside, so staff see what the answer came from.

        ``exclude`` leaves one stored question out, so the knowledge-base lint can
        ask where an alternate question would route if it were not stored.
        """
        standard = standard_japanese(query)
        if exclude is None:
            return self._routed(standard, entities, top, None).routing.matches  # every routing keeps its ranking
        return tuple(self._scored(standard, entities, exclude, top)[0])

    def route(
        self, query: str, entities: Entities | None = None, top: int = 5, exclude: str | None = None
    ) -> Routing:
        """Decide how to treat ``query``: answer, clarify or fall back (``exclude``: see :meth:`rank`).

        The confidence is the calibrated probability that the best entry is right
        (:mod:`faqbot.routing.calibration`); a fallback's is the probability that it is not.
        A pleasantry beside a question (「こんにちは。解約したいです」) does not answer it, nor
        does a connective opening one (「じゃあどうすれば…」; :mod:`faqbot.routing.pleasantries`).
        Regional forms are read as standard Japanese (「どうしたらええ？」; :mod:`faqbot.text.dialect`);
        the routing keeps the message as written.
        """
        return self.routed(query, entities, top, exclude).routing

    def routed(self, query: str, entities: Entities | None = None, top: int = 5, exclude: str | None = None) -> Routed:
        """:meth:`route`'s routing with the text it ranked and that text's candidates, for a caller that
        weighs the evidence itself (``faqbot eval``): 「ありがとうございます。それと、解約したいです」 is
        decided on 「それと、解約したいです」."""
        standard = standard_japanese(query)
        routed = self._routed(standard, entities, top, exclude)
        return routed if standard == query else replace(routed, routing=replace(routed.routing, query=query))

    def routed_text(self, query: str, entities: Entities | None = None) -> str:
        """The text :meth:`route` ranks for ``query``: in standard Japanese, less a pleasantry or
        connective it set aside (「ありがとうございます。それと、解約したいです」 → 「解約したいです」)."""
        return self._routed(standard_japanese(query), entities, 5, None).text

    def pleasantry_rest(self, query: str) -> str | None:
        """``query`` without the pleasantries or opening connective :meth:`route` would set aside, or None
        when it has neither (「ありがとう。ところで明日の天気は？」 → 「ところで明日の天気は？」)."""
        return self._rest(standard_japanese(query))

    def _rest(self, query: str) -> str | None:
        rest = without_pleasantries(sentences_or_clauses(query), self._pleasantry)
        return rest if rest is not None else after_connective(query)

    def _pleasantry(self, part: str) -> bool:
        """Is ``part`` (one clause) small talk, judged on what follows its opening connective: 「じゃあ」 holds
        the greeting 「やあ」 but makes no clause one (158th rule)."""
        return self._small_talk(self._route(without_connectives(part), None, 1, None).routing)

    def _routed(self, query: str, entities: Entities | None, top: int, exclude: str | None) -> Routed:
        """The part of ``query`` (standard Japanese) that is routed, with its routing and candidates."""
        asking = without_empty_sentences(query) if exclude is None else None
        if asking is not None:
            # "… What should I do?" asks nothing of its own: its rare n-grams matched whichever
            # entry holds them (eighty-first rule).
            routed = self._routed(asking, entities, top, exclude)
            return replace(routed, routing=replace(routed.routing, query=query))
        whole = self._route(query, entities, top, exclude)
        # Small talk as the runner-up too (「じゃあ…」 holds the greeting 「やあ」): the pleasantry or the
        # connective, not the question, put it there (docs/calibration-floor-rule.md, sixty-sixth rule).
        if exclude is not None or not self._small_talk(whole.routing, 2):
            return whole
        rest = self._rest(query)
        if rest is None:
            return whole
        asked = self._route(rest, entities, top, None)
        if asked.routing.decision == DECISION_FALLBACK or self._small_talk(asked.routing):
            return whole
        return replace(asked, routing=replace(asked.routing, query=query))

    def _small_talk(self, routing: Routing, offered: int = 1) -> bool:
        """Is small talk among ``routing``'s first ``offered`` entries (answered or offered; none for a fallback)?"""
        if routing.decision == DECISION_FALLBACK:
            return False
        return any(self.kb.entry(match.entry_id).kind == KIND_SMALLTALK for match in routing.matches[:offered])

    def _route(self, query: str, entities: Entities | None, top: int, exclude: str | None) -> Routed:
        """:meth:`route` for the whole message as it is."""
        # Analysed at most once per message: the lexical channel and the veto both read it.
        analysis = self.analyze(query) if self.lexical_weight > 0.0 or self.vectors is not None else None
        matches, found = self._scored(query, entities, exclude, top, analysis)
        return Routed(query, decision.decide(self, query, matches, found, analysis), found)

    # -- the decision (faqbot.routing.decision) ----------------------------------------------

    def words(self, text: str) -> tuple[Word, ...]:
        """The text's words as MeCab cuts them, product names masked (for rules that read the grammar)."""
        return words(self._masked(text))

    def evidence(self, found: Candidates) -> calibration.Evidence:
        """What the calibrated decision weighs for a message whose candidates are ``found``."""
        return decision.evidence(self, found)

    def refuses(self, query: str, found: Candidates) -> bool:
        """Do the rules refuse ``query`` whatever the calibrated probability says?"""
        return decision.refuses(self, query, found)

    def names_nothing(self, query: str, found: Candidates, analysis: Analysis | None = None) -> bool:
        """Is ``query`` routed to an FAQ entry with no content word of its own (:func:`decision.names_nothing`)?"""
        return decision.names_nothing(self, query, found, analysis)

    def subject_in(self, query: str) -> str | None:
        """The first out-of-scope subject ``query`` names (normalised), if any."""
        return decision.subject_in(self, query)

    def refusing_example(self, found: Candidates) -> str | None:
        """The out-of-scope example that explains the message at least as well as its best entry, if one does."""
        return decision.refusing_example(self, found)

def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted distinct values of both (int64), as ``np.union1d`` gives them.

    ``np.union1d`` calls ``np.unique``, which imports ``numpy.ma`` to check for a masked
    array: 6–16 ms of one ``faqbot ask``, more than its routing.
    """
    merged = np.sort(np.concatenate((a, b)).astype(np.int64))
    if len(merged) < 2:
        return merged
    keep = np.empty(len(merged), dtype=bool)
    keep[0] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


__all__ = ["OUT_OF_SCOPE", "Candidates", "Match", "Router", "Routing"]
