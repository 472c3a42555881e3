"""The dialogue's reply: a structured, front-end neutral value.

A :class:`Reply` carries the text plus everything a front end shows around it
(numbered choices, support-page links, computed facts), so the terminal chat
and the web widget render the same reply each in their own way
(see :mod:`faqbot.dialogue.render`).
"""

from __future__ import annotations

from dataclasses import dataclass

# The reasons a message itself gives, defined where `faqbot ask` reads them without this module.
from faqbot.dialogue.handoff_reasons import HANDOFF_ASKED as HANDOFF_ASKED
from faqbot.dialogue.handoff_reasons import HANDOFF_COMPLAINT as HANDOFF_COMPLAINT
from faqbot.dialogue.handoff_reasons import HANDOFF_REFUND as HANDOFF_REFUND

#: Reply kinds, for front ends that style replies differently.
KIND_ANSWER = "answer"  # an FAQ answer
KIND_FORM = "form"  # the billing form asks for a missing fact
KIND_BILLING = "billing"  # the computed next billing date
KIND_CLARIFY = "clarify"  # which of these did you mean?
KIND_FALLBACK = "fallback"  # not understood; closest questions suggested
KIND_SUPPORT = "support"  # repeated misses: the support desk is offered
KIND_SMALLTALK = "smalltalk"  # greeting, thanks, goodbye, help
KIND_CANCELLED = "cancelled"  # the customer abandoned the form
KIND_PRIVACY = "privacy"  # the message held a card number: warned, not read
KIND_HANDOFF = "handoff"  # the customer is offered a person at the support desk

#: Why a reply offers a person (:attr:`Handoff.reason`).
HANDOFF_MISSES = "misses"  # repeated misses in a row
HANDOFF_REFERRAL = "referral"  # the answer itself refers the customer to the desk

#: Decision of a turn the dialogue manager handled itself (a pick, a cancel,
#: a follow-up) rather than one the router decided.
DECISION_DIALOGUE = "dialogue"


@dataclass(frozen=True)
class Choice:
    """A numbered choice / quick reply; ``value`` is what the client sends back when picked."""

    number: int
    label: str
    value: str

    @classmethod
    def for_entry(cls, number: int, entry_id: str, question: str) -> Choice:
        """The choice that opens entry ``entry_id`` (value ``entry:ID``), labelled with its question."""
        return cls(number, question, f"entry:{entry_id}")


@dataclass(frozen=True)
class Link:
    """A support page to read; the seed names pages by title only, so ``url`` may be None."""

    title: str
    url: str | None = None


@dataclass(frozen=True)
class Fact:
    """A computed fact shown prominently, e.g. 次回の請求日 / 2027年2月28日頃."""

    label: str
    value: str


@dataclass(frozen=True)
class Handoff:
    """A person to talk to, as structured data every channel can act on.

    Contact points come from the knowledge base's service settings and are None
    where it is silent; ``summary`` is the conversation so far with personal
    data masked, for the desk that takes it over.
    """

    reason: str  # one of the HANDOFF_* values
    desk: str
    summary: str
    phone: str | None = None
    hours: str | None = None
    form_url: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot says in one turn."""

    text: str
    intent: str  # entry id, or "fallback"
    decision: str  # router decision ("answer", "clarify", "fallback") or "dialogue"
    confidence: float
    choices: tuple[Choice, ...] = ()
    links: tuple[Link, ...] = ()
    facts: tuple[Fact, ...] = ()
    kind: str = KIND_ANSWER
    handoff: Handoff | None = None
    lang: str = "ja"  # the language the reply is written in
    # A question put after the answer and its pages (「…の確認を続けますか？」), before the choices.
    prompt: str = ""
