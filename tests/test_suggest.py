"""Tests of faqbot.text.suggest: the "did you mean" of every id and key check."""

from __future__ import annotations

import pytest

from faqbot.text.suggest import closest, did_you_mean, suggestion

KEYS = ("id", "question", "alternates", "answer", "related", "question_en", "answer_en", "notes")

# (typed, known names, what is offered)
CASES = [
    ("relatd", KEYS, "related"),
    ("anwser", KEYS, "answer"),
    ("answr", KEYS, "answer"),
    ("answer-en", KEYS, "answer_en"),  # the whole name, not the 'answer' inside it
    ("alternate", KEYS, "alternates"),
    ("q", KEYS, None),  # too little to go on
    ("category", KEYS, None),
    ("cancel-hwto", ("cancel-howto", "change-card", "contact"), "cancel-howto"),
    ("anything", (), None),
]


@pytest.mark.parametrize(("typed", "known", "offered"), CASES, ids=[c[0] for c in CASES])
def test_the_closest_whole_name_is_offered(typed: str, known: tuple[str, ...], offered: str | None) -> None:
    assert closest(typed, known) == offered


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


def test_suggestion_offers_the_closest_name_or_the_next_step() -> None:
    assert suggestion("relatd", KEYS, "use one of them") == "did you mean 'related'?"
    assert suggestion("category", KEYS, "use one of them") == "use one of them"
