"""Which calendar date "today" is: the date in the customers' time zone, not the host's.

A UTC host is a day behind Japan until 09:00 JST.  Edges (CLI, server) pass the
clock's ``datetime.now(UTC)`` to :func:`date_in_zone`; nothing here reads a clock.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from faqbot.errors import InputError

__all__ = ["DEFAULT_TIMEZONE", "date_in_zone", "time_zone"]

#: The customers' time zone: "today" is the date in Japan, whatever the host's clock zone.
DEFAULT_TIMEZONE = "Asia/Tokyo"


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. Asia/Tokyo); raises :class:`InputError` for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"Unknown time zone {name!r}; use an IANA name such as {DEFAULT_TIMEZONE}.") from None


def date_in_zone(now: datetime, zone_name: str) -> date:
    """The calendar date at instant ``now`` (timezone-aware) in ``zone_name``.

    A UTC host is a day behind Japan until 09:00 JST; edges pass the clock's
    ``datetime.now(UTC)`` here instead of reading the host's local date.
    """
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware (e.g. datetime.now(UTC)).")
    return now.astimezone(time_zone(zone_name)).date()

