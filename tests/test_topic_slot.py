"""The topic-slot rule: an unknown noun in a known action's argument refuses; context does not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.topic_slot import (
    SlotFinding,
    aspect_nouns,
    context_nouns,
    unknown_argument,
    unknown_head,
    unknown_modifier,
)
from faqbot.routing.verdict import DECISION_FALLBACK
from faqbot.text.analysis import words

KNOWN = {"更新", "変更", "請求", "カード", "料", "期限", "契約", "自動", "延ばす", "サービス", "手続き", "確認", "方法", "見直す"}


def knows(lemma: str, reading: str) -> bool:
    return lemma in KNOWN


def weight(lemma: str, reading: str) -> float:
    return 1.0


def test_an_unknown_noun_before_a_known_action_is_a_new_topic() -> None:
    found = unknown_argument(words("パスポートの更新はどこでできますか"), knows, weight)
    assert found == SlotFinding("パスポート", "の", "更新")
    assert unknown_argument(words("住所を変更したい"), knows, weight) == SlotFinding("住所", "を", "変更")


def test_nouns_compounded_after_the_action_are_not_an_anchor() -> None:
    # 「手続き」 says what about the renewal is asked; the renewal is still the licence's.
    found = unknown_argument(words("免許の更新手続き"), knows, weight)
    assert found == SlotFinding("免許", "の", "更新")


def test_the_action_may_sit_inside_a_noun_compound() -> None:
    # 自動 says how; the domain is still what is renewed.
    found = unknown_argument(words("ドメインの自動更新"), knows, weight)
    assert found == SlotFinding("ドメイン", "の", "更新")


def test_the_phrase_runs_on_through_no() -> None:
    # 「確認方法」 is what about the insurance's contract is asked: no anchor elsewhere.
    found = unknown_argument(words("保険の契約の確認方法"), knows, weight)
    assert found == SlotFinding("保険", "の", "契約")


def test_the_verb_taking_the_phrase_is_no_anchor() -> None:
    assert unknown_argument(words("保険の契約を見直したい"), knows, weight) == SlotFinding("保険", "の", "契約")


def test_a_verb_after_another_particle_still_anchors() -> None:
    # 「で」 does not make the phrase the verb's object: 見直す stays an anchor and outweighs 保険.
    assert unknown_argument(words("保険の契約で見直したい"), knows, weight) is None


@pytest.mark.parametrize("device", ["iPad", "スマホ", "Windows", "法人"])
def test_a_device_or_an_organisation_is_context_not_a_topic(device: str) -> None:
    assert unknown_argument(words(f"{device}の更新"), knows, weight) is None


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


def test_an_unknown_noun_a_known_noun_owns_is_the_topic() -> None:
    # The slot with the roles swapped: the card is known, its PIN is what is asked about.
    assert unknown_head(words("カードの暗証番号を忘れた"), knows, weight) == SlotFinding("暗証", "の", "カード")
    assert unknown_head(words("契約の違約金を払う"), knows, weight) == SlotFinding("違約", "の", "契約")


@pytest.mark.parametrize(
    "message",
    [
        "カードの有効期限",  # every word known (期限)
        "契約の概要を知りたい",  # 概要 asks about the contract (aspect_nouns.yaml)
        "息子の暗証番号",  # the owner is a person, not a known noun
        "カードの暗証番号で契約を更新したい",  # the message says more in known words than 暗証 weighs
    ],
)
def test_known_heads_aspects_and_anchored_messages_are_not_an_unknown_head(message: str) -> None:
    assert unknown_head(words(message), knows, weight) is None


def test_the_people_list_is_shipped() -> None:
    nouns = context_nouns()
    assert {"息子", "妻", "会社"} <= nouns and len(nouns) >= 40


@pytest.mark.parametrize("listed", [context_nouns, aspect_nouns])
def test_every_listed_noun_is_one_word_the_rule_can_see(listed: Callable[[], frozenset[str]]) -> None:
    # The rules compare one MeCab word's lemma with the list: a compound (家族全員, 注意点) or a
    # non-lemma spelling would never match.
    nouns = listed()
    unseen = [n for n in sorted(nouns) if [w.lemma for w in words(n)] != [n]]
    assert len(nouns) >= 40 and unseen == []


@pytest.mark.parametrize(
    "query",
    [
        "パスポートの更新はどこでできますか",
        "高速バスの予約をキャンセルしたい",
        "保険の契約内容を確認したい",
        "Netflixの自動更新を解除したい",
        "カードの利用限度額を知りたい",
    ],
)
def test_the_shipped_router_refuses_near_domain_messages(engine: Engine, query: str) -> None:
    assert engine.router.route(query).decision == DECISION_FALLBACK


@pytest.mark.parametrize(
    "query",
    [
        "息子のクレジットカードの変更方法",
        "先月の請求について",
        "iPadの自動更新を解約したい",
        "タブレットの契約内容を確認したい",
        "息子のパソコンの自動更新を止めたい",
        "あんしん自動更新の仕組みの概要",
    ],
)
def test_the_shipped_router_still_answers_in_scope_messages_with_context(engine: Engine, query: str) -> None:
    assert engine.router.route(query).decision != DECISION_FALLBACK


@pytest.mark.parametrize(
    ("message", "noun"),
    [("Excelの使い方を教えて", "excel"), ("住民票の取り方", "票"), ("スマホの使い方を教えて", None), ("使い方を教えて", None),
     ("カードの使い方", None), ("今日の天気", None)],
)
def test_an_unknown_modifier_is_named(message: str, noun: str | None) -> None:
    # スマホ is a device (context), カード is known, 今日 is a time.
    assert unknown_modifier(words(message), lambda lemma, reading: lemma in {"カード", "使う", "方", "教える"}) == noun
