"""mask_personal_data: card numbers, e-mail addresses and phone numbers go; the rest stays."""

from __future__ import annotations

import pytest

from faqbot.text.privacy import contains_card_number, luhn_valid, mask_personal_data

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
        # e-mail addresses
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
