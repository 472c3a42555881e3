"""Replies that are not part of the billing form: answers, clarification, fallback, support.

Each builder returns a :class:`Reply` and the state after it; numbered choices
offered in a reply are remembered in the state as their values only
(``entry:<id>``, ``resume``, …), never their texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice

from faqbot.answers.answering import Answer, Engine, Suggestion, answer_entry, billing_context
from faqbot.dialogue.form import SUPPORT_AFTER_MISSES, date_facts, entities_of, short_plan_name
from faqbot.dialogue.handoff import contact_links, make_handoff
from faqbot.dialogue.language import in_language, word
from faqbot.dialogue.reply import (
    DECISION_DIALOGUE,
    HANDOFF_ASKED,
    HANDOFF_MISSES,
    HANDOFF_REFERRAL,
    KIND_ANSWER,
    KIND_CANCELLED,
    KIND_CLARIFY,
    KIND_FALLBACK,
    KIND_PRIVACY,
    KIND_SMALLTALK,
    KIND_SUPPORT,
    Choice,
    Fact,
    Handoff,
    Link,
    Reply,
)
from faqbot.dialogue.state import DialogueState, initial_state
from faqbot.kb.billing import BillingResult
from faqbot.kb.knowledge import KIND_FAQ as ENTRY_FAQ
from faqbot.kb.knowledge import KIND_SMALLTALK as ENTRY_SMALLTALK
from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.kb.templating import render_system
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK, FALLBACK

#: Choice values that are not entries.
RESUME = "resume"
CANCEL = "cancel"
_GOODBYE_ENTRY = "goodbye"
_MAX_SUGGESTIONS = 3


def entry_choices(kb: KnowledgeBase, entry_ids: list[str] | tuple[str, ...]) -> tuple[Choice, ...]:
    """Numbered choices for entries, labelled with their questions (unknown ids skipped)."""
    ids = [e for e in entry_ids if kb.has_entry(e)]
    return tuple(Choice.for_entry(i, e, kb.entry(e).question) for i, e in enumerate(ids, start=1))


def suggestion_choices(suggestions: Sequence[Suggestion]) -> tuple[Choice, ...]:
    """Numbered choices for suggested entries: what :func:`entry_choices` gives for their ids,
    from the questions the suggestions already hold."""
    return tuple(Choice.for_entry(i, s.intent, s.question) for i, s in enumerate(suggestions, start=1))


def answer_reply(
    engine: Engine,
    state: DialogueState,
    entry: Entry,
    today: date,
    *,
    query: str = "",
    decision: str = DECISION_ANSWER,
    confidence: float = 1.0,
    again: bool = False,
    dates: BillingResult | None = None,
    others: tuple[str, ...] = (),
) -> tuple[Reply, DialogueState]:
    """Answer a known FAQ or small-talk entry for the customer's known product.

    The related questions become numbered choices.  With the billing form open,
    the answer ends with an offer to go on instead (choices: resume / cancel).
    ``again``: the customer was just given this answer (「身に覚えがない」 after the
    unknown-charge answer): it is given once more, said to be the same, and the
    support desk is offered, since the answer did not settle it.
    ``dates``: the billing just computed for the customer (「お知らせはいつ来る？」 after their
    billing date): the answer ends with their own dates, as text and facts.
    ``others``: entries the message also asked about (:mod:`faqbot.dialogue.several_questions`):
    offered first among the choices, and said so.
    """
    kb = engine.kb
    answer = answer_entry(engine, entry, entities_of(state), today, query, confidence)
    kind = KIND_SMALLTALK if entry.kind == ENTRY_SMALLTALK else KIND_ANSWER
    links = tuple(Link(t, entry.pages.url(t)) for t in answer.pages)
    if entry.id == _GOODBYE_ENTRY:
        # The conversation is over: forget it, the expiry date and plan with it, so a next visitor
        # at the same screen learns nothing.  Which product is used is no personal data, and a
        # customer who comes back (「あ、もう一つ」) still means it.
        ended = replace(initial_state(), product=state.product, lang=state.lang)
        return Reply(answer.text, entry.id, decision, confidence, (), links, (), kind), ended
    offer = _offer(kb, state, answer, others)
    prompt, choices = offer.prompt, offer.choices
    handoff = _answer_handoff(kb, state, entry, answer.text, query)
    text = answer.text
    if again and not state.form:
        text = f"{render_system('dialogue_again', {}, kb.lang)}\n{text}"
        if kb.service.support_desk and kb.service.support_desk not in answer.text:
            prompt = render_system("dialogue_again_desk", {"service": kb.service}, kb.lang)
        handoff = handoff or make_handoff(kb, state, HANDOFF_REFERRAL, query)
    if handoff is not None:
        links += tuple(link for link in contact_links(kb) if link not in links)
    facts: tuple[Fact, ...] = ()
    if dates is not None:
        context = {**billing_context(kb, dates), "plan_name": short_plan_name(kb, dates.plan)}
        text = f"{text}\n{render_system('dialogue_your_dates', context, kb.lang)}"
        facts = date_facts(kb, dates)
    reply = Reply(text, entry.id, decision, confidence, choices, links, facts, kind, handoff, prompt=prompt)
    # Small talk is no answer to follow up on: after 「ありがとう」, 「トータルセキュリティだと？」 still
    # asks about the fee answered before it.
    last = state.last if entry.kind == ENTRY_SMALLTALK else entry.id
    return reply, replace(state, last=last, choices=tuple(c.value for c in choices), misses=0)


@dataclass(frozen=True)
class _Offer:
    """What an answer offers after its text: a prompt (may be empty) and numbered choices."""

    prompt: str
    choices: tuple[Choice, ...]


def _offer(kb: KnowledgeBase, state: DialogueState, answer: Answer, others: tuple[str, ...]) -> _Offer:
    """Going on with the open form, else the other questions asked first, else the related questions."""
    if state.form:
        form_question = kb.entry(state.form).question
        # The answer keeps its pages; the offer to go on comes after them (Reply.prompt).
        prompt = render_system("dialogue_resume", {"form_question": form_question}, kb.lang)
        return _Offer(prompt, (Choice(1, word(kb, "resume"), RESUME), Choice(2, word(kb, "cancel"), CANCEL)))
    if others:
        # Each other entry decoded once, for the prompt and its choice; the related ones carry their questions.
        asked = [Suggestion(other, kb.entry(other).question, 1.0) for other in others]
        prompt = render_system("dialogue_also_asked", {"questions": [s.question for s in asked]}, kb.lang)
        related = [s for s in answer.related if s.intent not in others]
        return _Offer(prompt, suggestion_choices([*asked, *related][: max(len(answer.related), len(others))]))
    return _Offer("", suggestion_choices(answer.related))


def _answer_handoff(kb: KnowledgeBase, state: DialogueState, entry: Entry, text: str, query: str) -> Handoff | None:
    """A handoff when the answer refers the customer to the desk (the desk's own entry: they asked for it)."""
    if entry.id == kb.handoff.entry:
        return make_handoff(kb, state, HANDOFF_ASKED, query)
    if kb.service.support_desk and kb.service.support_desk in text:
        return make_handoff(kb, state, HANDOFF_REFERRAL, query)
    return None


def unchanged_answer(
    engine: Engine, entry: Entry, before: DialogueState, after: DialogueState, today: date
) -> Answer | None:
    """``entry``'s answer with the facts of ``after``, when it reads the same as with those of ``before``; else None."""
    old = answer_entry(engine, entry, entities_of(before), today)
    new = answer_entry(engine, entry, entities_of(after), today)
    return new if (old.text, old.pages) == (new.text, new.pages) else None


def unchanged_reply(
    engine: Engine, state: DialogueState, entry: Entry, previous: DialogueState, answer: Answer
) -> tuple[Reply, DialogueState]:
    """A follow-up that does not change the last answer (``answer``, as :func:`unchanged_answer`
    gave it): say so instead of repeating it.

    When lines of the answer name the changed fact (「- 月額版 (1か月間) :有効期限の当月末頃」
    for 「月額の場合は？」 after the billing-timing answer, which lists both plans), those
    lines are quoted: "the answer is the same" alone would hide that it differs by plan.
    """
    kb = engine.kb
    changed = [
        slot_text
        for slot, slot_text in (
            ("product", kb.product(state.product).name if state.product else None),
            ("plan", short_plan_name(kb, state.plan) if state.plan else None),
        )
        if slot_text and getattr(state, slot) != getattr(previous, slot)
    ]
    lines = [line for line in answer.text.splitlines() if any(name in line for name in changed)]
    context = {"question": entry.question, "changed": changed, "lines": lines}
    text = render_system("dialogue_unchanged", context, kb.lang)
    choices = entry_choices(kb, list(entry.related))
    reply = Reply(text, entry.id, DECISION_DIALOGUE, 1.0, choices, (), (), KIND_ANSWER)
    return reply, replace(state, last=entry.id, choices=tuple(c.value for c in choices), misses=0)


def stuck_reply(engine: Engine, state: DialogueState, query: str) -> tuple[Reply, DialogueState]:
    """「できない」 right after an answer: its steps did not work, so offer the support desk.

    Routed, the bare words matched whichever question holds them (「…ログインできないけど解約したい」)
    or nothing; repeating the answer would not help either.  The last answer's related questions
    stay on offer.
    """
    kb = engine.kb
    entry = kb.entry(state.last or "")
    text = render_system("dialogue_stuck", {"question": entry.question, "service": kb.service}, kb.lang)
    choices = entry_choices(kb, list(entry.related))
    handoff = make_handoff(kb, state, HANDOFF_REFERRAL, query)
    # The reply is the desk's: it stands for the entry handoff.yaml names as the desk's, when it names one.
    intent = kb.handoff.entry or entry.id
    reply = Reply(text, intent, DECISION_DIALOGUE, 1.0, choices, contact_links(kb), (), KIND_SUPPORT, handoff)
    return reply, replace(state, choices=tuple(c.value for c in choices), misses=0)


def product_noted_reply(engine: Engine, state: DialogueState, intent: str = FALLBACK) -> tuple[Reply, DialogueState]:
    """A first message naming only the customer's product (「Macです」): noted, and a question back.

    Routed, its few words (使う, 契約者, use) matched whichever question holds them.  The
    product stays in ``state`` for the next answer.  ``intent``: the greeting the message opened
    with (「こんにちは、Macを使っています」), else fallback (nothing asked).
    """
    kb = engine.kb
    product = kb.product(state.product).name if state.product else ""
    context = {"product": product, "service": kb.service, "examples": example_questions(kb)}
    text = render_system("dialogue_product_noted", context, kb.lang)
    return Reply(text, intent, DECISION_DIALOGUE, 1.0, (), (), (), KIND_CLARIFY), replace(state, choices=(), misses=0)


def clarify_reply(
    engine: Engine, state: DialogueState, suggestions: tuple[Suggestion, ...], confidence: float
) -> tuple[Reply, DialogueState]:
    """Ask which of the (two) closest entries was meant."""
    choices = suggestion_choices(suggestions)
    intent = suggestions[0].intent if suggestions else FALLBACK
    text = render_system("dialogue_clarify", {}, engine.kb.lang)
    reply = Reply(text, intent, DECISION_CLARIFY, confidence, choices, (), (), KIND_CLARIFY)
    return reply, replace(state, choices=tuple(c.value for c in choices))


def fallback_reply(
    engine: Engine, state: DialogueState, suggestions: tuple[Suggestion, ...], confidence: float, query: str = ""
) -> tuple[Reply, DialogueState]:
    """Say we do not know and suggest the closest questions; from the second miss in a row, offer the support desk."""
    kb = engine.kb
    misses = state.missed().misses
    choices = suggestion_choices(suggestions[:_MAX_SUGGESTIONS])
    if misses < SUPPORT_AFTER_MISSES:
        text = render_system("dialogue_fallback", {"has_suggestions": bool(choices)}, kb.lang)
        reply = Reply(text, FALLBACK, DECISION_FALLBACK, confidence, choices, (), (), KIND_FALLBACK)
    else:
        desk = kb.handoff.entry
        contact = kb.entry(desk) if desk is not None and kb.has_entry(desk) else None
        text = render_system("dialogue_support", {"service": kb.service, "has_suggestions": bool(choices)}, kb.lang)
        links: tuple[Link, ...] = contact_links(kb)
        if contact is not None:
            links += tuple(Link(t, contact.pages.url(t)) for t in contact.pages.for_product(state.product) if t != kb.service.support_desk)
        handoff = make_handoff(kb, replace(state, misses=misses), HANDOFF_MISSES, query)
        reply = Reply(text, FALLBACK, DECISION_FALLBACK, confidence, choices, links, (), KIND_SUPPORT, handoff)
    return reply, replace(state, choices=tuple(c.value for c in choices), misses=misses)


def related_reply(engine: Engine, state: DialogueState) -> tuple[Reply, DialogueState]:
    """「もっと詳しく」: the last answer's related questions as choices, its pages, and the support desk."""
    kb = engine.kb
    entry = kb.entry(state.last or "")
    choices = entry_choices(kb, list(entry.related))
    pages = tuple(Link(t, entry.pages.url(t)) for t in entry.pages.for_product(state.product))
    # The desk is named in the text; listed beside the pages only where it has an address to open.
    links = pages + tuple(link for link in contact_links(kb) if link not in pages)
    context = {
        "question": entry.question,
        "has_related": bool(choices),
        "has_pages": bool(pages),
        "service": kb.service,
        "notes": [note.text for note in entry.notes],
    }
    text = render_system("dialogue_related", context, kb.lang)
    reply = Reply(text, entry.id, DECISION_DIALOGUE, 1.0, choices, links, (), KIND_ANSWER)
    return reply, replace(state, choices=tuple(c.value for c in choices))


def cancelled_reply(engine: Engine, state: DialogueState) -> tuple[Reply, DialogueState]:
    """Abandon the open form; what the customer told us for it is forgotten too."""
    kb = engine.kb
    form_question = kb.entry(state.form).question if state.form else ""
    text = render_system(
        "dialogue_cancelled", {"had_form": bool(state.form), "form_question": form_question}, kb.lang
    )
    reply = Reply(text, state.form or FALLBACK, DECISION_DIALOGUE, 1.0, (), (), (), KIND_CANCELLED)
    if state.form:
        return reply, initial_state()
    return reply, replace(state, choices=())


def card_number_reply(engine: Engine, state: DialogueState) -> tuple[Reply, DialogueState]:
    """The message held a card number: warn, point to the account, and read nothing of it.

    The state is returned unchanged (an open form stays open), so nothing of the
    message can reach it; the reply never quotes the message.
    """
    service = engine.kb.service
    text = render_system("dialogue_card_number", {"service": service, "answered": False}, engine.kb.lang)
    account = (Link(service.account),) if service.account else ()
    reply = Reply(text, FALLBACK, DECISION_DIALOGUE, 1.0, (), account, (), KIND_PRIVACY)
    return reply, state


def with_card_warning(engine: Engine, reply: Reply) -> Reply:
    """``reply`` (to a message whose card number was masked) preceded by the card warning."""
    service = engine.kb.service
    warning = render_system("dialogue_card_number", {"service": service, "answered": True}, engine.kb.lang)
    shown = not service.account or any(link.title == service.account for link in reply.links)
    links = reply.links if shown else (Link(service.account or ""), *reply.links)
    return replace(reply, text=f"{warning}\n\n{reply.text}", links=links)


def simple_reply(template: str, context: dict[str, object], state: DialogueState, kind: str) -> tuple[Reply, DialogueState]:
    """A reply from one of the dialogue's own templates; the state (and its choices) unchanged."""
    text = render_system(template, context, state.lang)
    return Reply(text, FALLBACK, DECISION_DIALOGUE, 1.0, (), (), (), kind), state


_HELP_ENTRY = "help"
#: How many example questions a request for a question offers.
_EXAMPLES = 2


def example_questions(kb: KnowledgeBase) -> tuple[str, ...]:
    """Questions to offer as examples, in ``kb``'s language: the ``help`` entry's related ones, else the first FAQ questions.

    Taken from the knowledge base, so that a knowledge base for another service is never offered
    a question about the shipped one (「次の請求日はいつですか？」) that it would refuse.
    """
    related = kb.entry(_HELP_ENTRY).related if kb.has_entry(_HELP_ENTRY) else ()
    chosen = [kb.entry(i) for i in related if kb.has_entry(i)] or (e for e in kb.entries if e.kind == ENTRY_FAQ)
    return tuple(entry.question for entry in islice(chosen, _EXAMPLES))


def question_prompt(engine: Engine, template: str, state: DialogueState, kind: str) -> tuple[Reply, DialogueState]:
    """A request for a question (``dialogue_empty``, ``dialogue_more_nothing``) with the knowledge base's examples."""
    return simple_reply(template, {"examples": example_questions(in_language(engine, state.lang).kb)}, state, kind)


def announced_reply(engine: Engine, state: DialogueState, today: date, noted: bool) -> tuple[Reply, DialogueState]:
    """The reply to 「質問があります」: the product noted when the message named one (``noted``), else what the bot can do.

    Either way the reply stands for the ``help`` entry: the customer asked what to ask.
    """
    if noted and state.product:
        return product_noted_reply(engine, state, _HELP_ENTRY if engine.kb.has_entry(_HELP_ENTRY) else FALLBACK)
    return help_reply(engine, state, today)


def help_reply(engine: Engine, state: DialogueState, today: date) -> tuple[Reply, DialogueState]:
    """What the bot can do, with examples (the knowledge base's ``help`` entry), as a reply."""
    engine = in_language(engine, state.lang)
    kb = engine.kb
    if not kb.has_entry(_HELP_ENTRY):
        return question_prompt(engine, "dialogue_empty", state, KIND_SMALLTALK)
    reply, new_state = answer_reply(engine, state, kb.entry(_HELP_ENTRY), today, decision=DECISION_DIALOGUE)
    return replace(reply, lang=state.lang), new_state
