"""Stability of the calibrated decision under resampling: the answering cut, seed by seed.

The calibration (``faqbot/routing/calibration_fit.py``) of a knowledge base with more
than ``MAX_ROUTED_WHOLE`` examples is fitted on a sample of them (≤ ``MAX_POSITIVES``
pseudo-queries and ``MAX_NEGATIVES`` negatives, seed ``SEED``).  This script refits it
with several seeds and places the threshold by faqbot's rule (the stricter of the
precision cut and the refusal cut) and by an alternative measured beside it on the same
sample (their precision's Wilson lower bound must reach it, 95 % one-sided
confidence), and prints for each rule:

* the **score-scale boundary**: the best-entry score at which the probability
  reaches the threshold, at the median margin of the reference examples, and
  ``score_floor`` (the lowest score answered among the fitting examples);
* the **answered share** of a fixed reference set — every example of the knowledge
  base (all pseudo-queries and negatives, routed once, those the rules refuse left
  out) — and the weighted precision of what it answers there (80 % of the reference
  set is outside any one sample);
* the time of one fit (median over seeds);
* first, both targets cross-validated (``calibration_fit.cross_validate``, 5 folds),
  with faqbot's two cuts and with the precision cut alone.

A knowledge base with at most ``MAX_ROUTED_WHOLE`` examples is routed whole, so
every seed gives the same fit there.

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
from replay_calibration_variants import Pool, route_all

from faqbot.kb import SHIPPED_KB
from faqbot.kb.loader import load_knowledge_base
from faqbot.routing import calibration_fit
from faqbot.routing.calibration import Calibration, Evidence
from faqbot.routing.calibration_fit import CalibrationFit, cross_validate, fit_calibration
from faqbot.routing.router import Router

# One-sided normal quantile of the alternative rule (95 %, the conventional level; not fitted).
CONFIDENCE_Z = 1.645


@dataclass(frozen=True)
class Reference:
    """The examples of the pool that reach the model (the rules refuse the rest), with their fitting weights."""

    pool: Pool
    kept: np.ndarray
    weights: np.ndarray

    @property
    def features(self) -> np.ndarray:
        """Score and margin of each example that reaches the model."""
        features: np.ndarray = self.pool.features[self.kept]
        return features

    @property
    def labels(self) -> np.ndarray:
        """1.0 where what the router offers is right."""
        labels: np.ndarray = self.pool.labels[self.kept]
        return labels

    @property
    def in_domain(self) -> np.ndarray:
        """True for a pseudo-query, False for a negative."""
        in_domain: np.ndarray = self.pool.entry[self.kept] >= 0
        return in_domain


def reference(router: Router) -> Reference:
    """Every example of the knowledge base, routed once, weighted as the fit weighs them."""
    pool = route_all(router)
    kept = ~pool.refused
    return Reference(pool, kept, calibration_fit._class_weights(pool.entry >= 0)[kept])


def wilson_threshold(fit: CalibrationFit, z: float = CONFIDENCE_Z) -> Calibration:
    """The fit's model with the threshold whose examples' precision reaches the target with confidence ``z``."""
    model = fit.calibration
    p = np.array([model.probability(Evidence(s, m)) for s, m in fit.features.tolist()])
    order = np.argsort(-p, kind="stable")
    ranked = p[order]
    total = np.cumsum(fit.weights[order])
    share = np.cumsum((fit.weights * fit.labels)[order]) / total
    n = total**2 / np.cumsum((fit.weights**2)[order])  # Kish's effective sample size
    spread = z * np.sqrt(share * (1.0 - share) / n + z * z / (4.0 * n * n))
    lower = (share + z * z / (2.0 * n) - spread) / (1.0 + z * z / n)
    # faqbot's rule (logistic.precision_threshold) with the bound in place of the precision.
    ties = np.r_[ranked[1:] != ranked[:-1], True]
    ok = np.flatnonzero((lower >= model.target_precision) & ties)
    threshold = float(ranked[ok[-1]]) if len(ok) else float(ranked[0])
    above = fit.features[p >= threshold, 0]
    floor = float(above.min()) if len(above) else 1.0
    return Calibration(model.intercept, model.weights, threshold, model.target_precision, floor)


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
    router = Router.build(kb)
    target = kb.settings.target_precision
    start = time.perf_counter()
    ref = reference(router)
    whole = time.perf_counter() - start
    margin = float(np.median(ref.features[:, 1]))
    print(
        f"knowledge base {args.kb}: reference {len(ref.labels)} examples ({int(ref.in_domain.sum())} pseudo-queries), "
        f"routed whole in {whole:.2f} s; target {target}; boundary at the median margin {margin:.3f}"
    )
    for refusal, name in ((kb.settings.target_refusal, "both cuts (faqbot)"), (0.0, "precision cut only")):
        cv = cross_validate(fit_calibration(router, target, target_refusal=refusal))
        print(f"5-fold cross-validated, {name}: precision {cv.precision:.3f}, negatives refused {cv.refusal:.3f}, "
              f"pseudo-queries reaching the model answered {cv.answered:.3f}")
    rules = ("faqbot's threshold", f"Wilson bound, z={CONFIDENCE_Z} (alternative)")
    rows: dict[str, list[tuple[float, ...]]] = {name: [] for name in rules}
    times: list[float] = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        fit = fit_calibration(router, target, seed)
        times.append(time.perf_counter() - start)
        for name, model in zip(rules, (fit.calibration, wilson_threshold(fit)), strict=True):
            rows[name].append((boundary_score(model, margin), model.score_floor, model.threshold, *answered(model, ref)))
    print(f"{args.seeds} seeds; one fit (routing the sample) takes {statistics.median(times):.2f} s (median)")
    labels = ("boundary score", "score_floor", "probability threshold", "answered share",
              "  pseudo-queries answered", "  negatives answered", "precision of answered")
    for name in rules:
        print(f"\n{name}:")
        for label, column in zip(labels, zip(*rows[name], strict=True), strict=True):
            print(f"  {label:26s} {spread(list(column))}")
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
