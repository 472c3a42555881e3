"""Reading a message against the last answer: which messages are follow-ups on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.follow_ups import has_slots, is_follow_up
from faqbot.dialogue.state import initial_state

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("last", "message", "follow_up"),
    [
        ("next-billing-date", "月額だったら？", True),  # phrased as one
        ("next-billing-date", "あ、Macでした", True),  # routed to small talk, but it names a product
        ("next-billing-date", "年額じゃなくて月額でした", True),  # a correction
        ("fee-and-period", "モバイルの解約方法を教えてください", False),  # a question of its own
    ],
)
def test_is_follow_up(engine: Engine, last: str, message: str, follow_up: bool) -> None:
    state = replace(initial_state(), last=last)
    entities = engine.extractor.extract(message, TODAY)
    assert has_slots(entities)
    assert is_follow_up(engine, state, message, engine.router.route(message, entities)) is follow_up
