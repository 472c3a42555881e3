"""Plain JSON-ready dicts of core values, shared by the CLI and the web API."""

from __future__ import annotations

from typing import Any

from faqbot.answers.answering import Answer, Suggestion
from faqbot.kb.billing import BillingResult
from faqbot.kb.knowledge import Entry
from faqbot.routing.entities import Entities
from faqbot.routing.verdict import Match


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    """``{"intent", "question", "confidence"}``."""
    return {"intent": s.intent, "question": s.question, "confidence": s.confidence}


def entities_json(e: Entities) -> dict[str, Any]:
    """``{"product", "plan", "expiry"}`` with the expiry as YYYY-MM-DD or null."""
    return {
        "product": e.product,
        "plan": e.plan,
        "expiry": e.expiry.value.isoformat() if e.expiry else None,
    }


def billing_json(b: BillingResult) -> dict[str, Any]:
    """The billing contract: product, plan, expiry, billing_date, notice_date, approximate, explanation."""
    return {
        "product": b.product_id,
        "plan": b.plan,
        "expiry": b.expiry.isoformat(),
        "billing_date": b.billing_date.isoformat(),
        "notice_date": b.notice_date.isoformat(),
        "approximate": b.approximate,
        "approx": b.approx,
        "cycle_expiry": b.cycle_expiry.isoformat(),
        "notice_passed": b.notice_passed,
        "plans_confirmed": b.plans_confirmed,
        "statement_descriptors": list(b.statement_descriptors),
        "explanation": b.explanation,
    }


def answer_json(a: Answer) -> dict[str, Any]:
    """The ``faqbot ask --json`` contract, plus decision, pages, related and billing."""
    return {
        "query": a.query,
        "intent": a.intent,
        "confidence": a.confidence,
        "answer": a.text,
        "suggestions": [suggestion_json(s) for s in a.suggestions],
        "entities": entities_json(a.entities),
        "decision": a.decision,
        "pages": list(a.pages),
        "related": [suggestion_json(s) for s in a.related],
        "billing": billing_json(a.billing) if a.billing else None,
    }


def entry_json(e: Entry) -> dict[str, Any]:
    """``{"id", "kind", "category", "question"}``: an entry as listed by the API."""
    return {"id": e.id, "kind": e.kind, "category": e.category, "question": e.question}


def match_json(m: Match, e: Entry) -> dict[str, Any]:
    """A ranked entry: :func:`entry_json` plus the question that matched and the confidence."""
    return {**entry_json(e), "matched_question": m.question, "confidence": m.confidence}
