"""The next-billing-date calculator: pure, no clock, no knowledge-base access.

:func:`next_billing` applies a product's renewal rules (see :mod:`faqbot.kb.rules`)
to an expiry date and a reference date ``today``.  Nothing product-specific is
coded here: special cases such as the トータルセキュリティ annual rule arrive as
billing-rule overrides inside :class:`~faqbot.kb.rules.ProductTerms`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from faqbot.errors import ExpiryInPastError, InvalidDateError
from faqbot.kb.rules import PlanTerms, ProductTerms, add_months, month_end

# add_months and month_end live in faqbot.kb.rules; re-exported for callers of the calculator.
__all__ = ["BillingResult", "add_months", "format_date", "month_end", "next_billing", "short_plan_name"]

# "月額版 (1か月間)" → "月額版": the period in brackets reads badly mid-sentence.
_NAME_SUFFIX = re.compile(r"\s*[（(][^()（）]*[)）]\s*$")


@dataclass(frozen=True)
class BillingResult:
    """The next (approximate) charge of an automatic renewal, with its explanation."""

    product_id: str
    product_name: str
    plan: str
    plan_name: str
    expiry: date  # the expiry date as given
    billing_date: date  # the next charge on or after today (approximate)
    notice_date: date  # the reminder e-mail before that charge (approximate)
    approximate: bool  # always True: the source gives 頃 / 前後, never an exact day
    approx: str  # the approximation word, e.g. 頃
    rule_text: str  # the rule as the source words it
    cycle_expiry: date  # the expiry of the cycle whose charge is next
    first_billing_date: date  # the (approximate) charge of the cycle ending at ``expiry``; past when renewals_ahead > 0
    renewals_ahead: int  # how many cycles' charges already passed (0 = none)
    notice_passed: bool  # the notice date lies before today
    plans_confirmed: bool  # False: the source does not say which plans the product is sold on
    statement_descriptors: tuple[str, ...]
    # A short explanation of the rule applied, in the knowledge base's language: worded by the
    # ``_explanation`` template (it names the service's account), so filled in by
    # faqbot.answers.answering.billing_for; the bare calculator leaves it empty.
    explanation: str = ""


def short_plan_name(plan_name: str) -> str:
    """A plan's name without its bracketed period, for use mid-sentence: 月額版 (1か月間) → 月額版."""
    return _NAME_SUFFIX.sub("", plan_name) or plan_name


def format_date(d: date) -> str:
    """Format a date the Japanese way: 2027年3月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


def _check_date(name: str, value: object) -> date:
    # datetime is a date subclass but cannot be compared with a date.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidDateError(
            f"{name} {value!r} は日付ではありません。YYYY-MM-DD 形式の日付を渡してください。"
        )
    return value


def next_billing(
    terms: ProductTerms,
    plan: str,
    expiry: date,
    today: date,
) -> BillingResult:
    """Compute the next automatic-renewal charge of ``terms`` on ``plan``.

    The charge of the cycle ending at ``expiry`` is next unless its billing date lies
    before ``today`` (it already happened); then each renewal extends the expiry by the
    plan's period and the first cycle billed on or after ``today`` is taken.

    Raises :class:`ExpiryInPastError` when ``expiry`` is before ``today``,
    :class:`UnknownPlanError` / :class:`PlanNotOfferedError` for a bad ``plan``,
    :class:`InvalidDateError` when ``expiry`` or ``today`` is not a date.
    """
    expiry = _check_date("expiry", expiry)
    today = _check_date("today", today)
    plan_terms = terms.plan(plan)
    if expiry < today:
        raise ExpiryInPastError(expiry.isoformat(), today.isoformat())
    try:
        return _compute(terms, plan_terms, expiry, today)
    except (OverflowError, ValueError):
        # Only dates at the edge of the calendar (year 1 or 9999) get here.
        raise InvalidDateError(
            f"The expiry {expiry.isoformat()} is at the calendar's edge; give the contract's real expiry (YYYY-MM-DD)."
        ) from None


def _notice_date(billing_date: date, months_before: int) -> date:
    """The notice date: a month-end billing is noticed at the end of the earlier month."""
    notice = add_months(billing_date, -months_before)
    if billing_date == month_end(billing_date.year, billing_date.month):
        return month_end(notice.year, notice.month)  # 4/30 → 3/31, not 3/30
    return notice


def _compute(terms: ProductTerms, plan_terms: PlanTerms, expiry: date, today: date) -> BillingResult:
    first_billing = plan_terms.billing.date_for(expiry)
    cycle = 0
    cycle_expiry = expiry
    billing_date = first_billing
    # Terminates: each cycle moves the billing date forward by period_months ≥ 1 month.
    while billing_date < today:
        cycle += 1
        # Offset from the original expiry so month-end clamping does not drift (1/31 → 2/28 → 3/31).
        cycle_expiry = add_months(expiry, cycle * plan_terms.period_months)
        billing_date = plan_terms.billing.date_for(cycle_expiry)
    notice_date = _notice_date(billing_date, terms.notice.months_before)
    return BillingResult(
        product_id=terms.product_id,
        product_name=terms.product_name,
        plan=plan_terms.plan,
        plan_name=plan_terms.name,
        expiry=expiry,
        billing_date=billing_date,
        notice_date=notice_date,
        approximate=True,
        approx=plan_terms.billing.approx,
        rule_text=plan_terms.billing.text,
        cycle_expiry=cycle_expiry,
        first_billing_date=first_billing,
        renewals_ahead=cycle,
        notice_passed=notice_date < today,
        plans_confirmed=terms.plans_confirmed,
        statement_descriptors=terms.statement_descriptors,
    )
