"""Tests of faqbot.kb.timezones: "today" is the date in Japan, from an explicit instant."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from faqbot.errors import InputError
from faqbot.kb.timezones import DEFAULT_TIMEZONE, date_in_zone


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        # 20:00 UTC on Dec 1 is already Dec 2 in Japan: a UTC host's local date would be a day behind.
        (datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "Asia/Tokyo", date(2026, 12, 2)),
        (datetime(2026, 12, 1, 14, 59, tzinfo=UTC), "Asia/Tokyo", date(2026, 12, 1)),
        (datetime(2026, 12, 1, 15, 0, tzinfo=UTC), "Asia/Tokyo", date(2026, 12, 2)),
        (datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "UTC", date(2026, 12, 1)),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), DEFAULT_TIMEZONE, date(2027, 1, 1)),
    ],
)
def test_date_in_zone(now: datetime, zone: str, expected: date) -> None:
    assert date_in_zone(now, zone) == expected


@pytest.mark.parametrize(
    ("now", "zone", "message"),
    [
        (datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
        (datetime(2026, 12, 1, 20, 0), "Asia/Tokyo", "timezone-aware"),
    ],
)
def test_date_in_zone_refuses(now: datetime, zone: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        date_in_zone(now, zone)
