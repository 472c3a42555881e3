"""A calibrated check on the best entry: the probability that it is the right answer.

A two-feature logistic regression, fitted when the engine is built on the
knowledge base's own material (:func:`faqbot.routing.training.fit_calibration`):

* ``lexical``: the best entry's BM25 score over every field, divided by the
  query's ceiling — how much of the message's vocabulary the entry uses;
* ``novelty``: the share of the message's salient content (weighted by
  general-language rarity) that the knowledge base never uses.

The character channel's score is deliberately not a feature: held-out
alternates are near-copies of their siblings, so its leave-one-out values are
far higher than a customer's new wording gets, and a model fitted on them
refuses real questions.  Fitting is Newton's method (iteratively reweighted
least squares) on standardised features with the usual L2 penalty (C = 1).
The model is a veto on top of the router's other rules, so its threshold is
set for recall: the probability below which only :data:`REFUSED_RIGHT` of the
held-out questions the router routes right fall (the knowledge base's own
questions, asked in new words, must still be answered), and at most one half.
A best entry whose character score is at least the median of the held-out
questions routed right (``strong_char``) is not vetoed: its wording is as
close to a stored question as a typical rephrasing is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Share of the held-out questions routed right that the threshold may refuse.
REFUSED_RIGHT = 0.01
# L2 penalty on the standardised weights (scikit-learn's default C = 1).
_L2 = 1.0
_ITERATIONS = 25
FEATURES = ("lexical", "novelty")


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model and the threshold it implies."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # bias first, then one per feature
    threshold: float
    positives: int
    negatives: int
    strong_char: float = 1.0  # a character score at least this strong is never vetoed

    def probability(self, lexical: float, novelty: float) -> float:
        """P(the best entry is the right answer) for one message."""
        row = (np.array([lexical, novelty]) - self.mean) / self.scale
        z = float(self.weights[0] + row @ self.weights[1:])
        return 1.0 / (1.0 + float(np.exp(-np.clip(z, -30.0, 30.0))))


def fit(rows: Sequence[tuple[float, float]], labels: Sequence[bool], strong_char: float = 1.0) -> Calibration | None:
    """Fit on (lexical, novelty) rows labelled right (True) or wrong (False); None without both kinds.

    ``strong_char`` is passed through: the character score from which the model is not consulted.
    """
    y = np.asarray(labels, dtype=np.float64)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives == 0 or negatives == 0:
        return None
    x = np.asarray(rows, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    design = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    weights = _irls(design, y)
    probabilities = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -30.0, 30.0)))
    # Capped at one half: the veto fires only where the model finds the answer more likely
    # wrong than right (templated knowledge bases give held-out questions that are all easy).
    threshold = min(float(np.quantile(probabilities[y == 1.0], REFUSED_RIGHT)), 0.5)
    return Calibration(mean, scale, weights, threshold, positives, negatives, strong_char)


def _irls(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    weights = np.zeros(design.shape[1])
    penalty = _L2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(_ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -30.0, 30.0)))
        gradient = design.T @ (y - p) - penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        weights = weights + step
        if np.abs(step).max() < 1e-8:
            break
    return weights

