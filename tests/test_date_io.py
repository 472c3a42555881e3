"""Tests of faqbot.kb.date_io: strict ISO dates typed by staff and clients, English date printing."""

from __future__ import annotations

from datetime import date

import pytest

from faqbot.errors import InvalidDateError
from faqbot.kb.date_io import format_date_en, parse_iso_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-03-31", date(2027, 3, 31)),
        ("2028-02-29", date(2028, 2, 29)),
        (" 2027-01-01 ", date(2027, 1, 1)),
    ],
)
def test_parse_iso_date(value: str, expected: date) -> None:
    assert parse_iso_date(value) == expected


def test_parse_iso_date_impossible_date_message() -> None:
    with pytest.raises(InvalidDateError) as info:
        parse_iso_date("2027-02-30")
    assert str(info.value) == "2027-02-30 is not a real date; use YYYY-MM-DD, e.g. 2027-03-31."


@pytest.mark.parametrize(
    "value",
    ["2027-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "2027/03/31", "2027-3-31", "27-03-31",
     "20270331", "", "tomorrow", "２０２７-03-31", "2027-03-31T00:00", "x" * 500],
)
def test_parse_iso_date_rejects(value: str) -> None:
    with pytest.raises(InvalidDateError) as info:
        parse_iso_date(value)
    message = str(info.value)
    assert "YYYY-MM-DD" in message and "2027-03-31" in message
    assert value[:10] in message
    assert len(message) < 200


@pytest.mark.parametrize("value", [None, 20270331, date(2027, 3, 31)])
def test_parse_iso_date_rejects_non_strings(value: object) -> None:
    with pytest.raises(InvalidDateError):
        parse_iso_date(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(date(2027, 3, 31), "March 31, 2027"), (date(2026, 1, 1), "January 1, 2026"), (date(2028, 12, 9), "December 9, 2028")],
)
def test_format_date_en(value: date, expected: str) -> None:
    assert format_date_en(value) == expected
