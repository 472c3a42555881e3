"""The numbered choices a reply offers (「1」「年額版」「ウイルスバスター for Mac」): which one a message
picks, how each is labelled, and which of them the knowledge base still has.

A choice is a value in :attr:`DialogueState.choices`: ``entry:<id>``, ``product:<id>``,
``plan:<id>``, or the form's ``resume`` / ``cancel``.  The state travels through the
client, so a value may name what a reloaded knowledge base no longer defines.
"""

from __future__ import annotations

from dataclasses import replace

from faqbot.dialogue import ellipsis, phrases
from faqbot.dialogue.language import word
from faqbot.dialogue.replies import CANCEL, RESUME
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KIND_COMPUTE, KnowledgeBase

# The values of choices that answer a question the assistant asked (which product, which plan); a list of
# entries (related questions, a clarification) is offered, not asked, and a yes after it acknowledges.
_ASKED = ("product:", "plan:")


def picked(kb: KnowledgeBase, state: DialogueState, text: str) -> str | None:
    """The value of the offered choice the message picks (by number, value or label), or None."""
    if not state.choices:
        return None
    number = phrases.picked_number(text)
    if number is None:
        number = phrases.picked_ordinal(text, len(state.choices))
    if number is not None:
        return state.choices[number - 1] if 1 <= number <= len(state.choices) else None
    if text in state.choices:
        return text
    if len(state.choices) == 1 and state.choices[0].startswith(_ASKED) and phrases.is_yes(text):
        return state.choices[0]  # 「はい」 to "which product?" with one product offered confirms it
    if state.form and (phrases.is_cancel(text) or (RESUME in state.choices and phrases.is_yes(text))):
        return None  # control phrases are handled by the form, not matched against labels
    if text.isascii() and not ellipsis.names_its_own(text):
        return None  # "How?" is part of "How can I check…": it names nothing to pick by (196th rule)
    labels = tuple(label(kb, value) for value in state.choices)
    index = phrases.match_label(text, labels)
    return state.choices[index] if index is not None else None


def label(kb: KnowledgeBase, value: str) -> str:
    """What a choice value is called where it is offered (an entry's question, a product's name…)."""
    kind, _, ident = value.partition(":")
    if kind == "entry":
        return kb.entry(ident).question
    if kind == "product":
        return kb.product(ident).name
    if kind == "plan":
        return next((p.name for p in kb.plans if p.id == ident), ident)
    return {RESUME: word(kb, "resume_short"), CANCEL: word(kb, "cancel_short")}.get(value, value)


def sanitized(kb: KnowledgeBase, state: DialogueState) -> DialogueState:
    """``state`` less the references the knowledge base does not (or no longer) define."""
    entry_ids = kb.entry_ids
    form = state.form if state.form in entry_ids and kb.entry(state.form).kind == KIND_COMPUTE else None
    product = state.product if any(p.id == state.product for p in kb.products) else None
    plan = state.plan if any(p.id == state.plan for p in kb.plans) else None
    last = state.last if state.last in entry_ids else None
    choices = tuple(v for v in state.choices if _valid_choice(kb, entry_ids, v))
    if len(choices) != len(state.choices):
        choices = ()  # numbering would shift: offer nothing rather than the wrong thing
    asking = state.asking if form else None
    if (form, asking, product, plan, last, choices) == (state.form, state.asking, state.product, state.plan, state.last, state.choices):
        return state  # nothing to drop (the usual case): no copy of a frozen value
    return replace(state, form=form, asking=asking, product=product, plan=plan, last=last, choices=choices)


def _valid_choice(kb: KnowledgeBase, entry_ids: frozenset[str], value: str) -> bool:
    kind, _, ident = value.partition(":")
    if value in (RESUME, CANCEL):
        return True
    if kind == "entry":
        return ident in entry_ids
    if kind == "product":
        return any(p.id == ident for p in kb.products)
    if kind == "plan":
        return any(p.id == ident for p in kb.plans)
    return False
