"""Renewal rules as values, parsed from the plain mappings of ``products.yaml``.

This module turns the ``billing:``, ``notice:`` and ``plans:`` mappings of a
knowledge base into frozen values that :mod:`faqbot.kb.billing` computes with.
Parsing raises :class:`ValueError` with one sentence naming the bad key or
value; the knowledge-base loader turns that into a ``file:line`` problem.

It also holds the two calendar helpers (:func:`month_end`, :func:`add_months`)
that billing rules, the billing calculator and the date extractor share.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from faqbot.errors import PlanNotOfferedError, UnknownPlanError

# The YAML words for ``month:`` and the offset (in months) from the expiry month.
MONTH_WORDS: Mapping[str, int] = {"expiry": 0, "before-expiry": -1}
DAY_END = "end"

BILLING_KEYS = ("month", "day", "approx", "text")
NOTICE_KEYS = ("months_before", "text")
PLAN_KEYS = ("name", "name_en", "period_months", "aliases", "billing")
_PLAN_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")


# --- calendar helpers -------------------------------------------------------


def month_end(year: int, month: int) -> date:
    """Return the last day of ``month`` in ``year`` (e.g. 2028-02 → 2028-02-29)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """Return ``d`` moved by ``months`` calendar months, clamped to the month's length.

    ``add_months(date(2027, 1, 31), 1)`` is 2027-02-28; negative ``months`` go back.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


# --- values -----------------------------------------------------------------


@dataclass(frozen=True)
class BillingRule:
    """When a renewal is charged, relative to the expiry date of the cycle."""

    month_offset: int  # 0 = the expiry month ("expiry"), -1 = the month before ("before-expiry")
    day: int | None  # None = the month's last day ("end"); else that day, clamped
    approx: str  # the approximation word shown with the date: 頃, 前後
    text: str  # the rule as the source page words it, e.g. 有効期限の当月末頃

    def __post_init__(self) -> None:
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError(f"billing day must be 1–31 or None, not {self.day!r}.")

    def date_for(self, expiry: date) -> date:
        """Return the (approximate) billing date of the cycle that ends at ``expiry``."""
        month_start = add_months(expiry.replace(day=1), self.month_offset)
        last = month_end(month_start.year, month_start.month)
        if self.day is None:
            return last
        return month_start.replace(day=min(self.day, last.day))


@dataclass(frozen=True)
class NoticeRule:
    """The reminder e-mail sent before each charge."""

    months_before: int  # the notice comes this many months before the billing date
    text: str


@dataclass(frozen=True)
class PlanTerms:
    """One renewal plan (monthly, annual, ...) with its billing rule."""

    plan: str  # the plan id: "monthly", "annual"
    name: str  # the display name, e.g. 月額版 (1か月間)
    period_months: int  # how far one renewal extends the expiry
    billing: BillingRule

    def __post_init__(self) -> None:
        # A zero period would make the next-cycle search loop forever.
        if self.period_months < 1:
            raise ValueError(f"period_months must be 1 or more, not {self.period_months!r}.")


@dataclass(frozen=True)
class ProductTerms:
    """Everything the billing calculator needs to know about one product."""

    product_id: str
    product_name: str
    plans: tuple[PlanTerms, ...]  # the plans the product can be renewed on, in KB order
    plans_confirmed: bool  # False: the source does not say which plans are sold
    notice: NoticeRule
    statement_descriptors: tuple[str, ...]
    payment_method: str
    known_plan_ids: tuple[str, ...] = ()  # every plan id the KB defines (for error messages)

    @property
    def plan_ids(self) -> tuple[str, ...]:
        """The ids of the plans this product can be renewed on."""
        return tuple(p.plan for p in self.plans)

    def plan(self, plan_id: str) -> PlanTerms:
        """Return the terms of ``plan_id``.

        Raises :class:`UnknownPlanError` for an id the knowledge base does not define
        and :class:`PlanNotOfferedError` for a plan this product is not sold on.
        """
        for terms in self.plans:
            if terms.plan == plan_id:
                return terms
        known = self.known_plan_ids or self.plan_ids
        if plan_id not in known:
            raise UnknownPlanError(f"Unknown plan {plan_id!r}; use one of: {', '.join(known)}.")
        raise PlanNotOfferedError(f"{self.product_name} ({self.product_id})", plan_id, tuple(self.plan_ids))


# --- parsing ----------------------------------------------------------------


def _check_mapping(what: str, mapping: Any, allowed: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(mapping, Mapping):
        raise ValueError(
            f"{what} must be a mapping with keys {', '.join(allowed)}, not {mapping!r}."
        )
    unknown = [k for k in mapping if k not in allowed]
    if unknown:
        raise ValueError(
            f"{what} has unknown key {unknown[0]!r}; allowed keys are {', '.join(allowed)}."
        )
    return mapping


def _require(what: str, mapping: Mapping[str, Any], key: str) -> Any:
    if key not in mapping:
        raise ValueError(f"{what} is missing the key {key!r}.")
    return mapping[key]


def _text(what: str, mapping: Mapping[str, Any], key: str) -> str:
    value = _require(what, mapping, key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} key {key!r} must be non-empty text, not {value!r}.")
    return value.strip()


def _positive_int(what: str, mapping: Mapping[str, Any], key: str, high: int) -> int:
    value = _require(what, mapping, key)
    # bool is an int subclass: `true` in YAML must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValueError(f"{what} key {key!r} must be a whole number 1–{high}, not {value!r}.")
    return value


def parse_billing_rule(mapping: Any) -> BillingRule:
    """Parse a ``billing:`` mapping (keys month, day, approx, text) into a :class:`BillingRule`.

    Raises :class:`ValueError` naming the bad key or value; unknown keys and values
    are errors, because a rule that is not understood must not be guessed.
    """
    what = "billing rule"
    rule = _check_mapping(what, mapping, BILLING_KEYS)
    month = _require(what, rule, "month")
    if not isinstance(month, str) or month not in MONTH_WORDS:
        raise ValueError(
            f"billing rule key 'month' must be one of {', '.join(MONTH_WORDS)}, not {month!r}."
        )
    day = _require(what, rule, "day")
    if isinstance(day, str) and day == DAY_END:
        day_value: int | None = None
    elif isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31:
        day_value = day
    else:
        raise ValueError(f"billing rule key 'day' must be 'end' or a day number 1–31, not {day!r}.")
    return BillingRule(
        month_offset=MONTH_WORDS[month],
        day=day_value,
        approx=_text(what, rule, "approx"),
        text=_text(what, rule, "text"),
    )


def parse_notice(mapping: Any) -> NoticeRule:
    """Parse the ``renewal.notice`` mapping (keys months_before, text) into a NoticeRule."""
    what = "notice"
    notice = _check_mapping(what, mapping, NOTICE_KEYS)
    return NoticeRule(
        months_before=_positive_int(what, notice, "months_before", 12),
        text=_text(what, notice, "text"),
    )


def parse_plan_id(plan_id: Any) -> str:
    """Check a plan id (lower-case word such as ``monthly``) and return it."""
    if not isinstance(plan_id, str) or not _PLAN_ID.fullmatch(plan_id):
        raise ValueError(
            f"plan id {plan_id!r} must be a lower-case word such as 'monthly' or 'annual'."
        )
    return plan_id


def parse_plan_terms(plan_id: Any, mapping: Any) -> PlanTerms:
    """Parse one ``renewal.plans.<id>`` mapping (keys name, period_months, aliases, billing).

    ``aliases`` is accepted but not read here: matching customer words is the router's job.
    """
    pid = parse_plan_id(plan_id)
    what = f"plan {pid!r}"
    plan = _check_mapping(what, mapping, PLAN_KEYS)
    return PlanTerms(
        plan=pid,
        name=_text(what, plan, "name"),
        period_months=_positive_int(what, plan, "period_months", 120),
        billing=parse_billing_rule(_require(what, plan, "billing")),
    )


def build_product_terms(
    product_id: str,
    product_name: str,
    default_plans: Mapping[str, PlanTerms],
    offered: Sequence[str] | None,
    overrides: Mapping[str, BillingRule],
    notice: NoticeRule,
    descriptors: Sequence[str],
    payment_method: str,
) -> ProductTerms:
    """Combine the renewal defaults with one product's ``plans:`` and ``billing:`` overrides.

    ``offered`` None means the source does not say which plans are sold: every default
    plan is available and ``plans_confirmed`` is False.  An override replaces the billing
    rule of that plan for this product only.  Raises :class:`ValueError` for a plan id
    that the defaults do not define.
    """
    if not default_plans:
        raise ValueError("renewal plans are empty; define at least one plan under renewal.plans.")
    known = tuple(default_plans)
    if offered is not None:
        _check_offered(product_id, offered, known)
    available = [pid for pid in known if offered is None or pid in offered]
    _check_overrides(product_id, overrides, known, available)
    if isinstance(descriptors, str) or not all(
        isinstance(d, str) and d.strip() for d in descriptors
    ):
        raise ValueError(
            f"statement_descriptors must be a list of non-empty texts, not {descriptors!r}."
        )
    plans = tuple(
        replace(default_plans[pid], billing=overrides.get(pid, default_plans[pid].billing))
        for pid in available
    )
    return ProductTerms(
        product_id=product_id,
        product_name=product_name,
        plans=plans,
        plans_confirmed=offered is not None,
        notice=notice,
        statement_descriptors=tuple(descriptors),
        payment_method=payment_method,
        known_plan_ids=known,
    )


def _check_offered(product_id: str, offered: Sequence[str], known: tuple[str, ...]) -> None:
    """Raise :class:`ValueError` unless ``offered`` is a non-empty list of distinct known plan ids."""
    if isinstance(offered, str) or not isinstance(offered, Sequence) or not offered:
        raise ValueError(
            f"product {product_id!r} key 'plans' must be null or a non-empty list of plan ids, not {offered!r}."
        )
    for pid in offered:
        if not isinstance(pid, str) or pid not in known:
            raise ValueError(
                f"product {product_id!r} offers unknown plan {pid!r}; known plans are {', '.join(known)}."
            )
    if len(set(offered)) != len(offered):
        raise ValueError(f"product {product_id!r} key 'plans' lists a plan twice: {list(offered)!r}.")


def _check_overrides(
    product_id: str, overrides: Mapping[str, BillingRule], known: tuple[str, ...], available: Sequence[str]
) -> None:
    """Raise :class:`ValueError` for a billing override of a plan that is unknown or not offered."""
    for pid in overrides:
        if pid not in known:
            raise ValueError(
                f"product {product_id!r} overrides billing of unknown plan {pid!r}; known plans are {', '.join(known)}."
            )
        if pid not in available:
            raise ValueError(
                f"product {product_id!r} overrides billing of plan {pid!r}, which its 'plans' list does not offer."
            )
