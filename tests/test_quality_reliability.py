"""Tests of faqbot.quality.reliability: is the confidence a probability on labelled messages?"""

from __future__ import annotations

import pytest

from faqbot.quality.reliability import CALIBRATED, OVERCONFIDENT, UNDERCONFIDENT, Reliability, reliability


@pytest.mark.parametrize(
    ("probabilities", "right", "expected"),
    [
        # 10 messages at 0.5, 5 right: exactly as the probability says
        ([0.5] * 10, [True] * 5 + [False] * 5, Reliability(10, 0.5, 0.5, CALIBRATED)),
        # 7 of 10 right at 0.5: gap 0.2, standard error sqrt(10 · 0.25) / 10 = 0.158, under 2 of them
        ([0.5] * 10, [True] * 7 + [False] * 3, Reliability(10, 0.5, 0.7, CALIBRATED)),
        # 100 at 0.6 with 80 right: gap 0.2, standard error sqrt(100 · 0.24) / 100 = 0.049
        ([0.6] * 100, [True] * 80 + [False] * 20, Reliability(100, 0.6, 0.8, UNDERCONFIDENT)),
        # 100 at 0.9 with 70 right: gap -0.2, standard error 0.03
        ([0.9] * 100, [True] * 70 + [False] * 30, Reliability(100, 0.9, 0.7, OVERCONFIDENT)),
        # certain probabilities have no spread: only an exact match is calibrated
        ([1.0, 1.0], [True, True], Reliability(2, 1.0, 1.0, CALIBRATED)),
        ([1.0, 0.0], [True, True], Reliability(2, 0.5, 1.0, UNDERCONFIDENT)),
        ([], [], Reliability(0, 0.0, 0.0, "")),
    ],
)
def test_reliability(probabilities: list[float], right: list[bool], expected: Reliability) -> None:
    found = reliability(probabilities, right)
    assert found.judged == expected.judged and found.verdict == expected.verdict
    assert found.mean_probability == pytest.approx(expected.mean_probability)
    assert found.share_right == pytest.approx(expected.share_right)


def test_one_label_per_probability() -> None:
    with pytest.raises(ValueError, match="3 probabilities for 2 labels"):
        reliability([0.5, 0.5, 0.5], [True, False])
