"""Tests of faqbot.kb.billing.next_billing.

Every expected date below was worked out by hand from the seed FAQ's rules:
  月額版 (1か月間): 有効期限の当月末頃            (end of the expiry month)
  年額版 (1年間):   有効期限の前月末頃            (end of the month before expiry)
  トータルセキュリティ年額版: 有効期限の当月25日前後 (25th of the expiry month)
  お知らせ: 請求日の約1か月前
They are written literally; none is computed by the code under test.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from faqbot.errors import (
    ExpiryInPastError,
    InvalidDateError,
    PlanNotOfferedError,
    UnknownPlanError,
)
from faqbot.kb.billing import BillingResult, next_billing
from faqbot.kb.rules import (
    BillingRule,
    NoticeRule,
    PlanTerms,
    ProductTerms,
    build_product_terms,
    parse_billing_rule,
    parse_plan_terms,
)

TODAY = date(2026, 11, 26)
NOTICE = NoticeRule(1, "請求日の約1か月前にトレンドマイクロアカウントにご登録のメールアドレスへお知らせ")
DESCRIPTORS = ("トレンドマイクロ ウイルスバスター", "トレンドマイクロ株式会社")
PLANS = {
    "monthly": parse_plan_terms(
        "monthly",
        {
            "name": "月額版 (1か月間)",
            "period_months": 1,
            "billing": {"month": "expiry", "day": "end", "approx": "頃", "text": "有効期限の当月末頃"},
        },
    ),
    "annual": parse_plan_terms(
        "annual",
        {
            "name": "年額版 (1年間)",
            "period_months": 12,
            "billing": {"month": "before-expiry", "day": "end", "approx": "頃", "text": "有効期限の前月末頃"},
        },
    ),
}
TS_ANNUAL = parse_billing_rule(
    {"month": "expiry", "day": 25, "approx": "前後", "text": "有効期限の当月25日前後"}
)


def _product(pid: str, name: str, offered: list[str] | None, overrides: dict[str, BillingRule]) -> ProductTerms:
    return build_product_terms(
        pid, name, PLANS, offered, overrides, NOTICE, DESCRIPTORS, "クレジットカード決済のみ"
    )


CLOUD = _product("virusbuster-cloud", "ウイルスバスター クラウド", None, {})
TS = _product(
    "total-security-standard", "ウイルスバスター トータルセキュリティ スタンダード", None, {"annual": TS_ANNUAL}
)
ANNUAL_ONLY = _product("virusbuster-mac", "ウイルスバスター for Mac", ["annual"], {})
# Hypothetical product billed a month early on the monthly plan: its monthly charge can pass.
EARLY_MONTHLY = _product(
    "early-monthly",
    "早期請求テスト製品",
    ["monthly", "annual"],
    {"monthly": parse_billing_rule({"month": "before-expiry", "day": "end", "approx": "頃", "text": "有効期限の前月末頃"})},
)
# Hypothetical rule three months before expiry: several monthly cycles can have passed.
THREE_MONTHS_EARLY = ProductTerms(
    product_id="three-early",
    product_name="三か月前請求テスト製品",
    plans=(PlanTerms("monthly", "月額版 (1か月間)", 1, BillingRule(-3, None, "頃", "有効期限の3か月前の月末頃")),),
    plans_confirmed=True,
    notice=NOTICE,
    statement_descriptors=DESCRIPTORS,
    payment_method="クレジットカード決済のみ",
    known_plan_ids=("monthly", "annual"),
)

# (terms, plan, expiry, today, billing_date, notice_date, cycle_expiry, renewals_ahead, notice_passed)
CASES = [
    # monthly: end of the expiry month
    pytest.param(CLOUD, "monthly", date(2027, 3, 31), TODAY, date(2027, 3, 31), date(2027, 2, 28), date(2027, 3, 31), 0, False, id="monthly-31-notice-clamped-to-feb28"),
    # A month-end charge is noticed at the end of the month before (4/30 → 3/31, not 3/30).
    pytest.param(CLOUD, "monthly", date(2027, 4, 15), TODAY, date(2027, 4, 30), date(2027, 3, 31), date(2027, 4, 15), 0, False, id="monthly-30-day-month"),
    pytest.param(CLOUD, "monthly", date(2027, 2, 10), TODAY, date(2027, 2, 28), date(2027, 1, 31), date(2027, 2, 10), 0, False, id="monthly-feb-non-leap"),
    pytest.param(CLOUD, "monthly", date(2028, 2, 10), TODAY, date(2028, 2, 29), date(2028, 1, 31), date(2028, 2, 10), 0, False, id="monthly-feb-leap"),
    pytest.param(CLOUD, "monthly", date(2028, 3, 31), TODAY, date(2028, 3, 31), date(2028, 2, 29), date(2028, 3, 31), 0, False, id="monthly-notice-clamped-to-leap-feb29"),
    pytest.param(CLOUD, "monthly", date(2026, 12, 1), TODAY, date(2026, 12, 31), date(2026, 11, 30), date(2026, 12, 1), 0, False, id="monthly-notice-later-this-week"),
    pytest.param(CLOUD, "monthly", date(2026, 11, 30), TODAY, date(2026, 11, 30), date(2026, 10, 31), date(2026, 11, 30), 0, True, id="monthly-notice-passed"),
    pytest.param(CLOUD, "monthly", date(2027, 3, 31), date(2027, 3, 31), date(2027, 3, 31), date(2027, 2, 28), date(2027, 3, 31), 0, True, id="monthly-expiry-is-today-billing-is-today"),
    # annual: end of the month before expiry
    pytest.param(CLOUD, "annual", date(2027, 3, 31), TODAY, date(2027, 2, 28), date(2027, 1, 31), date(2027, 3, 31), 0, False, id="annual-feb-non-leap"),
    pytest.param(CLOUD, "annual", date(2028, 3, 15), TODAY, date(2028, 2, 29), date(2028, 1, 31), date(2028, 3, 15), 0, False, id="annual-feb-leap"),
    pytest.param(CLOUD, "annual", date(2027, 5, 31), TODAY, date(2027, 4, 30), date(2027, 3, 31), date(2027, 5, 31), 0, False, id="annual-30-day-month"),
    pytest.param(CLOUD, "annual", date(2027, 8, 1), TODAY, date(2027, 7, 31), date(2027, 6, 30), date(2027, 8, 1), 0, False, id="annual-notice-clamped-to-june30"),
    pytest.param(CLOUD, "annual", date(2027, 1, 15), TODAY, date(2026, 12, 31), date(2026, 11, 30), date(2027, 1, 15), 0, False, id="annual-year-boundary"),
    pytest.param(CLOUD, "annual", date(2027, 3, 31), date(2027, 2, 28), date(2027, 2, 28), date(2027, 1, 31), date(2027, 3, 31), 0, True, id="annual-billing-is-today"),
    pytest.param(CLOUD, "annual", date(2027, 3, 31), date(2027, 3, 10), date(2028, 2, 29), date(2028, 1, 31), date(2028, 3, 31), 1, False, id="annual-charge-passed"),
    pytest.param(CLOUD, "annual", date(2027, 3, 31), date(2027, 3, 31), date(2028, 2, 29), date(2028, 1, 31), date(2028, 3, 31), 1, False, id="annual-expiry-is-today"),
    pytest.param(CLOUD, "annual", date(2027, 1, 15), date(2027, 1, 5), date(2027, 12, 31), date(2027, 11, 30), date(2028, 1, 15), 1, False, id="annual-charge-passed-year-boundary"),
    pytest.param(CLOUD, "annual", date(2028, 2, 29), date(2028, 2, 1), date(2029, 1, 31), date(2028, 12, 31), date(2029, 2, 28), 1, False, id="annual-charge-passed-leap-expiry-clamped"),
    # トータルセキュリティ annual: 25th of the expiry month (override)
    pytest.param(TS, "annual", date(2027, 3, 31), TODAY, date(2027, 3, 25), date(2027, 2, 25), date(2027, 3, 31), 0, False, id="ts-annual-25th"),
    pytest.param(TS, "annual", date(2027, 2, 28), TODAY, date(2027, 2, 25), date(2027, 1, 25), date(2027, 2, 28), 0, False, id="ts-annual-feb"),
    pytest.param(TS, "annual", date(2027, 3, 10), TODAY, date(2027, 3, 25), date(2027, 2, 25), date(2027, 3, 10), 0, False, id="ts-annual-billing-after-expiry-day"),
    pytest.param(TS, "annual", date(2027, 3, 31), date(2027, 3, 25), date(2027, 3, 25), date(2027, 2, 25), date(2027, 3, 31), 0, True, id="ts-annual-billing-is-today"),
    pytest.param(TS, "annual", date(2027, 3, 31), date(2027, 3, 26), date(2028, 3, 25), date(2028, 2, 25), date(2028, 3, 31), 1, False, id="ts-annual-charge-passed"),
    pytest.param(TS, "monthly", date(2027, 3, 10), TODAY, date(2027, 3, 31), date(2027, 2, 28), date(2027, 3, 10), 0, False, id="ts-monthly-uses-default-rule"),
    # confirmed plans
    pytest.param(ANNUAL_ONLY, "annual", date(2027, 6, 30), TODAY, date(2027, 5, 31), date(2027, 4, 30), date(2027, 6, 30), 0, False, id="annual-only-product"),
    # monthly charges that already passed (hypothetical early rules)
    pytest.param(EARLY_MONTHLY, "monthly", date(2027, 1, 31), date(2027, 1, 10), date(2027, 1, 31), date(2026, 12, 31), date(2027, 2, 28), 1, True, id="monthly-charge-passed-one-cycle"),
    pytest.param(THREE_MONTHS_EARLY, "monthly", date(2027, 1, 31), date(2027, 1, 20), date(2027, 1, 31), date(2026, 12, 31), date(2027, 4, 30), 3, True, id="monthly-three-cycles-passed-no-month-end-drift"),
]


@pytest.mark.parametrize(
    ("terms", "plan", "expiry", "today", "billing", "notice", "cycle_expiry", "renewals", "notice_passed"),
    CASES,
)
def test_next_billing(
    terms: ProductTerms,
    plan: str,
    expiry: date,
    today: date,
    billing: date,
    notice: date,
    cycle_expiry: date,
    renewals: int,
    notice_passed: bool,
) -> None:
    result = next_billing(terms, plan, expiry, today)
    assert result.billing_date == billing
    assert result.notice_date == notice
    assert result.cycle_expiry == cycle_expiry
    assert result.renewals_ahead == renewals
    assert result.notice_passed is notice_passed
    assert result.expiry == expiry
    assert result.approximate is True
    assert result.plan == plan
    assert result.product_id == terms.product_id
    assert result.billing_date >= today


def test_result_fields_monthly() -> None:
    result = next_billing(CLOUD, "monthly", date(2027, 3, 31), TODAY)
    assert result == BillingResult(
        product_id="virusbuster-cloud",
        product_name="ウイルスバスター クラウド",
        plan="monthly",
        plan_name="月額版 (1か月間)",
        expiry=date(2027, 3, 31),
        billing_date=date(2027, 3, 31),
        notice_date=date(2027, 2, 28),
        approximate=True,
        approx="頃",
        rule_text="有効期限の当月末頃",
        cycle_expiry=date(2027, 3, 31),
        first_billing_date=date(2027, 3, 31),
        renewals_ahead=0,
        notice_passed=False,
        plans_confirmed=False,
        statement_descriptors=DESCRIPTORS,
        explanation="",  # worded from a template by faqbot.answers.answering.billing_for (tests/test_answering.py)
    )


@pytest.mark.parametrize(
    ("expiry", "today", "first", "renewals"),
    [
        (date(2027, 3, 31), TODAY, date(2027, 2, 28), 0),
        (date(2027, 3, 31), date(2027, 3, 10), date(2027, 2, 28), 1),  # its time passed: the next cycle is billed
        (date(2026, 12, 4), date(2026, 12, 4), date(2026, 11, 30), 1),
    ],
)
def test_first_billing_date_is_the_given_expirys_charge(expiry: date, today: date, first: date, renewals: int) -> None:
    result = next_billing(CLOUD, "annual", expiry, today)
    assert (result.first_billing_date, result.renewals_ahead) == (first, renewals)


def test_unconfirmed_plans_flag_and_descriptors() -> None:
    result = next_billing(TS, "annual", date(2027, 3, 31), TODAY)
    assert result.plans_confirmed is False
    assert result.approx == "前後"
    assert result.statement_descriptors == DESCRIPTORS


def test_expiry_in_past() -> None:
    with pytest.raises(ExpiryInPastError) as info:
        next_billing(CLOUD, "monthly", date(2026, 1, 31), TODAY)
    # The message is for staff and API clients; the values let an answer word it for a customer.
    assert str(info.value).startswith("The expiry 2026-01-31 is before today (2026-11-26);")
    assert (info.value.expiry, info.value.today) == ("2026-01-31", "2026-11-26")


def test_expiry_one_day_in_past() -> None:
    with pytest.raises(ExpiryInPastError):
        next_billing(TS, "annual", date(2026, 11, 25), TODAY)


@pytest.mark.parametrize("plan", ["weekly", "Monthly", "", "月額"])
def test_unknown_plan(plan: str) -> None:
    with pytest.raises(UnknownPlanError) as info:
        next_billing(CLOUD, plan, date(2027, 3, 31), TODAY)
    message = str(info.value)
    assert f"'{plan}'" in message and "monthly" in message and "annual" in message


def test_plan_not_offered() -> None:
    with pytest.raises(PlanNotOfferedError) as info:
        next_billing(ANNUAL_ONLY, "monthly", date(2027, 3, 31), TODAY)
    message = str(info.value)
    assert "ウイルスバスター for Mac" in message and "monthly" in message and "annual" in message


@pytest.mark.parametrize(
    ("expiry", "today"),
    [
        (datetime(2027, 3, 31, 12, 0), TODAY),
        (date(2027, 3, 31), datetime(2026, 11, 26, 9, 0)),
        ("2027-03-31", TODAY),
        (None, TODAY),
    ],
)
def test_non_date_input(expiry: object, today: object) -> None:
    with pytest.raises(InvalidDateError):
        next_billing(CLOUD, "monthly", expiry, today)  # type: ignore[arg-type]
