"""The warning that a fitted decision would refuse most of a knowledge base's own questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.decision_check import decision_coverage
from faqbot.routing.router import Router
from tests.conftest import make_kb

# A knowledge base for another service (a fictional internet provider), written by a user trial
# from the docs alone: 17 FAQ entries, each with two or three Japanese alternates and one English one.
OTHER_SERVICE = Path(__file__).parent / "fixtures" / "kb_other_service"


@pytest.fixture(scope="module")
def other_router() -> Router:
    return Router.build(load_knowledge_base(OTHER_SERVICE))


def test_a_kb_whose_decision_refuses_its_own_questions_is_warned_about(other_router: Router) -> None:
    problems = decision_coverage(other_router)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.severity == "warning" and problem.path == "service.yaml"
    assert "own questions" in problem.message and "add alternates" in problem.message
    assert "router.target_precision 0.9" in problem.message
    # Its alternates, held out, rank first far more often with the lemmas weighed in (measured:
    # 35 % at the fitted 0, 51 % at 8): the warning says which weight to try and how to confirm it.
    assert (
        "its alternates rank their entry first 35% of the time at the fitted lexical weight 0 and 51% at 8: "
        "try `lexical_weight: 8`"
    ) in problem.message


def test_the_shipped_kb_answers_its_own_questions_and_is_not_warned_about(engine: Engine) -> None:
    assert decision_coverage(engine.router) == []


def test_a_hand_set_threshold_is_not_judged(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"service.yaml": lambda text: text + "router:\n  threshold: 0.3\n"}, source=OTHER_SERVICE)
    assert decision_coverage(Router.build(load_knowledge_base(root))) == []


def test_a_stated_min_confidence_is_not_judged(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"service.yaml": lambda text: text + "router:\n  min_confidence: 0.5\n"}, source=OTHER_SERVICE)
    assert decision_coverage(Router.build(load_knowledge_base(root))) == []


def test_a_stated_weight_gets_no_weight_advice(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"service.yaml": lambda text: text + "router:\n  lexical_weight: 0\n"}, source=OTHER_SERVICE)
    (problem,) = decision_coverage(Router.build(load_knowledge_base(root)))
    assert "own questions" in problem.message and "lexical_weight:" not in problem.message
