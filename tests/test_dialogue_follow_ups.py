"""Reading a message against the last answer: which messages are follow-ups on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.follow_ups import has_slots, is_follow_up, names_only_slots
from faqbot.dialogue.state import initial_state

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("last", "message", "follow_up"),
    [
        ("next-billing-date", "月額だったら？", True),  # phrased as one
        ("next-billing-date", "あ、Macでした", True),  # routed to small talk, but it names a product
        ("next-billing-date", "年額じゃなくて月額でした", True),  # a correction
        ("fee-and-period", "モバイルの解約方法を教えてください", False),  # a question of its own
        # Refused by the router: a correction or a fact is a follow-up, a new thing is not.
        ("cancel-howto", "ごめん、Macのほうだった", True),
        ("cancel-howto", "ﾏｯｸ ﾉ ﾎｳ ﾃﾞｼﾀ", True),  # katakana: no parts of speech to read a new thing from
        ("cancel-howto", "Macの領収書はどこでもらえる？", False),
        ("fee-and-period", "モバイルの動作が重いんだけど", False),
    ],
)
def test_is_follow_up(engine: Engine, last: str, message: str, follow_up: bool) -> None:
    state = replace(initial_state(), last=last)
    entities = engine.extractor.extract(message, TODAY)
    assert has_slots(entities)
    assert is_follow_up(engine, state, message, engine.router.route(message, entities)) is follow_up


@pytest.mark.parametrize(
    ("message", "named_only"),
    [
        ("トータルセキュリティです", True),
        ("月額は？", True),
        ("I use a Mac", True),  # Mac is a name even though it is also a device (context noun)
        ("会社のPCにトータルセキュリティ スタンダードを入れてます", True),  # 会社, PC: whose and where
        ("iPhoneを使っています", True),  # a device pointing to a product counts as naming it
        ("会社のPCです", False),  # whose and where, but no product
        ("パスワードを忘れた", False),  # 忘れる says something
        ("モバイルの更新料は？", False),  # asks the fee
    ],
)
def test_names_only_slots(engine: Engine, message: str, named_only: bool) -> None:
    assert names_only_slots(engine, message) is named_only


@pytest.mark.parametrize("message", ["ごめん、Macのほうだった", "Macの領収書はどこでもらえる？", "モバイルの動作が重いんだけど"])
def test_the_refused_cases_above_are_refused(engine: Engine, message: str) -> None:
    # What test_is_follow_up's refused rows stand on: the router alone answers none of them.
    assert engine.router.route(message, engine.extractor.extract(message, TODAY)).decision != "answer"
