"""The answer decision, calibrated for each knowledge base from its own material.

The router's scores rank entries; they do not say how likely the best one is
right, and the same score means different things on different knowledge
bases.  This module fits, when the engine is built, a small model that turns a
routing's evidence into **the probability that the best entry is the right
answer** (``Routing.confidence``), and derives the answering threshold from a
stated **target precision** (``router.target_precision`` in ``service.yaml``,
default :data:`DEFAULT_TARGET_PRECISION`).

Evidence (:class:`Evidence`): the best entry's score (fused score ÷ ``1 + w``,
the scale of ``Match.confidence``) and its margin over the runner-up.  The
unknown share of :mod:`faqbot.routing.novelty` is not a feature: its veto
already refuses on it, at a threshold fitted to keep 99 % of the KB's own
questions, and counted twice it refused kana spellings and typos that the veto
rightly lets through.

Fitting examples, all from the knowledge base itself (never an evaluation set):

* **pseudo-queries** (up to :data:`MAX_POSITIVES` of its questions and
  alternates, small talk excluded, a fixed-seed sample).  A question whose entry
  keeps another one is routed **held out**: taken out of every index, its
  entry's vocabulary included, as if never written — a paraphrase written by a
  person, the best stand-in for a customer.  An entry's only question cannot be
  held out (the entry would be findable by its answer alone, far harder than a
  real message: 6 % top-1 on LocalgovFAQ); its pseudo-query is a random half of
  the question's content words, the question kept, as customers type keywords.
  The label is whether the best entry is the pseudo-query's own, so one that
  routes elsewhere is a hard example the model learns from;
* **negatives** (label 0): the shipped general off-domain questions
  (``routing/data/offdomain.yaml``) and the knowledge base's out-of-scope
  examples (each held out), at most :data:`MAX_NEGATIVES`.

Examples the router's rules refuse anyway (out-of-scope subject or examples,
the unknown-content veto) are left out: the model decides among the rest.
Pseudo-queries together weigh ``1 −`` :data:`NEGATIVE_PRIOR` of the total and
negatives :data:`NEGATIVE_PRIOR`, counted before the rules refuse any: the
probability assumes that share of messages is about something the knowledge base
does not answer (a stated assumption, not fitted).  The model is a weighted
logistic regression fitted with numpy (Newton's method, ridge :data:`RIDGE` on
standardised features); a feature whose weight comes out negative is dropped
and the rest refitted, so the probability never falls as the score or the
margin rises.

What must be right is what the router offers: the best entry when it answers,
the best :data:`CLARIFY_CHOICES` when the two best are within the clarify margin
and it asks which one was meant.  For a clarification the margin is the lead
over the first entry not offered, and an example is right when its entry is
among those offered.  The threshold is the smallest probability at which the
fitting examples at or above it are right at least ``target_precision`` of the
time, weighted as in the fit.  With fewer than
:data:`MIN_EXAMPLES` examples in either class nothing is fitted: the score
stands in for the probability, with threshold :data:`FALLBACK_THRESHOLD`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from faqbot.kb.knowledge import KIND_SMALLTALK, RouterSettings
from faqbot.text.analysis import NEGATION

if TYPE_CHECKING:
    from faqbot.routing.router import Candidates, Router

# Answered messages that must be right, unless the knowledge base states its own target.
DEFAULT_TARGET_PRECISION = RouterSettings().target_precision
# Share of the fitting weight carried by negatives: a stated assumption, not fitted (one message
# in five about something the KB does not answer; the shipped KB's labelled sets have 14–24 %).
NEGATIVE_PRIOR = 0.2
# Pseudo-queries routed at most (a random sample, fixed seed): bounds the build time.
MAX_POSITIVES = 150
# Negatives routed at most (a random sample of the general questions and the KB's own examples).
MAX_NEGATIVES = 150
# Fewer examples than this in either class cannot place a boundary.
MIN_EXAMPLES = 20
# Ridge penalty on standardised features: keeps a separable fit finite.
RIDGE = 1.0
# Without a fitted model: the score stands in for the probability, with the threshold
# faqbot used before calibration (hand-set on the shipped knowledge base's character score).
FALLBACK_THRESHOLD = 0.3
# Entries a clarification offers (「どちらのことですか」 with the best two).
CLARIFY_CHOICES = 2
# The sign each feature's weight may have: score and margin both raise the probability.
SIGNS = (1.0, 1.0)
_NEWTON_STEPS = 50
# The sample's seed (fixed: a build is reproducible; the benchmark varies it to measure the spread).
SEED = 0


@dataclass(frozen=True)
class Evidence:
    """What the decision weighs for one message: the best score and its lead over the runner-up."""

    score: float
    margin: float  # over the runner-up; when clarifying, over the first entry not offered
    clarifies: bool = False  # the two best are within the clarify margin: both are offered

    def vector(self) -> np.ndarray:
        """The features in the model's order."""
        return np.array([self.score, self.margin])


