"""Evaluating the router on a labelled query set (``{"q", "intent", "product"}`` lines).

Reports what ``rasa test nlu`` users expect: accuracy, a per-intent
precision / recall / F1 table, the most confused pairs, plus what matters for
a support bot: fallback precision and recall, and product accuracy (the product the reply is
about, when the caller reads it as the dialogue does, and the extractor's alone beside it);
and what retrieval benchmarks report: Recall@10, MRR and nDCG@10 of the
ranking (graded when a line gives ``"relevance": {entry id: grade}``), and a
precision–coverage table over confidence thresholds; and how the labelled entries would rank
at other lexical weights (:mod:`faqbot.quality.weights`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.errors import InputError
from faqbot.quality.ranking import CoveragePoint, RankingScore, mean_ranking, precision_coverage
from faqbot.quality.reliability import Reliability, reliability
from faqbot.quality.weights import WeightRanking, ranks_at_weights, weight_table
from faqbot.routing.calibration import Calibration
from faqbot.routing.router import Routed, Router
from faqbot.routing.verdict import DECISION_FALLBACK, FALLBACK

# Confidence thresholds of the precision–coverage table.
COVERAGE_THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# Hand-set floors (``router.threshold``, on the best character score) of the second table.
SCORE_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
# The rules that refuse a message whatever the threshold, as ``faqbot eval --errors`` names them.
OUT_OF_SCOPE_RULE = "an out-of-scope subject or example (out_of_scope.yaml)"
UNKNOWN_WORDS_RULE = "words the knowledge base never uses"
NOTHING_ASKED_RULE = "nothing of its own to answer (no content word)"
# Entries ranked per example for the ranking figures.
_RANKED = 10


@dataclass(frozen=True)
class Example:
    """One labelled query."""

    query: str
    intent: str
    product: str | None
    relevance: tuple[tuple[str, int], ...] = ()  # graded relevant entries; default: the intent, grade 1
    style: str = ""  # the file's optional "style" (casual, english, nearmiss…): figures by style
    line: int = 0  # its line in the file (1-based; 0: not read from a file)

    def grades(self) -> dict[str, int]:
        """Entry id → grade (the labelled intent alone when the line gives no relevance)."""
        if self.relevance:
            return dict(self.relevance)
        return {} if self.intent == FALLBACK else {self.intent: 1}


@dataclass(frozen=True)
class Prediction:
    """What the bot made of one example."""

    example: Example
    intent: str
    confidence: float
    product: str | None
    ranked: tuple[str, ...] = ()  # entry ids, best first, whatever the decision
    # The probability that the best ranked entry is right, answered or not: what a lower threshold
    # would answer with; None when a rule (out-of-scope subject or example, unknown-content veto,
    # topic slot) refuses the message at any threshold, or when not measured (then: the confidence
    # of an answer).
    best: float | None = None
    # The best entry's character score, which a hand-set ``router.threshold`` is compared with;
    # None as for ``best`` (a rule refuses the message whatever the floor, or not measured).
    char_score: float | None = None
    # The labelled entry's rank at each of :data:`~faqbot.quality.weights.LEXICAL_WEIGHTS`
    # (in-scope examples; empty otherwise): the table of other lexical weights.
    ranks_by_weight: tuple[int, ...] = ()
    # The rule that refused it whatever the threshold (when ``best`` is None for a refusal): named
    # for the author, who fixes a rule's refusal in the knowledge base, not in the thresholds.
    rule: str = ""
    # Whether the extractor alone found the labelled product, when ``product`` was read otherwise
    # (the product the reply is about: :func:`predict`'s ``product_reader``); None: ``product`` is
    # the extractor's.
    extraction_right: bool | None = None

    def answerable_at(self) -> float | None:
        """The probability at which a threshold would answer this example; None: never answered."""
        if self.best is not None:
            return self.best
        return self.confidence if self.intent != FALLBACK else None

    def predicted_text(self) -> str:
        """What ``faqbot eval --errors`` shows of the prediction: ``[intent/product]`` and its confidence.

        A refusal names the entry that ranked first and the probability it had (``(best: sodai-fee
        0.46)``), so an author can tell a threshold too strict from a wrong entry; a rule's refusal,
        whatever the threshold, says so.
        """
        shown = f"[{self.intent}/{self.product}]"
        if self.intent != FALLBACK:
            return f"{shown} {self.confidence:.2f}"
        if not self.ranked:
            refused_by = f", refused at any threshold: {self.rule}" if self.rule else ""
            return f"{shown} (nothing ranked{refused_by}) {self.confidence:.2f}"
        if self.best is None:
            return f"{shown} (best: {self.ranked[0]}, refused at any threshold: {self.rule or 'a rule'})"
        return f"{shown} (best: {self.ranked[0]} {self.best:.2f})"

    @property
    def best_is_right(self) -> bool:
        """Is the best ranked entry the labelled one (for an answer: the answer)?"""
        if self.intent != FALLBACK or not self.ranked:
            return self.intent == self.example.intent
        return self.ranked[0] == self.example.intent


@dataclass(frozen=True)
class IntentScore:
    """Precision, recall and F1 of one intent."""

    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class StyleScore:
    """Top-1 intent accuracy over the examples of one style (fallback labels included)."""

    style: str
    right: int
    total: int

    @property
    def accuracy(self) -> float:
        """``right`` over ``total``."""
        return _ratio(self.right, self.total)


@dataclass(frozen=True)
class Report:
    """Every figure of an evaluation run."""

    total: int
    accuracy: float  # top-1 over every example, fallback included
    in_scope_accuracy: float  # top-1 over examples whose label is not fallback
    fallback_precision: float
    fallback_recall: float
    product_accuracy: float  # the product each reply is about (the extractor's, unless read otherwise)
    intents: tuple[IntentScore, ...]
    confusions: tuple[tuple[str, str, int], ...]  # (expected, predicted, count), most first
    errors: tuple[Prediction, ...]
    ranking: RankingScore = RankingScore(0.0, 0.0, 0.0, 0.0, 0.0, 0)
    coverage: tuple[CoveragePoint, ...] = ()
    # The same over hand-set floors on the best character score (``router.threshold``).
    score_coverage: tuple[CoveragePoint, ...] = ()
    styles: tuple[StyleScore, ...] = ()  # by the file's "style" field, when it gives one
    weights: tuple[WeightRanking, ...] = ()  # how the in-scope examples rank at other lexical weights
    # In-scope examples refused although the right entry ranked first: what the decision cost.
    refused_right: int = 0
    in_scope: int = 0
    # Messages answered (an answer, or a clarification's first offer) and how many of them rightly,
    # first offer only: "are the answers right 9 times in 10?" (the calibration also counts a
    # clarification right when the labelled entry is among those offered, so it reads a little higher).
    answered: int = 0
    answered_right: int = 0
    # Over the messages no rule refuses: the mean probability of the best entry against the share
    # whose best entry is right (is the confidence a probability on these messages?).
    reliability: Reliability = Reliability(0, 0.0, 0.0, "")
    # The extractor's product alone, when ``product_accuracy`` reads the reply's (else None).
    extraction_accuracy: float | None = None

    @property
    def answered_precision(self) -> float:
        """The share of answered messages that were answered with the labelled entry."""
        return _ratio(self.answered_right, self.answered)


def load_examples(path: Path) -> list[Example]:
    """Read a JSONL file of labelled queries; raises InputError naming the bad line."""
    examples: list[Example] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}; pass an existing JSONL file.") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            relevance = tuple((str(k), int(v)) for k, v in (row.get("relevance") or {}).items())
            examples.append(Example(str(row["q"]), str(row["intent"]), row.get("product"), relevance,
                                    str(row.get("style") or ""), number))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise InputError(
                f"{path}:{number}: not a labelled query; each line must be JSON with \"q\" and \"intent\"."
            ) from None
    return examples


def predict(
    engine: Engine, examples: Iterable[Example], today: date, product_reader: Callable[[str], str | None] | None = None
) -> list[Prediction]:
    """Route every example (clarifications count as their best guess).

    ``product_reader``: the product a reply to the message is about, read as the dialogue reads
    it (:func:`faqbot.dialogue.scoring.first_turn_product`, given by ``faqbot eval``: 「クラウドの
    月額で…」 is about ウイルスバスター クラウド though no product is named outright); without it,
    the extractor's product is scored.
    """
    out: list[Prediction] = []
    for example in examples:
        entities = engine.extractor.extract(example.query, today)
        # Routed once: the other thresholds and weights read the evidence the routing was decided on.
        routed = engine.router.routed(example.query, entities, top=_RANKED)
        routing = routed.routing
        ranked = tuple(m.entry_id for m in routing.matches)
        best, char_score, rule = _at_other_thresholds(engine.router, routed)
        ranks = ranks_at_weights(engine.router, routed, entities, example.intent) if example.intent != FALLBACK else ()
        product, extraction_right = entities.product, None
        if product_reader is not None:
            product, extraction_right = product_reader(example.query), entities.product == example.product
        out.append(Prediction(example, routing.intent, routing.confidence, product, ranked, best, char_score, ranks, rule, extraction_right))
    return out


def _at_other_thresholds(router: Router, routed: Routed) -> tuple[float | None, float | None, str]:
    """:attr:`Prediction.best`, :attr:`Prediction.char_score` and :attr:`Prediction.rule` of one routing."""
    routing, found = routed.routing, routed.found
    if routing.out_of_scope:
        return None, None, OUT_OF_SCOPE_RULE
    if not routing.matches:
        return None, None, ""
    char_score = float(found.char[0]) if len(found.char) else 0.0
    if routing.decision != DECISION_FALLBACK:
        return routing.confidence, char_score, ""
    if router.refuses(routed.text, found):
        return None, None, NOTHING_ASKED_RULE if router.names_nothing(routed.text, found) else UNKNOWN_WORDS_RULE
    return round(1.0 - routing.confidence, 4), char_score, ""  # a fallback's confidence is that its best entry is wrong


def decision_text(engine: Engine) -> str:
    """How the knowledge base decides to answer, in one line (for the evaluation report)."""
    router = engine.router
    settings = router.kb.settings
    if settings.threshold is not None:
        return f"best character score ≥ {settings.threshold} (hand-set router.threshold)"
    calibration = router.calibration
    if settings.min_confidence is not None and not calibration.fitted:
        return f"best score ≥ {settings.min_confidence} (stated router.min_confidence; too few examples to fit a probability, so the score stands in)"
    if settings.min_confidence is not None:
        return f"probability ≥ {settings.min_confidence} (stated router.min_confidence)"
    if settings.score_cut is not None:
        return f"best score ≥ {settings.score_cut:.4f} (stated in service.yaml)"
    return fitted_decision_text(calibration)


def fitted_decision_text(calibration: Calibration) -> str:
    """The decision ``calibration`` (a build's fit) makes, in one line: what :func:`decision_text` names
    when the knowledge base states none, and what `faqbot check` says the fit would choose when it does."""
    if not calibration.fitted:
        return f"best score ≥ {calibration.threshold} (too few examples to fit)"
    if calibration.score_cut is not None:
        return f"best score ≥ {calibration.score_cut:.4f} (fitted on the knowledge base's own questions)"
    # Name the target that sets the cut: lowering the other one changes nothing.
    if calibration.precision_cut >= calibration.refusal_cut:
        binding = f"router.target_precision {calibration.target_precision} sets it; target_refusal's cut is {calibration.refusal_cut:.4f}"
    else:
        binding = f"router.target_refusal {calibration.target_refusal} sets it; target_precision's cut is {calibration.precision_cut:.4f}"
    return f"probability ≥ {calibration.threshold:.4f} (fitted on the knowledge base's own questions; {binding})"


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _extraction_accuracy(predictions: list[Prediction]) -> float | None:
    """The share whose product the extractor alone found, when every product was read otherwise."""
    rights = [p.extraction_right for p in predictions]
    if not rights or any(right is None for right in rights):
        return None
    return _ratio(sum(bool(right) for right in rights), len(rights))


def score(predictions: list[Prediction]) -> Report:
    """Compute the report from predictions."""
    total = len(predictions)
    correct = sum(p.intent == p.example.intent for p in predictions)
    in_scope = [p for p in predictions if p.example.intent != FALLBACK]
    labels = sorted({p.example.intent for p in predictions} | {p.intent for p in predictions})
    intents: list[IntentScore] = []
    for label in labels:
        tp = sum(p.intent == label and p.example.intent == label for p in predictions)
        predicted = sum(p.intent == label for p in predictions)
        actual = sum(p.example.intent == label for p in predictions)
        precision, recall = _ratio(tp, predicted), _ratio(tp, actual)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        intents.append(IntentScore(label, precision, recall, f1, actual))
    by_label = {s.intent: s for s in intents}
    fallback = by_label.get(FALLBACK, IntentScore(FALLBACK, 0.0, 0.0, 0.0, 0))
    confused = Counter((p.example.intent, p.intent) for p in predictions if p.intent != p.example.intent)
    styled = Counter(p.example.style for p in predictions if p.example.style)
    styled_right = Counter(p.example.style for p in predictions if p.example.style and p.intent == p.example.intent)
    # The messages a threshold could answer (no rule refuses them), at that threshold, and whether
    # their best entry is right: the coverage table and the reliability line read the same pairs.
    judged = [(at, p.best_is_right) for p in predictions if (at := p.answerable_at()) is not None]
    return Report(
        total=total,
        accuracy=_ratio(correct, total),
        in_scope_accuracy=_ratio(sum(p.intent == p.example.intent for p in in_scope), len(in_scope)),
        fallback_precision=fallback.precision,
        fallback_recall=fallback.recall,
        product_accuracy=_ratio(sum(p.product == p.example.product for p in predictions), total),
        extraction_accuracy=_extraction_accuracy(predictions),
        intents=tuple(intents),
        confusions=tuple((a, b, n) for (a, b), n in confused.most_common()),
        errors=tuple(p for p in predictions if p.intent != p.example.intent or p.product != p.example.product),
        ranking=mean_ranking([(p.ranked, p.example.grades()) for p in predictions]),
        coverage=precision_coverage(judged, total, COVERAGE_THRESHOLDS),
        score_coverage=precision_coverage(
            [(p.char_score, p.best_is_right) for p in predictions if p.char_score is not None],
            total,
            SCORE_THRESHOLDS,
        ),
        styles=tuple(StyleScore(style, styled_right[style], n) for style, n in sorted(styled.items())),
        weights=weight_table([p.ranks_by_weight for p in in_scope]),
        refused_right=sum(p.intent == FALLBACK and p.best_is_right for p in in_scope),
        in_scope=len(in_scope),
        answered=sum(p.intent != FALLBACK for p in predictions),
        answered_right=sum(p.intent != FALLBACK and p.intent == p.example.intent for p in predictions),
        reliability=reliability([at for at, _ in judged], [right for _, right in judged]),
    )


def report_figures(report: Report) -> dict[str, object]:
    """The report's figures as plain JSON values (no per-example lists)."""
    r = report.ranking
    return {
        "total": report.total,
        "accuracy": report.accuracy,
        "in_scope_accuracy": report.in_scope_accuracy,
        "fallback_precision": report.fallback_precision,
        "fallback_recall": report.fallback_recall,
        "product_accuracy": report.product_accuracy,
        "extraction_accuracy": report.extraction_accuracy,
        "answered": report.answered,
        "answered_precision": report.answered_precision,
        "reliability": {
            "judged": report.reliability.judged,
            "mean_probability": report.reliability.mean_probability,
            "share_right": report.reliability.share_right,
            "verdict": report.reliability.verdict,
        },
        "intents": [
            {"intent": s.intent, "precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support}
            for s in report.intents
        ],
        "ranking": {"recall_at_10": r.recall_at_10, "mrr": r.mrr, "ndcg_at_10": r.ndcg_at_10, "queries": r.queries},
        "coverage": [{"threshold": p.threshold, "coverage": p.coverage, "precision": p.precision} for p in report.coverage],
        "score_coverage": [
            {"threshold": p.threshold, "coverage": p.coverage, "precision": p.precision} for p in report.score_coverage
        ],
        "styles": [{"style": t.style, "right": t.right, "total": t.total, "accuracy": t.accuracy} for t in report.styles],
        "lexical_weights": [{"weight": w.weight, "hit_at_1": w.hit_at_1, "mrr": w.mrr, "queries": w.queries} for w in report.weights],
    }
