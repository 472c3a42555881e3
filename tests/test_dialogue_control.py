"""Tests of faqbot.dialogue.control: which bare messages steer the conversation instead of being routed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.control import after_acknowledgement, control_turn
from faqbot.dialogue.state import initial_state

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("last", "message", "kind", "intent"),
    [
        (None, "もっと詳しく", "clarify", "fallback"),  # nothing answered: there is nothing to say more about
        ("cancel-howto", "もっと詳しく", "answer", "cancel-howto"),  # the answer's related questions
        ("cancel-howto", "できない", "support", "contact"),  # the steps did not help: the desk
        (None, "わかりません", "smalltalk", "help"),  # nothing answered: what can be asked
        ("cancel-howto", "わかりません", "support", "contact"),
        (None, "はい", "cancelled", "fallback"),  # a yes to nothing asked: acknowledged
    ],
)
def test_a_bare_control_message_gets_its_reply(
    engine: Engine, last: str | None, message: str, kind: str, intent: str
) -> None:
    turn = control_turn(engine, replace(initial_state(), last=last), message, TODAY)
    assert turn is not None
    reply, _ = turn
    assert (reply.kind, reply.intent) == (kind, intent)


@pytest.mark.parametrize("message", ["解約したい", "よくわからない", "できますか"])
def test_a_message_that_asks_is_left_to_the_router(engine: Engine, message: str) -> None:
    assert control_turn(engine, initial_state(), message, TODAY) is None


@pytest.mark.parametrize(
    ("message", "rest"),
    [
        ("承知しました。月額版に切り替えた場合はどうなりますか。", "月額版に切り替えた場合はどうなりますか。"),
        ("わかりました、解約したいです", "解約したいです"),
        ("Got it. And the fee?", "And the fee?"),
        ("あっ、了解です。年額だと？", "年額だと？"),  # after its connective (165th rule)
        ("了解しました", "了解しました"),  # nothing after it: the whole message (156th rule reads it)
        ("解約しました。了解です", "解約しました。了解です"),  # an acknowledgement not in front
        ("更新料は了解しました。支払い方法は？", "更新料は了解しました。支払い方法は？"),
    ],
)
def test_an_acknowledgement_in_front_is_set_aside(engine: Engine, message: str, rest: str) -> None:
    assert after_acknowledgement(engine.kb, message) == rest