def evidence(found: Candidates, scale: float, clarify_margin: float) -> Evidence:
    """The evidence of a routing, on the confidence scale (fused scores ÷ ``scale``).

    When the two best are within ``clarify_margin`` the router offers the best
    :data:`CLARIFY_CHOICES` instead of answering: what must then be right is the
    offer, so the margin is the lead of the best over the first entry *not*
    offered (a clarification between two near-equals is not doubtful for that).
    """
    fused = np.minimum(found.fused[: CLARIFY_CHOICES + 1] / scale, 1.0).tolist()
    fused += [0.0] * (CLARIFY_CHOICES + 1 - len(fused))
    clarifies = fused[0] - fused[1] < clarify_margin
    rival = fused[CLARIFY_CHOICES] if clarifies else fused[1]
    return Evidence(fused[0], max(fused[0] - rival, 0.0), clarifies)


@dataclass(frozen=True)
class Calibration:
    """A fitted decision: ``P(best entry right) = σ(intercept + weights · (score, margin))``."""

    intercept: float
    weights: tuple[float, float]
    threshold: float  # answer at or above this probability
    target_precision: float
    score_floor: float = FALLBACK_THRESHOLD  # the lowest score of a fitting example answered
    fitted: bool = True  # False: too few examples, the score stands in for the probability

    def probability(self, ev: Evidence) -> float:
        """The probability that the best entry is the right answer."""
        if not self.fitted:
            return min(max(ev.score, 0.0), 1.0)
        z = self.intercept + self.weights[0] * ev.score + self.weights[1] * ev.margin
        return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))


UNFITTED = Calibration(0.0, (0.0, 0.0), FALLBACK_THRESHOLD, DEFAULT_TARGET_PRECISION, fitted=False)


@dataclass(frozen=True)
class CalibrationFit:
    """The calibration and the examples it was fitted on (for the docs, tests and benchmarks)."""

    calibration: Calibration
    features: np.ndarray  # one row (score, margin) per example that reached the model
    labels: np.ndarray  # 1.0: the best entry was right
    weights: np.ndarray  # each example's weight in the fit
    in_domain: np.ndarray  # True: a pseudo-query; False: a negative


def fit_logistic(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, signs: tuple[float, ...] = SIGNS
) -> tuple[float, np.ndarray]:
    """A weighted, ridge-penalised logistic regression whose weights have the given signs.

    Returns the intercept and the weights on the raw features.  A feature whose
    weight comes out with the wrong sign is dropped (weight 0) and the rest refitted.
    """
    active = list(range(x.shape[1]))
    while True:
        intercept, coef = _newton(x[:, active], y, w)
        wrong = [i for i, c in zip(active, coef.tolist(), strict=True) if c * signs[i] < 0]
        if not wrong:
            full = np.zeros(x.shape[1])
            full[active] = coef
            return intercept, full
        active = [i for i in active if i not in wrong]


def _newton(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    """Newton's method on standardised features; the ridge spares the intercept."""
    mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
    std = x.std(axis=0) if len(x) else np.ones(x.shape[1])
    std[std == 0] = 1.0
    z = np.column_stack([np.ones(len(x)), (x - mean) / std])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], RIDGE)
    penalty[0] = 0.0
    for _ in range(_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30.0, 30.0)))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    coef = beta[1:] / std
    return float(beta[0] - np.dot(coef, mean)), coef


def precision_threshold(p: np.ndarray, y: np.ndarray, w: np.ndarray, target: float) -> float:
    """The smallest probability whose examples at or above it are right ≥ ``target`` of the time (weighted).

    When no cut reaches the target, the highest probability seen: only the surest answers.
    """
    if not len(p):
        return 1.0
    order = np.argsort(-p, kind="stable")
    ranked = p[order]
    precision = np.cumsum((w * y)[order]) / np.maximum(np.cumsum(w[order]), 1e-12)
    # A cut falls between distinct probabilities: a run of ties is answered whole.
    last_of_tie = np.r_[ranked[1:] != ranked[:-1], True]
    ok = np.flatnonzero((precision >= target) & last_of_tie)
    return float(ranked[ok[-1]]) if len(ok) else float(ranked[0])


