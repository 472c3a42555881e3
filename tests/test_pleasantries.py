"""Cutting a message into sentences, and routing a question with a pleasantry beside it."""

from __future__ import annotations

import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.pleasantries import sentences, without_pleasantries
from faqbot.routing.router import DECISION_ANSWER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは。解約したいです", ["こんにちは。", "解約したいです"]),
        ("ありがとう！あと料金は？", ["ありがとう！", "あと料金は？"]),
        ("Hi! How do I cancel?", ["Hi!", "How do I cancel?"]),
        ("解約したい\nよろしく", ["解約したい", "よろしく"]),
        ("2027.3.31が期限です", ["2027.3.31が期限です"]),  # a Latin full stop in a date is no sentence end
        ("It expires on 2027-04-30. Thank you.", ["It expires on 2027-04-30.", "Thank you."]),
        ("  ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


GREETINGS = {"こんにちは。", "よろしくお願いします", "ありがとう。"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは。解約したいです", "解約したいです"),
        ("解約したいです。よろしくお願いします", "解約したいです。"),
        ("こんにちは。ありがとう。", None),  # all pleasantries: routed whole
        ("解約したいです", None),  # one sentence
        ("解約したい。料金は？", None),  # none is a pleasantry
    ],
)
def test_without_pleasantries(text: str, expected: str | None) -> None:
    assert without_pleasantries(sentences(text), GREETINGS.__contains__) == expected


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Each of these but the last got the pleasantry's entry (or a choice with it) before.
        ("こんにちは。解約したいです", "cancel-howto"),
        ("おはようございます。メールアドレスを変えたいです", "change-email"),
        ("ありがとう！ところで支払い方法は？", "payment-methods"),
        ("ありがとうございます。次にカードの変更方法を教えて", "change-card"),
        ("Thanks! And how much is the fee?", "fee-and-period"),
        # Small talk offered beside the question in a clarification (rule 31), after ASCII full stops (rule 32).
        ("Hello, I'd like to know when my next payment will be. I have the monthly plan of Virus Buster Mobile"
         " and it expires on 2027-04-30. Thank you.", "next-billing-date"),
        ("ありがとうございました。助かりました", "thanks"),  # only pleasantries: still small talk
    ],
)
def test_a_pleasantry_beside_a_question_does_not_answer_it(engine: Engine, message: str, intent: str) -> None:
    routing = engine.router.route(message)
    assert (routing.decision, routing.intent) == (DECISION_ANSWER, intent)
    assert routing.query == message
