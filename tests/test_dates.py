"""Tests of faqbot.kb.dates: extracting dates from customer text with an explicit today."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.errors import InputError
from faqbot.kb.dates import (
    MAX_YEAR,
    MIN_YEAR,
    PROBLEM_AMBIGUOUS,
    PROBLEM_IMPOSSIBLE,
    PROBLEM_NO_MONTH,
    PROBLEM_PAST,
    PROBLEM_SEVERAL,
    DateProblem,
    FoundDate,
    date_problem,
    extract_date,
    extract_dates,
    without_dates,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        # year, month and day
        ("有効期限は2027年3月31日です", date(2027, 3, 31), "day"),
        ("2027年 3月 31日", date(2027, 3, 31), "day"),
        ("2027年3月31日(水)まで", date(2027, 3, 31), "day"),
        ("2027/3/31", date(2027, 3, 31), "day"),
        ("2027/03/31", date(2027, 3, 31), "day"),
        ("2027-03-31", date(2027, 3, 31), "day"),
        ("2027.3.31", date(2027, 3, 31), "day"),
        ("期限：２０２７年３月３１日", date(2027, 3, 31), "day"),
        ("２０２７／０３／３１", date(2027, 3, 31), "day"),
        ("2028年2月29日", date(2028, 2, 29), "day"),
        # no year: the next occurrence on or after today
        ("3/31", date(2027, 3, 31), "day"),
        ("３／３１", date(2027, 3, 31), "day"),
        ("3月31日", date(2027, 3, 31), "day"),
        ("12/25", date(2026, 12, 25), "day"),
        ("11/26", date(2026, 11, 26), "day"),
        ("11/25", date(2027, 11, 25), "day"),
        ("2/29", date(2028, 2, 29), "day"),
        ("12月1日に期限", date(2026, 12, 1), "day"),
        # month end
        ("3月末", date(2027, 3, 31), "day"),
        ("3月末日", date(2027, 3, 31), "day"),
        ("5月末", date(2027, 5, 31), "day"),
        ("2月末", date(2027, 2, 28), "day"),
        ("11月末", date(2026, 11, 30), "day"),
        ("2028年2月末", date(2028, 2, 29), "day"),
        # month only
        ("3月", date(2027, 3, 31), "month"),
        ("12月に切れます", date(2026, 12, 31), "month"),
        ("11月", date(2026, 11, 30), "month"),
        ("10月", date(2027, 10, 31), "month"),
        ("2027年6月", date(2027, 6, 30), "month"),
        ("2027年の6月", date(2027, 6, 30), "month"),
        ("2027/6", date(2027, 6, 30), "month"),
        # relative years
        ("去年3月", date(2025, 3, 31), "month"),
        ("昨年の3月31日", date(2025, 3, 31), "day"),
        ("先月末", date(2026, 10, 31), "day"),
        ("先々月", date(2026, 9, 30), "month"),
        ("昨日まで", date(2026, 11, 25), "day"),
        ("来年3月", date(2027, 3, 31), "month"),
        ("来年の3月31日", date(2027, 3, 31), "day"),
        ("来年3月末", date(2027, 3, 31), "day"),
        ("今年の12月", date(2026, 12, 31), "month"),
        ("再来年3月", date(2028, 3, 31), "month"),
        ("再来年の2月末", date(2028, 2, 29), "day"),
        # Japanese eras
        ("令和9年3月31日", date(2027, 3, 31), "day"),
        ("令和9年6月30日", date(2027, 6, 30), "day"),
        ("令和元年5月1日", date(2019, 5, 1), "day"),
        ("令和9年3月", date(2027, 3, 31), "month"),
        ("R9.3.31", date(2027, 3, 31), "day"),
        ("R9/3/31", date(2027, 3, 31), "day"),
        ("r9.3.31", date(2027, 3, 31), "day"),
        ("Ｒ９．３．３１", date(2027, 3, 31), "day"),
        ("R9年3月31日", date(2027, 3, 31), "day"),
        ("平成31年4月30日", date(2019, 4, 30), "day"),
        ("H31.4.30", date(2019, 4, 30), "day"),
        ("㋿9年3月31日", date(2027, 3, 31), "day"),
        ("㍻31年4月30日", date(2019, 4, 30), "day"),
        # English
        ("March 31, 2027", date(2027, 3, 31), "day"),
        ("march 31 2027", date(2027, 3, 31), "day"),
        ("31 March 2027", date(2027, 3, 31), "day"),
        ("31st of March 2027", date(2027, 3, 31), "day"),
        ("Mar 31 2027", date(2027, 3, 31), "day"),
        ("Mar. 31, 2027", date(2027, 3, 31), "day"),
        ("Sept 30 2027", date(2027, 9, 30), "day"),
        ("March 31", date(2027, 3, 31), "day"),
        ("May 3", date(2027, 5, 3), "day"),
        ("end of March 2027", date(2027, 3, 31), "day"),
        ("end of February 2028", date(2028, 2, 29), "day"),
        ("end of March", date(2027, 3, 31), "day"),
        ("June 2027", date(2027, 6, 30), "month"),
        ("3/31/2027", date(2027, 3, 31), "day"),
        ("31/3/2027", date(2027, 3, 31), "day"),
        ("It expires on 12/31/2027.", date(2027, 12, 31), "day"),
        ("31/03/2027", date(2027, 3, 31), "day"),  # only one reading is a date
        ("04/04/2027", date(2027, 4, 4), "day"),  # both readings are the same date
        # months and days counted from today (2026-11-26)
        ("今月末", date(2026, 11, 30), "day"),
        ("今月末日です", date(2026, 11, 30), "day"),
        ("来月末", date(2026, 12, 31), "day"),
        ("来月末まで", date(2026, 12, 31), "day"),
        ("翌月末", date(2026, 12, 31), "day"),
        ("来月15日", date(2026, 12, 15), "day"),
        ("来月の15日", date(2026, 12, 15), "day"),
        ("再来月", date(2027, 1, 31), "month"),
        ("再来月末", date(2027, 1, 31), "day"),
        ("有効期限は来月です", date(2026, 12, 31), "month"),
        ("来月下旬", date(2026, 12, 31), "month"),
        ("今日", date(2026, 11, 26), "day"),
        ("今日まで", date(2026, 11, 26), "day"),
        ("本日が有効期限です", date(2026, 11, 26), "day"),
        ("きょう切れます", date(2026, 11, 26), "day"),
        ("today", date(2026, 11, 26), "day"),
        ("明日", date(2026, 11, 27), "day"),
        ("明日まで", date(2026, 11, 27), "day"),
        ("あした切れます", date(2026, 11, 27), "day"),
        ("明後日", date(2026, 11, 28), "day"),
        ("来年の3月", date(2027, 3, 31), "month"),
        # 末日 / 月末 / 上旬・中旬・下旬 of a named month
        ("3月の末", date(2027, 3, 31), "day"),
        ("3月の月末", date(2027, 3, 31), "day"),
        ("2027年2月末日", date(2027, 2, 28), "day"),
        ("3月上旬", date(2027, 3, 10), "month"),
        ("3月中旬", date(2027, 3, 20), "month"),
        ("2027年2月下旬", date(2027, 2, 28), "month"),
        # kanji numerals
        ("三月三十一日", date(2027, 3, 31), "day"),
        ("三月末", date(2027, 3, 31), "day"),
        ("十二月", date(2026, 12, 31), "month"),
        ("令和九年三月三十一日", date(2027, 3, 31), "day"),
        ("令和九年三月", date(2027, 3, 31), "month"),
        ("二〇二七年三月三十一日", date(2027, 3, 31), "day"),
        ("二千二十七年三月三十一日", date(2027, 3, 31), "day"),
        ("来年の十月一日", date(2027, 10, 1), "day"),
        # English relative forms
        ("end of next month", date(2026, 12, 31), "day"),
        ("End of this month", date(2026, 11, 30), "day"),
        ("late next month", date(2026, 12, 31), "month"),
        ("tomorrow", date(2026, 11, 27), "day"),
        ("It runs out tomorrow.", date(2026, 11, 27), "day"),
    ],
)
def test_extract_date(text: str, expected: date, precision: str) -> None:
    found = extract_date(text, TODAY)
    assert found is not None
    assert found.value == expected
    assert found.precision == precision


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # The month after January 31 is February: its end, not "February 31".
        ("来月末", date(2027, 1, 31), date(2027, 2, 28)),
        ("来月末", date(2027, 12, 5), date(2028, 1, 31)),
        ("再来月", date(2027, 11, 30), date(2028, 1, 31)),
        ("今月末", date(2028, 2, 10), date(2028, 2, 29)),
        ("明日", date(2026, 12, 31), date(2027, 1, 1)),
        ("tomorrow", date(2028, 2, 28), date(2028, 2, 29)),
        ("end of next month", date(2027, 1, 31), date(2027, 2, 28)),
    ],
)
def test_relative_dates_follow_today(text: str, today: date, expected: date) -> None:
    found = extract_date(text, today)
    assert found is not None and found.value == expected


@pytest.mark.parametrize(
    "text",
    [
        "来月の請求はいつですか",  # 来月 as the billing month, not the expiry
        "今月請求されました",
        "一日中つながらない",  # 一日 as "all day" has no month either, but it is no date
        "毎月末に引き落とされますか",
        "明日の天気を教えて",  # 明日 as the day of the weather, not the expiry
        "今日の天気を教えて",
        "本日はよろしくお願いします",
        "I will call tomorrow about it",
    ],
)
def test_words_that_are_no_expiry_date(text: str) -> None:
    assert extract_dates(text, TODAY) == ()


@pytest.mark.parametrize(
    ("text", "code", "typed", "last_day"),
    [
        ("2027年2月30日", PROBLEM_IMPOSSIBLE, "2027年2月30日", 28),
        # NN/NN/YYYY with both parts 12 or less, and a two-digit year: refused, never guessed
        ("04/03/2027", PROBLEM_AMBIGUOUS, "04/03/2027", None),
        ("It expires on 12/1/2027.", PROBLEM_AMBIGUOUS, "12/1/2027", None),
        ("有効期限は27/3/31です", PROBLEM_AMBIGUOUS, "27/3/31", None),
        ("27/03/31まで", PROBLEM_AMBIGUOUS, "27/03/31", None),
        ("有効期限は2027年2月30日です", PROBLEM_IMPOSSIBLE, "2027年2月30日", 28),
        ("2月30日", PROBLEM_IMPOSSIBLE, "2月30日", 28),
        ("2027/4/31", PROBLEM_IMPOSSIBLE, "2027/4/31", 30),
        ("二〇二七年二月三十日", PROBLEM_IMPOSSIBLE, "2027年2月30日", 28),
        ("2027年13月1日", PROBLEM_IMPOSSIBLE, "2027年13月1日", None),
        ("令和0年3月1日", PROBLEM_IMPOSSIBLE, "令和0年3月1日", None),
        ("令和九年二月三十日", PROBLEM_IMPOSSIBLE, "令和9年2月30日", 28),
        ("令和10年2月30日", PROBLEM_IMPOSSIBLE, "令和10年2月30日", 29),  # 2028 is a leap year
        ("R9.2.30", PROBLEM_IMPOSSIBLE, "R9.2.30", None),
        ("February 30, 2027", PROBLEM_IMPOSSIBLE, "February 30, 2027", 28),
        ("April 31", PROBLEM_IMPOSSIBLE, "April 31", 30),
        ("来月32日", PROBLEM_IMPOSSIBLE, "来月32日", None),
        ("月末です", PROBLEM_NO_MONTH, "月末", None),
        ("31日です", PROBLEM_NO_MONTH, "31日", None),
        ("2027年3月31日か2028年3月31日", PROBLEM_SEVERAL, "2027年3月31日、2028年3月31日", None),
        # Before today (2026-11-26): a purchase date, or a licence that has run out.
        ("2026年3月15日に買いました", PROBLEM_PAST, "2026年3月15日", None),
        ("2026/11/25", PROBLEM_PAST, "2026/11/25", None),
        ("令和7年1月31日", PROBLEM_PAST, "令和7年1月31日", None),
        ("It expired on January 31, 2025", PROBLEM_PAST, "January 31, 2025", None),
        # Placed in the past by a word: never moved on to the next 3月31日 or month end.
        ("有効期限は去年の3月31日でした", PROBLEM_PAST, "去年の3月31日", None),
        ("昨年3月", PROBLEM_PAST, "昨年3月", None),
        ("一昨年の12月末", PROBLEM_PAST, "一昨年の12月末", None),
        ("先月末で切れました", PROBLEM_PAST, "先月末", None),
        ("前月の15日", PROBLEM_PAST, "前月の15日", None),
        ("昨日で切れた", PROBLEM_PAST, "昨日", None),
        ("一昨日まで", PROBLEM_PAST, "一昨日", None),
        ("It ran out at the end of last month", PROBLEM_PAST, "end of last month", None),
        ("It expired yesterday.", PROBLEM_PAST, "yesterday", None),
    ],
)
def test_date_problem(text: str, code: str, typed: str, last_day: int | None) -> None:
    assert date_problem(text, TODAY) == DateProblem(code, typed, last_day)


@pytest.mark.parametrize(
    "text",
    ["2027年3月31日", "来月末", "有効期限は2027年3月31日で、請求は3月末頃？", "モバイルです", "", "3月末日",
     "2026年11月26日", "今日", "3月15日", "先月パソコンを買い替えました", "昨日の件です"],  # today itself is no problem; a bare month-day is the next one
)
def test_no_date_problem(text: str) -> None:
    assert date_problem(text, TODAY) is None


# Why not ja-timex (0.2.8, last release 2023-11): measured in a scratch virtualenv, it pulls in
# pendulum 3.0.0b1 (a beta) and time-machine, takes ~165 ms to import (this module: ~45 ms with
# its imports), returns 今月末/来月末/明日 as bare durations (P0M, P1M, P1D) that still need
# resolving against today, drops 上旬 (3月上旬 → XXXX-03-XX) and accepts 2027-02-30 as a date.
# These are the forms where that matters; our parser must get every one right.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今月末", date(2026, 11, 30)),
        ("来月末", date(2026, 12, 31)),
        ("明日", date(2026, 11, 27)),
        ("3月上旬", date(2027, 3, 10)),
        ("2027年2月30日", None),
    ],
)
def test_forms_ja_timex_leaves_to_the_caller(text: str, expected: date | None) -> None:
    found = extract_date(text, TODAY)
    assert (found.value if found else None) == expected


def test_found_date_keeps_the_matched_text() -> None:
    assert extract_dates("期限は令和9年3月31日です", TODAY) == (
        FoundDate(date(2027, 3, 31), "day", "令和9年3月31日"),
    )
    # The text is the normalised (NFKC) form.
    assert extract_date("２０２７／３／３１", TODAY) == FoundDate(date(2027, 3, 31), "day", "2027/3/31")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有効期限は2027年3月31日で、請求は3月末頃？", (date(2027, 3, 31), date(2027, 3, 31))),
        ("1/15と2/15", (date(2027, 1, 15), date(2027, 2, 15))),
        ("R9.3.31 or 2028-04-30", (date(2027, 3, 31), date(2028, 4, 30))),
        ("2027年2月30日ではなく2027年2月28日", (date(2027, 2, 28),)),
    ],
)
def test_extract_dates_in_order(text: str, expected: tuple[date, ...]) -> None:
    assert tuple(f.value for f in extract_dates(text, TODAY)) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("1/15", date(2026, 12, 20), date(2027, 1, 15)),
        ("1月15日", date(2026, 12, 20), date(2027, 1, 15)),
        ("12/25", date(2026, 12, 20), date(2026, 12, 25)),
        ("12/20", date(2026, 12, 20), date(2026, 12, 20)),
        ("12/19", date(2026, 12, 20), date(2027, 12, 19)),
        ("12月", date(2026, 12, 20), date(2026, 12, 31)),
        ("1月", date(2026, 12, 20), date(2027, 1, 31)),
        ("1月末", date(2026, 12, 20), date(2027, 1, 31)),
        ("来年1月", date(2026, 12, 20), date(2027, 1, 31)),
        ("12/31", date(2026, 12, 31), date(2026, 12, 31)),
        ("1/1", date(2026, 12, 31), date(2027, 1, 1)),
        ("2/29", date(2028, 3, 1), date(2032, 2, 29)),
    ],
)
def test_year_inference(text: str, today: date, expected: date) -> None:
    found = extract_date(text, today)
    assert found is not None and found.value == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "自動更新の請求日はいつ？",
        "請求日の約1か月前にお知らせします",
        "1ヶ月前",
        "有効期限が90日以内の場合",
        "当月25日前後",
        "25日前後に請求",
        "パソコン1台",
        "3年版",
        "再来年",
        "更新料は5,720円です",
        "¥11,000 / 年",
        "電話 03-1234-5678",
        "0120-123-456",
        "0570-01-2345",
        "カード番号 4111-1111-1111-1111",
        "4111111111111111",
        "4111 1111 1111 1111",
        "注文番号 20270331123",
        "バージョン 17.0.1",
        "3.5GB",
        "10:30",
        "I may 3 times",
        "you may be charged",
        "https://example.com/2027",
    ],
)
def test_no_date_found(text: str) -> None:
    assert extract_dates(text, TODAY) == ()
    assert extract_date(text, TODAY) is None


@pytest.mark.parametrize(
    "text",
    [
        "2027年2月30日",
        "2027/2/30",
        "2027-02-30",
        "2027.4.31",
        "2027年13月1日",
        "2027年0月1日",
        "令和0年1月1日",
        "R9.13.1",
        "R9/2/30",
        "H31.2.29",
        "2/30",
        "4月31日",
        "13/1",
        "13月",
        "February 30, 2027",
        "31 April 2027",
        "13/13/2027",
        "0120/12/31",
    ],
)
def test_impossible_dates_are_not_extracted(text: str) -> None:
    # Neither extracted nor clamped nor read as a shorter date (e.g. a bare month).
    assert extract_dates(text, TODAY) == ()


# Hostile input: (repeated unit, times, tail).  Each is timed at a quarter and at the full count.
HOSTILE = [
    ("😀", 1000, "2027年3月31日"),
    ("\x00\x01\x1b[31m\u202e\ufeff\ud800", 1, ""),
    ("1", 100_000, ""),
    ("1/", 50_000, ""),
    ("2027年", 20_000, ""),
    ("R9.", 30_000, ""),
    ("end of ", 15_000, ""),
    ("March ", 20_000, ""),
    ("12月", 30_000, ""),
]


def _cpu_seconds(text: str) -> float:
    # This thread's CPU time: the process's also counts whatever other threads a test session
    # left running (servers, outbox loops), which made the full input look 10x the quarter once.
    start = time.thread_time()
    extract_dates(text, TODAY)
    return time.thread_time() - start


@pytest.mark.parametrize(("unit", "times", "tail"), HOSTILE, ids=[f"text{i}" for i in range(len(HOSTILE))])
def test_hostile_input_returns_quickly(unit: str, times: int, tail: str) -> None:
    """The cost grows with the input's length, never faster (no regex backtracking blow-up).

    A fixed wall-clock bound (it was 2 s) failed under load on a shared machine: "12月" * 30,000
    holds 30,000 dates and takes about a second of real work even on a quiet one.  What this
    test claims is the absence of super-linear blow-up, so it compares the input with a quarter of
    it, in CPU time of this thread (which other processes and threads do not inflate): linear
    work costs 4x, quadratic 16x; 8x plus 50 ms of slack for the tiny inputs tells them apart.
    The absolute speed of date extraction is a benchmark's business, not this test's.
    """
    # The least of three runs each: on two cores shared with other work, one run of the full
    # input once took 9x the quarter's CPU time (cache and frequency contention), alone 4.4x.
    quarter = min(_cpu_seconds(unit * (times // 4) + tail) for _ in range(3))
    full = min(_cpu_seconds(unit * times + tail) for _ in range(3))
    assert full < 8 * quarter + 0.05, (full, quarter)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    for found in extract_dates(text, TODAY):
        assert found.precision in ("day", "month")


def test_extract_dates_rejects_non_text() -> None:
    with pytest.raises(InputError):
        extract_dates(None, TODAY)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        extract_dates("3/31", "2026-11-26")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "today"),
    [("翌月", date(2199, 12, 1)), ("来月末", date(2199, 12, 31)), ("明日", date(2199, 12, 31))],
)
def test_relative_dates_stay_inside_the_years_every_date_is_held_to(text: str, today: date) -> None:
    """Found by the property test: a relative date counted from a ``today`` at the edge left MIN_YEAR..MAX_YEAR."""
    assert all(MIN_YEAR <= found.value.year <= MAX_YEAR for found in extract_dates(text, today))


@pytest.mark.parametrize(
    ("text", "left"),
    [("2027年3月31日", ""), ("March 31, 2027", ""), ("有効期限は2027/3/31です", "有効期限は です"), ("月額です", "月額です")],
)
def test_without_dates_leaves_what_else_a_message_says(text: str, left: str) -> None:
    assert without_dates(text, TODAY).strip() == left
