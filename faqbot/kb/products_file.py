"""Load ``products.yaml``: the renewal section (payment, notice, plans) and the products.

Part of :mod:`faqbot.kb.loader`: every problem is collected as ``file:line: what is
wrong`` and the file's parts still load around it, so one pass reports them all (a
product with a bad billing rule is reported, not also flagged as unknown elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from faqbot.errors import Problem
from faqbot.kb.knowledge import Plan, Product, Renewal
from faqbot.kb.rules import (
    BILLING_KEYS,
    NOTICE_KEYS,
    PLAN_KEYS,
    BillingRule,
    NoticeRule,
    PlanTerms,
    ProductTerms,
    build_product_terms,
    parse_billing_rule,
    parse_notice,
    parse_plan_terms,
)
from faqbot.kb.yamlfields import Collector, check_keys, guard, load_file, mapping_field, text_field, text_list
from faqbot.kb.yamlsource import line_of


@dataclass(frozen=True)
class ProductsFile:
    """What ``products.yaml`` defines; empty parts where the file or a section is broken."""

    renewal: Renewal
    plans: tuple[Plan, ...]
    products: tuple[Product, ...]
    mention_suffixes: tuple[str, ...] = ()  # words that, after a name or alias, belong to naming it
    other_expiries: tuple[str, ...] = ()  # things whose expiry date is not the licence's (the card)


@dataclass(frozen=True)
class _RenewalSection:
    renewal: Renewal
    notice: NoticeRule | None  # None when missing or broken: reported once, products still load
    plan_terms: Mapping[str, PlanTerms]
    plans: tuple[Plan, ...]


#: The keys of products.yaml's top, of its renewal section and of a product (a plan's, a notice's
#: and a billing rule's are :mod:`faqbot.kb.rules`').
PRODUCTS_FILE_KEYS = ("renewal", "products", "mention_suffixes", "other_expiries")
RENEWAL_KEYS = ("payment_method", "notice", "statement_descriptors", "statement_label", "statement_label_en", "plans")
PRODUCT_KEYS = ("id", "name", "name_en", "aliases", "keywords", "plans", "billing", "renewal_routes", "price", "url")

_NO_RENEWAL = Renewal(payment_method="", notice=NoticeRule(1, ""), statement_descriptors=())


#: What a knowledge base without products has: no renewal terms, no plans, no products.
NO_PRODUCTS = ProductsFile(_NO_RENEWAL, (), ())


def load_products(root: Path, problems: list[Problem]) -> ProductsFile:
    """Parse ``root/products.yaml``, adding each problem found to ``problems``.

    The file is optional, and ``products: []`` needs no ``renewal`` section: a service that
    sells nothing (a city's waste desk) has neither products nor billing rules.
    """
    if not (root / "products.yaml").exists():
        return NO_PRODUCTS
    data, c = load_file(root, "products.yaml", problems)
    if data is None:
        return NO_PRODUCTS
    check_keys(c, data, PRODUCTS_FILE_KEYS, "at the top of the file")
    raw_products = data.get("products")
    if not isinstance(raw_products, list):
        c.error(
            line_of(data, "products"),
            f"'products' must be a list, not {raw_products!r}; write 'products: []' (or delete products.yaml) "
            "for a service without products",
        )
        return NO_PRODUCTS
    if not raw_products and "renewal" not in data:
        return NO_PRODUCTS
    section = _renewal_section(c, data)
    products: list[Product] = []
    seen: dict[str, int] = {}  # product id → the line it was first defined on
    for i, raw in enumerate(raw_products):
        product = _product(c, raw, line_of(raw_products, i), section, seen)
        if product is not None:
            products.append(product)
    return ProductsFile(
        section.renewal, section.plans, tuple(products),
        text_list(c, data, "mention_suffixes"), text_list(c, data, "other_expiries"),
    )


def _renewal_section(c: Collector, data: dict[Any, Any]) -> _RenewalSection:
    ren = mapping_field(c, data, "renewal")
    if ren is None:
        return _RenewalSection(_NO_RENEWAL, None, {}, ())
    check_keys(c, ren, RENEWAL_KEYS, "in 'renewal'")
    notice = None
    if check_keys(c, ren.get("notice"), NOTICE_KEYS, "in 'notice'"):
        notice = guard(c, line_of(ren, "notice"), lambda: parse_notice(ren.get("notice")))
    renewal = Renewal(
        payment_method=text_field(c, ren, "payment_method") or "",
        notice=notice or NoticeRule(1, ""),
        statement_descriptors=text_list(c, ren, "statement_descriptors"),
        statement_label=text_field(c, ren, "statement_label", required=False) or "",
        statement_label_en=text_field(c, ren, "statement_label_en", required=False) or "",
    )
    plan_terms: dict[str, PlanTerms] = {}
    plans: list[Plan] = []
    raw_plans = mapping_field(c, ren, "plans")
    for plan_id, raw in (raw_plans or {}).items():
        # A bad rule is reported at its own line, not at the plan's first line; an unknown key at the key's.
        has_rule = isinstance(raw, dict) and "billing" in raw
        known = check_keys(c, raw, PLAN_KEYS, f"in plan {plan_id!r}")
        if has_rule and not check_keys(c, raw["billing"], BILLING_KEYS, f"in the billing rule of plan {plan_id!r}"):
            continue
        if has_rule and guard(c, line_of(raw, "billing"), partial(parse_billing_rule, raw["billing"])) is None:
            continue
        if not known:
            continue
        terms = guard(c, line_of(raw_plans, plan_id), partial(parse_plan_terms, plan_id, raw))
        if terms is not None:
            plan_terms[plan_id] = terms
            name_en = text_field(c, raw, "name_en", required=False)
            plans.append(Plan(plan_id, terms.name, text_list(c, raw, "aliases"), name_en))
    return _RenewalSection(renewal, notice, plan_terms, tuple(plans))


def _product(c: Collector, raw: object, line: int, section: _RenewalSection, seen: dict[str, int]) -> Product | None:
    """One product (None when it cannot load); records its id's line in ``seen``."""
    if not isinstance(raw, dict):
        c.error(line, "a product must be a mapping with id, name, aliases…")
        return None
    pid = text_field(c, raw, "id")
    check_keys(c, raw, PRODUCT_KEYS, f"in product {pid!r}" if pid is not None else "in a product")
    name = text_field(c, raw, "name")
    if pid is None or name is None:
        return None
    if pid in seen:
        c.error(line_of(raw, "id"), f"duplicate product id {pid!r} (first at line {seen[pid]})")
        return None
    seen[pid] = line_of(raw, "id")
    overrides = _billing_overrides(c, raw, pid)
    if not section.plan_terms:
        return None
    terms = _product_terms(c, raw, line, pid, name, overrides, section)
    if terms is None:
        return None
    keywords = _keyword_groups(c, raw)  # before the fields below: problems in the file's order of checks
    offered = raw.get("plans")
    return Product(
        id=pid,
        name=name,
        aliases=text_list(c, raw, "aliases"),
        keywords=keywords,
        plans=tuple(offered) if isinstance(offered, list) else None,
        renewal_routes=text_list(c, raw, "renewal_routes"),
        terms=terms,
        price=text_field(c, raw, "price", required=False),
        url=text_field(c, raw, "url", required=False),
        name_en=text_field(c, raw, "name_en", required=False),
    )


def _billing_overrides(c: Collector, raw: dict[Any, Any], pid: str) -> dict[str, BillingRule]:
    """The product's own billing rules by plan id (``billing:``), each bad one reported."""
    raw_billing = raw.get("billing") or {}
    if not isinstance(raw_billing, dict):
        c.error(line_of(raw, "billing"), "'billing' must map plan ids to billing rules")
        return {}
    overrides: dict[str, BillingRule] = {}
    for plan_id, rule in raw_billing.items():
        if not check_keys(c, rule, BILLING_KEYS, f"in the billing rule of plan {plan_id!r} of product {pid!r}"):
            continue
        parsed = guard(c, line_of(raw_billing, plan_id), partial(parse_billing_rule, rule))
        if parsed is not None:
            overrides[plan_id] = parsed
    return overrides


def _product_terms(
    c: Collector,
    raw: dict[Any, Any],
    line: int,
    pid: str,
    name: str,
    overrides: dict[str, BillingRule],
    section: _RenewalSection,
) -> ProductTerms | None:
    # A broken notice is reported once (by the renewal section); products still load
    # with a placeholder so that their ids do not cause false "unknown product" problems.
    renewal = section.renewal
    build = partial(
        build_product_terms,
        pid,
        name,
        section.plan_terms,
        raw.get("plans"),
        overrides,
        section.notice or NoticeRule(1, "-"),
        renewal.statement_descriptors,
        renewal.payment_method,
    )
    terms: ProductTerms | None = guard(c, line_of(raw, "plans") if "plans" in raw else line, build)
    return terms


def _keyword_groups(c: Collector, raw: dict[Any, Any]) -> tuple[tuple[str, ...], ...]:
    """The product's ``keywords``: word lists that name it together; each bad item reported."""
    keywords = raw.get("keywords") or []
    if not isinstance(keywords, list):
        c.error(line_of(raw, "keywords"), "'keywords' must be a list of word lists")
        return ()
    groups: list[tuple[str, ...]] = []
    for k, group in enumerate(keywords):
        words = text_list(c, {"keywords": group}, "keywords") if isinstance(group, list) else ()
        if not words:
            c.error(line_of(keywords, k), "each 'keywords' item must be a non-empty list of words")
            continue
        groups.append(words)
    return tuple(groups)
