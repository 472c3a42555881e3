"""Stability of the calibrated decision under resampling: the answering cut, seed by seed.

The calibration (``faqbot/routing/calibration.py``) is fitted on a sample of the
knowledge base's own examples (≤ ``MAX_POSITIVES`` pseudo-queries and
``MAX_NEGATIVES`` negatives, seed ``SEED``).  This script refits it with several
seeds, with faqbot's threshold rule (the sample's own precision reaches the target,
``z = 0``) and the alternative measured beside it (its Wilson lower bound does, with
95 % one-sided confidence, ``z = CONFIDENCE_Z``), alternating which runs first, and
prints for each rule:

* the **score-scale boundary**: the best-entry score at which the probability
  reaches the threshold, at the median margin of the reference examples, and
  ``score_floor`` (the lowest score answered among the fitting examples);
* the **answered share** of a fixed reference set — every example of the knowledge
  base (all pseudo-queries and negatives, routed once, those the rules refuse left
  out) — and the weighted precision of what it answers there (80 % of the reference
  set is outside any one sample);
* the time of each fit (median).

No evaluation set is read.

    .venv/bin/python benchmarks/bench_calibration_stability.py [--kb knowledge] [--seeds 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from faqbot.kb.loader import SHIPPED_KB, load_knowledge_base
from faqbot.routing import calibration
from faqbot.routing.calibration import Calibration, Evidence, fit_calibration
from faqbot.routing.router import Router

# One-sided normal quantile of the alternative rule (95 %, the conventional level; not fitted).
CONFIDENCE_Z = 1.645


@dataclass(frozen=True)
class Reference:
    """Every example of the knowledge base that reaches the model: features, labels, weights."""

    features: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    in_domain: np.ndarray


def reference(router: Router, target: float) -> Reference:
    """All the knowledge base's examples, routed once (the sample bounds lifted for this call only)."""
    bounds = calibration.MAX_POSITIVES, calibration.MAX_NEGATIVES
    calibration.MAX_POSITIVES = calibration.MAX_NEGATIVES = 10**9
    try:
        fit = fit_calibration(router, target)
    finally:
        calibration.MAX_POSITIVES, calibration.MAX_NEGATIVES = bounds
    return Reference(fit.features, fit.labels, fit.weights, fit.in_domain)


def boundary_score(model: Calibration, margin: float) -> float:
    """The score at which the probability reaches the threshold, at ``margin``."""
    logit = np.log(model.threshold / (1.0 - model.threshold)) if 0.0 < model.threshold < 1.0 else np.inf
    weight = model.weights[0]
    return float((logit - model.intercept - model.weights[1] * margin) / weight) if weight > 0 else float("nan")


def answered(model: Calibration, ref: Reference) -> tuple[float, float, float, float]:
    """Share of the reference answered (all, pseudo-queries, negatives) and the weighted precision of it."""
    p = np.array([model.probability(Evidence(s, m)) for s, m in ref.features.tolist()])
    yes = p >= model.threshold
    precision = float((ref.weights * ref.labels)[yes].sum() / max(ref.weights[yes].sum(), 1e-12))
    return float(yes.mean()), float(yes[ref.in_domain].mean()), float(yes[~ref.in_domain].mean()), precision


def spread(values: list[float]) -> str:
    """Median and range."""
    return f"median {statistics.median(values):.3f}  range {min(values):.3f}–{max(values):.3f} (width {max(values) - min(values):.3f})"


def main() -> None:
    """Refit with each seed under both rules and print the spreads."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=Path, default=SHIPPED_KB)
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    kb = load_knowledge_base(args.kb)
    router = Router(kb)
    target = kb.settings.target_precision
    start = time.perf_counter()
    ref = reference(router, target)
    whole = time.perf_counter() - start
    margin = float(np.median(ref.features[:, 1]))
    print(
        f"knowledge base {args.kb}: reference {len(ref.labels)} examples ({int(ref.in_domain.sum())} pseudo-queries), "
        f"routed whole in {whole:.2f} s; target {target}; boundary at the median margin {margin:.3f}"
    )
    rules = {"sample precision (z=0, faqbot)": 0.0, f"Wilson bound (z={CONFIDENCE_Z}, alternative)": CONFIDENCE_Z}
    rows: dict[str, list[tuple[float, ...]]] = {name: [] for name in rules}
    times: dict[str, list[float]] = {name: [] for name in rules}
    for seed in range(args.seeds):
        order = list(rules) if seed % 2 == 0 else list(reversed(rules))  # A/B, then B/A
        for name in order:
            start = time.perf_counter()
            model = fit_calibration(router, target, rules[name], seed).calibration
            times[name].append(time.perf_counter() - start)
            rows[name].append((boundary_score(model, margin), model.score_floor, model.threshold, *answered(model, ref)))
    for name in rules:
        columns = list(zip(*rows[name], strict=True))
        print(f"\n{name}: {args.seeds} seeds, fit median {statistics.median(times[name]):.2f} s")
        labels = ("boundary score", "score_floor", "probability threshold", "answered share",
                  "  pseudo-queries answered", "  negatives answered", "precision of answered")
        for label, column in zip(labels, columns, strict=True):
            print(f"  {label:26s} {spread(list(column))}")
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
