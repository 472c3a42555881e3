"""Tests of faqbot.dialogue.meaning: a question about the last answer's own words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue import initial_state
from faqbot.dialogue.meaning import asks_about_last_words, meaning_asked
from faqbot.dialogue.state import DialogueState

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("message", "phrase"),
    [
        ("90日以内ってどういうこと？", "90日以内"),
        ("有効期限が90日以内というのはどういう意味ですか", "有効期限が90日以内"),
        ("じゃあ、PCI DSSって何のこと？", "pcidss"),
        ("「前月末」とはどういう意味でしょうか", "前月末"),
        ("ＳＢペイメントサービスの意味を教えてください", "sbペイメントサービス"),
        ("What does \"on hold\" mean?", "onhold"),
        ("what do you mean by pending", "pending"),
        ("自動更新って何？", "自動更新"),  # asked; whether the answer's words: asks_about_last_words
        ("意味がわからない、アカウントって何のアカウント？", None),  # which account, not what it means
        ("解約したいです", None),
        ("何？", None),
        ("Xって何", None),  # one character is no phrase
    ],
)
def test_the_phrase_asked_about(message: str, phrase: str | None) -> None:
    assert meaning_asked(message) == phrase


def _with_last(entry_id: str) -> DialogueState:
    return replace(initial_state(), last=entry_id)


@pytest.mark.parametrize(
    ("last", "message", "asked"),
    [
        ("payment-methods", "決済代行ってどういうこと？", False),  # not in the payment answer
        ("card-handling", "決済代行ってどういうこと？", False),  # in it, but a stored question's own words
        ("card-handling", "名義人とご注文者が異なるというのはどういう意味ですか", True),
        ("about", "自動更新って何？", False),  # every question's words
    ],
)
def test_only_the_answers_own_words_that_no_question_holds(engine: Engine, last: str, message: str, asked: bool) -> None:
    assert asks_about_last_words(engine, _with_last(last), message, TODAY) is asked


def test_nothing_answered_yet_means_no_last_words(engine: Engine) -> None:
    assert not asks_about_last_words(engine, initial_state(), "90日以内ってどういうこと？", TODAY)
