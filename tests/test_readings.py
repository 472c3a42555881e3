"""Tests of faqbot.text.readings: segment-wise readings equal whole-text readings."""

from __future__ import annotations

import pytest

from faqbot.kb.loader import load_knowledge_base
from faqbot.text import readings as readings_module
from faqbot.text.readings import reading, readings, readings_isolated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("請求書", "せいきゅうしょ"),
        ("解約したい", "かいやくしたい"),
        ("", ""),
    ],
)
def test_reading(text: str, expected: str) -> None:
    assert reading(text) == expected


def test_words_with_kana_between_kanji_are_read_whole() -> None:
    texts = ["更新の案内は何か月前に来ますか", "使い方を教えて", "真っ白になる", "乗っ取られた", "別々にできますか",
             "PDF編集ソフトの表示設定を変更したい", "Mac版 更新料", "ｻﾎﾟｰﾄ ﾏﾄﾞｸﾞﾁ"]
    assert readings(texts) == [reading(t) for t in texts]


@pytest.mark.parametrize("sign", [chr(c) for c in range(0xFF01, 0xFF5F)])
def test_a_full_width_sign_between_words_is_kept_once(sign: str) -> None:
    # pykakasi alone read 「テスト＝解約」 as 「てすとてすとかいやく」 (and likewise with 「；」).
    kept = {"＝": "=", "；": ";"}.get(sign, sign)
    assert reading(f"テスト{sign}解約") == f"てすと{kept}かいやく"
    assert readings([f"テスト{sign}解約"]) == [f"てすと{kept}かいやく"]


def test_segment_readings_match_whole_readings_on_the_shipped_kb() -> None:
    kb = load_knowledge_base()
    texts = [q for e in kb.entries for q in e.questions][::3] + list(kb.out_of_scope)
    assert readings(texts) == [reading(t) for t in texts]


def test_isolated_readings_equal_in_process_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Force the child process even for a few texts; the result must be identical.
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)
    texts = ["請求日はいつですか", "解約したい", "ウイルスバスター for Mac の更新料"]
    assert readings_isolated(texts) == ["せいきゅうにちはいつですか", "かいやくしたい", "ういるすばすたー for Mac のこうしんりょう"]

