"""Load and validate a knowledge-base folder into a :class:`KnowledgeBase`.

Every problem is collected as ``file:line: what is wrong`` and raised together
in one :class:`KnowledgeBaseError`, so a maintainer fixes them all in one
pass and the bot never starts half-loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from faqbot.errors import KnowledgeBaseError, Problem
from faqbot.kb.knowledge import (
    KIND_COMPUTE,
    KIND_FAQ,
    KIND_SMALLTALK,
    Entry,
    HandoffPhrases,
    KnowledgeBase,
    Note,
    Plan,
    Product,
    Renewal,
    RouterSettings,
    Service,
    SupportPages,
)
from faqbot.kb.rules import (
    BillingRule,
    NoticeRule,
    PlanTerms,
    build_product_terms,
    parse_billing_rule,
    parse_notice,
    parse_plan_terms,
)
from faqbot.kb.templating import template_problem
from faqbot.kb.yamlsource import YamlList, YamlMap, line_of, load_yaml

SHIPPED_KB = Path(__file__).resolve().parents[2] / "knowledge"


class _Collector:
    """Accumulates problems for one file."""

    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, message))


def _text(c: _Collector, mapping: Any, key: str, *, required: bool = True) -> str | None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None:
        if required:
            c.error(line_of(mapping, key), f"missing '{key}'")
        return None
    if not isinstance(value, str) or not value.strip():
        c.error(line_of(mapping, key), f"'{key}' must be a non-empty text, not {value!r}")
        return None
    return value


def _texts(c: _Collector, mapping: Any, key: str) -> tuple[str, ...]:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None:
        return ()
    if not isinstance(value, list):
        c.error(line_of(mapping, key), f"'{key}' must be a list of texts")
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)  # an alias like 2027 or a keyword like 365 reads as a number
        if not isinstance(item, str) or not item.strip():
            c.error(line_of(value, i), f"'{key}' item {i + 1} must be a non-empty text, not {item!r}")
            continue
        out.append(item)
    return tuple(out)


def _mapping(c: _Collector, data: Any, key: str, *, required: bool = True) -> YamlMap | None:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        if required:
            c.error(line_of(data, key), f"missing '{key}' section")
        return None
    if not isinstance(value, dict):
        c.error(line_of(data, key), f"'{key}' must be a mapping")
        return None
    return value  # type: ignore[return-value]


def _guard(c: _Collector, line: int, parse: Callable[[], Any]) -> Any:
    """Run a rules parser, turning its ValueError into a located problem."""
    try:
        return parse()
    except ValueError as exc:
        c.error(line, str(exc))
        return None


def _load(root: Path, rel: str, problems: list[Problem]) -> tuple[Any, _Collector]:
    c = _Collector(rel, problems)
    try:
        data = load_yaml(root / rel, display=rel)
    except KnowledgeBaseError as exc:
        problems.extend(exc.problems)
        return None, c
    if not isinstance(data, dict):
        c.error(1, "the file must hold a mapping at the top level")
        return None, c
    return data, c


def _service_names(c: _Collector, svc: YamlMap, base: Service | None = None) -> Service:
    """The service's names and contact points; with ``base``, a translation that may leave some out."""
    def text(key: str, required: bool) -> str | None:
        value = _text(c, svc, key, required=required and base is None)
        return value if value is not None or base is None else getattr(base, key)

    return Service(
        name=text("name", True) or "",
        company=text("company", True) or "",
        account=text("account", True) or "",
        support_desk=text("support_desk", True) or "",
        support_url=text("support_url", False),
        support_phone=text("support_phone", False),
        support_hours=text("support_hours", False),
        support_form_url=text("support_form_url", False),
    )


