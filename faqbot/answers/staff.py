"""What support staff look up while a customer is on the phone, as front-end-neutral values.

``faqbot lookup``, ``faqbot show``, ``faqbot products`` and the interactive
lookup all build on these functions; the CLI decides how to draw them (rich
table on a terminal, plain columns in a pipe, JSON with ``--json``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from faqbot.answers.answering import Engine, answer_entry
from faqbot.errors import InputError, InvalidDateError, UnknownPlanError, UnknownProductError
from faqbot.kb.billing import BillingResult, format_date
from faqbot.kb.date_io import format_date_en
from faqbot.kb.dates import (
    EARLIEST_EXPLICIT,
    LATEST_EXPLICIT,
    MAX_YEAR,
    MIN_YEAR,
    PROBLEM_AMBIGUOUS,
    PROBLEM_IMPOSSIBLE,
    PROBLEM_PAST,
    PROBLEM_SEVERAL,
    FoundDate,
    date_problem,
    extract_dates,
)
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.templating import render_system
from faqbot.routing.entities import Entities
from faqbot.text.normalize import normalize_term
from faqbot.text.suggest import closest

#: Shown for a fact the source page does not give (price, URL, plans sold…).
NOT_LISTED = "未掲載"


@dataclass(frozen=True)
class BillingInput:
    """A contract as staff typed it, resolved the way the chat reads it."""

    product: str  # product id
    plan: str  # plan id
    expiry: date
    day_assumed: str = ""  # the expiry as typed when it gave no day (3月上旬, 2027年3月): ``expiry`` stands for it


def resolve_billing_input(engine: Engine, product: str, plan: str, expiry: str, today: date) -> BillingInput:
    """Read product, plan and expiry as the chat does: ids, names, aliases, typos, every date form.

    Raises :class:`UnknownProductError` with the closest product ("did you mean"),
    :class:`UnknownPlanError`, or :class:`InvalidDateError` saying what is wrong with the date.
    """
    found = _expiry(expiry, today)
    return BillingInput(
        product=resolve_product(engine, product),
        plan=_plan_id(engine, plan),
        expiry=found.value,
        day_assumed=found.text if found.precision != "day" else "",
    )


def billing_notes(kb: KnowledgeBase, result: BillingResult, contract: BillingInput | None = None) -> tuple[str, ...]:
    """The caveats staff must read beside a computed billing, worded as the chat words them.

    An expiry typed without a day (``contract.day_assumed``) says which day was assumed; a
    product whose plans the page does not name gets the chat's sentence saying so.
    """
    notes = []
    if contract is not None and contract.day_assumed:
        shown = format_date(contract.expiry) if kb.lang == "ja" else format_date_en(contract.expiry)
        notes.append(render_system("_day_assumed", {"typed": contract.day_assumed, "expiry": shown}, kb.lang))
    if not result.plans_confirmed:
        notes.append(render_system("_plans_unconfirmed", {"service": kb.service}, kb.lang))
    return tuple(notes)


def _read_id(ids: list[str], text: str, read: Callable[[str], str | None]) -> str | None:
    """``text`` itself when it is one of ``ids``, else what the chat's extractor reads in it."""
    return text.strip() if text.strip() in ids else read(text)


def resolve_product(engine: Engine, text: str) -> str:
    """The product id ``text`` names, read as the chat reads it: an id, name, alias or typo.

    Every staff command's ``--product`` goes through here (billing, lookup, show). Raises
    :class:`UnknownProductError` listing every product a part of several names fits
    (「クラウド」), else offering the closest product ("did you mean").
    """
    kb = engine.kb
    if not kb.products:
        raise UnknownProductError(f"Product {text!r} is unknown: this knowledge base lists no products; leave the product out.")
    found = _read_id([p.id for p in kb.products], text, engine.extractor.product)
    if found is not None:
        return found
    names = {normalize_term(name): p for p in kb.products for name in (p.id, p.name, *p.aliases) if normalize_term(name)}
    typed = normalize_term(text)
    # A part of several names (「トータルセキュリティ」, 「ウイルスバスター」): every product it fits, not the likeliest typo.
    fitting = list(dict.fromkeys(p for name, p in names.items() if typed and typed in name))
    if len(fitting) > 1:
        listed = ", ".join(f"{p.name} ({p.id})" for p in fitting)
        raise UnknownProductError(f"Product {text!r} fits {len(fitting)} products: {listed}; give the one you mean.")
    best = closest(typed, names)
    hint = f" Did you mean {names[best].name} ({names[best].id})?" if best else ""
    raise UnknownProductError(f"Unknown product {text!r}.{hint} `faqbot products` lists every product.")


