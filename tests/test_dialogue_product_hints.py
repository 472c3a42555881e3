"""Tests of faqbot.dialogue.product_hints: which products a message hints at, and which one it settles."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue import product_hints
from faqbot.dialogue.language import in_language
from faqbot.dialogue.product_hints import ProductHint, message_entities, product_hint, settled_product
from faqbot.dialogue.state import initial_state
from faqbot.kb import SHIPPED_KB
from faqbot.kb.entry_table import EntryTable
from faqbot.kb.loader import load_knowledge_base

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


def test_a_hint_reads_no_entry_until_a_name_word_might_be_an_ordinary_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # A packed knowledge base (as a cached engine holds it) decodes an entry on each read: reading
    # every question for the ordinary-word check cost a one-shot billing question 0.06 s at 10k
    # entries, though that check is wanted only for a word of a product's name.
    kb = load_knowledge_base(SHIPPED_KB)
    kb.pack_entries()
    monkeypatch.setattr(product_hints, "_NAMES", {})  # made afresh here, not by an earlier test
    monkeypatch.setattr(product_hints, "_UNNAMED", {})
    reads: list[int] = []
    decode = EntryTable._decode
    monkeypatch.setattr(EntryTable, "_decode", lambda self, data: reads.append(1) or decode(self, data))
    assert product_hint(kb, "請求日はいつですか") is None
    assert product_hint(kb, "iPhoneを使っています") == ProductHint("iPhone", ("mobile",), pointer=True)
    assert reads == []
    hint = product_hint(kb, "パスワード忘れた")
    assert hint is not None
    assert settled_product(kb, hint, None) is None  # 「パスワード」 is used outside names: read now
    assert len(reads) == len(kb.entries)
