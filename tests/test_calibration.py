"""Tests of faqbot.routing.calibration and faqbot.routing.training on the shipped knowledge base."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.calibration import REFUSED_RIGHT, fit
from faqbot.routing.router import DECISION_FALLBACK
from faqbot.routing.training import WEIGHT_GRID, offdomain_questions


def test_fit_learns_the_direction_of_each_feature() -> None:
    rng = np.random.default_rng(1)
    right = [(rng.uniform(0.5, 1.0), rng.uniform(0.0, 0.3)) for _ in range(200)]
    wrong = [(rng.uniform(0.0, 0.4), rng.uniform(0.4, 1.0)) for _ in range(200)]
    model = fit(right + wrong, [True] * 200 + [False] * 200)
    assert model is not None
    assert model.weights[1] > 0 > model.weights[2]  # more lexical evidence: likelier; more novelty: less
    assert model.probability(0.9, 0.1) > 0.9 > 0.1 > model.probability(0.1, 0.9)
    # The threshold lets all but REFUSED_RIGHT of the right examples through.
    kept = np.mean([model.probability(x, y) >= model.threshold for x, y in right])
    assert kept >= 1 - REFUSED_RIGHT - 0.01


def test_fit_needs_both_kinds() -> None:
    assert fit([(0.5, 0.5)], [True]) is None
    assert fit([], []) is None


def test_the_shipped_router_is_fitted(engine: Engine) -> None:
    router = engine.router
    assert router.lexical_weight in WEIGHT_GRID
    assert router.calibration is not None and 0.0 < router.calibration.threshold < 0.5


def test_the_offdomain_questions_are_many_and_distinct() -> None:
    questions = offdomain_questions()
    assert len(questions) >= 150 and len(set(questions)) == len(questions)


def test_most_general_questions_fall_back_on_the_shipped_kb(engine: Engine) -> None:
    # They are the calibration's negatives, so this checks the fit, not generalisation.
    decisions = [engine.router.route(q).decision for q in offdomain_questions()]
    assert decisions.count(DECISION_FALLBACK) / len(decisions) >= 0.8


@pytest.mark.parametrize(
    "query",
    ["Excelで重複した行を削除したい", "How do I renew my passport?", "運転免許証の更新"],
)
def test_messages_about_other_things_fall_back(engine: Engine, query: str) -> None:
    assert engine.router.route(query).decision == DECISION_FALLBACK


def test_novelty_weighs_rare_unused_words(engine: Engine) -> None:
    router = engine.router
    assert router.novelty("自動更新を解約したい") == 0.0
    assert router.novelty("パスポートを更新したい") > router.novelty("自動更新をちゃんと解約したい")
