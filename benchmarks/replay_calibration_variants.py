"""Variants of the calibration's sampling and threshold, replayed on examples routed once.

Routes every example of a knowledge base once (all pseudo-queries and negatives,
as ``faqbot/routing/calibration_fit.py`` builds them with seed 0), then replays, in
numpy only, each variant with 8 seeds: draw a sample from the routed examples,
fit the model, place the threshold, and measure the answered share of the whole
reference (the examples the rules do not refuse), the weighted precision of
what it answers, and the share of all negatives it answers (the rules' refusals
count as refused).  "Both cuts" is faqbot's decision (``calibration_fit.decide``:
the stricter of the precision and refusal cuts); "bootstrap of every example"
resamples the knowledge base's examples themselves, the spread a KB routed whole
still has.  Exploratory: the routings are shared, so the variants differ
only in what they draw and how they cut.  No evaluation set is read.

    .venv/bin/python benchmarks/replay_calibration_variants.py [--kb knowledge]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from faqbot.kb import SHIPPED_KB
from faqbot.kb.loader import load_knowledge_base
from faqbot.routing import calibration_fit as cal
from faqbot.routing.calibration import CLARIFY_CHOICES, UNFITTED
from faqbot.routing.logistic import fit_logistic, precision_threshold
from faqbot.routing.router import Router

TARGET = 0.9
SEEDS = 8


@dataclass(frozen=True)
class Pool:
    """Every example routed once: its entry (-1: negative), refusal, features and label."""

    entry: np.ndarray
    refused: np.ndarray
    features: np.ndarray
    labels: np.ndarray


def route_all(router: Router) -> Pool:
    """Every example of the knowledge base, routed once (sample bounds lifted for this call)."""
    bounds = cal.MAX_POSITIVES, cal.MAX_NEGATIVES
    cal.MAX_POSITIVES = cal.MAX_NEGATIVES = 10**9
    scripts = cal._Scripts.of(router)
    try:
        examples = cal._examples(router, 0, scripts)
    finally:
        cal.MAX_POSITIVES, cal.MAX_NEGATIVES = bounds
    entry, refused, features, labels = [], [], [], []
    for e in examples:
        found = cal._route(router, e, scripts)  # as the fit routes it (rivals weakened: ninety-sixth rule)
        ev = router.evidence(found)
        offered = found.owners[: CLARIFY_CHOICES if ev.clarifies else 1].tolist()
        entry.append(e.entry)
        refused.append(router.refuses(e.query, found))
        features.append((ev.score, ev.margin))
        labels.append(float(e.entry in offered))
    return Pool(np.array(entry), np.array(refused), np.array(features), np.array(labels))


def model_threshold(p: np.ndarray, y: np.ndarray, w: np.ndarray, target: float) -> float:
    """faqbot's rule with the model's probabilities in place of the labels (expected precision)."""
    return precision_threshold(p, p, w, target)


def fit(pool: Pool, sample: np.ndarray, cut: Callable[..., float]) -> np.ndarray:
    """Fit on ``sample``; which examples of the whole pool the model then answers."""
    weights = cal._class_weights(pool.entry[sample] >= 0)
    kept = ~pool.refused[sample]
    x, y, w = pool.features[sample][kept], pool.labels[sample][kept], weights[kept]
    intercept, coef = fit_logistic(x, y, w)
    threshold = cut(1.0 / (1.0 + np.exp(-(intercept + x @ coef))), y, w, TARGET)
    answered: np.ndarray = 1.0 / (1.0 + np.exp(-(intercept + pool.features @ coef))) >= threshold
    return answered


def decided(pool: Pool, sample: np.ndarray, target_refusal: float) -> np.ndarray:
    """faqbot's own decision (``calibration_fit.decide``: both cuts) fitted on ``sample``; what it answers of the pool."""
    kept = ~pool.refused[sample]
    chosen = sample[kept]
    refused = int(np.count_nonzero(pool.refused[sample] & (pool.entry[sample] < 0)))
    weights = cal._class_weights(pool.entry[sample] >= 0)[kept]
    fitted = cal.CalibrationFit(UNFITTED, pool.features[chosen], pool.labels[chosen], weights, pool.entry[chosen] >= 0, refused)
    model = cal.decide(fitted, TARGET, target_refusal)
    answered: np.ndarray = model.probabilities(pool.features) >= model.threshold
    return answered


def bagged(pool: Pool, sample: np.ndarray, rng: np.random.Generator, rounds: int = 25) -> np.ndarray:
    """Majority vote of ``rounds`` bootstrap refits of the sample."""
    votes = np.mean([fit(pool, rng.choice(sample, size=len(sample)), precision_threshold) for _ in range(rounds)], axis=0)
    answered: np.ndarray = votes >= 0.5
    return answered


