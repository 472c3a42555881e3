"""Handing the customer over to a person at the support desk.

A reply carries a :class:`~faqbot.dialogue.reply.Handoff` when the customer
asks for a person, complains, demands a refund, after repeated misses, and
whenever an answer itself refers the customer to the desk.  The phrases that
detect the first three live in ``knowledge/handoff.yaml``; the contact points
in ``knowledge/service.yaml`` (empty where the source page is silent, and the
reply then says where to look instead).

The summary given to the desk is what the conversation state knows — the
customer's message, the question answered last, product, plan and expiry —
with personal data masked: the state keeps no transcript (it travels through
browsers), so this is the conversation as far as the assistant understood it.
"""

from __future__ import annotations

from dataclasses import replace

from faqbot.answers.answering import Answer, Engine
from faqbot.dialogue.handoff_reasons import handoff_reason
from faqbot.dialogue.language import date_text, word
from faqbot.dialogue.reply import (
    DECISION_DIALOGUE,
    HANDOFF_ASKED,
    HANDOFF_COMPLAINT,
    HANDOFF_REFUND,
    KIND_HANDOFF,
    Handoff,
    Link,
    Reply,
)
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.templating import render_kb_text, render_system
from faqbot.routing.pleasantries import sentences_or_clauses
from faqbot.routing.verdict import FALLBACK
from faqbot.text.inert import encodable
from faqbot.text.phrase_match import compacted, contains_phrase
from faqbot.text.privacy import mask_personal_data

# Longest customer message quoted in a summary (characters).
_QUOTE_MAX = 200

__all__ = ["contact_links", "conversation_summary", "handoff_reason", "handoff_reply", "make_handoff", "refund_parts"]


def refund_parts(kb: KnowledgeBase, message: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sentences (or clauses) of ``message`` that ask a refund, and those that ask none.

    「解約の方法と、あと返金してもらえるのかも知りたいです」 → (「あと返金…」,), (「解約の方法と、」,): the
    first may be a question the knowledge base answers (「処理券を返金してほしい」 where an entry says
    refunds are not given), the others are questions asked beside it.
    """
    refund = kb.handoff.refund
    parts = sentences_or_clauses(message)
    asking = tuple(part for part in parts if refund and compacted(part).contains(refund))
    return asking, tuple(part for part in parts if part not in asking)


def make_handoff(kb: KnowledgeBase, state: DialogueState, reason: str, message: str) -> Handoff:
    """The handoff value: the desk's contact points and a masked summary of the conversation."""
    service = kb.service
    return Handoff(
        reason=reason,
        desk=service.support_desk,
        summary=conversation_summary(kb, state, message),
        phone=service.support_phone,
        hours=service.support_hours,
        form_url=service.support_form_url,
        url=service.support_url,
    )


def conversation_summary(kb: KnowledgeBase, state: DialogueState, message: str) -> str:
    """What the desk needs to take over, one fact a line, personal data masked.

    Labelled in the conversation's language (``templates/words.yaml``), the
    language its quoted questions and names are in: Japanese for the shipped
    knowledge base, English when the customer writes in English.
    """
    facts: list[tuple[str, str]] = []
    # The Python API takes any str; the desk's summary must survive being sent as UTF-8 JSON.
    quoted = mask_personal_data(" ".join(encodable(message).split()))
    if quoted:
        facts.append(("summary_message", quoted[:_QUOTE_MAX] + "…" if len(quoted) > _QUOTE_MAX else quoted))
    if state.last and kb.has_entry(state.last):
        facts.append(("summary_last", kb.entry(state.last).question))
    if state.form and kb.has_entry(state.form):
        facts.append(("summary_form", kb.entry(state.form).question))
    if state.product:
        facts.append(("product", next((p.name for p in kb.products if p.id == state.product), state.product)))
    if state.plan:
        facts.append(("plan", next((p.name for p in kb.plans if p.id == state.plan), state.plan)))
    if state.expiry:
        facts.append(("expiry", date_text(kb, state.expiry)))
    if state.misses:
        facts.append(("summary_misses", str(state.misses)))
    return mask_personal_data("\n".join(f"{word(kb, key)}: {value}" for key, value in facts))


def contact_links(kb: KnowledgeBase) -> tuple[Link, ...]:
    """The desk's pages (its page, its form) where the knowledge base gives their URLs.

    The desk and the account are named in the replies' text; without an address they are no page
    to open, and listed as links they read as reference pages that cannot be opened.
    """
    service = kb.service
    desk = service.support_desk
    form = word(kb, "contact_form").format(desk=desk)  # not the desk's title twice for two pages
    return tuple(Link(title, url) for title, url in ((desk, service.support_url), (form, service.support_form_url)) if url)


def handoff_reply(
    engine: Engine,
    state: DialogueState,
    reason: str,
    message: str,
    answered: Answer | None = None,
    refund_answered: Answer | None = None,
) -> tuple[Reply, DialogueState]:
    """Offer a person: an apology first for a complaint or refund demand, then the contact points.

    ``answered``: the answer to the question a complaint also asks (「勝手に請求された、ふざけるな」
    → the unknown-charge entry), given after the apology, or that a refund demand asks beside it
    (「解約の方法と、あと返金…」), given after the refund's words; the reply then carries its entry.
    ``refund_answered``: the answer to the refund demand itself, where an entry answers it surely
    (「処理券を返金してほしい」 → 「処理券の払い戻しはできません」): given instead of the refund's words
    (handoff.yaml's ``refund_reply``), the desk still offered; the reply carries its entry.
    The state keeps what the customer told us but forgets the choices offered
    (and an open form: the desk takes it from here).
    """
    kb = engine.kb
    handoff = make_handoff(kb, state, reason, message)
    answer = answered.text if answered is not None else ""
    own = kb.handoff.complaint_reply if reason == HANDOFF_COMPLAINT else None
    refund = kb.handoff.refund_reply if reason == HANDOFF_REFUND else None
    context = {"reason": reason, "service": kb.service, "answer": answer,
               "refund_answer": refund_answered.text if refund_answered is not None else "",
               "complaint_reply": render_kb_text(kb, own) if own is not None else "",
               "refund_reply": render_kb_text(kb, refund) if refund is not None else ""}
    text = render_system("dialogue_handoff", context, kb.lang)
    # A complaint that asks for a person too (「ふざけるな、人と話させろ」) asked the desk's question.
    asked = reason == HANDOFF_ASKED or contains_phrase(message, kb.handoff.asked)
    desk = kb.handoff.entry if asked and kb.handoff.entry else FALLBACK
    intent = next((found.intent for found in (refund_answered, answered) if found is not None), desk)
    reply = Reply(text, intent, DECISION_DIALOGUE, 1.0, (), contact_links(kb), (), KIND_HANDOFF, handoff)
    last = intent if intent != FALLBACK else state.last
    return reply, replace(state.forget_form(), last=last, choices=(), misses=0)
