"""Tests of faqbot.terminal.typography: Japanese line breaking (kinsoku) and OSC 8 links."""

from __future__ import annotations

import pytest
from prompt_toolkit.utils import get_cwidth

from faqbot.terminal.typography import NO_LINE_END, NO_LINE_START, hyperlinks_supported, osc8, wrap, wrap_line

SUPPORT = (
    "申し訳ありません。うまくお答えできていないようです。お手数ですが、サポート窓口 (お問い合わせ窓口) へ"
    "お問い合わせください。担当者が個別にご案内します。サポート窓口の電話番号・受付時間・お問い合わせフォームは、"
    "このご案内の元になっているよくあるご質問のページには記載がありません。"
)
CARD = (
    "- 入力漏れやクレジットカード内容が異なる場合など、また何等かの理由によりクレジットカード会社から決済承認を"
    "得られなかった場合は、電話などでご確認のご連絡をさせていただく場合がございますのであらかじめご了承下さい。"
)
ENGLISH = "The FAQ page these answers come from gives no phone number, hours or contact form for the support desk."


def _width(text: str) -> int:
    return sum(get_cwidth(ch) for ch in text)


@pytest.mark.parametrize("text", [SUPPORT, CARD, ENGLISH, "「2027年2月30日」という日付はありません（その月は28日までです）。"])
@pytest.mark.parametrize("width", [20, 31, 40, 72, 80])
def test_lines_fit_and_keep_kinsoku(text: str, width: int) -> None:
    lines = wrap_line(text, width)
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    for line in lines:
        # Closing punctuation may hang one column past the edge rather than start a line.
        assert _width(line) <= width + 2, (width, line)
        assert line.strip()[0] not in NO_LINE_START, lines
        assert line.rstrip()[-1] not in NO_LINE_END, lines


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        # Phrases stay whole: no line ends inside お問い合わせ or starts with 。
        ("サポート窓口へお問い合わせください。担当者が個別にご案内します。", 30,
         ["サポート窓口へお問い合わせ", "ください。担当者が個別に", "ご案内します。"]),
        # A list item's continuation lines are indented under its text.
        ("- 弊社があんしん自動更新のサービス提供を終了した場合", 30, ["- 弊社があんしん自動更新の", "  サービス提供を終了した場合"]),
        ("Please contact the support desk today.", 20, ["Please contact the", "support desk today."]),
        ("短い行", 80, ["短い行"]),
    ],
)
def test_wrap_line_examples(text: str, width: int, expected: list[str]) -> None:
    assert wrap_line(text, width) == expected


def test_a_word_budoux_cuts_in_two_stays_whole() -> None:
    # BudouX's model cuts いくつか into いく|つか; a line must not break inside it.
    text = "トレンドマイクロからのご請求に身に覚えがない場合は、お客さま情報などいくつか確認事項がございます"
    assert all("いく" not in line or "いくつか" in line for line in wrap_line(text, 72))


@pytest.mark.parametrize("width", [20, 40, 72])
def test_no_line_starts_with_a_space(width: int) -> None:
    text = "We will work out your next billing date (approximate) from your plan and expiry date. " * 2
    assert not any(line.startswith(" ") for line in wrap_line(text, width))


def test_wrap_keeps_existing_line_breaks() -> None:
    assert wrap("一行目\n\n三行目", 40) == "一行目\n\n三行目"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"TERM": "xterm-256color"}, False),
        ({"TERM_PROGRAM": "iTerm.app"}, True),
        ({"TERM": "xterm-kitty"}, True),
        ({"VTE_VERSION": "7200"}, True),
        ({"VTE_VERSION": "4200"}, False),
        ({"TERM_PROGRAM": "iTerm.app", "FAQBOT_HYPERLINKS": "0"}, False),
        ({"FAQBOT_HYPERLINKS": "1"}, True),
    ],
)
def test_hyperlinks_supported(environ: dict[str, str], expected: bool) -> None:
    assert hyperlinks_supported(environ) is expected


def test_osc8_sequences() -> None:
    assert osc8("https://example.com/") == "\x1b]8;;https://example.com/\x1b\\"
    assert osc8("") == "\x1b]8;;\x1b\\"
