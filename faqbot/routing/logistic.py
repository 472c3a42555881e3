"""The numerics of the calibrated decision: a sign-constrained logistic fit and the two cut rules.

Pure numpy on arrays, no router: :mod:`faqbot.routing.calibration` builds the
examples, these functions fit the model and place its threshold.

* :func:`fit_logistic`: a weighted, ridge-penalised logistic regression (Newton's
  method on standardised features) whose weights keep the signs they are given.
* :func:`precision_threshold`: the smallest probability at which the examples at
  or above it are right at least a target share of the time (weighted).
* :func:`refusal_threshold`: the smallest probability at which a new message
  exchangeable with the negatives is answered at most ``1 − target`` of the time —
  the split-conformal quantile of the negatives' probabilities, so the guarantee
  holds for negatives that did not set it, not just on average over those that did.
"""

from __future__ import annotations

import math

import numpy as np

# Ridge penalty on standardised features: keeps a separable fit finite.
RIDGE = 1.0
_NEWTON_STEPS = 50


def fit_logistic(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, signs: tuple[float, ...] | None = None
) -> tuple[float, np.ndarray]:
    """A weighted, ridge-penalised logistic regression whose weights have the given signs.

    Returns the intercept and the weights on the raw features.  A feature whose
    weight comes out with the wrong sign (default: every weight ≥ 0) is dropped
    (weight 0) and the rest refitted.
    """
    signs = signs if signs is not None else (1.0,) * x.shape[1]
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


def allowed_answers(negatives: int, target: float) -> int:
    """How many of ``negatives`` fitting negatives the refusal cut may answer: ⌊(1 − target)(n + 1)⌋ − 1.

    A new negative exchangeable with them ranks anywhere among the n + 1 with equal
    chance, so it lands above the cut with probability at most (allowed + 1) / (n + 1)
    ≤ 1 − target.  Negative when n is too small to promise the target: none may be answered.
    """
    return math.floor(round((1.0 - target) * (negatives + 1), 9)) - 1


def refusal_threshold(p_answerable: np.ndarray, refused: int, target: float) -> float:
    """The smallest probability at which a new negative is answered at most ``1 − target`` of the time.

    ``p_answerable``: the probabilities of the negatives the rules let through;
    ``refused``: how many more the rules refuse whatever the probability (they
    count as refused).  The cut sits just above the (allowed + 1)-th highest
    probability (:func:`allowed_answers`), so ties there are refused together.
    """
    allowed = allowed_answers(len(p_answerable) + refused, target)
    ranked = np.sort(p_answerable)[::-1]
    if allowed >= len(ranked):
        return 0.0  # the rules alone refuse enough
    return float(np.nextafter(ranked[max(allowed, 0)], np.inf))
