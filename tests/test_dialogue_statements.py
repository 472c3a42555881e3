"""Tests of faqbot.dialogue.statements: messages that tell and ask nothing yet."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.state import initial_state
from faqbot.dialogue.statements import told_not_asked

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("message", "kind", "intent"),
    [
        ("こんにちは、先月引っ越しました", "smalltalk", "greeting"),  # a fact with a predicate
        ("どうも、パソコン買い替えたので古いPCのウイルスバスター クラウドは消しました", "clarify", "greeting"),  # noted
        ("iPhoneを使っています", "clarify", "fallback"),  # a device: its products offered
        ("Hello, I have Virus Buster for Mac", "clarify", "greeting"),  # a greeting, then only a product
        ("こんにちは。質問してもいいですか？", "smalltalk", "greeting"),  # a question announced, whatever its ending
        ("ありがとう。また聞いてもいい？", "smalltalk", "thanks"),  # 「また」 repeats an announcement
    ],
)
def test_a_message_that_tells_is_answered_without_routing(engine: Engine, message: str, kind: str, intent: str) -> None:
    entities = engine.extractor.extract(message, TODAY)
    told = told_not_asked(engine, initial_state(), message, entities, TODAY)
    assert told is not None
    reply, _ = told
    assert (reply.kind, reply.intent) == (kind, intent)


@pytest.mark.parametrize(
    "message",
    [
        "こんにちは、カードの変更",  # keywords name what is asked
        "こんにちは、解約したいです",  # a wish
        "こんにちは、アンインストールしたら自動更新は止まる？",  # a question
        "先月パソコンを買い替えました",  # no greeting: routed as it is
        # A fact the router is sure is an entry's situation (uninstall-not-cancel's 「パソコンを買い替えて
        # 古いほうから製品を消しました…」), calibrated (ninety-sixth rule): answered, not greeted.
        "こんにちは、先月パソコンを買い替えました",
        "すみません、カードが使えません",  # a problem reported (a negation) is the question
        "こんにちは、先月メールアドレスを変えたばかりなんですが",  # the router is sure of it alone
    ],
)
def test_a_message_that_asks_is_left_to_the_router(engine: Engine, message: str) -> None:
    entities = engine.extractor.extract(message, TODAY)
    assert told_not_asked(engine, initial_state(), message, entities, TODAY) is None


def test_after_an_answer_a_greeting_with_a_fact_of_the_contract_is_a_follow_up(engine: Engine) -> None:
    # 「ありがとう、月額でした」 after an answer changes its facts: the follow-up logic takes it.
    message = "ありがとう、年額でした"
    state = replace(initial_state(), last="billing-timing")
    assert told_not_asked(engine, state, message, engine.extractor.extract(message, TODAY), TODAY) is None
