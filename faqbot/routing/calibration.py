"""The answer decision, calibrated for each knowledge base from its own material.

The router's scores rank entries; they do not say how likely the best one is
right, and the same score means different things on different knowledge
bases.  A small model, fitted when the engine is built, turns a
routing's evidence into **the probability that the best entry is the right
answer** (``Routing.confidence``), and derives the answering threshold from two
stated targets in ``service.yaml``: a **target precision** (``router.target_precision``,
default :data:`DEFAULT_TARGET_PRECISION`) and a **target refusal**
(``router.target_refusal``, default :data:`DEFAULT_TARGET_REFUSAL`).

Evidence (:class:`Evidence`): the best entry's score (fused score ÷ ``1 + w``,
the scale of ``Match.confidence``) and its margin over the runner-up.  The
unknown share of :mod:`faqbot.routing.novelty` is not a feature: its veto
already refuses on it, at a threshold fitted to keep 99 % of the KB's own
questions, and counted twice it refused kana spellings and typos that the veto
rightly lets through.

What must be right is what the router offers: the best entry when it answers,
the best :data:`CLARIFY_CHOICES` when the two best are within the clarify margin
and it asks which one was meant.  For a clarification the margin is the lead
over the first entry not offered, and an example is right when its entry is
among those offered.  The threshold is the stricter of two cuts:

* the **precision cut**: the smallest probability at which the fitting examples
  at or above it are right at least ``target_precision`` of the time, weighted as
  in the fit;
* the **refusal cut**: the smallest probability at which a new negative
  exchangeable with the fitting ones is answered at most ``1 − target_refusal``
  of the time — the split-conformal quantile of the negatives' probabilities,
  those the rules refuse counted as refused.  The precision target alone does not
  say "refuse off-topic messages": with easy pseudo-queries, a cut can reach it
  while answering many negatives.

Which evidence the cut is placed on is chosen per knowledge base, by cross-validation on its
own examples (:func:`faqbot.routing.calibration_fit.fit_calibration`): the best score
alone when that decision meets both targets and answers as many held-out pseudo-queries
(within one standard error) — then :attr:`Calibration.score_cut` holds the cut — else
the probability from score and margin.  ``Routing.confidence`` is the probability either way.

The model is fitted when the engine is built (:mod:`faqbot.routing.calibration_fit`, which
holds the fitting examples, the cuts and their cross-validation); answering needs only
the values here.  With too few examples nothing is fitted: the score stands in for the
probability, with threshold :data:`FALLBACK_THRESHOLD`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from faqbot.kb.knowledge import RouterSettings

if TYPE_CHECKING:
    from faqbot.routing.candidates import Candidates

# Answered messages that must be right, unless the knowledge base states its own target.
DEFAULT_TARGET_PRECISION = RouterSettings().target_precision
# Off-topic messages that must be refused, unless the knowledge base states its own target.
DEFAULT_TARGET_REFUSAL = RouterSettings().target_refusal
# Without a fitted model: the score stands in for the probability, with the threshold
# faqbot used before calibration (hand-set on the shipped knowledge base's character score).
FALLBACK_THRESHOLD = 0.3
# Entries a clarification offers (「どちらのことですか」 with the best two).
CLARIFY_CHOICES = 2


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
    threshold: float  # answer at or above this probability: the stricter of the two cuts
    target_precision: float
    score_floor: float = FALLBACK_THRESHOLD  # the lowest score of a fitting example answered
    fitted: bool = True  # False: too few examples, the score stands in for the probability
    target_refusal: float = DEFAULT_TARGET_REFUSAL
    precision_cut: float = FALLBACK_THRESHOLD  # where the answered examples reach target_precision
    refusal_cut: float = 0.0  # where new negatives are answered at most 1 − target_refusal of the time
    # Set: the decision cuts the best score alone here (chosen by cross-validation), not the probability.
    score_cut: float | None = None

    def probability(self, ev: Evidence) -> float:
        """The probability that the best entry is the right answer."""
        if not self.fitted:
            return min(max(ev.score, 0.0), 1.0)
        z = self.intercept + self.weights[0] * ev.score + self.weights[1] * ev.margin
        return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))

    def answers(self, ev: Evidence, probability: float | None = None) -> bool:
        """Does the decision answer (or clarify) a routing with evidence ``ev``?

        ``probability``: :meth:`probability` of ``ev``, when the caller has it already.
        """
        if self.score_cut is not None:
            return ev.score >= self.score_cut
        return (self.probability(ev) if probability is None else probability) >= self.threshold

    def lowest_score_at(self, probability: float) -> float:
        """The lowest best score any message can be answered at when the cut is ``probability``.

        The margin over the runner-up is at most the score itself, so the probability is
        highest, for a given score, at margin = score: the score where that reaches the cut
        is a floor no answered message is below (1.0 when none can reach it).
        """
        if not self.fitted:
            return probability  # the score stands in for the probability
        slope = self.weights[0] + self.weights[1]
        if not 0.0 < probability < 1.0 or slope <= 0.0:
            return 0.0 if probability <= 0.0 else 1.0
        floor = (math.log(probability / (1.0 - probability)) - self.intercept) / slope
        return min(max(floor, 0.0), 1.0)

    def answered(self, features: np.ndarray) -> np.ndarray:
        """:meth:`answers` for each row (score, margin) of ``features``."""
        if self.score_cut is not None:
            answered: np.ndarray = features[:, 0] >= self.score_cut
            return answered
        return self.probabilities(features) >= self.threshold

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """:meth:`probability` of each row (score, margin) of ``features``."""
        # One row at a time through :meth:`probability`: a cut placed on these values must
        # compare equal to what routing computes, to the last bit.
        return np.array([self.probability(Evidence(s, m)) for s, m in features.tolist()])


UNFITTED = Calibration(0.0, (0.0, 0.0), FALLBACK_THRESHOLD, DEFAULT_TARGET_PRECISION, fitted=False)
