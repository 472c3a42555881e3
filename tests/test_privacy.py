"""mask_personal_data: card numbers, e-mail addresses and phone numbers go; the rest stays."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.text.privacy import (
    _nothing_to_mask,
    _screen_normalised,
    contains_card_number,
    luhn_valid,
    mask_personal_data,
    normalise,
    screen,
)

CARD, EMAIL, PHONE = "[カード番号]", "[メールアドレス]", "[電話番号]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # card numbers: 13–19 digits, Luhn-valid, any grouping
        ("カード番号は4111111111111111です", f"カード番号は{CARD}です"),
        ("4111 1111 1111 1111", CARD),
        ("4111-1111-1111-1111 で払いました", f"{CARD} で払いました"),
        ("４１１１　１１１１　１１１１　１１１１", CARD),  # full-width digits and space
        ("４１１１－１１１１－１１１１－１１１１", CARD),  # full-width hyphen
        ("5555555555554444", CARD),  # Mastercard test number
        ("AMEX 3782 822463 10005", f"AMEX {CARD}"),  # 15 digits, 4-6-5
        ("4222222222222", CARD),  # 13 digits
        ("番号 4111111111111111 期限 12/27", f"番号 {CARD} 期限 12/27"),
        ("4111 1111 1111 1111 2027", f"{CARD} 2027"),  # a year typed after the card stays
        # every separator and width a probe found getting through (issue 14)
        ("4111.1111.1111.1111", CARD),
        ("４１１１．１１１１．１１１１．１１１１", CARD),
        ("4111/1111/1111/1111", CARD),
        ("4111,1111,1111,1111", CARD),
        ("4111_1111_1111_1111", CARD),
        ("4111  1111  1111  1111", CARD),  # double spaces
        ("4111\u00a01111\u00a01111\u00a01111", CARD),  # no-break space
        ("4111\u20091111\u20091111\u20091111", CARD),  # thin space
        ("4111\u200b1111\u200b1111\u200b1111", CARD),  # zero-width space
        ("4111 - 1111 - 1111 - 1111 です", f"{CARD} です"),
        ("\u0664\u0661\u0661\u0661111111111111", CARD),  # Arabic-Indic digits
        ("番号: 4111\uff0f1111\uff0f1111\uff0f1111。", f"番号: {CARD}。"),
        # a long unfinished number after a card word is masked on its own
        ("カード番号は4111 1111", f"カード番号は{CARD}"),
        ("カードの下4桁は1234", "カードの下4桁は1234"),  # four digits: kept
        # e-mail addresses
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ です", f"{EMAIL} です"),
        ("taro @ example.com", EMAIL),
        ("taro.yamada@example.co.jp に送って", f"{EMAIL} に送って"),
        ("メールはtaro+vb@example.com", f"メールは{EMAIL}"),
        ("hanako＠example.jp", EMAIL),  # full-width at sign
        # phone numbers
        ("電話は03-1234-5678です", f"電話は{PHONE}です"),
        ("090-1234-5678", PHONE),
        ("080 1234 5678", PHONE),
        ("09012345678", PHONE),
        ("0312345678", PHONE),
        ("0120-123-456", PHONE),
        ("0570-012-345", PHONE),
        ("03(1234)5678", PHONE),
        ("+81-90-1234-5678", PHONE),
        ("+81 3 1234 5678", PHONE),
        ("+81312345678", PHONE),
        ("０９０－１２３４－５６７８", PHONE),
        ("090.1234.5678", PHONE),
        ("０９０．１２３４．５６７８", PHONE),
        ("090 1234 5678", PHONE),
        ("090/1234/5678", PHONE),
        # several at once
        (
            "カード4111111111111111、連絡先 090-1234-5678 / a@example.com",
            f"カード{CARD}、連絡先 {PHONE} / {EMAIL}",
        ),
    ],
)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "注文番号 1234567890123",  # 13 digits, not Luhn-valid
        "ご注文番号: TM-2026-0012345",
        "注文番号: TM-0312345678",  # a code that looks like a number after a hyphen
        "4111 1111 1111 1112",  # one digit off: Luhn fails
        "1234-5678-9012-3456",
        "有効期限は2027-03-31です",
        "2027年3月31日に請求されますか",
        "2027/03/31",
        "更新料は5,280円ですか",
        "¥12,345,678",
        "12345678円",
        "10:30に電話しました",
        "ウイルスバスター クラウド 年額版",
        "90日以内",
        "",
    ],
)
def test_non_personal_data_survives(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("first", "second", "masked_second", "warned"),
    [
        ("カード番号は4111 1111", "1111 1111です", f"{CARD}です", True),
        ("カード番号は4111", "1111 1111 1111", CARD, True),  # 4 + 12
        ("カードは4111", "1111", CARD, True),  # a third part may still come: masked, pending
        ("card 4111.1111", "1111.1111 thanks", f"{CARD} thanks", True),
        # the first 14 digits of this 19-digit number happen to pass Luhn: it still may go on
        ("カード番号は０５４４９２３０５５４５６４", "７１５８５ thanks", f"{CARD} thanks", True),
        ("注文番号は4111 1111", "1111 1111です", "1111 1111です", False),  # no card word: nothing pending
        ("カード番号は4111 1111", "12月に変えました", "12月に変えました", False),  # not a continuation
    ],
)
def test_a_card_number_split_over_two_messages(first: str, second: str, masked_second: str, warned: bool) -> None:
    pending = screen(first).card_tail
    result = screen(second, pending)
    assert (result.text, result.card) == (masked_second, warned)


def test_only_a_digit_count_is_carried_to_the_next_message() -> None:
    assert screen("カード番号は4111 1111").card_tail == 8
    assert screen("カードは4111", 0).card_tail == 4
    assert screen("1111", 4).card_tail == 8
    assert screen("1111 1111 1111", 4).card_tail == 0  # finished
    assert screen("こんにちは").card_tail == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111 1111 1111 1111", True),
        ("４１１１１１１１１１１１１１１１", True),
        ("注文番号 1234567890123", False),
        ("090-1234-5678", False),
        ("", False),
    ],
)
def test_contains_card_number(text: str, expected: bool) -> None:
    assert contains_card_number(text) is expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("79927398713", True), ("79927398710", False), ("4111111111111111", True), ("12a4", False)],
)
def test_luhn(digits: str, expected: bool) -> None:
    assert luhn_valid(digits) is expected


# -- the fast path: a text with nothing any rule needs is returned as it is ----------------------

def _needs_a_look(ch: str) -> bool:
    """Does normalise() write ``ch`` with an ASCII digit or an "@" (what every rule needs)?"""
    return any(c in "0123456789@" for c in normalise(ch)[0])


def test_every_character_that_normalises_to_a_digit_or_at_sign_takes_the_full_path() -> None:
    # Every code point (surrogates apart): the fast check on the character alone must send each
    # one whose normalised form holds a digit or "@" (①, ＠, ٣, 𝟑, ¹ …) to the full screening.
    missed = [
        hex(cp) for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp <= 0xDFFF and _needs_a_look(chr(cp)) and _nothing_to_mask(chr(cp))
    ]
    assert missed == []


@pytest.mark.parametrize(
    "text",
    [
        "解約したい", "モバイルの自動更新を止めたい", "What is my next billing date?", "", " ",
        "カード番号は4111 1111 1111 1111", "①②③", "連絡先は taro＠example．com", "０３－１２３４－５６７８",
        "\u0664\u0661\u0661\u0661111111111111", "𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏", "x\u0301@y", "1\u20e3",
    ],
)
@pytest.mark.parametrize("pending", [0, 4, 12])
def test_the_fast_path_screens_as_the_full_one(text: str, pending: int) -> None:
    norm, origin = normalise(text)
    assert screen(text, pending) == _screen_normalised(text, norm, origin, pending)


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40), st.integers(0, 18))
@settings(max_examples=400, deadline=None)
def test_any_text_screens_as_with_the_full_path(text: str, pending: int) -> None:
    norm, origin = normalise(text)
    assert screen(text, pending) == _screen_normalised(text, norm, origin, pending)
