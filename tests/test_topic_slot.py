"""The topic-slot rule: an unknown noun in a known action's argument refuses; context does not."""

from __future__ import annotations

import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.router import DECISION_FALLBACK
from faqbot.routing.topic_slot import SlotFinding, context_nouns, unknown_argument
from faqbot.text.analysis import words

KNOWN = {"更新", "変更", "請求", "カード", "料", "期限", "契約", "自動", "延ばす", "サービス", "手続き"}


def knows(lemma: str, reading: str) -> bool:
    return lemma in KNOWN


def weight(lemma: str, reading: str) -> float:
    return 1.0


def test_an_unknown_noun_before_a_known_action_is_a_new_topic() -> None:
    found = unknown_argument(words("パスポートの更新はどこでできますか"), knows, weight)
    assert found == SlotFinding("パスポート", "の", "更新")
    assert unknown_argument(words("住所を変更したい"), knows, weight) == SlotFinding("住所", "を", "変更")


@pytest.mark.parametrize(
    "message",
    [
        "息子の更新料はいくら",  # a person: whose renewal, not what is renewed
        "先月の請求が来た",  # a time
        "クレジットカードの変更",  # the compound's head is known
        "iPadの契約期限を自動で延ばしてくれるサービス",  # anchored by more known words than the noun weighs
        "パスポートを持って旅行",  # 持つ is not an action noun
    ],
)
def test_context_and_anchored_messages_are_not_a_new_topic(message: str) -> None:
    assert unknown_argument(words(message), knows, weight) is None


def test_the_people_list_is_shipped() -> None:
    nouns = context_nouns()
    assert {"息子", "妻", "会社"} <= nouns and len(nouns) >= 40


def test_every_listed_noun_is_one_word_the_rule_can_see() -> None:
    # The rule compares one MeCab word's lemma with the list: a compound (家族全員, 従業員) or a
    # non-lemma spelling would never match.
    unseen = [n for n in sorted(context_nouns()) if [w.lemma for w in words(n)] != [n]]
    assert unseen == []


@pytest.mark.parametrize("query", ["パスポートの更新はどこでできますか", "高速バスの予約をキャンセルしたい"])
def test_the_shipped_router_refuses_near_domain_messages(engine: Engine, query: str) -> None:
    assert engine.router.route(query).decision == DECISION_FALLBACK


@pytest.mark.parametrize("query", ["息子のクレジットカードの変更方法", "先月の請求について", "iPadの自動更新を解約したい"])
def test_the_shipped_router_still_answers_in_scope_messages_with_context(engine: Engine, query: str) -> None:
    assert engine.router.route(query).decision != DECISION_FALLBACK
