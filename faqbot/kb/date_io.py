"""Dates typed in strict form by staff and API clients, and dates printed the English way.

Customers' free-text dates are read by :mod:`faqbot.kb.dates`; these are the two fixed forms
at the edges: ``YYYY-MM-DD`` (``--today``, ``--expiry`` in ISO, the API's date fields) and
"March 31, 2027" in English replies.
"""

from __future__ import annotations

import re
from datetime import date

from faqbot.errors import InvalidDateError

_ISO = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})")


def parse_iso_date(value: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` date (CLI and API input).

    Raises :class:`InvalidDateError` naming the bad value and the expected form.
    """
    if not isinstance(value, str):
        raise InvalidDateError(f"{value!r} is not a date string; use YYYY-MM-DD, e.g. 2027-03-31.")
    shown = value if len(value) <= 40 else value[:40] + "…"
    match = _ISO.fullmatch(value.strip())
    if match is None:
        raise InvalidDateError(f"{shown!r} is not in the form YYYY-MM-DD; use e.g. 2027-03-31.")
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise InvalidDateError(
            f"{value.strip()} is not a real date; use YYYY-MM-DD, e.g. 2027-03-31."
        ) from None


_MONTH_TITLES = ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December")


def format_date_en(d: date) -> str:
    """Format a date the English way: March 31, 2027."""
    return f"{_MONTH_TITLES[d.month - 1]} {d.day}, {d.year}"
