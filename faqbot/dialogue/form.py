"""The next-billing-date form: fill product, plan and expiry over one or more turns.

Only what is still missing is asked, one question at a time, with numbered
choices where there are few (products, plans).  When every slot is known the
billing date is computed; a slot the calculator rejects (a plan the product
is not sold on, an expiry in the past) is cleared and asked again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from faqbot.answers.answering import (
    Engine,
    billing_context,
    billing_for,
    billing_problem_text,
    date_problem_text,
    missing_slots,
)
from faqbot.dialogue.handoff import make_handoff
from faqbot.dialogue.language import approx_date, date_text, word
from faqbot.dialogue.product_hints import ProductHint
from faqbot.dialogue.reply import (
    DECISION_DIALOGUE,
    HANDOFF_MISSES,
    KIND_BILLING,
    KIND_FORM,
    KIND_SUPPORT,
    Choice,
    Fact,
    Link,
    Reply,
)
from faqbot.dialogue.state import SLOTS, DialogueState
from faqbot.errors import ExpiryInPastError, InputError, PlanNotOfferedError, UnknownPlanError
from faqbot.kb.billing import BillingResult, next_billing
from faqbot.kb.billing import short_plan_name as plain_plan_name
from faqbot.kb.dates import PROBLEM_PAST, DateProblem, FoundDate
from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.kb.templating import render_system, render_text
from faqbot.routing.entities import Entities

# Misses in a row after which the support desk is offered.
SUPPORT_AFTER_MISSES = 2


def short_plan_name(kb: KnowledgeBase, plan_id: str) -> str:
    """The plan's name without its bracketed period, or the id if unknown."""
    for plan in kb.plans:
        if plan.id == plan_id:
            return plain_plan_name(plan.name)
    return plan_id


def entities_of(state: DialogueState) -> Entities:
    """The state's slots as :class:`Entities` (what answering functions take)."""
    expiry = FoundDate(state.expiry, "day", state.expiry.isoformat()) if state.expiry else None
    return Entities(product=state.product, plan=state.plan, expiry=expiry)


def with_entities(state: DialogueState, entities: Entities) -> DialogueState:
    """``state`` with the slots ``entities`` names overwritten (newer facts win)."""
    return replace(
        state,
        product=entities.product or state.product,
        plan=entities.plan or state.plan,
        expiry=entities.expiry_date or state.expiry,
    )


def describe_changes(kb: KnowledgeBase, old: DialogueState, new: DialogueState) -> str:
    """「プランを年額版から月額版に変更しました。」 for each slot the customer corrected."""
    notes = []
    for slot in ("product", "plan", "expiry"):
        before, after = getattr(old, slot), getattr(new, slot)
        if before is not None and after is not None and before != after:
            changed = word(kb, "changed").format(
                slot=word(kb, slot).lower() if kb.lang == "en" else word(kb, slot),
                before=_slot_text(kb, slot, before),
                after=_slot_text(kb, slot, after),
            )
            notes.append(changed)
    return (" " if kb.lang == "en" else "").join(notes)


def known_slots(kb: KnowledgeBase, state: DialogueState) -> list[str]:
    """The filled slots as display texts, in asking order."""
    return [_slot_text(kb, s, getattr(state, s)) for s in SLOTS if getattr(state, s) is not None]


def missing(state: DialogueState) -> tuple[str, ...]:
    """The slots still empty, in the order they are asked (the single-turn rule)."""
    return missing_slots(entities_of(state))


def form_turn(
    engine: Engine,
    state: DialogueState,
    today: date,
    *,
    intro: bool = False,
    note: str = "",
    decision: str = DECISION_DIALOGUE,
    confidence: float = 1.0,
    problem: str = "",
    hint: ProductHint | None = None,
) -> tuple[Reply, DialogueState]:
    """Ask for the next missing slot of ``state.form``, or compute the billing when none is.

    ``problem`` says why a value the customer sent was not taken (an impossible date);
    ``hint``: words of the message that fit some products, offered alone when the product is asked.
    """
    kb = engine.kb
    entry = kb.entry(state.form) if state.form else None
    if entry is None:
        raise InputError("form_turn needs an open form.")  # a programming error at the edges
    intro_text = render_text(kb, entry, kb.product(state.product) if state.product else None) if intro else ""
    gaps = missing(state)
    if gaps:
        slot = "expiry" if problem and "expiry" in gaps else gaps[0]
        return ask(
            engine, state, slot, intro=intro_text, note=note, problem=problem, decision=decision,
            confidence=confidence, hint=hint,
        )
    try:
        result = billing_for(engine, state.product or "", state.plan or "", state.expiry or today, today)
    except (PlanNotOfferedError, UnknownPlanError) as exc:
        return ask(engine, replace(state, plan=None), "plan", intro=intro_text, note=note, problem=billing_problem_text(exc, kb))
    except ExpiryInPastError:
        # Worded in the conversation's language (the calculator's own message is for staff tools).
        past = DateProblem(PROBLEM_PAST, date_text(kb, state.expiry or today))
        return ask(
            engine, replace(state, expiry=None), "expiry", intro=intro_text, note=note,
            problem=date_problem_text(past, kb.lang),
        )
    return billing_reply(engine, entry, state, result, note, decision, confidence)