def _plan_id(engine: Engine, text: str) -> str:
    kb = engine.kb
    found = _read_id([p.id for p in kb.plans], text, engine.extractor.plan)
    if found is not None:
        return found
    known = ", ".join(f"{p.id} ({p.name})" for p in kb.plans)
    raise UnknownPlanError(f"Unknown plan {text!r}; use one of: {known}.")


# 20270331: the compact ISO form, typed into a form field or copied from a system; in free text
# eight digits are too often an order or phone number to be read as a date.
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")


# A whole year-month-day, read as the API reads one: any real date between EARLIEST_EXPLICIT and
# LATEST_EXPLICIT (free text reads four digits as a year only up to MAX_YEAR).
_WHOLE_DATE = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")


def _whole_date(text: str) -> date | None:
    whole = _WHOLE_DATE.fullmatch(text.strip())
    if whole is None or MIN_YEAR <= int(whole["y"]) <= MAX_YEAR:
        return None  # free text, or a year the date patterns read themselves
    try:
        found = date(int(whole["y"]), int(whole["m"]), int(whole["d"]))
    except ValueError:
        found = None
    if found is None or not EARLIEST_EXPLICIT <= found <= LATEST_EXPLICIT:
        raise InvalidDateError(
            f"{text.strip()!r} is not a date between {EARLIEST_EXPLICIT} and {LATEST_EXPLICIT}; "
            "give the contract's real expiry, e.g. 2027-03-31."
        )
    return found


def _expiry(text: str, today: date) -> FoundDate:
    compact = _COMPACT_DATE.fullmatch(text.strip())
    text = f"{compact['y']}/{compact['m']}/{compact['d']}" if compact else text
    whole = _whole_date(text)
    if whole is not None:
        return FoundDate(whole, "day", text.strip())
    problem = date_problem(text, today)
    # A past date is a real date: the billing calculator refuses it with its own error.
    if problem is not None and problem.code != PROBLEM_PAST:
        why = {
            PROBLEM_IMPOSSIBLE: f"{problem.text!r} is not a real date"
            + (f" (that month ends on day {problem.last_day})" if problem.last_day else ""),
            PROBLEM_SEVERAL: f"{text!r} holds more than one date ({problem.text})",
            PROBLEM_AMBIGUOUS: f"{problem.text!r} reads as two different dates (which part is the month?)",
        }.get(problem.code, f"{problem.text!r} does not say which month")
        if problem.code == PROBLEM_AMBIGUOUS:
            raise InvalidDateError(f"{why}; give the year first, e.g. 2027-03-04 or 2027年3月4日.")
        raise InvalidDateError(f"{why}; give one expiry date, e.g. 2027-03-31, 2027/3/31 or 2027年3月31日.")
    found = extract_dates(text, today)
    if not found:
        raise InvalidDateError(f"{text!r} is not a date; give the expiry as e.g. 2027-03-31, 2027/3/31 or 2027年3月31日.")
    return found[0]


@dataclass(frozen=True)
class LookupRow:
    """One ranked entry for a staff lookup."""

    rank: int
    entry_id: str
    confidence: float
    category: str
    question: str  # the entry's canonical question
    matched: str  # the stored question that matched best
    products: tuple[str, ...]  # product ids with product-specific support pages


@dataclass(frozen=True)
class LookupResult:
    """The ranking for one query, and the product it is about (named or given)."""

    query: str
    product: str | None
    rows: tuple[LookupRow, ...]


@dataclass(frozen=True)
class Related:
    """An entry suggested after another."""

    entry_id: str
    question: str


@dataclass(frozen=True)
class EntryView:
    """Everything about one entry as a customer with ``product`` would be answered."""

    entry_id: str
    kind: str
    category: str
    question: str
    alternates: tuple[str, ...]
    product: str | None
    product_name: str | None
    text: str
    pages: tuple[str, ...]
    related: tuple[Related, ...]
    products: tuple[str, ...]  # product ids with product-specific pages
    source: str  # file:line


@dataclass(frozen=True)
class PlanSheet:
    """One plan a product renews on, with the billing rule applied to it."""

    plan: str
    name: str
    billing: str  # the rule as the source words it, e.g. 有効期限の前月末頃


@dataclass(frozen=True)
class ProductSheet:
    """One product's renewal facts, as staff quote them."""

    id: str
    name: str
    aliases: tuple[str, ...]
    plans: tuple[PlanSheet, ...]
    plans_confirmed: bool  # False: the source does not say which plans are sold
    notice: str  # the reminder e-mail, as the source words it
    notice_months_before: int
    payment_method: str
    renewal_routes: tuple[str, ...]
    statement_descriptors: tuple[str, ...]
    price: str | None
    url: str | None