def drawer(positives: int, negatives: int) -> Callable[[Pool, np.random.Generator], np.ndarray]:
    """Draw ``positives`` pseudo-queries and ``negatives`` negatives without replacement."""
    def draw(pool: Pool, rng: np.random.Generator) -> np.ndarray:
        pos, neg = np.flatnonzero(pool.entry >= 0), np.flatnonzero(pool.entry < 0)
        drawn: np.ndarray = np.r_[rng.choice(pos, min(positives, len(pos)), replace=False), rng.choice(neg, min(negatives, len(neg)), replace=False)]
        return drawn
    return draw


def by_entry(pool: Pool, rng: np.random.Generator) -> np.ndarray:
    """150 pseudo-queries spread over entries (one per entry, round robin) and 150 negatives."""
    pos = np.flatnonzero(pool.entry >= 0)
    queues = [list(rng.permutation(pos[pool.entry[pos] == e])) for e in rng.permutation(np.unique(pool.entry[pos]))]
    chosen: list[int] = []
    while len(chosen) < min(cal.MAX_POSITIVES, len(pos)):
        chosen += [q.pop() for q in queues if q][: cal.MAX_POSITIVES - len(chosen)]
    spread: np.ndarray = np.r_[chosen, drawer(0, cal.MAX_NEGATIVES)(pool, rng)]
    return spread


def bootstrap_all(pool: Pool, rng: np.random.Generator) -> np.ndarray:
    """Every example, resampled with replacement: the spread of the KB's examples themselves."""
    pos, neg = np.flatnonzero(pool.entry >= 0), np.flatnonzero(pool.entry < 0)
    resampled: np.ndarray = np.r_[rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]
    return resampled


def main() -> None:
    """Replay each variant over the seeds and print the spreads."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=Path, default=SHIPPED_KB)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    pool = route_all(Router.build(load_knowledge_base(args.kb)))
    reference = ~pool.refused
    negative = pool.entry < 0  # every negative, those the rules refuse included
    weights = cal._class_weights(pool.entry >= 0)
    overall = (weights * pool.labels)[reference].sum() / weights[reference].sum()
    print(f"{len(pool.entry)} examples, {int(reference.sum())} reach the model; all answered: weighted precision {overall:.3f}")
    standard = drawer(cal.MAX_POSITIVES, cal.MAX_NEGATIVES)
    variants: list[tuple[str, Callable[[np.random.Generator], np.ndarray]]] = [
        ("every example, both cuts (faqbot now)", lambda rng: decided(pool, np.arange(len(pool.entry)), 0.9)),
        ("bootstrap of every example, both cuts", lambda rng: decided(pool, bootstrap_all(pool, rng), 0.9)),
        ("bootstrap of every example, precision cut", lambda rng: decided(pool, bootstrap_all(pool, rng), 0.0)),
        ("150/150, both cuts", lambda rng: decided(pool, standard(pool, rng), 0.9)),
        ("before: 150/150, sample precision", lambda rng: fit(pool, standard(pool, rng), precision_threshold)),
        ("150/150, model's expected precision", lambda rng: fit(pool, standard(pool, rng), model_threshold)),
        ("150/150, bagged (25 bootstrap refits)", lambda rng: bagged(pool, standard(pool, rng), rng)),
        ("150 by entry/150", lambda rng: fit(pool, by_entry(pool, rng), precision_threshold)),
        ("100/200", lambda rng: fit(pool, drawer(100, 200)(pool, rng), precision_threshold)),
        ("200/100", lambda rng: fit(pool, drawer(200, 100)(pool, rng), precision_threshold)),
        ("150/every negative", lambda rng: fit(pool, drawer(cal.MAX_POSITIVES, 10**9)(pool, rng), precision_threshold)),
        ("bootstrap of every example", lambda rng: fit(pool, bootstrap_all(pool, rng), precision_threshold)),
    ]
    for name, run in variants:
        shares, precisions, leaks = [], [], []
        for seed in range(SEEDS):
            answered = run(np.random.default_rng(seed)) & reference
            shares.append(answered.sum() / reference.sum())
            precisions.append((weights * pool.labels)[answered].sum() / max(weights[answered].sum(), 1e-12))
            leaks.append(answered[negative].sum() / negative.sum())
        print(f"{name:44s} answered {min(shares):.3f}–{max(shares):.3f}   precision {min(precisions):.3f}–{max(precisions):.3f}"
              f"   negatives answered {min(leaks):.3f}–{max(leaks):.3f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
