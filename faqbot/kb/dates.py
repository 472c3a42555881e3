"""Date extraction from raw customer text, against an explicit reference date.

Customers write expiry dates in many ways: 2027年3月31日, 2027/3/31, R9.3.31,
令和9年3月31日, 3月末, 来年3月, "March 31, 2027", "3/31/2027" ...  This module
finds them (after NFKC, so full-width ２０２７／３／３１ works too) and resolves a
missing year against ``today``.  It never returns an impossible date: a match
such as 2027年2月30日 claims its text and yields nothing, so no shorter, wrong
reading (a bare "2027年2月") is taken from it instead.

Slashes: Japanese customers write year/month/day (2027/3/31) and month/day (3/31).  A
NN/NN/YYYY date is read whichever way is a real date (3/31/2027, 31/03/2027); when both
parts are 12 or less and differ (04/03/2027) it is ambiguous, and so is a two-digit year
(27/3/31): :func:`date_problem` says so (``PROBLEM_AMBIGUOUS``) and nothing is guessed.

All patterns are linear (bounded quantifiers, no nesting), so any input returns quickly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from faqbot.errors import InputError
from faqbot.kb.kanji_numerals import kanji_numerals_to_digits
from faqbot.kb.rules import add_months, month_end

__all__ = [
    "PROBLEM_AMBIGUOUS",
    "PROBLEM_IMPOSSIBLE",
    "PROBLEM_NO_MONTH",
    "PROBLEM_PAST",
    "PROBLEM_SEVERAL",
    "DateProblem",
    "FoundDate",
    "date_problem",
    "extract_date",
    "extract_dates",
]

MIN_YEAR = 1900  # four-digit numbers outside this range are not years (order ids, phone prefixes)
MAX_YEAR = 2199
#: The dates a whole YYYY-MM-DD typed by staff or sent to the API may name: a contract's plausible
#: range, far enough from year 9999 that the calendar arithmetic after it cannot fail.
EARLIEST_EXPLICIT = date(1900, 1, 1)
LATEST_EXPLICIT = date(2999, 12, 31)
ERA_START = {"令和": 2019, "r": 2019, "平成": 1989, "h": 1989}  # year 1 of each era
# Backwards too (去年, 先月, 昨日): a date the customer places in the past must be read as
# past and refused as an expiry, not taken for the next 3月31日 or the next month end.
RELATIVE_YEAR = {"今年": 0, "本年": 0, "来年": 1, "翌年": 1, "再来年": 2, "去年": -1, "昨年": -1, "前年": -1,
                 "一昨年": -2, "おととし": -2}
RELATIVE_MONTH = {"今月": 0, "来月": 1, "翌月": 1, "再来月": 2, "先月": -1, "前月": -1, "先々月": -2,
                  "this": 0, "next": 1, "last": -1}
# Today too: an expiry of today is still valid (its charge may be due), and 「今日まで」 is as
# common as 「明日まで」.
RELATIVE_DAY = {"今日": 0, "本日": 0, "きょう": 0, "today": 0,
                "明日": 1, "あした": 1, "明後日": 2, "あさって": 2, "tomorrow": 1,
                "昨日": -1, "きのう": -1, "一昨日": -2, "おととい": -2, "yesterday": -1}
# 上旬/中旬/下旬 (early/mid/late month): the period's last day stands for it.
THIRD_OF_MONTH_END = {"上旬": 10, "中旬": 20, "下旬": 31, "early": 10, "mid": 20, "late": 31}

#: Why a message's date could not be read (:attr:`DateProblem.code`).
PROBLEM_IMPOSSIBLE = "impossible"  # 2027年2月30日, 13月1日, 令和0年
PROBLEM_SEVERAL = "several"  # two different dates: which one is the expiry?
PROBLEM_NO_MONTH = "no-month"  # 「月末」「31日」 without saying which month
PROBLEM_PAST = "past"  # one clear date before today: a licence's expiry is not (often a purchase date)
# 04/03/2027 (April 3 or 4 March?), 27/3/31 (2027-03-31 or 27 March 2031?): refused, not guessed.
PROBLEM_AMBIGUOUS = "ambiguous"


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
_DAY_JA = (
    r"(?:(?P<d>\d{1,2})" + _S + r"日|の?" + _S + r"(?P<end>末|月末)日?|の?" + _S + r"(?P<xun>上旬|中旬|下旬))"
)
_ORD = r"(?:st|nd|rd|th)?"


def _words(table: dict[str, int], english: bool) -> str:
    """An alternation of the table's Japanese (or English, as whole words) keys, longest first."""
    keys = sorted((k for k in table if k.isascii() == english), key=len, reverse=True)
    return "|".join(rf"\b{re.escape(k)}\b" if english else re.escape(k) for k in keys)


