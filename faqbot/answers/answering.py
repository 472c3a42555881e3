"""Answering one question: route it, extract entities, render the answer.

This is the single-turn API that ``faqbot ask``, the lookup tools and the
dialogue manager build on.  It returns an :class:`Answer` value; front ends
decide how to show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from faqbot.answers.cache_location import installed_vectors
from faqbot.errors import ExpiryInPastError, InputError, PlanNotOfferedError
from faqbot.kb.billing import BillingResult, format_date, next_billing, short_plan_name
from faqbot.kb.date_io import format_date_en
from faqbot.kb.dates import DateProblem
from faqbot.kb.knowledge import KIND_COMPUTE, Entry, KnowledgeBase
from faqbot.kb.templating import render_system, render_text
from faqbot.routing.calibration import CLARIFY_CHOICES
from faqbot.routing.entities import Entities, EntityExtractor
from faqbot.routing.router import Router
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK, Match, Routing

if TYPE_CHECKING:  # a build's: answering from a cached engine never loads them
    from faqbot.routing.earlier_build import EarlierBuild

# Suggestions offered with an answer or a fallback.
_SUGGESTIONS = 3


@dataclass(frozen=True)
class Engine:
    """The knowledge base with its router and entity extractor, built once."""

    kb: KnowledgeBase
    router: Router
    extractor: EntityExtractor

    @classmethod
    def build(cls, kb: KnowledgeBase, earlier: EarlierBuild | None = None) -> Engine:
        """Index ``kb`` for routing and extraction.

        ``earlier``: what an earlier build left to reuse (:class:`~faqbot.routing.earlier_build.EarlierBuild`).
        The word vectors ``kb`` names (``router.word_vectors``) are used when installed
        (``faqbot vectors install``), and the build goes without them when not.
        """
        vectors = installed_vectors(kb.settings.word_vectors)  # None when not named or not installed
        return cls(kb=kb, router=Router.build(kb, earlier, vectors), extractor=EntityExtractor(kb))

    def without_vectors(self) -> Engine:
        """This engine as its knowledge base routes without its word-vector table (itself when it has none).

        Builds the knowledge base again, from its folder, with no channel: ``faqbot eval
        --without-vectors`` compares what the table brings on a team's own labelled messages.
        """
        if self.router.vectors is None:
            return self
        from faqbot.kb.loader import load_knowledge_base  # a build's

        kb = load_knowledge_base(self.kb.root)
        return Engine(kb=kb, router=Router.build(kb), extractor=EntityExtractor(kb))


@dataclass(frozen=True)
class Suggestion:
    """An entry offered to the customer: its id, question and router confidence."""

    intent: str
    question: str
    confidence: float


@dataclass(frozen=True)
class Answer:
    """The reply to one question, front-end neutral."""

    query: str
    intent: str  # entry id or "fallback"
    decision: str  # "answer", "clarify" or "fallback"
    confidence: float
    text: str
    entities: Entities
    suggestions: tuple[Suggestion, ...] = ()
    pages: tuple[str, ...] = ()
    related: tuple[Suggestion, ...] = ()
    billing: BillingResult | None = None
    missing: tuple[str, ...] = field(default=())  # billing slots still needed: product, plan, expiry


def answer_query(engine: Engine, query: str, today: date) -> Answer:
    """Answer ``query`` as of ``today`` (used to resolve dates such as 「3月末」)."""
    if not isinstance(query, str):
        raise InputError(f"The question must be text, not {type(query).__name__}.")
    entities = engine.extractor.extract(query, today)
    routing = engine.router.route(query, entities)
    return answer_routing(engine, routing, entities, today)


def answer_routing(engine: Engine, routing: Routing, entities: Entities, today: date) -> Answer:
    """Build the :class:`Answer` for a routing decision already made."""
    kb = engine.kb
    suggestions = tuple(suggest(kb, m) for m in routing.matches[:_SUGGESTIONS])
    if routing.decision == DECISION_FALLBACK:
        text = render_system(
            "fallback",
            {"suggestions": suggestions, "offer_support": True, "service": kb.service},
            kb.lang,
        )
        return Answer(routing.query, "fallback", DECISION_FALLBACK, routing.confidence, text, entities, suggestions)
    if routing.decision == DECISION_CLARIFY:
        choices = suggestions[:CLARIFY_CHOICES]
        text = render_system("clarify", {"choices": choices}, kb.lang)
        return Answer(routing.query, routing.intent, DECISION_CLARIFY, routing.confidence, text, entities, choices)
    entry = kb.entry(routing.intent)
    others = tuple(s for s in suggestions if s.intent != entry.id)
    return answer_entry(engine, entry, entities, today, routing.query, routing.confidence, others)


def answer_entry(
    engine: Engine,
    entry: Entry,
    entities: Entities,
    today: date,
    query: str = "",
    confidence: float = 1.0,
    suggestions: tuple[Suggestion, ...] = (),
) -> Answer:
    """Answer with one known entry (e.g. a numbered choice the customer picked)."""
    kb = engine.kb
    product = kb.product(entities.product) if entities.product else None
    intro = render_text(kb, entry, product)
    # Each related entry decoded once (it was three times a turn, with entry_choices).
    related = tuple(Suggestion(rid, kb.entry(rid).question, 0.0) for rid in entry.related if kb.has_entry(rid))
    pages = entry.pages.for_product(product.id if product else None)
    billing: BillingResult | None = None
    missing: tuple[str, ...] = ()
    text = _with_notes(entry, intro, query, kb.lang)
    if entry.kind == KIND_COMPUTE:
        billing, missing, text = _compute(engine, intro, entities, today)
    return Answer(
        query=query,
        intent=entry.id,
        decision=DECISION_ANSWER,
        confidence=confidence,
        text=text,
        entities=entities,
        suggestions=suggestions,
        pages=pages,
        related=related,
        billing=billing,
        missing=missing,
    )


def _with_notes(entry: Entry, intro: str, query: str, lang: str) -> str:
    """The answer with its notes: only the ones the question is about (first), else all of them."""
    if not entry.notes:
        return intro
    fitting = entry.notes_about(query)
    shown = fitting or entry.notes
    lines = [intro, *(f"- {note.text}" for note in shown)]
    if fitting and len(fitting) < len(entry.notes):
        lines.append(render_system("more_notes", {"count": len(entry.notes) - len(fitting)}, lang))
    return "\n".join(lines)


def billing_problem_text(error: InputError, kb: KnowledgeBase) -> str:
    """What a customer reads when the calculator refuses their details, in ``kb``'s language.

    A past expiry and a plan the product is not sold on are worded from the error's values
    (its message is for staff and API clients, in English); any other error keeps its message.
    """
    if isinstance(error, (ExpiryInPastError, PlanNotOfferedError)):
        return render_system("billing_problem", {"error": error, "service": kb.service}, kb.lang)
    return str(error)


def date_problem_text(problem: DateProblem, lang: str) -> str:
    """The sentence saying what is wrong with a typed date and what to type instead."""
    return render_system("dialogue_date_problem", {"problem": problem}, lang)


def missing_slots(entities: Entities) -> tuple[str, ...]:
    """The billing slots (``product``, ``plan``, ``expiry``) that ``entities`` lacks."""
    slots = (("product", entities.product), ("plan", entities.plan), ("expiry", entities.expiry))
    return tuple(name for name, value in slots if value is None)


def _compute(
    engine: Engine, intro: str, entities: Entities, today: date
) -> tuple[BillingResult | None, tuple[str, ...], str]:
    kb = engine.kb
    missing = missing_slots(entities)
    product_id, plan, expiry = entities.product, entities.plan, entities.expiry
    if missing or product_id is None or plan is None or expiry is None:
        text = render_system(
            "billing_missing",
            {
                "intro": intro,
                "missing": list(missing),
                "products": [p.name for p in kb.products] if "product" in missing else [],
                "plans": [p.name for p in kb.plans] if "plan" in missing else [],
                # The example and the plan choices from this knowledge base, not the shipped one's.
                "plan_choices": " / ".join(short_plan_name(p.name) for p in kb.plans),
                "example": ", ".join(x for x in (
                    kb.products[0].name if kb.products else "", short_plan_name(kb.plans[-1].name) if kb.plans else ""
                ) if x),
            },
            kb.lang,
        )
        return None, missing, text
    try:
        result = billing_for(engine, product_id, plan, expiry.value, today)
    except InputError as exc:
        return None, (), render_system("billing_error", {"intro": intro, "message": billing_problem_text(exc, kb)}, kb.lang)
    text = render_system("billing", billing_context(kb, result, intro), kb.lang)
    return result, (), text


def billing_context(kb: KnowledgeBase, result: BillingResult, intro: str = "") -> dict[str, Any]:
    """What the billing templates (Japanese and English) need to word ``result``."""
    product = kb.product(result.product_id)
    plan = next((p for p in kb.plans if p.id == result.plan), None)
    rule = next((t.billing for t in product.terms.plans if t.plan == result.plan), None)
    return {
        "intro": intro,
        "result": result,
        "product_name": product.name,
        "plan_name": plan.name if plan else result.plan_name,
        "short_plan_name": short_plan_name(result.plan_name),
        "notice_months": product.terms.notice.months_before,
        "rule": rule,
        "format_date": format_date if kb.lang == "ja" else format_date_en,
        "service": kb.service,
        "statement_label": kb.renewal.statement_label,
    }


def billing_for(engine: Engine, product_id: str, plan: str, expiry: date, today: date) -> BillingResult:
    """The next billing for a product id, plan id and expiry, explained; raises domain errors.

    The explanation is worded by the ``_explanation`` template in the knowledge base's language,
    with the service's names (CLI, API and chat read it from here).
    """
    kb = engine.kb
    result = next_billing(kb.product(product_id).terms, plan, expiry, today)
    return replace(result, explanation=render_system("_explanation", billing_context(kb, result), kb.lang))


def suggest(kb: KnowledgeBase, match: Match) -> Suggestion:
    """A routing's match as a suggestion, labelled with its entry's question."""
    return Suggestion(match.entry_id, kb.entry(match.entry_id).question, match.confidence)