def fit_calibration(router: Router, target: float, seed: int = SEED) -> CalibrationFit:
    """Fit the decision for ``router``'s knowledge base (see the module docstring; ``seed``: the sample's)."""
    examples = _examples(router, seed)
    # Weighed over every example, refused or not: the prior is of the messages arriving, and
    # the rules' refusals must not make the negatives they let through count for more.
    weight_of = _class_weights(np.array([e.entry >= 0 for e in examples], dtype=bool))
    rows: list[Evidence] = []
    labels: list[float] = []
    kept: list[int] = []
    for i, example in enumerate(examples):
        found = router.candidates(example.query, held_out=example.held_out)
        if router.refuses(example.query, found):
            continue
        ev = router.evidence(found)
        rows.append(ev)
        labels.append(float(example.entry in found.owners[: CLARIFY_CHOICES if ev.clarifies else 1].tolist()))
        kept.append(i)
    x = np.array([r.vector() for r in rows]).reshape(-1, 2)
    y = np.array(labels)
    in_domain = np.array([examples[i].entry >= 0 for i in kept], dtype=bool)
    weights = weight_of[kept]
    positives = int(np.count_nonzero(in_domain))
    if positives < MIN_EXAMPLES or len(rows) - positives < MIN_EXAMPLES:
        return CalibrationFit(UNFITTED, x, y, weights, in_domain)
    intercept, coef = fit_logistic(x, y, weights)
    model = Calibration(intercept, (float(coef[0]), float(coef[1])), 0.0, target)
    p = np.array([model.probability(r) for r in rows])
    # What the router offers — an answer, or the two entries of a clarification — must be
    # right at least ``target`` of the time.
    threshold = precision_threshold(p, y, weights, target)
    above = x[p >= threshold, 0]
    floor = float(above.min()) if len(above) else 1.0
    return CalibrationFit(Calibration(intercept, model.weights, threshold, target, floor), x, y, weights, in_domain)


@dataclass(frozen=True)
class _Example:
    query: str
    held_out: tuple[int, ...]  # stored text ids left out while routing it
    entry: int  # its entry's position; -1 for a negative


def _examples(router: Router, seed: int) -> list[_Example]:
    """Pseudo-queries (a fixed-seed sample of the KB's questions), then negatives."""
    from faqbot.routing.novelty import offdomain_questions  # a sibling, at build time only

    char = router.char_channel
    entries = router.kb.entries
    owner_of = char.doc_owner.tolist()
    topical = [i for i, o in enumerate(owner_of) if o < len(entries) and entries[o].kind != KIND_SMALLTALK]
    rng = np.random.default_rng(seed)
    if len(topical) > MAX_POSITIVES:
        topical = sorted(rng.choice(topical, size=MAX_POSITIVES, replace=False).tolist())
    questions = np.bincount(char.doc_owner, minlength=len(entries) + 1)
    pseudo = [_pseudo_query(router, i, owner_of[i], int(questions[owner_of[i]]) > 1, rng) for i in topical]
    negatives = [_Example(q, (), -1) for q in offdomain_questions()]
    negatives += [_Example(char.texts[i], (i,), -1) for i, o in enumerate(owner_of) if o == len(entries)]
    if len(negatives) > MAX_NEGATIVES:
        negatives = [negatives[i] for i in sorted(rng.choice(len(negatives), size=MAX_NEGATIVES, replace=False).tolist())]
    return [e for e in pseudo if e.query] + negatives


def _pseudo_query(router: Router, doc: int, entry: int, held_out: bool, rng: np.random.Generator) -> _Example:
    """Stored question ``doc`` as a message: itself held out, or half its content words (see the docstring)."""
    text = router.char_channel.texts[doc]
    if held_out:
        return _Example(text, (doc,), entry)
    words = [t for t in router.analyze(text).terms if t != NEGATION]
    if not words:
        return _Example("", (), entry)
    keep = sorted(rng.choice(len(words), size=math.ceil(len(words) / 2), replace=False).tolist())
    return _Example(" ".join(words[j] for j in keep), (), entry)


def _class_weights(in_domain: np.ndarray) -> np.ndarray:
    """Each example's weight: pseudo-queries and negatives carry their prior's share of the total."""
    count = int(np.count_nonzero(in_domain))
    n_in, n_out = max(count, 1), max(len(in_domain) - count, 1)
    weights: np.ndarray = np.where(in_domain, (1.0 - NEGATIVE_PRIOR) / n_in, NEGATIVE_PRIOR / n_out) * len(in_domain)
    return weights