@dataclass(frozen=True)
class FoundDate:
    """A date mentioned in customer text."""

    value: date
    precision: str  # "day", or "month" for a month-only mention (resolved to the month's last day)
    text: str  # the matched text (after NFKC normalisation)


@dataclass(frozen=True)
class DateProblem:
    """A date the customer typed that cannot be used, and why (a ``PROBLEM_*`` code).

    ``text`` is the date as typed (after normalisation); ``last_day`` the month's
    last day for an impossible day of a real month (2027年2月30日 → 28), else None.
    Front ends word the sentence (in the customer's language) from these values.
    """

    code: str
    text: str
    last_day: int | None = None


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    # NN/NN/YYYY: read month first (3/31/2027) or day first (31/3/2027) when only one reading is a
    # date; with both parts 12 or less (04/03/2027) and different, it is ambiguous.
    either_order: bool = False
    ambiguous: bool = False  # every match is ambiguous (27/3/31: two-digit year first or last?)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    found: FoundDate | None  # None: the text is a date expression, but not a real (or not one) date
    ambiguous: bool = False  # it reads as more than one date: refused, not guessed


def _is_ambiguous(match: re.Match[str], pattern: _Pattern) -> bool:
    if pattern.ambiguous:
        return True
    if not pattern.either_order:
        return False
    first, second = int(match["m"]), int(match["d"])
    return first != second and 1 <= first <= 12 and 1 <= second <= 12


def _p(pattern: str, either_order: bool = False, ambiguous: bool = False) -> _Pattern:
    return _Pattern(re.compile(pattern, re.IGNORECASE), either_order, ambiguous)


# Building blocks shared by the patterns below.
_MD_JA = r"(?P<m>\d{1,2})" + _S + "月" + _S + _DAY_JA + "?"  # 3月31日, 3月末, 3月
_ERA = r"(?:(?P<era>令和|平成)|(?<![a-z])(?P<era_l>[rh]))" + _S + r"(?P<ey>\d{1,2}|元)"
_YMD = r"(?P<sep>[./\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _NUM_R  # .3.31, /3/31, -03-31
_YEAR_EN = r"(?:,?" + _S + r"(?P<y>\d{4}))?(?!\d)"  # optional ", 2027"

# Every pattern uses the same group names; _resolve reads whichever are present.
_PATTERNS: tuple[_Pattern, ...] = (
    # 今月末, 来月末, 再来月, 来月15日, 翌月下旬 (a bare 来月 only where it is clearly the expiry)
    _p(
        rf"(?P<relm>{_words(RELATIVE_MONTH, english=False)})" + _S + "の?" + _S
        + r"(?:(?P<d>\d{1,2})" + _S + r"日|(?P<end>末|月末)日?|(?P<xun>上旬|中旬|下旬)"
        + r"|(?=まで|で切れ|に切れ|が期限|が有効期限|いっぱい|です|$))"
    ),
    # 今日, 明日, 明後日, today, tomorrow
    # (only where it reads as the expiry: 「明日の天気」 is no date)
    _p(
        rf"(?P<reld>{_words(RELATIVE_DAY, english=False)}|{_words(RELATIVE_DAY, english=True)})"
        + r"(?=まで|で切れ|に切れ|切れ|が期限|が有効期限|です|で終わ|[ \t]*[。.!！?？]?[ \t]*$)"
    ),
    # end of this month, end of next month, early/mid/late next month
    _p(r"\b(?:(?P<end_en>end)|(?P<xun_en>early|mid|late))" + _S + "(?:of" + _S + ")?" + rf"(?P<relm_en>{_words(RELATIVE_MONTH, english=True)})" + _S + r"month\b"),
    # 2027年3月31日, 2027年の3月末, 2027年3月
    _p(r"(?<!\d)(?P<y>\d{4})" + _S + "年" + _S + "の?" + _S + _MD_JA),
    # 令和9年3月31日, 令和元年5月, R9年3月31日, 平成31年4月30日
    _p(_ERA + _S + "年" + _S + _MD_JA),
    # R9.3.31, R9/3/31, H31-4-30, 令和9.3.31
    _p(_ERA + _YMD),
    # 来年3月, 今年の12月, 再来年3月末, 来年3月31日
    _p(rf"(?P<rel>{_words(RELATIVE_YEAR, english=False)})" + _S + "の?" + _S + _MD_JA),
    # 2027/3/31, 2027-03-31, 2027.3.31
    _p(_NUM_L + r"(?P<y>\d{4})" + _YMD),
    # 2027/3, 2027-03 (month only)
    _p(_NUM_L + r"(?P<y>\d{4})[/\-](?P<m>\d{1,2})" + _NUM_R),
    # 3/31/2027 (month first) and 31/3/2027 (day first: month 31 cannot be); 04/03/2027 is ambiguous
    _p(_NUM_L + r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})" + _NUM_R, either_order=True),
    # 27/3/31: a two-digit year, first (2027-03-31) or last (27 March 2031)? ambiguous
    _p(_NUM_L + r"\d{2}/\d{1,2}/\d{2}" + _NUM_R, ambiguous=True),
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


