"""Date extraction from raw customer text, against an explicit reference date.

Customers write expiry dates in many ways: 2027年3月31日, 2027/3/31, R9.3.31,
令和9年3月31日, 3月末, 来年3月, "March 31, 2027", "3/31/2027" ...  This module
finds them (after NFKC, so full-width ２０２７／３／３１ works too) and resolves a
missing year against ``today``.  It never returns an impossible date: a match
such as 2027年2月30日 claims its text and yields nothing, so no shorter, wrong
reading (a bare "2027年2月") is taken from it instead.

All patterns are linear (bounded quantifiers, no nesting), so any input returns quickly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from faqbot.errors import InputError, InvalidDateError
from faqbot.kb.rules import month_end

__all__ = ["FoundDate", "extract_date", "extract_dates", "parse_iso_date"]

MIN_YEAR = 1900  # four-digit numbers outside this range are not years (order ids, phone prefixes)
MAX_YEAR = 2199
ERA_START = {"令和": 2019, "r": 2019, "平成": 1989, "h": 1989}  # year 1 of each era
RELATIVE_YEAR = {"今年": 0, "本年": 0, "来年": 1, "翌年": 1, "再来年": 2}

_MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Longest names first so "march" wins over "mar".
_MON = "(?P<mon>" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_S = r"[ \t]{0,2}"  # optional spacing inside a date
_NUM_L = r"(?<![\d./\-])"  # not inside a longer number chain
_NUM_R = r"(?!\d|[./\-]\d)"
_DAY_JA = r"(?:(?P<d>\d{1,2})" + _S + r"日|(?P<end>末)日?)"
_ORD = r"(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class FoundDate:
    """A date mentioned in customer text."""

    value: date
    precision: str  # "day", or "month" for a month-only mention (resolved to the month's last day)
    text: str  # the matched text (after NFKC normalisation)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    swap_day_first: bool = False  # m/d/y that only makes sense as d/m/y (31/3/2027) is swapped


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    found: FoundDate | None  # None: the text is a date expression, but not a real date


def _p(pattern: str, swap_day_first: bool = False) -> _Pattern:
    return _Pattern(re.compile(pattern, re.IGNORECASE), swap_day_first)


# Building blocks shared by the patterns below.
_MD_JA = r"(?P<m>\d{1,2})" + _S + "月" + _S + _DAY_JA + "?"  # 3月31日, 3月末, 3月
_ERA = r"(?:(?P<era>令和|平成)|(?<![a-z])(?P<era_l>[rh]))" + _S + r"(?P<ey>\d{1,2}|元)"
_YMD = r"(?P<sep>[./\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _NUM_R  # .3.31, /3/31, -03-31
_YEAR_EN = r"(?:,?" + _S + r"(?P<y>\d{4}))?(?!\d)"  # optional ", 2027"

# Every pattern uses the same group names; _resolve reads whichever are present.
_PATTERNS: tuple[_Pattern, ...] = (
    # 2027年3月31日, 2027年の3月末, 2027年3月
    _p(r"(?<!\d)(?P<y>\d{4})" + _S + "年" + _S + "の?" + _S + _MD_JA),
    # 令和9年3月31日, 令和元年5月, R9年3月31日, 平成31年4月30日
    _p(_ERA + _S + "年" + _S + _MD_JA),
    # R9.3.31, R9/3/31, H31-4-30, 令和9.3.31
    _p(_ERA + _YMD),
    # 来年3月, 今年の12月, 再来年3月末, 来年3月31日
    _p(r"(?P<rel>再来年|来年|今年|本年|翌年)" + _S + "の?" + _S + _MD_JA),
    # 2027/3/31, 2027-03-31, 2027.3.31
    _p(_NUM_L + r"(?P<y>\d{4})" + _YMD),
    # 2027/3, 2027-03 (month only)
    _p(_NUM_L + r"(?P<y>\d{4})[/\-](?P<m>\d{1,2})" + _NUM_R),
    # 3/31/2027 (US order; 31/3/2027 is read day-first because month 31 cannot be)
    _p(_NUM_L + r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})" + _NUM_R, swap_day_first=True),
    # 3/31 (no year)
    _p(_NUM_L + r"(?P<m>\d{1,2})/(?P<d>\d{1,2})" + _NUM_R),
    # 3月31日, 3月末, 3月 (no year)
    _p(r"(?<!\d)" + _MD_JA),
    # end of March 2027, end of March
    _p(r"\bend" + _S + "of" + _S + _MON + _YEAR_EN),
    # March 31, 2027 / Mar 31 2027 / March 31
    _p(r"\b" + _MON + _S + r"(?P<d>\d{1,2})" + _ORD + _YEAR_EN),
    # 31 March 2027 / 31st of March / 31 Mar
    _p(
        r"(?<![\d.,/])(?P<d>\d{1,2})" + _ORD + _S + "(?:of" + _S + ")?"
        + _MON + r"(?![a-z])" + _YEAR_EN
    ),
    # March 2027 (month only; a bare "March"/"may" is too often an ordinary word)
    _p(r"\b" + _MON + ",?" + _S + r"(?P<y>\d{4})(?!\d)"),
)


def _real_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_occurrence(month: int, day: int, today: date) -> date | None:
    """The first date month/day on or after today (2/29 waits for a leap year)."""
    for year in range(today.year, today.year + 9):
        found = _real_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _year_of(groups: dict[str, str | None], today: date) -> int | None:
    if groups.get("y"):
        return int(groups["y"] or 0)
    era = groups.get("era") or groups.get("era_l")
    if era:
        era_year = groups.get("ey") or ""
        number = 1 if era_year == "元" else int(era_year)
        # Year 0 of an era does not exist: return an impossible year.
        return ERA_START[era.lower()] + number - 1 if number >= 1 else 0
    if groups.get("rel"):
        return today.year + RELATIVE_YEAR[groups["rel"] or "今年"]
    return None


def _resolve(match: re.Match[str], pattern: _Pattern, today: date) -> FoundDate | None:
    """Turn a match into a real date, or None when it names an impossible one."""
    groups = match.groupdict()
    if groups.get("mon") == "may" and not groups.get("y"):
        return None  # lower-case "may" without a year is the verb ("1 may be ...")
    month = int(groups["m"]) if groups.get("m") else _MONTH_NAMES[(groups.get("mon") or "").lower()]
    day = int(groups["d"]) if groups.get("d") else None
    if pattern.swap_day_first and day is not None and month > 12 and day <= 12:
        month, day = day, month
    if not 1 <= month <= 12:
        return None
    year = _year_of(groups, today)
    text = match.group(0)
    if day is None:  # month end ("末", "end of") or month only
        precision = "day" if groups.get("end") or text.lower().startswith("end") else "month"
        if year is None:
            year = today.year if month >= today.month else today.year + 1
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return FoundDate(month_end(year, month), precision, text)
    value = _next_occurrence(month, day, today) if year is None else _real_date(year, month, day)
    return None if value is None else FoundDate(value, "day", text)


def _check_today(today: object) -> date:
    if not isinstance(today, date):
        raise InputError(f"today {today!r} は日付ではありません。date を渡してください。")
    return today


def extract_dates(text: str, today: date) -> tuple[FoundDate, ...]:
    """Return every date mentioned in ``text``, in order of appearance.

    A date without a year resolves to its next occurrence on or after ``today``;
    a month without a year to the current month or the next such month.  Impossible
    dates (2027年2月30日, R9.13.1) are not returned.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}.")
    today = _check_today(today)
    normal = unicodedata.normalize("NFKC", text)
    candidates: list[_Candidate] = []
    for pattern in _PATTERNS:
        for match in pattern.regex.finditer(normal):
            resolved = _resolve(match, pattern, today)
            candidates.append(_Candidate(match.start(), match.end(), resolved))
    # Leftmost-longest wins; an impossible date still claims its text.
    candidates.sort(key=lambda c: (c.start, -c.end))
    found: list[FoundDate] = []
    taken_until = 0
    for candidate in candidates:
        if candidate.start < taken_until:
            continue
        taken_until = candidate.end
        if candidate.found is not None:
            found.append(candidate.found)
    return tuple(found)


def extract_date(text: str, today: date) -> FoundDate | None:
    """Return the first date mentioned in ``text``, or None (see :func:`extract_dates`)."""
    dates = extract_dates(text, today)
    return dates[0] if dates else None


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