def _service(root: Path, problems: list[Problem]) -> tuple[Service, RouterSettings]:
    data, c = _load(root, "service.yaml", problems)
    service = Service(name="", company="", account="", support_desk="")
    settings = RouterSettings()
    if data is None:
        return service, settings
    svc = _mapping(c, data, "service")
    if svc is not None:
        service = _service_names(c, svc)
        english = _mapping(c, svc, "en", required=False)
        if english is not None:
            service = replace(service, english=replace(_service_names(c, english, service), english=None))
    router = _mapping(c, data, "router", required=False)
    if router is not None:
        values: dict[str, float] = {}
        for key in ("threshold", "clarify_margin"):
            if key in router:
                value = router[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    c.error(line_of(router, key), f"router '{key}' must be a number from 0 to 1, not {value!r}")
                else:
                    values[key] = float(value)
        settings = RouterSettings(**values)
    return service, settings


def _products(root: Path, problems: list[Problem]) -> tuple[Renewal, tuple[Plan, ...], tuple[Product, ...]]:
    data, c = _load(root, "products.yaml", problems)
    renewal = Renewal(payment_method="", notice=NoticeRule(1, ""), statement_descriptors=())
    if data is None:
        return renewal, (), ()
    ren = _mapping(c, data, "renewal")
    plan_terms: dict[str, PlanTerms] = {}
    plans: list[Plan] = []
    notice = None
    if ren is not None:
        notice = _guard(c, line_of(ren, "notice"), lambda: parse_notice(ren.get("notice")))
        renewal = Renewal(
            payment_method=_text(c, ren, "payment_method") or "",
            notice=notice or NoticeRule(1, ""),
            statement_descriptors=_texts(c, ren, "statement_descriptors"),
        )
        raw_plans = _mapping(c, ren, "plans")
        for plan_id, raw in (raw_plans or {}).items():
            if isinstance(raw, dict) and "billing" in raw:
                # Point a bad rule at its own line, not at the plan's first line.
                rule_line = line_of(raw, "billing")
                if _guard(c, rule_line, partial(parse_billing_rule, raw["billing"])) is None:
                    continue
            terms = _guard(c, line_of(raw_plans, plan_id), partial(parse_plan_terms, plan_id, raw))
            if terms is not None:
                plan_terms[plan_id] = terms
                name_en = _text(c, raw, "name_en", required=False)
                plans.append(Plan(plan_id, terms.name, _texts(c, raw, "aliases"), name_en))
    products: list[Product] = []
    raw_products = data.get("products")
    if not isinstance(raw_products, list) or not raw_products:
        c.error(line_of(data, "products"), "'products' must be a non-empty list")
        return renewal, tuple(plans), ()
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_products):
        line = line_of(raw_products, i)
        if not isinstance(raw, dict):
            c.error(line, "a product must be a mapping with id, name, aliases…")
            continue
        pid = _text(c, raw, "id")
        name = _text(c, raw, "name")
        if pid is None or name is None:
            continue
        if pid in seen:
            c.error(line_of(raw, "id"), f"duplicate product id {pid!r} (first at line {seen[pid]})")
            continue
        seen[pid] = line_of(raw, "id")
        offered = raw.get("plans")
        overrides: dict[str, BillingRule] = {}
        raw_billing = raw.get("billing") or {}
        if not isinstance(raw_billing, dict):
            c.error(line_of(raw, "billing"), "'billing' must map plan ids to billing rules")
            raw_billing = {}
        for plan_id, rule in raw_billing.items():
            parsed = _guard(c, line_of(raw_billing, plan_id), partial(parse_billing_rule, rule))
            if parsed is not None:
                overrides[plan_id] = parsed
        if not plan_terms:
            continue
        terms = _guard(
            c,
            line_of(raw, "plans") if "plans" in raw else line,
            # A broken notice is reported once; products still load so that
            # their ids do not cause false "unknown product" problems.
            partial(
                build_product_terms,
                pid, name, plan_terms, offered, overrides, notice or NoticeRule(1, "-"),
                renewal.statement_descriptors, renewal.payment_method,
            ),
        )
        if terms is None:
            continue
        keywords = raw.get("keywords") or []
        groups: list[tuple[str, ...]] = []
        if not isinstance(keywords, list):
            c.error(line_of(raw, "keywords"), "'keywords' must be a list of word lists")
        else:
            for k, group in enumerate(keywords):
                words = _texts(c, {"keywords": group}, "keywords") if isinstance(group, list) else ()
                if not words:
                    c.error(line_of(keywords, k), "each 'keywords' item must be a non-empty list of words")
                    continue
                groups.append(words)
        products.append(
            Product(
                id=pid,
                name=name,
                aliases=_texts(c, raw, "aliases"),
                keywords=tuple(groups),
                plans=tuple(offered) if isinstance(offered, list) else None,
                renewal_routes=_texts(c, raw, "renewal_routes"),
                terms=terms,
                price=_text(c, raw, "price", required=False),
                url=_text(c, raw, "url", required=False),
                name_en=_text(c, raw, "name_en", required=False),
            )
        )
    return renewal, tuple(plans), tuple(products)


