"""Ranking quality and precision–coverage: the figures retrieval papers and leaderboards report.

Definitions as in the LocalgovFAQ leaderboard (and TREC): an entry is relevant
when its grade is ≥ 1; Recall@k is the share of relevant entries in the top
k; nDCG@k uses gain = grade and log2 discounts; MRR is the mean of 1 / rank of
the first relevant entry (0 when none is in the ranking).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K = 10


@dataclass(frozen=True)
class RankingScore:
    """Mean ranking quality over the examples that have a relevant entry."""

    recall_at_10: float
    mrr: float
    ndcg_at_10: float
    precision_at_10: float
    hit_at_1: float
    queries: int


@dataclass(frozen=True)
class CoveragePoint:
    """At one confidence threshold: the share of messages answered and how many of those were right."""

    threshold: float
    coverage: float
    precision: float


def ranking_metrics(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> tuple[float, float, float, float, float]:
    """Recall@k, reciprocal rank, nDCG@k, P@k and hit@1 of one ranking against graded relevance."""
    relevant = {d: g for d, g in grades.items() if g >= 1}
    if not relevant:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    top = list(ranked[:k])
    hits = sum(d in relevant for d in top)
    first = next((i for i, d in enumerate(ranked) if d in relevant), None)
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k]))
    return (
        hits / len(relevant),
        1.0 / (first + 1) if first is not None else 0.0,
        dcg / ideal,
        hits / k,
        float(bool(top) and top[0] in relevant),
    )


def mean_ranking(rows: Sequence[tuple[Sequence[str], Mapping[str, int]]]) -> RankingScore:
    """:func:`ranking_metrics` averaged over (ranking, grades) rows that have a relevant entry."""
    scored = [ranking_metrics(ranked, grades) for ranked, grades in rows if any(g >= 1 for g in grades.values())]
    if not scored:
        return RankingScore(0.0, 0.0, 0.0, 0.0, 0.0, 0)
    recall, mrr, ndcg, precision, hit = (sum(column) / len(scored) for column in zip(*scored, strict=True))
    return RankingScore(recall, mrr, ndcg, precision, hit, len(scored))


def precision_coverage(
    answered: Sequence[tuple[float, bool]], total: int, thresholds: Sequence[float]
) -> tuple[CoveragePoint, ...]:
    """For each threshold, the share of ``total`` messages answered with confidence ≥ it, and their precision.

    ``answered`` holds (confidence, right) for every message the bot answered.
    """
    points = []
    for threshold in thresholds:
        kept = [right for confidence, right in answered if confidence >= threshold]
        points.append(CoveragePoint(threshold, len(kept) / total if total else 0.0, sum(kept) / len(kept) if kept else 0.0))
    return tuple(points)