def _resolve_relative(groups: dict[str, str | None], text: str, today: date) -> FoundDate | None:
    """今月末, 来月15日, 明日, end of next month: dates counted from ``today``."""
    if groups.get("reld"):
        return FoundDate(date.fromordinal(today.toordinal() + RELATIVE_DAY[(groups["reld"] or "").lower()]), "day", text)
    offset = RELATIVE_MONTH[(groups.get("relm") or groups.get("relm_en") or "").lower()]
    first = add_months(today.replace(day=1), offset)
    last = month_end(first.year, first.month)
    if groups.get("d"):
        value = _real_date(first.year, first.month, int(groups["d"] or 0))
        return None if value is None else FoundDate(value, "day", text)
    third = groups.get("xun") or groups.get("xun_en")
    if third:
        return FoundDate(last.replace(day=min(THIRD_OF_MONTH_END[third.lower()], last.day)), "month", text)
    if groups.get("end") or groups.get("end_en"):
        return FoundDate(last, "day", text)
    return FoundDate(last, "month", text)


def _resolve(match: re.Match[str], pattern: _Pattern, today: date) -> FoundDate | None:
    """Turn a match into a real date, or None when it names an impossible one."""
    groups = match.groupdict()
    if groups.get("relm") or groups.get("relm_en") or groups.get("reld"):
        found = _resolve_relative(groups, match.group(0), today)
        # Counted from a ``today`` at the calendar's edge (2199-12-31 + 翌月), it can leave the
        # years every other date is held to.
        return found if found is not None and MIN_YEAR <= found.value.year <= MAX_YEAR else None
    if groups.get("mon") == "may" and not groups.get("y"):
        return None  # lower-case "may" without a year is the verb ("1 may be ...")
    month = int(groups["m"]) if groups.get("m") else _MONTH_NAMES[(groups.get("mon") or "").lower()]
    day = int(groups["d"]) if groups.get("d") else None
    if pattern.either_order and day is not None and month > 12 and day <= 12:
        month, day = day, month
    if not 1 <= month <= 12:
        return None
    year = _year_of(groups, today)
    text = match.group(0)
    if day is None:  # month end ("末", "end of"), a third of it (上旬) or month only
        precision = "day" if groups.get("end") or text.lower().startswith("end") else "month"
        if year is None:
            year = today.year if month >= today.month else today.year + 1
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        last = month_end(year, month)
        if groups.get("xun"):
            return FoundDate(last.replace(day=min(THIRD_OF_MONTH_END[groups["xun"] or ""], last.day)), "month", text)
        return FoundDate(last, precision, text)
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
    return tuple(c.found for c, _ in _date_mentions(text, today) if c.found is not None)


def _date_mentions(text: str, today: date) -> list[tuple[_Candidate, str]]:
    """Every date expression in ``text`` (leftmost-longest), with its normalised text."""
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}.")
    today = _check_today(today)
    normal = kanji_numerals_to_digits(unicodedata.normalize("NFKC", text))
    candidates: list[_Candidate] = []
    for pattern in _PATTERNS:
        for match in pattern.regex.finditer(normal):
            ambiguous = _is_ambiguous(match, pattern)
            resolved = None if ambiguous else _resolve(match, pattern, today)
            candidates.append(_Candidate(match.start(), match.end(), resolved, ambiguous))
    # Leftmost-longest wins; an impossible date still claims its text.
    candidates.sort(key=lambda c: (c.start, -c.end))
    mentions: list[tuple[_Candidate, str]] = []
    taken_until = 0
    for candidate in candidates:
        if candidate.start < taken_until:
            continue
        taken_until = candidate.end
        mentions.append((candidate, normal[candidate.start : candidate.end]))
    return mentions


