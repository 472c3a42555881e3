"""Tests of faqbot.routing.entities: product, plan and expiry in customer text.

Product and plan words come from knowledge/products.yaml; the expected ids are
written by hand from the catalogue (official names, aliases, keyword groups).
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from faqbot.answers.answering import Engine
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.entities import (
    _FUZZY_MIN_SCORE,
    EntityExtractor,
    PointerWord,
    _bigrams,
    _shared_bigrams_needed,
    pointer_words,
)

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def extractor(engine: Engine) -> EntityExtractor:
    return engine.extractor


PRODUCTS = [
    # official names
    ("ウイルスバスター クラウド", "virusbuster-cloud"),
    ("ウイルスバスター クラウド+ デジタルライフサポート プレミアム", "virusbuster-cloud-dls-premium"),
    ("ウイルスバスター トータルセキュリティ スタンダード", "total-security-standard"),
    ("ウイルスバスター トータルセキュリティ プレミアム", "total-security-premium"),
    ("ウイルスバスター モバイル", "mobile"),
    ("ウイルスバスター for Mac", "mac"),
    ("パスワードマネージャー", "password-manager"),
    ("フリーWi-Fiプロテクション", "free-wifi-protection"),
    ("ウイルスバスター for Home Network", "home-network"),
    ("ホームネットワークセキュリティ", "home-network-security"),
    # no spaces, width, kana, latin
    ("ウイルスバスタークラウド", "virusbuster-cloud"),
    ("ｳｲﾙｽﾊﾞｽﾀｰｸﾗｳﾄﾞ", "virusbuster-cloud"),
    ("ういるすばすたーくらうど", "virusbuster-cloud"),
    ("virus buster cloud", "virusbuster-cloud"),
    ("ＶｉｒｕｓＢｕｓｔｅｒ Ｃｌｏｕｄ", "virusbuster-cloud"),
    ("ウイルスバスターforMac", "mac"),
    ("Password Manager", "password-manager"),
    # abbreviations and names customers use (aliases in products.yaml)
    ("バスター", None),
    ("VBC", "virusbuster-cloud"),
    ("VBクラウドの自動更新をやめたい", "virusbuster-cloud"),  # 184th rule
    ("TSプレミアム", "total-security-premium"),
    ("パスマネ", "password-manager"),
    ("HNS", "home-network-security"),
    ("Mac版", "mac"),
    ("トレンドマイクロ モバイル", "mobile"),
    ("wifi プロテクション", "free-wifi-protection"),
    ("デジタルライフサポート", "virusbuster-cloud-dls-premium"),
    # small typos in longer names
    ("フリーWiFiプロテクト", "free-wifi-protection"),
    ("ウイルスバスター クラウト", "virusbuster-cloud"),
    ("パスワードマネジャー", "password-manager"),
    ("トータルセキュリティスタンダートの解約", "total-security-standard"),  # the typo in what tells it apart
    ("ウイルスバスターモバルの解約", "mobile"),
    # ... but not a typo in place of it: 「ういるすばすたつて」 is seven characters of 「ういるすばすたまつく」
    ("ウイルスバスターってなに", None),
    ("ウイルスバスターっていくら", None),
    ("ウイルスバスターって自動更新されるの？", None),
    # keyword groups in any order
    ("プレミアム版トータルセキュリティ", "total-security-premium"),
    ("スタンダードのトータルセキュリティを使っています", "total-security-standard"),
    ("スマホのバスター", "mobile"),
    ("クラウドのウイルスバスターを更新したい", "virusbuster-cloud"),
    # inside a sentence
    ("パスマネの自動更新を止めたい", "password-manager"),
    ("ホームネットワーク セキュリティの請求日", "home-network-security"),
    # longest evidence wins: ホームネットワーク alone is Home Network, with セキュリティ it is HNS
    ("ホームネットワーク", "home-network"),
    # not enough to tell which product
    ("ウイルスバスター", None),
    ("ウイルスバスターを使っています", None),
    ("トータルセキュリティ", None),
    ("プレミアム", None),
    ("クレジットカードを変えたい", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), PRODUCTS)
def test_product(extractor: EntityExtractor, text: str, expected: str | None) -> None:
    assert extractor.product(text) == expected


PLANS = [
    ("月額", "monthly"),
    ("年額", "annual"),
    ("1か月", "monthly"),
    ("1カ月", "monthly"),
    ("1年", "annual"),
    ("毎月", "monthly"),
    ("毎年", "annual"),
    ("monthly", "monthly"),
    ("MONTHLY plan", "monthly"),
    ("annual", "annual"),
    ("yearly", "annual"),
    ("月額版で契約しています", "monthly"),
    ("年額版です", "annual"),
    ("１年契約", "annual"),
    # kana spellings
    ("ねんがく", "annual"),
    ("ネンガクです", "annual"),
    ("げつがくで払ってます", "monthly"),
    ("つきばらい", "monthly"),
    # the last mention wins
    ("年額じゃなくて月額", "monthly"),
    ("月額から年額にした", "annual"),
    # lead times, not plans
    ("1か月前", None),
    ("請求日の1か月前にメールは来る？", None),
    ("1年前に買った", None),
    ("1か月以内", None),
    # a year number is not 「1年」
    ("2021年", None),
    ("2021年に買った", None),
    ("11年", None),
    ("12月", None),
    ("来年", None),
    ("解約したい", None),
]


@pytest.mark.parametrize(("text", "expected"), PLANS)
def test_plan(extractor: EntityExtractor, text: str, expected: str | None) -> None:
    assert extractor.plan(text) == expected


def test_duration_in_years_is_not_a_plan(extractor: EntityExtractor) -> None:
    assert extractor.plan("3年間使っている") is None


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("有効期限は2027年3月31日です", date(2027, 3, 31), "day"),
        ("期限 2027/3/31", date(2027, 3, 31), "day"),
        ("3/31まで", date(2027, 3, 31), "day"),  # next 3/31 after 2026-11-26
        ("12/31まで", date(2026, 12, 31), "day"),
        ("3月末", date(2027, 3, 31), "day"),
        ("来年3月", date(2027, 3, 31), "month"),
        ("令和9年3月31日", date(2027, 3, 31), "day"),
        ("R9.3.31", date(2027, 3, 31), "day"),
        ("２０２７年３月３１日", date(2027, 3, 31), "day"),
        ("March 31, 2027", date(2027, 3, 31), "day"),
    ],
)
def test_expiry_with_explicit_today(
    extractor: EntityExtractor, text: str, expected: date, precision: str
) -> None:
    found = extractor.extract(text, TODAY).expiry
    assert found is not None
    assert (found.value, found.precision) == (expected, precision)


def test_relative_dates_follow_today(extractor: EntityExtractor) -> None:
    assert extractor.extract("3月末", date(2027, 5, 1)).expiry_date == date(2028, 3, 31)
    assert extractor.extract("来年3月", date(2027, 5, 1)).expiry_date == date(2028, 3, 31)


@pytest.mark.parametrize("text", ["期限はわからない", "2027-02-30", "解約したい"])
def test_no_expiry(extractor: EntityExtractor, text: str) -> None:
    assert extractor.extract(text, TODAY).expiry is None


def test_extract_all_at_once(extractor: EntityExtractor) -> None:
    e = extractor.extract("バスタークラウド 年額 期限2027年3月31日", TODAY)
    assert (e.product, e.plan, e.expiry_date) == ("virusbuster-cloud", "annual", date(2027, 3, 31))


def test_extractor_reads_only_the_kb(min_kb: KnowledgeBase) -> None:
    extractor = EntityExtractor(min_kb)
    assert extractor.product("アルファを使っています") == "alpha"
    assert extractor.product("Security by Alpha") == "alpha"  # keyword group, any order
    assert extractor.product("ウイルスバスター クラウド") is None  # not in this catalogue
    assert extractor.plan("毎月払い") is None  # 毎月 is not an alias here
    assert extractor.plan("年額") == "annual"


# A small alphabet makes shared characters (and near-misses) common.
_KANA = st.sampled_from(list("あいうえおかきくけこさしすせそ"))


@settings(max_examples=400, deadline=None)
@given(
    name=st.text(_KANA, min_size=7, max_size=14),
    text=st.text(_KANA, min_size=0, max_size=30),
    at=st.integers(min_value=0, max_value=30),
    edit=st.integers(min_value=0, max_value=13),
)
def test_a_name_the_fuzzy_match_accepts_always_shares_a_bigram(name: str, text: str, at: int, edit: int) -> None:
    # The bigram prefilter must never hide a name rapidfuzz would accept: embed the name with one
    # character changed in random text, and whenever partial_ratio reaches the cut-off, a bigram is shared.
    typo = name[:edit] + ("ん" if edit < len(name) else "") + name[edit + 1 :]
    haystack = text[:at] + typo + text[at:]
    if len(name) <= len(haystack) and fuzz.partial_ratio(name, haystack) >= _FUZZY_MIN_SCORE:
        assert not _bigrams(name).isdisjoint(_bigrams(haystack))


@pytest.mark.parametrize(
    ("text", "product", "plan"),
    [
        ("モバイルじゃなくてクラウドでした", None, None),  # 「クラウド」 alone names two products
        ("モバイルではなく、Macです", "mac", None),
        ("年額じゃなくて月額", None, "monthly"),
        ("ウイルスバスター モバイルの年額", "mobile", "annual"),  # no correction: all of it is read
    ],
)
def test_a_correction_is_read_after_its_wrong_value(
    extractor: EntityExtractor, text: str, product: str | None, plan: str | None
) -> None:
    found = extractor.extract(text, TODAY)
    assert (found.product, found.plan) == (product, plan)


@pytest.mark.parametrize(
    ("text", "plans"),
    [
        ("年額と月額の違いは？", {"annual", "monthly"}),
        ("月額版です", {"monthly"}),
        ("請求日の1か月前", set()),  # a lead time, not a plan
    ],
)
def test_plans_named(extractor: EntityExtractor, text: str, plans: set[str]) -> None:
    assert extractor.plans_named(text) == plans


# -- the shared-bigram count lets through every name that can reach the cut-off ---------------

def _unfiltered(extractor: EntityExtractor) -> EntityExtractor:
    """The same extractor with no bigram pre-filter: rapidfuzz scores every name that fits in the text."""
    plain = copy.copy(extractor)
    plain._fuzzy_names = tuple((pos, name, grams, 0, rep) for pos, name, grams, _, rep in extractor._fuzzy_names)
    return plain


def _typed(name: str, edits: list[tuple[int, int, str]]) -> str:
    """``name`` with a few edits: (kind, position, character); kind 0 replaces, 1 deletes, 2 inserts."""
    chars = list(name)
    for kind, at, ch in edits:
        i = at % max(len(chars), 1)
        if kind == 0 and chars:
            chars[i] = ch
        elif kind == 1 and len(chars) > 1:
            del chars[i]
        else:
            chars.insert(i, ch)
    return "".join(chars)


@settings(max_examples=400, deadline=None)
@given(
    st.data(),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40), st.sampled_from(list("ーアイスタのをクラウド製品 "))), max_size=3),
    st.sampled_from(["", "を使っています。", "の自動更新を止めたい", "について教えて"]),
    st.sampled_from(["", "こんにちは、", "すみません "]),
)
def test_the_bigram_pre_filter_finds_the_same_products_as_scoring_every_name(
    extractor: EntityExtractor, data: st.DataObject, edits: list[tuple[int, int, str]], after: str, before: str
) -> None:
    name = data.draw(st.sampled_from([name for _, name, *_ in extractor._fuzzy_names]))
    text = before + _typed(name, edits) + after
    assert extractor.product(text) == _unfiltered(extractor).product(text)


@pytest.mark.parametrize("length", range(7, 60))
def test_the_needed_shared_bigrams_never_exceed_what_the_cut_off_allows(length: int) -> None:
    # M, the fewest characters matched at a score of 87 (2·M / (L + w) with w ≥ M, w ≤ L), and the
    # shared bigram positions it guarantees: the filter may ask for no more than that.
    fewest = next(m for m in range(length + 1) if any(200 * m / (length + w) >= _FUZZY_MIN_SCORE for w in range(m, length + 1)))
    assert 1 <= _shared_bigrams_needed(length) <= max(1, 3 * fewest - 1 - 2 * length)


def test_pointer_words_are_the_keyword_words_in_no_name(shipped_kb: KnowledgeBase) -> None:
    # products.yaml pairs devices with a name ([ウイルスバスター, iPhone]); every other keyword word
    # is part of some product's name or alias (モバイル, トータルセキュリティ, パスワード…).
    assert set(pointer_words(shipped_kb)) == {
        PointerWord("すまほ", "スマホ", ("mobile",)),
        PointerWord("iphone", "iPhone", ("mobile",)),
        PointerWord("android", "Android", ("mobile",)),
        PointerWord("あんどろいど", "アンドロイド", ("mobile",)),
    }


@pytest.mark.parametrize(
    ("text", "expiry"),
    [
        # products.yaml's other_expiries: a date said of the card is the card's (112th rule)
        ("カードの有効期限が2027年1月です。自動更新は続きますか", None),
        ("カードが来月切れる", None),
        ("My credit card expires next month, what should I do?", None),
        ("My card's expiry date is March 2027", None),
        # ... but the licence's date stays, with the card elsewhere in the message
        ("クレジットカードで年額払い、有効期限は2027年3月31日", date(2027, 3, 31)),
        ("カードを変えたいです。期限は2027年3月31日です", date(2027, 3, 31)),
        ("有効期限が12月31日の年額契約です。いつカードに請求が来ますか", date(2026, 12, 31)),
    ],
)
def test_a_date_said_of_the_card_is_no_licence_expiry(extractor: EntityExtractor, text: str, expiry: date | None) -> None:
    assert extractor.extract(text, date(2026, 12, 5)).expiry_date == expiry