def _pages(c: _Collector, entry: dict[str, Any], product_ids: set[str]) -> SupportPages:
    raw = entry.get("pages")
    if raw is None:
        return SupportPages()
    if not isinstance(raw, dict):
        c.error(line_of(entry, "pages"), "'pages' must map 'all' or product ids to lists of page titles")
        return SupportPages()
    common: tuple[str, ...] = ()
    by_product: list[tuple[str, tuple[str, ...]]] = []
    urls: list[tuple[str, str]] = []
    for key in raw:
        titles = _page_titles(c, raw, key, urls)
        if key == "all":
            common = titles
        elif key not in product_ids:
            c.error(line_of(raw, key), f"unknown product id {key!r} in 'pages'")
        else:
            by_product.append((key, titles))
    return SupportPages(common=common, by_product=tuple(by_product), urls=tuple(urls))


def _page_titles(c: _Collector, raw: dict[str, Any], key: str, urls: list[tuple[str, str]]) -> tuple[str, ...]:
    """A list of page titles; an item may be ``{title, url}`` (its URL is collected into ``urls``)."""
    items = raw.get(key)
    if not isinstance(items, list):
        return _texts(c, raw, key)  # reports the wrong shape
    titles: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            title, url = _text(c, item, "title"), _text(c, item, "url")
            if title is not None and url is not None:
                if not url.startswith(("https://", "http://")):
                    c.error(line_of(item, "url"), f"page URL must start with https:// or http://, not {url!r}")
                titles.append(title)
                urls.append((title, url))
        elif isinstance(item, str) and item.strip():
            titles.append(item)
        else:
            c.error(line_of(items, i), f"'{key}' item {i + 1} must be a page title or {{title, url}}, not {item!r}")
    return tuple(titles)


def _entries(
    root: Path, rel: str, kind: str, product_ids: set[str], problems: list[Problem]
) -> list[Entry]:
    data, c = _load(root, rel, problems)
    if data is None:
        return []
    category = data.get("category") or ""
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        c.error(line_of(data, "entries"), "'entries' must be a non-empty list")
        return []
    out: list[Entry] = []
    for i, raw in enumerate(raw_entries):
        line = line_of(raw_entries, i)
        if not isinstance(raw, dict):
            c.error(line, "an entry must be a mapping with id, question, alternates, answer")
            continue
        entry_id = _text(c, raw, "id")
        question = _text(c, raw, "question")
        answer = _text(c, raw, "answer")
        if entry_id is None or question is None or answer is None:
            continue
        related = _texts(c, raw, "related")
        raw_alternates = raw.get("alternates")
        alternate_lines = tuple(raw_alternates.item_lines) if isinstance(raw_alternates, YamlList) else ()
        out.append(
            Entry(
                id=entry_id,
                kind=kind,
                category=str(category),
                question=question,
                alternates=_texts(c, raw, "alternates"),
                answer=answer,
                pages=_pages(c, raw, product_ids),
                related=related,
                source=rel,
                line=line_of(raw, "id"),
                alternate_lines=alternate_lines,
                question_en=_text(c, raw, "question_en", required=False),
                answer_en=_text(c, raw, "answer_en", required=False),
                notes=_notes(c, raw),
            )
        )
    return out


def _notes(c: _Collector, entry: dict[str, Any]) -> tuple[Note, ...]:
    raw = entry.get("notes")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.error(line_of(entry, "notes"), "'notes' must be a list of {text, text_en, about}")
        return ()
    notes: list[Note] = []
    for i, item in enumerate(raw):
        text = _text(c, item, "text") if isinstance(item, dict) else None
        if text is None:
            if not isinstance(item, dict):
                c.error(line_of(raw, i), "a note must be a mapping with 'text' (and 'text_en', 'about')")
            continue
        notes.append(Note(text, _text(c, item, "text_en", required=False), _texts(c, item, "about")))
    return tuple(notes)