def without_dates(text: str, today: date) -> str:
    """``text`` (NFKC-normalised, kanji numerals as digits) with every date expression taken out.

    What is left says what else a message holds: 「2027年3月31日」 and "March 31, 2027" leave nothing.
    """
    normal = kanji_numerals_to_digits(unicodedata.normalize("NFKC", text))
    pieces, at = [], 0
    for candidate, _ in _date_mentions(text, today):
        pieces.append(normal[at : candidate.start])
        at = candidate.end
    return " ".join([*pieces, normal[at:]])


# 「月末」「31日」 with no month: a day the customer meant but did not place.
_DAY_WITHOUT_MONTH = re.compile(r"(?<![\d月年/])(?:(?P<d>\d{1,2})" + _S + r"日(?!本|曜|間|前|後)|(?<![今来翌])月末)")


def date_problem(text: str, today: date) -> DateProblem | None:
    """Why the date(s) in ``text`` cannot be used as one expiry date, or None when they can.

    An impossible date (2027年2月30日) or one naming no month (「月末です」) is a
    problem; so are two different dates in one message, and one date before
    ``today`` (「2026年3月15日に買いました」: a current expiry is never past, so
    the customer is told at once rather than after the form's last question).
    A text with no date at all has no problem (there is nothing to complain about).
    """
    mentions = _date_mentions(text, today)
    for candidate, typed in mentions:
        if candidate.ambiguous:
            return DateProblem(PROBLEM_AMBIGUOUS, typed)
        if candidate.found is None:
            return DateProblem(PROBLEM_IMPOSSIBLE, typed, _last_day_of_named_month(typed, today))
    values = {c.found.value for c, _ in mentions if c.found is not None}
    if len(values) > 1:
        return DateProblem(PROBLEM_SEVERAL, "、".join(typed for _, typed in mentions))
    if values and min(values) < today:
        return DateProblem(PROBLEM_PAST, mentions[0][1])
    if not values:
        normal = kanji_numerals_to_digits(unicodedata.normalize("NFKC", text))
        bare = _DAY_WITHOUT_MONTH.search(normal)
        if bare is not None:
            return DateProblem(PROBLEM_NO_MONTH, bare.group(0))
    return None


# The year, month and day of a typed date, whatever the separators (2027年2月30日, 2027/2/30, 2月30日).
_TYPED_YMD = re.compile(r"(?:(?P<y>\d{4})\D{1,2})?(?P<m>\d{1,2})\D{1,2}(?P<d>\d{1,2})(?!\d)")


# 2027年2月30日 / 令和9年2月30日 / 2月30日: the month and day, and the year or era year before them.
_JA_MD = re.compile(
    r"(?:(?P<y>\d{4})" + _S + "年" + _S + r")?(?P<m>\d{1,2})" + _S + "月" + _S + r"(?P<d>\d{1,2})" + _S + "日"
)
_ERA_YEAR = re.compile(r"(?P<era>令和|平成)" + _S + r"(?P<ey>\d{1,2}|元)" + _S + "年")
# February 30, 2027: an English month name with its day (and year).
_NAMED_MD = re.compile(_MON + _S + r"(?P<d>\d{1,2})" + _ORD + _YEAR_EN, re.IGNORECASE)


def _last_day_of_named_month(typed: str, today: date) -> int | None:
    """The month's last day when an impossible date names a real month but a day past its end."""
    named = _NAMED_MD.search(typed)
    japanese = _JA_MD.search(typed)
    match = _TYPED_YMD.search(typed)
    if named is not None:
        month, day = _MONTH_NAMES[named["mon"].lower()], int(named["d"])
        year = int(named["y"]) if named["y"] else today.year
    elif japanese is not None:  # 2027年2月30日, 令和9年2月30日, 2月30日
        month, day = int(japanese["m"]), int(japanese["d"])
        era = _ERA_YEAR.search(typed)
        year = _year_of(japanese.groupdict() | (era.groupdict() if era else {}), today) or today.year
    elif match is not None:
        month, day = int(match["m"]), int(match["d"])
        year = int(match["y"]) if match["y"] else today.year
    else:
        return None
    if not 1 <= month <= 12 or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    last = month_end(year, month).day
    return last if day > last else None


def extract_date(text: str, today: date) -> FoundDate | None:
    """Return the first date mentioned in ``text``, or None (see :func:`extract_dates`)."""
    dates = extract_dates(text, today)
    return dates[0] if dates else None