def ask(
    engine: Engine,
    state: DialogueState,
    slot: str,
    *,
    intro: str = "",
    note: str = "",
    problem: str = "",
    decision: str = DECISION_DIALOGUE,
    confidence: float = 1.0,
    hint: ProductHint | None = None,
) -> tuple[Reply, DialogueState]:
    """Ask for ``slot``, offering numbered choices for products and plans.

    ``hint``: words of the customer's that fit some products (「トータルセキュリティ」): when the
    product is asked, only those products are offered.
    """
    kb = engine.kb
    narrowing = hint if slot == "product" and hint is not None else None
    choices = slot_choices(kb, state, slot, narrowing.products if narrowing else ())
    offer_support = state.misses >= SUPPORT_AFTER_MISSES
    text = render_system(
        "dialogue_ask",
        {
            "intro": intro,
            "problem": problem,
            "note": note,
            # The summary of the form so far; a product asked about the last answer has no form.
            "known": known_slots(kb, state) if state.form else [],
            "asking": slot,
            "plans": [c.label for c in choices] if slot == "plan" else [],
            "service": kb.service,
            "offer_support": offer_support,
            "plans_confirmed": _plans_confirmed(kb, state),
            "narrowed": narrowing.words if narrowing else "",
            # One product fits: the question asks to confirm it (a yes picks it, faqbot.dialogue.choices).
            "only": choices[0].label if slot == "product" and len(choices) == 1 else "",
        },
        kb.lang,
    )
    # The desk is named in the text; listed as a link only where it has an address to open.
    links = (Link(kb.service.support_desk, kb.service.support_url),) if offer_support and kb.service.support_url else ()
    handoff = make_handoff(kb, state, HANDOFF_MISSES, "") if offer_support else None
    reply = Reply(
        text=text,
        intent=state.form or "",
        decision=decision,
        confidence=confidence,
        choices=choices,
        links=links,
        kind=KIND_SUPPORT if offer_support else KIND_FORM,
        handoff=handoff,
    )
    return reply, replace(state, asking=slot, choices=tuple(c.value for c in choices))


def _plans_confirmed(kb: KnowledgeBase, state: DialogueState) -> bool:
    """Does the page say which plans the chosen product is sold on? (unknown product: no caveat yet)"""
    return state.product is None or kb.product(state.product).plans is not None


def slot_choices(
    kb: KnowledgeBase, state: DialogueState, slot: str, only: tuple[str, ...] = ()
) -> tuple[Choice, ...]:
    """Numbered choices for a slot: every product (or those in ``only``), or the plans the chosen product is sold on."""
    if slot == "product":
        products = [p for p in kb.products if not only or p.id in only]
        return tuple(Choice(i, p.name, f"product:{p.id}") for i, p in enumerate(products, start=1))
    if slot == "plan":
        offered = kb.product(state.product).plans if state.product else None
        plans = [p for p in kb.plans if offered is None or p.id in offered]
        return tuple(Choice(i, short_plan_name(kb, p.id), f"plan:{p.id}") for i, p in enumerate(plans, start=1))
    return ()


def billing_reply(
    engine: Engine,
    entry: Entry,
    state: DialogueState,
    result: BillingResult,
    note: str,
    decision: str,
    confidence: float,
) -> tuple[Reply, DialogueState]:
    """The computed billing date as text and facts; closes the form, keeps the slots for follow-ups."""
    kb = engine.kb
    plan_name = short_plan_name(kb, result.plan)
    context = {**billing_context(kb, result), "note": note, "plan_name": plan_name}
    text = render_system("dialogue_billing", context, kb.lang)
    facts = (
        Fact(word(kb, "product"), kb.product(result.product_id).name),
        Fact(word(kb, "plan"), plan_name),
        Fact(word(kb, "expiry"), date_text(kb, result.expiry)),
        *date_facts(kb, result),
    )
    related = [r for r in entry.related if kb.has_entry(r)]
    choices = tuple(Choice.for_entry(i, r, kb.entry(r).question) for i, r in enumerate(related, start=1))
    links = tuple(Link(t, entry.pages.url(t)) for t in entry.pages.for_product(result.product_id))
    reply = Reply(text, entry.id, decision, confidence, choices, links, facts, KIND_BILLING)
    new_state = replace(state.forget_form(), last=entry.id, choices=tuple(c.value for c in choices), misses=0)
    return reply, new_state


def computed_dates(engine: Engine, state: DialogueState, today: date) -> BillingResult | None:
    """The billing computed from the state's product, plan and expiry, or None when one is missing or unusable.

    Only its dates are shown (beside another answer), so its explanation is not worded, as
    :func:`~faqbot.answers.answering.billing_for` would word it.
    """
    if not (state.product and state.plan and state.expiry):
        return None
    try:
        return next_billing(engine.kb.product(state.product).terms, state.plan, state.expiry, today)
    except (PlanNotOfferedError, UnknownPlanError, ExpiryInPastError):
        return None


def date_facts(kb: KnowledgeBase, result: BillingResult) -> tuple[Fact, ...]:
    """The computed billing date and notice date as facts."""
    return (
        Fact(word(kb, "next_billing"), approx_date(kb, result.billing_date, result.approx)),
        Fact(word(kb, "notice"), approx_date(kb, result.notice_date, result.approx)),
    )


def _slot_text(kb: KnowledgeBase, slot: str, value: object) -> str:
    if slot == "product" and isinstance(value, str):
        return next((p.name for p in kb.products if p.id == value), value)
    if slot == "plan" and isinstance(value, str):
        return short_plan_name(kb, value)
    if isinstance(value, date):
        return date_text(kb, value)
    return str(value)