def _synonyms(root: Path, problems: list[Problem]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not (root / "synonyms.yaml").exists():
        return ()
    data, c = _load(root, "synonyms.yaml", problems)
    groups = _mapping(c, data, "synonyms") if data is not None else None
    if groups is None:
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    owner: dict[str, str] = {}
    for canonical in groups:
        variants = _texts(c, groups, canonical)
        for variant in variants:
            if variant in owner and owner[variant] != canonical:
                c.error(line_of(groups, canonical), f"synonym {variant!r} is listed under both {owner[variant]!r} and {canonical!r}")
            owner[variant] = str(canonical)
        out.append((str(canonical), variants))
    return tuple(out)


def _out_of_scope(root: Path, problems: list[Problem]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not (root / "out_of_scope.yaml").exists():
        return (), ()
    data, c = _load(root, "out_of_scope.yaml", problems)
    if data is None:
        return (), ()
    return _texts(c, data, "examples"), _texts(c, data, "subjects")


def _handoff(root: Path, problems: list[Problem]) -> HandoffPhrases:
    if not (root / "handoff.yaml").exists():
        return HandoffPhrases()
    data, c = _load(root, "handoff.yaml", problems)
    if data is None:
        return HandoffPhrases()
    return HandoffPhrases(
        complaint=_texts(c, data, "complaint"), refund=_texts(c, data, "refund"), asked=_texts(c, data, "asked")
    )


def kb_content_hash(root: Path) -> str:
    """A hash of every YAML file under ``root`` (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def _check_entries(entries: list[Entry], problems: list[Problem]) -> None:
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            problems.append(Problem(entry.source, entry.line, f"duplicate entry id {entry.id!r} (first at {first.source}:{first.line})"))
        else:
            seen[entry.id] = entry
    for entry in entries:
        for rel in entry.related:
            if rel not in seen:
                problems.append(Problem(entry.source, entry.line, f"entry {entry.id!r} relates to unknown entry {rel!r}"))


def load_knowledge_base(root: Path | str | None = None) -> KnowledgeBase:
    """Load, validate and return the knowledge base in ``root`` (default: the shipped one).

    Raises :class:`KnowledgeBaseError` listing every problem as ``file:line``.
    """
    root = Path(root) if root is not None else SHIPPED_KB
    if not root.is_dir():
        raise KnowledgeBaseError([Problem(str(root), 0, "knowledge-base folder not found; pass --kb DIR")])
    problems: list[Problem] = []
    service, settings = _service(root, problems)
    renewal, plans, products = _products(root, problems)
    product_ids = {p.id for p in products}
    faq_files = sorted(p.relative_to(root).as_posix() for p in (root / "faq").glob("*.yaml"))
    if not faq_files:
        problems.append(Problem(f"{root.name}/faq", 0, "no FAQ files (faq/*.yaml) found"))
    entries: list[Entry] = []
    for rel in faq_files:
        entries.extend(_entries(root, rel, KIND_FAQ, product_ids, problems))
    for rel, kind in (("compute.yaml", KIND_COMPUTE), ("smalltalk.yaml", KIND_SMALLTALK)):
        if (root / rel).exists():
            entries.extend(_entries(root, rel, kind, product_ids, problems))
    _check_entries(entries, problems)
    synonyms = _synonyms(root, problems)
    examples, subjects = _out_of_scope(root, problems)
    kb = KnowledgeBase(
        root=root,
        service=service,
        settings=settings,
        renewal=renewal,
        entries=tuple(entries),
        products=products,
        plans=plans,
        synonyms=synonyms,
        out_of_scope=examples,
        out_of_scope_subjects=subjects,
        content_hash=kb_content_hash(root),
        handoff=_handoff(root, problems),
    )
    if not problems:
        english = kb.in_language("en")
        for entry, translated in zip(kb.entries, english.entries, strict=True):
            for field, message in (
                ("answer", template_problem(kb, entry)),
                ("answer_en", template_problem(english, translated) if entry.answer_en else None),
            ):
                if message:
                    problems.append(
                        Problem(entry.source, entry.line, f"{field} of {entry.id!r} does not render: {message}")
                    )
    if problems:
        raise KnowledgeBaseError(problems)
    return kb
