"""The evaluation page's figures (faqbot.quality.eval_html) and the lazy import of matplotlib."""

from __future__ import annotations

import subprocess
import sys

import pytest

from faqbot.quality.eval_html import Confusion, CurvePoint, confusion, eval_html, precision_coverage
from faqbot.quality.evaluation import Example, Prediction, score


def _p(expected: str, predicted: str, confidence: float) -> Prediction:
    return Prediction(Example("q", expected, None), predicted, confidence, None)


PREDICTIONS = [
    _p("a", "a", 0.9),
    _p("a", "b", 0.5),
    _p("b", "b", 0.7),
    _p("fallback", "fallback", 0.8),
    _p("c", "c", 0.95),
]


def test_confusion_keeps_the_intents_involved_in_an_error() -> None:
    assert confusion(PREDICTIONS) == Confusion(("a", "b"), ((1, 1), (0, 1)))


def test_confusion_without_errors_shows_the_most_frequent_intents() -> None:
    assert confusion([_p("a", "a", 0.9), _p("fallback", "fallback", 0.9)]) == Confusion(
        ("a", "fallback"), ((1, 0), (0, 1))
    )


def test_precision_coverage_by_threshold() -> None:
    # Answered (not fallback), most confident first: c 0.95 ✓, a 0.9 ✓, b 0.7 ✓, a→b 0.5 ✗; 5 examples.
    assert precision_coverage(PREDICTIONS) == (
        CurvePoint(0.5, 0.8, 0.75),
        CurvePoint(0.7, 0.6, 1.0),
        CurvePoint(0.9, 0.4, 1.0),
        CurvePoint(0.95, 0.2, 1.0),
    )


def test_page_has_both_charts_and_tables() -> None:
    html = eval_html("set.jsonl", score(PREDICTIONS), PREDICTIONS, threshold=0.6)
    assert html.count('role="img"') == 2 and html.count("<table>") == 2
    assert '<title id="confusion-title">' in html and '<title id="coverage-title">' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    assert "<script" not in html


@pytest.mark.parametrize("module", ["faqbot.cli.ask_command", "faqbot.cli.staff_commands",
                                    "faqbot.cli.learn_command"])
def test_commands_import_matplotlib_only_for_a_page(module: str) -> None:
    probe = f"import sys, {module}; print('matplotlib' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False"
    if module == "faqbot.cli.ask_command":
        assert out[1] == "False"  # `faqbot ask` does not pay for rich either
