"""Tests of faqbot.text.suggest: the "did you mean" hint for a mistyped id."""

from __future__ import annotations

import pytest

from faqbot.text.suggest import did_you_mean

IDS = ["cancel-howto", "apply-howto", "payment-methods", "mobile", "mac"]


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("cancel-hwto", " (did you mean 'cancel-howto'?)"),
        ("aply-howto", " (did you mean 'apply-howto'?)"),
        ("payment-method", " (did you mean 'payment-methods'?)"),
        ("mobil", " (did you mean 'mobile'?)"),
        ("zzzz", ""),  # nothing close: no guess
        ("", ""),
    ],
)
def test_did_you_mean(typed: str, hint: str) -> None:
    assert did_you_mean(typed, IDS) == hint


def test_nothing_known_offers_nothing() -> None:
    assert did_you_mean("cancel-hwto", []) == ""
