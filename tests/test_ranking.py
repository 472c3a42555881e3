"""Tests of faqbot.quality.ranking: the leaderboard's definitions, computed by hand."""

from __future__ import annotations

import math

import pytest

from faqbot.quality.ranking import mean_ranking, precision_coverage, ranking_metrics


def test_ranking_metrics_by_hand() -> None:
    # Relevant: a (grade 2) at rank 2, c (grade 1) at rank 4; b and d are not relevant.
    recall, rr, ndcg, p10, hit = ranking_metrics(["b", "a", "d", "c"], {"a": 2, "c": 1, "x": 0})
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert (recall, rr, p10, hit) == (1.0, 0.5, 0.2, 0.0)
    assert ndcg == pytest.approx(dcg / ideal)


def test_nothing_relevant_found() -> None:
    assert ranking_metrics(["b"], {"a": 1}) == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_mean_skips_queries_without_a_relevant_entry() -> None:
    score = mean_ranking([(["a"], {"a": 1}), (["b"], {"a": 1}), (["a"], {})])
    assert (score.queries, score.recall_at_10, score.mrr, score.hit_at_1) == (2, 0.5, 0.5, 0.5)


def test_precision_coverage_by_hand() -> None:
    answered = [(0.9, True), (0.6, True), (0.5, False), (0.2, False)]
    points = precision_coverage(answered, total=5, thresholds=(0.0, 0.5, 0.8))
    assert [(p.coverage, p.precision) for p in points] == [(0.8, 0.5), (0.6, pytest.approx(2 / 3)), (0.2, 1.0)]
