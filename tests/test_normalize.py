"""Tests of faqbot.text.normalize: the canonical matching form of customer text.

Every expected value is written by hand from the rules in the module docstring:
NFKC width folding, case folding, katakana→hiragana, small kana→full size,
long-vowel marks dropped, punctuation/emoji/spaces dropped, polite endings stripped.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from faqbot.text.normalize import (
    _FOLD_FOR_MATCHING,
    has_kanji,
    is_kana_text,
    katakana_to_hiragana,
    normalize,
    normalize_term,
)

# (input, expected normalize(input))
TABLE = [
    # full/half width and kana folding: ｶｰﾄﾞ, カード, かーど all meet at かど
    ("ｶｰﾄﾞ", "かど"),
    ("カード", "かど"),
    ("かーど", "かど"),
    ("ｸﾚｼﾞｯﾄｶｰﾄﾞ", "くれじつとかど"),
    ("クレジットカード", "くれじつとかど"),
    ("ｷｬﾝｾﾙ", "きやんせる"),
    ("ＡＢＣ", "abc"),
    ("１２３", "123"),
    ("ＷｉＦｉ", "wifi"),
    ("Wi-Fi", "wifi"),
    # katakana → hiragana
    ("ウイルスバスター", "ういるすばすた"),
    ("ヴ", "ゔ"),
    # long vowels and wave dashes
    ("メール", "める"),
    ("めーる", "める"),
    ("ちょっと〜", "ちよつと"),
    # small kana → full size
    ("ぁぃぅぇぉ", "あいうえお"),
    ("ァィゥェォ", "あいうえお"),
    ("1ヵ月", "1か月"),
    ("1カ月", "1か月"),
    # punctuation, brackets, emoji, spaces, tabs, newlines, zero-width characters
    ("「解約」、", "解約"),
    ("解約したい😀", "解約したい"),
    ("解 約　し た い", "解約したい"),
    ("a b\tc\nd", "abcd"),
    ("\u200b解約", "解約"),
    ("？？？", ""),
    ("", ""),
    # case
    ("Hello World", "helloworld"),
    ("CANCEL", "cancel"),
    ("ß", "ss"),
    # kanji and 々 are letters and stay
    ("日々", "日々"),
    # polite endings
    ("解約したいです！", "解約したい"),
    ("請求日はいつですか？", "請求日はいつ"),
    ("教えてください", "教えて"),
    ("変更したいのですが", "変更したい"),
    ("いつですかね", "いつ"),
    ("確認お願いします", "確認"),
    # "tell me about X" asks about X (138th rule)
    ("解約について教えてください", "解約"),
    ("更新料について知りたいです", "更新料"),
    ("支払い方法のことを教えて", "支払い方法"),
    ("解約について", "解約"),
    # …and "I have a question about X" (141st rule)
    ("更新料のことで相談があります", "更新料"),
    ("カードの変更の件で問い合わせたいです", "かどの変更"),
    ("支払い方法についての質問です", "支払い方法"),
    ("解約に関して質問があります", "解約"),
    ("解約について詳しく", "解約"),
    # …and "it's about X…" (163rd and 164th rules), whichever ending goes first
    ("自動更新のことなんですが", "自動更新"),
    ("解約のことなんですけど", "解約"),
    ("更新料の件なんですが", "更新料"),
    ("この件", "この件"),  # two characters are always left
    # English puts the frame in front (145th rule)
    ("Tell me about cancellation", "cancellation"),
    ("I'd like to know about the renewal fee", "renewalfee"),  # and the article after it (149th rule)
    ("the renewal fee", "renewalfee"),
    ("There is a charge", "thereisacharge"),  # a word, not the article
    ("Tell me", "tellme"),  # an opening alone is not stripped to nothing
    # …and a connective in front of them (169th rule)
    ("And the fee?", "fee"),
    ("So, tell me about the renewal fee", "renewalfee"),
    ("by the way the fee", "fee"),
    ("Andrew", "andrew"),  # a word that starts like one
    ("And?", "and"),  # a connective alone is kept
    ("hmm, and the fee?", "fee"),  # a run of them (174th rule)
    ("so and", "and"),  # the last one left: it is followed by no space
    ("解約できます", "解約でき"),
    # …but negation changes what is asked: 「できません」 must not become 「できます」
    ("解約できません", "解約できません"),
    ("カードが使えませんか", "かどが使えません"),
    # …but a question made only of an ending keeps two characters
    ("です", "です"),
    ("ですか", "です"),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_normalize_table(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_normalize_is_idempotent_on_the_table(text: str, expected: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


TRICKY = [
    "ですかですか",
    "ねかね",
    "かなかな",
    "ｶﾞｷﾞｸﾞ",
    "か゛",
    "か\u3099",
    "İstanbul",
    "ﬁle",
    "㍻",
    "①②③",
    "ｰｰｰ",
    "〜〜ですよね〜",
    "ください下さい",
    "ゖヶヵ",
    "😀😀😀",
    "のでしょうか",
    "𠮷野家",
    "\u3000\u200b\ufeff",
]


@pytest.mark.parametrize("text", TRICKY)
def test_normalize_is_idempotent_on_tricky_strings(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("variants"),
    [
        ("ｶｰﾄﾞ", "カード", "かーど", "カ－ド"),
        ("クレジットカード", "ｸﾚｼﾞｯﾄｶｰﾄﾞ", "くれじっとかーど"),
        ("ABC", "ＡＢＣ", "abc", "ａｂｃ"),
        ("解約したい", "解約したいです", "解約したいです。", "解約 したい！"),
    ],
)
def test_spellings_of_one_word_meet(variants: tuple[str, ...]) -> None:
    assert len({normalize(v) for v in variants}) == 1


def test_ke_small_is_read_ka_like_the_module_says() -> None:
    assert normalize("1ヶ月") == "1か月"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("請求日はいつでしょうか", "請求日はいつ"), ("解約できるのでしょうか", "解約できる")],
)
def test_polite_endings_with_small_kana_are_stripped(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("止めたい", "止めたい"),  # normalize would not strip this either, but terms keep endings
        ("解約したいです", "解約したいです"),
        ("ｷｬﾝｾﾙ", "きやんせる"),
        ("Wi-Fi プロテクション", "wifiぷろてくしよん"),
        ("TSプレミアム", "tsぷれみあむ"),
    ],
)
def test_normalize_term_keeps_endings(text: str, expected: str) -> None:
    assert normalize_term(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("アイウエオ", "あいうえお"), ("ヴァ", "ゔぁ"), ("漢字とABC", "漢字とABC"), ("ー", "ー")],
)
def test_katakana_to_hiragana(text: str, expected: str) -> None:
    assert katakana_to_hiragana(text) == expected


@pytest.mark.parametrize(
    ("text", "kanji", "kana"),
    [
        ("せいきゅうび", False, True),
        ("請求日", True, False),
        ("請求び", True, False),
        ("abc", False, False),
        ("", False, False),
        # The ranges' edges: extension A, the unified block, the compatibility block.
        ("\u33ff", False, False), ("\u3400", True, False), ("\u4dbf", True, False), ("\u4dc0", False, False),
        ("\u4e00", True, False), ("\u9fff", True, False), ("\ua000", False, False),
        ("\uf8ff", False, False), ("\uf900", True, False), ("\ufaff", True, False), ("\ufb00", False, False),
        ("\U0001f600あ", False, True), ("ｶｲﾔｸ", False, False), ("か\u9fff", True, False),
    ],
)
def test_has_kanji_and_is_kana_text(text: str, kanji: bool, kana: bool) -> None:
    assert has_kanji(text) is kanji
    assert is_kana_text(text) is kana


def test_the_folding_table_remembers_only_the_basic_plane() -> None:
    # Customers can type any of a million code points; the per-character table must not grow with them.
    assert normalize_term("𠮷野家のカード🙂") == "𠮷野家のかど"  # astral letters kept, emoji dropped
    assert ord("𠮷") not in _FOLD_FOR_MATCHING and ord("🙂") not in _FOLD_FOR_MATCHING
    assert _FOLD_FOR_MATCHING[ord("カ")] == ord("か") and _FOLD_FOR_MATCHING[ord("ー")] is None


def test_the_endings_table_is_read_by_the_first_normalize_not_by_the_import() -> None:
    # data/endings.yaml: the analysis children import the module only to fold kana, and never load PyYAML.
    probe = (
        "import sys, faqbot.text.normalize as n\n"
        "imported = 'yaml' in sys.modules\n"
        "print(imported, n.normalize('Can you tell me about the renewal fee?'), 'yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "renewalfee", "True"]
