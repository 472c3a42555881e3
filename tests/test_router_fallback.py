"""The shipped knowledge base refuses questions about other things, and fits its lexical weight.

``tests/fixtures/offdomain.yaml`` holds 180 general questions (passports, weather,
recipes, spreadsheets, trains, other companies' services…) written for this test;
none was used to tune the router.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from faqbot.answers.answering import Engine
from faqbot.routing.router import DECISION_FALLBACK
from faqbot.routing.training import DEFAULT_WEIGHT, WEIGHT_GRID

OFFDOMAIN = Path(__file__).resolve().parent / "fixtures" / "offdomain.yaml"


def _offdomain() -> list[str]:
    return [str(q) for q in yaml.safe_load(OFFDOMAIN.read_text(encoding="utf-8"))["questions"]]


def test_most_general_questions_fall_back(engine: Engine) -> None:
    questions = _offdomain()
    assert len(questions) >= 150 and len(set(questions)) == len(questions)
    decisions = [engine.router.route(q).decision for q in questions]
    # Measured 0.81 when written (issue 11 asks for ≥ 0.90 on held-out messages: not reached yet).
    assert decisions.count(DECISION_FALLBACK) / len(decisions) >= 0.8


@pytest.mark.parametrize(
    "query",
    ["Excelで重複した行を削除したい", "How do I renew my passport?", "運転免許証の更新", "明日の天気を教えて"],
)
def test_messages_about_other_things_fall_back(engine: Engine, query: str) -> None:
    assert engine.router.route(query).decision == DECISION_FALLBACK


def test_the_lexical_weight_is_fitted_on_the_shipped_alternates(engine: Engine) -> None:
    # The shipped KB has hundreds of alternates to hold out: the weight is chosen, not defaulted.
    assert engine.router.lexical_weight in WEIGHT_GRID
    assert engine.router.lexical_weight != DEFAULT_WEIGHT