def lookup(engine: Engine, query: str, today: date, top: int = 5, product: str | None = None) -> LookupResult:
    """Rank entries for ``query``; ``product`` (as staff type it: id, name, alias, typo; see
    :func:`resolve_product`) overrides the product the query names."""
    if top < 1:
        raise InputError(f"--top must be 1 or more, not {top}; try --top 5.")
    if not query.strip():
        raise InputError("The query is empty; type a few words of the customer's question.")
    product = resolve_product(engine, product) if product is not None else None
    entities = engine.extractor.extract(query, today)
    if product is not None:
        entities = replace(entities, product=product)
    ranked = engine.router.rank(query, entities, top=top)
    rows = []
    for i, match in enumerate(ranked, start=1):
        entry = engine.kb.entry(match.entry_id)
        rows.append(
            LookupRow(i, entry.id, match.confidence, entry.category, entry.question, match.question,
                      entry.pages.products())
        )
    return LookupResult(query, entities.product, tuple(rows))


def entry_view(engine: Engine, entry_id: str, today: date, product: str | None = None) -> EntryView:
    """The answer of ``entry_id`` for ``product`` (or in general), with pages and related entries.

    ``product`` as staff type it (id, name, alias, typo; see :func:`resolve_product`).
    """
    kb = engine.kb
    entry = kb.entry(entry_id)
    product = resolve_product(engine, product) if product is not None else None
    chosen = kb.product(product) if product is not None else None
    answer = answer_entry(engine, entry, Entities(product=product), today)
    return EntryView(
        entry_id=entry.id,
        kind=entry.kind,
        category=entry.category,
        question=entry.question,
        alternates=entry.alternates,
        product=product,
        product_name=chosen.name if chosen else None,
        text=answer.text,
        pages=answer.pages,
        related=tuple(Related(s.intent, s.question) for s in answer.related),
        products=entry.pages.products(),
        source=f"{entry.source}:{entry.line}",
    )


def product_sheets(kb: KnowledgeBase) -> tuple[ProductSheet, ...]:
    """Every product of the catalogue with aliases, plans, billing rules and renewal routes."""
    notice = kb.renewal.notice
    return tuple(
        ProductSheet(
            id=p.id,
            name=p.name,
            aliases=p.aliases,
            plans=tuple(PlanSheet(t.plan, t.name, t.billing.text) for t in p.terms.plans),
            plans_confirmed=p.terms.plans_confirmed,
            notice=notice.text,
            notice_months_before=notice.months_before,
            payment_method=p.terms.payment_method,
            renewal_routes=p.renewal_routes,
            statement_descriptors=p.terms.statement_descriptors,
            price=p.price,
            url=p.url,
        )
        for p in kb.products
    )


def entry_text(view: EntryView) -> str:
    """The entry as plain text: header, answer, support pages, related entries."""
    where = f" / 製品: {view.product_name} ({view.product})" if view.product else " / 製品: 指定なし"
    category = view.category or "—"
    lines = [f"[{view.entry_id}] {view.question}", f"分類: {category}{where}", "", view.text]
    if view.pages:
        lines += ["", "参考ページ:"] + [f"  - {t}" for t in view.pages]
    if view.related:
        lines += ["", "関連する質問:"] + [f"  - {r.question} ({r.entry_id})" for r in view.related]
    if view.products and not view.product:
        lines += ["", f"製品別のページあり: {', '.join(view.products)}"]
    return "\n".join(lines)


def lookup_json(result: LookupResult) -> dict[str, Any]:
    """The ``faqbot lookup --json`` shape."""
    return {
        "query": result.query,
        "product": result.product,
        "results": [
            {
                "rank": r.rank,
                "id": r.entry_id,
                "confidence": r.confidence,
                "category": r.category,
                "question": r.question,
                "matched": r.matched,
                "products": list(r.products),
            }
            for r in result.rows
        ],
    }


def entry_json(view: EntryView) -> dict[str, Any]:
    """The ``faqbot show --json`` shape."""
    return {
        "id": view.entry_id,
        "kind": view.kind,
        "category": view.category,
        "question": view.question,
        "alternates": list(view.alternates),
        "product": view.product,
        "answer": view.text,
        "pages": list(view.pages),
        "related": [{"id": r.entry_id, "question": r.question} for r in view.related],
        "products": list(view.products),
        "source": view.source,
    }


def products_json(sheets: tuple[ProductSheet, ...]) -> list[dict[str, Any]]:
    """The ``faqbot products --json`` shape (null where the source says nothing)."""
    return [
        {
            "id": s.id,
            "name": s.name,
            "aliases": list(s.aliases),
            "plans": [{"id": p.plan, "name": p.name, "billing": p.billing} for p in s.plans],
            "plans_confirmed": s.plans_confirmed,
            "notice": s.notice,
            "notice_months_before": s.notice_months_before,
            "payment_method": s.payment_method,
            "renewal_routes": list(s.renewal_routes),
            "statement_descriptors": list(s.statement_descriptors),
            "price": s.price,
            "url": s.url,
        }
        for s in sheets
    ]
