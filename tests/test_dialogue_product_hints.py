"""Tests of faqbot.dialogue.product_hints: which products a message hints at, and which one it settles."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.language import in_language
from faqbot.dialogue.product_hints import ProductHint, message_entities, product_hint, settled_product
from faqbot.dialogue.state import initial_state

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "text, hint",
    [
        ("トータルセキュリティ", ProductHint("トータルセキュリティ", ("total-security-standard", "total-security-premium"))),
        ("とーたる せきゅりてぃ", ProductHint("とーたる せきゅりてぃ", ("total-security-standard", "total-security-premium"))),
        # a word of two names inside a longer message
        ("クラウドの年額、期限は2027年3月31日", ProductHint("クラウド", ("virusbuster-cloud", "virusbuster-cloud-dls-premium"))),
        ("ホームネットワーク", ProductHint("ホームネットワーク", ("home-network", "home-network-security"))),
        ("TS", None),  # too short to narrow anything
        ("ピザ", None),
        ("年額で期限は3月31日", None),  # no product word at all
        # the company's and the account's names are in aliases (トレンドマイクロ モバイル), not products' words
        ("トレンドマイクロアカウントにログインできない", None),
        ("Trend Micro Account", None),
        # one English word of a name counts only capitalised, as names are written
        ("Is it free?", None),
        ("What about Cloud?", ProductHint("Cloud", ("virusbuster-cloud", "virusbuster-cloud-dls-premium"))),
        ("what about cloud?", None),
        # a device is in no name but points to the product its keyword groups pair it with
        ("iPhoneを使っています", ProductHint("iPhone", ("mobile",), pointer=True)),
        ("アンドロイドです", ProductHint("アンドロイド", ("mobile",), pointer=True)),
        # ... and narrows the products a word of a name fits
        ("Android版のウイルスバスター", ProductHint("Android", ("mobile",), pointer=True)),
    ],
)
def test_product_hint(engine: Engine, text: str, hint: ProductHint | None) -> None:
    assert product_hint(engine.kb, text) == hint


def test_product_hint_quotes_the_english_name(engine: Engine) -> None:
    # In English the names are the English ones: the run of words of a name is quoted, not an
    # alias written as one word ("TotalSecurity").
    english = in_language(engine, "en").kb
    hint = product_hint(english, "What about Total Security?")
    assert hint == ProductHint("Total Security", ("total-security-standard", "total-security-premium"))


@pytest.mark.parametrize(
    ("text", "current", "settled"),
    [
        ("スタンダードでした", None, "total-security-standard"),  # one product fits
        ("クラウドの年額", None, "virusbuster-cloud"),  # the one name ending with the word
        ("ｸﾗｳﾄﾞです", None, "virusbuster-cloud"),  # half-width
        ("トータルセキュリティ", None, None),  # two fit, neither ends with it: asked
        ("クラウドの年額", "virusbuster-cloud-dls-premium", "virusbuster-cloud-dls-premium"),  # the one named before fits
        # the questions use it on their own (「トータルセキュリティ年額版の課金は…」): no product by itself
        ("トータルセキュリティ", "total-security-premium", None),
        ("パスワード忘れた", None, None),  # 「パスワード」 fits one name, but it is an ordinary word here
        ("プレミアムも同じ？", "total-security-standard", "total-security-premium"),  # shares トータルセキュリティ
        ("プレミアムも同じ？", None, None),  # two premiums: asked
        ("プレミアムも同じ？", "mobile", None),  # shares only ウイルスバスター with both: asked
        ("iPhoneです", None, None),  # a device runs more than one product: asked
    ],
)
def test_settled_product(engine: Engine, text: str, current: str | None, settled: str | None) -> None:
    hint = product_hint(engine.kb, text)
    assert hint is not None
    assert settled_product(engine.kb, hint, current) == settled


def test_message_entities_settle_a_product_named_in_part_after_a_correction(engine: Engine) -> None:
    state = replace(initial_state(), product="total-security-premium")
    assert engine.extractor.extract("あ、プレミアムじゃなくてスタンダードでした", TODAY).product is None
    entities = message_entities(engine, state, "あ、プレミアムじゃなくてスタンダードでした", TODAY)
    assert entities.product == "total-security-standard"
