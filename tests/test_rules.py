"""Tests of faqbot.kb.rules: parsing renewal rules from products.yaml mappings."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from faqbot.errors import PlanNotOfferedError, UnknownPlanError
from faqbot.kb.rules import (
    BillingRule,
    NoticeRule,
    PlanTerms,
    ProductTerms,
    add_months,
    build_product_terms,
    month_end,
    parse_billing_rule,
    parse_notice,
    parse_plan_terms,
)

MONTHLY = {
    "name": "月額版 (1か月間)",
    "period_months": 1,
    "aliases": ["月額", "毎月"],
    "billing": {"month": "expiry", "day": "end", "approx": "頃", "text": "有効期限の当月末頃"},
}
ANNUAL = {
    "name": "年額版 (1年間)",
    "period_months": 12,
    "billing": {"month": "before-expiry", "day": "end", "approx": "頃", "text": "有効期限の前月末頃"},
}
TS_ANNUAL = {"month": "expiry", "day": 25, "approx": "前後", "text": "有効期限の当月25日前後"}
NOTICE = {"months_before": 1, "text": "請求日の約1か月前にお知らせ"}
DESCRIPTORS = ["トレンドマイクロ ウイルスバスター", "トレンドマイクロ株式会社"]


def _defaults() -> dict[str, PlanTerms]:
    return {
        "monthly": parse_plan_terms("monthly", MONTHLY),
        "annual": parse_plan_terms("annual", ANNUAL),
    }


def _build(offered: Any = None, overrides: Any = None, descriptors: Any = None) -> ProductTerms:
    return build_product_terms(
        "total-security-standard",
        "ウイルスバスター トータルセキュリティ スタンダード",
        _defaults(),
        offered,
        overrides or {},
        parse_notice(NOTICE),
        DESCRIPTORS if descriptors is None else descriptors,
        "クレジットカード決済のみ",
    )


# --- calendar helpers -------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2027, 1, date(2027, 1, 31)),
        (2027, 2, date(2027, 2, 28)),
        (2028, 2, date(2028, 2, 29)),
        (2100, 2, date(2100, 2, 28)),
        (2000, 2, date(2000, 2, 29)),
        (2027, 4, date(2027, 4, 30)),
        (2027, 12, date(2027, 12, 31)),
    ],
)
def test_month_end(year: int, month: int, expected: date) -> None:
    assert month_end(year, month) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 1, 31), 2, date(2027, 3, 31)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 5, 31), 0, date(2027, 5, 31)),
        (date(2027, 3, 31), -13, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- valid rules ------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (MONTHLY["billing"], BillingRule(0, None, "頃", "有効期限の当月末頃")),
        (ANNUAL["billing"], BillingRule(-1, None, "頃", "有効期限の前月末頃")),
        (TS_ANNUAL, BillingRule(0, 25, "前後", "有効期限の当月25日前後")),
        ({"month": "expiry", "day": 1, "approx": "頃", "text": "t"}, BillingRule(0, 1, "頃", "t")),
        ({"month": "before-expiry", "day": 31, "approx": "頃", "text": "t"}, BillingRule(-1, 31, "頃", "t")),
    ],
)
def test_parse_billing_rule(mapping: dict[str, Any], expected: BillingRule) -> None:
    assert parse_billing_rule(mapping) == expected


@pytest.mark.parametrize(
    ("rule", "expiry", "expected"),
    [
        (BillingRule(0, None, "頃", "当月末"), date(2027, 3, 1), date(2027, 3, 31)),
        (BillingRule(-1, None, "頃", "前月末"), date(2027, 3, 31), date(2027, 2, 28)),
        (BillingRule(-1, None, "頃", "前月末"), date(2027, 1, 15), date(2026, 12, 31)),
        (BillingRule(0, 25, "前後", "当月25日"), date(2027, 3, 31), date(2027, 3, 25)),
        (BillingRule(0, 31, "頃", "当月31日"), date(2027, 2, 1), date(2027, 2, 28)),
        (BillingRule(0, 30, "頃", "当月30日"), date(2028, 2, 10), date(2028, 2, 29)),
    ],
)
def test_billing_rule_date_for(rule: BillingRule, expiry: date, expected: date) -> None:
    assert rule.date_for(expiry) == expected


def test_parse_notice() -> None:
    assert parse_notice(NOTICE) == NoticeRule(1, "請求日の約1か月前にお知らせ")


def test_parse_plan_terms_ignores_aliases() -> None:
    assert parse_plan_terms("monthly", MONTHLY) == PlanTerms(
        "monthly", "月額版 (1か月間)", 1, BillingRule(0, None, "頃", "有効期限の当月末頃")
    )


def test_build_product_terms_unconfirmed_plans_with_override() -> None:
    terms = _build(offered=None, overrides={"annual": parse_billing_rule(TS_ANNUAL)})
    assert terms.plans_confirmed is False
    assert terms.plan_ids == ("monthly", "annual")
    assert terms.plan("annual").billing == BillingRule(0, 25, "前後", "有効期限の当月25日前後")
    assert terms.plan("annual").period_months == 12
    # The override touches only the plan it names.
    assert terms.plan("monthly").billing == BillingRule(0, None, "頃", "有効期限の当月末頃")
    assert terms.statement_descriptors == tuple(DESCRIPTORS)
    assert terms.notice == NoticeRule(1, "請求日の約1か月前にお知らせ")
    assert terms.payment_method == "クレジットカード決済のみ"


def test_build_product_terms_confirmed_plans() -> None:
    terms = _build(offered=["annual"])
    assert terms.plans_confirmed is True
    assert terms.plan_ids == ("annual",)
    with pytest.raises(PlanNotOfferedError, match="monthly"):
        terms.plan("monthly")
    with pytest.raises(UnknownPlanError, match="weekly"):
        terms.plan("weekly")


# --- bad rules --------------------------------------------------------------

_OK = {"month": "expiry", "day": "end", "approx": "頃", "text": "有効期限の当月末頃"}
_MISSING = object()  # marks a key to drop from _OK


def _rule(**changes: Any) -> dict[str, Any]:
    rule = {**_OK, **changes}
    return {k: v for k, v in rule.items() if v is not _MISSING}



@pytest.mark.parametrize(
    ("mapping", "mentions"),
    [
        ("expiry end", "mapping"),
        (None, "mapping"),
        (["expiry", "end"], "mapping"),
        (_rule(month=_MISSING), "'month'"),
        (_rule(month="after-expiry"), "after-expiry"),
        (_rule(month="Expiry"), "Expiry"),
        (_rule(month=0), "'month'"),
        (_rule(month=-1), "'month'"),
        (_rule(day=_MISSING), "'day'"),
        (_rule(day=0), "'day'"),
        (_rule(day=32), "32"),
        (_rule(day=-5), "-5"),
        (_rule(day="25"), "'25'"),
        (_rule(day="last"), "last"),
        (_rule(day=True), "True"),
        (_rule(day=None), "None"),
        (_rule(day=25.5), "25.5"),
        (_rule(approx=""), "'approx'"),
        (_rule(approx="  "), "'approx'"),
        (_rule(approx=_MISSING), "'approx'"),
        (_rule(approx=1), "'approx'"),
        (_rule(text=_MISSING), "'text'"),
        (_rule(text=5), "'text'"),
        (_rule(weekday="monday"), "weekday"),
        (_rule(days=25), "days"),
    ],
)
def test_parse_billing_rule_rejects(mapping: Any, mentions: str) -> None:
    with pytest.raises(ValueError, match=re.escape(mentions)) as info:
        parse_billing_rule(mapping)
    assert str(info.value).endswith(".")


@pytest.mark.parametrize(
    ("mapping", "mentions"),
    [
        ({"months_before": 0, "text": "t"}, "'months_before'"),
        ({"months_before": "1", "text": "t"}, "'months_before'"),
        ({"months_before": True, "text": "t"}, "'months_before'"),
        ({"months_before": 13, "text": "t"}, "13"),
        ({"months_before": 1}, "'text'"),
        ({"text": "t"}, "'months_before'"),
        ({"months_before": 1, "text": "t", "days_before": 3}, "days_before"),
        ([1, "t"], "mapping"),
    ],
)
def test_parse_notice_rejects(mapping: Any, mentions: str) -> None:
    with pytest.raises(ValueError, match=re.escape(mentions)):
        parse_notice(mapping)


@pytest.mark.parametrize(
    ("plan_id", "mapping", "mentions"),
    [
        ("monthly", {**MONTHLY, "period_months": 0}, "'period_months'"),
        ("monthly", {**MONTHLY, "period_months": "1"}, "'period_months'"),
        ("monthly", {k: v for k, v in MONTHLY.items() if k != "name"}, "'name'"),
        ("monthly", {k: v for k, v in MONTHLY.items() if k != "billing"}, "'billing'"),
        ("monthly", {**MONTHLY, "billing": _rule(month="next")}, "next"),
        ("monthly", {**MONTHLY, "price": 550}, "price"),
        ("Monthly", MONTHLY, "Monthly"),
        ("", MONTHLY, "plan id"),
        (None, MONTHLY, "plan id"),
        ("monthly", "月額", "mapping"),
    ],
)
def test_parse_plan_terms_rejects(plan_id: Any, mapping: Any, mentions: str) -> None:
    with pytest.raises(ValueError, match=re.escape(mentions)):
        parse_plan_terms(plan_id, mapping)


@pytest.mark.parametrize(
    ("offered", "overrides", "descriptors", "mentions"),
    [
        (["weekly"], None, None, "weekly"),
        ([{"id": "annual"}], None, None, "'id'"),
        ([], None, None, "'plans'"),
        ("annual", None, None, "'plans'"),
        (["annual", "annual"], None, None, "twice"),
        (None, {"weekly": BillingRule(0, 25, "前後", "t")}, None, "weekly"),
        (["monthly"], {"annual": BillingRule(0, 25, "前後", "t")}, None, "annual"),
        (None, None, ["ok", 5], "statement_descriptors"),
        (None, None, "トレンドマイクロ", "statement_descriptors"),
    ],
)
def test_build_product_terms_rejects(
    offered: Any, overrides: Any, descriptors: Any, mentions: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(mentions)):
        _build(offered=offered, overrides=overrides, descriptors=descriptors)


def test_build_product_terms_needs_default_plans() -> None:
    with pytest.raises(ValueError, match="renewal plans"):
        build_product_terms("p", "P", {}, None, {}, parse_notice(NOTICE), DESCRIPTORS, "x")


@pytest.mark.parametrize("period", [0, -12])
def test_plan_terms_rejects_non_positive_period(period: int) -> None:
    # A zero period would make the next-cycle search loop forever.
    with pytest.raises(ValueError, match="period_months"):
        PlanTerms("monthly", "月額版", period, BillingRule(0, None, "頃", "t"))
