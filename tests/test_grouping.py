"""Grouping by meaning (faqbot.analytics.grouping) on the shipped knowledge base's router."""

from __future__ import annotations

import pytest

from faqbot.analytics.grouping import (
    LABEL_ALTERNATE,
    LABEL_NEW_TOPIC,
    LABEL_OUT_OF_SCOPE,
    SOURCE_FALLBACK,
    SOURCE_THUMBS_DOWN,
    Message,
    find_group,
    group_messages,
)
from faqbot.answers.engine_cache import load_engine
from faqbot.routing.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return load_engine(None).router


def _texts(router: Router, *texts: str) -> list[list[str]]:
    return [[p.text for p in g.phrasings] for g in group_messages([Message(t, SOURCE_FALLBACK) for t in texts], router)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ポイントで払えますか", "ポイント払いはできますか"),  # different words around one content word
        ("ポイントで払えますか", "ポイントで支払いできる？"),  # 払える / 支払い share 払
        ("返金してほしい [カード番号]", "返金してほしいです"),  # the masked placeholder does not split them
        ("請求日はいつ", "請求はいつ"),
    ],
)
def test_wordings_of_one_question_share_a_group(router: Router, first: str, second: str) -> None:
    assert _texts(router, first, second) == [[first, second]]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("返金してほしい", "領収書を発行してほしい"),  # same ending, the engine ranks them alike: different questions
        ("ポイントで払えますか", "解約の連絡先は？"),
        ("今日はいい天気", "返金してほしい"),
    ],
)
def test_different_questions_stay_apart(router: Router, first: str, second: str) -> None:
    assert _texts(router, first, second) == [[first], [second]]


@pytest.mark.parametrize(
    ("text", "label", "entry"),
    [
        ("返金してほしい", LABEL_OUT_OF_SCOPE, "contact"),  # the KB's out-of-scope subjects name refunds
        ("コンビニで払えますか", LABEL_ALTERNATE, "payment-methods"),
        ("解約の連絡先は？", LABEL_ALTERNATE, "contact"),
    ],
)
def test_labels_follow_the_engines_evidence(router: Router, text: str, label: str, entry: str) -> None:
    (group,) = group_messages([Message(text, SOURCE_FALLBACK)], router)
    assert (group.label, group.entry) == (label, entry)


def test_a_message_no_entry_comes_near_is_a_new_topic(router: Router) -> None:
    # Not refused by the out-of-scope examples, and no entry reaches NEAR × the threshold.
    (group,) = group_messages([Message("観葉植物の植え替え時期", SOURCE_FALLBACK)], router)
    assert group.label == LABEL_NEW_TOPIC
    assert group.label_text == "new topic — the FAQ page does not answer this"


def test_counts_sources_masks_and_ids(router: Router) -> None:
    messages = [
        Message("ポイントで払えますか", SOURCE_FALLBACK),
        Message("ポイントで払えますか？", SOURCE_FALLBACK),
        Message("ポイントで払えますか [電話番号]", SOURCE_THUMBS_DOWN),
        Message("返金してほしい", SOURCE_FALLBACK),
    ]
    calls: list[tuple[int, int]] = []
    groups = group_messages(messages, router, progress=lambda done, total: calls.append((done, total)))
    points = groups[0]
    assert (points.count, dict(points.sources)) == (3, {SOURCE_FALLBACK: 2, SOURCE_THUMBS_DOWN: 1})
    assert [(p.text, p.count, p.masked) for p in points.phrasings] == [
        ("ポイントで払えますか", 2, False), ("ポイントで払えますか [電話番号]", 1, True),
    ]
    assert calls == [(1, 3), (2, 3), (3, 3)]  # one call per distinct wording
    assert find_group(groups, points.id) is points and find_group(groups, "2") is groups[1]
    assert find_group(groups, "3") is None and find_group(groups, "gnothere") is None
    # The id depends on the example wording only: the same data gives the same ids.
    assert [g.id for g in group_messages(messages, router)] == [g.id for g in groups]
