"""Tests of faqbot.text.synonyms.SynonymMap: customer words → the canonical word."""

from __future__ import annotations

import pytest

from faqbot.kb.knowledge import KnowledgeBase
from faqbot.text.normalize import normalize
from faqbot.text.synonyms import SynonymMap

GROUPS = (
    ("クレジットカード", ("クレカ", "カード", "credit card")),
    ("請求", ("引き落とし", "課金")),
    ("解約", ("やめたい", "キャンセル")),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("クレカを変えたい", "くれじつとかどを変えたい"),
        ("ｶｰﾄﾞを変えたい", "くれじつとかどを変えたい"),
        # the canonical word itself is not rewritten through its part カード
        ("クレジットカードを変えたい", "くれじつとかどを変えたい"),
        ("Credit Card change", "くれじつとかどchange"),
        ("引き落としはいつ", "請求はいつ"),
        ("課金と引き落とし", "請求と請求"),
        ("キャンセルしたい", "解約したい"),
        ("自動更新をやめたい", "自動更新を解約"),  # normalize strips the ending after the variant
        ("関係ない文", "関係ない文"),
        ("", ""),
    ],
)
def test_canonicalize(text: str, expected: str) -> None:
    assert SynonymMap(GROUPS).canonicalize(normalize(text)) == expected


def test_first_group_wins_a_variant_listed_twice() -> None:
    synonyms = SynonymMap((("請求", ("charge",)), ("料金", ("charge",))))
    assert synonyms.canonicalize("charge") == "請求"


def test_empty_map_changes_nothing() -> None:
    assert SynonymMap(()).canonicalize("くれか") == "くれか"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("クレカを変更したい", "クレジットカードを変更したい"),
        ("引き落とし日はいつ", "請求日はいつ"),
        ("自動更新をキャンセルしたい", "自動更新を解約したい"),
        ("メアドを変えたい", "メールアドレスを変更"),
    ],
)
def test_shipped_synonyms_make_customer_words_meet(shipped_kb: KnowledgeBase, a: str, b: str) -> None:
    synonyms = SynonymMap(shipped_kb.synonyms)
    assert synonyms.canonicalize(normalize(a)) == synonyms.canonicalize(normalize(b))
