"""API v1's response models: what the handlers send, described once (pydantic v2).

The handlers build their answers as plain dicts (:mod:`faqbot.answers.serialize`,
:func:`faqbot.dialogue.reply_json`); these models say what those dicts hold, and
the OpenAPI document (:mod:`faqbot.web.openapi`) states it from their JSON
Schemas (serialization mode), every field present.  The request models, which
the handlers validate with, are :mod:`faqbot.web.request_schemas`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    """A response model: documents what the handlers send (every field present)."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Out):
    status: int = Field(ge=400, le=599)
    code: str = Field(examples=["missing_field", "invalid_state", "not_found"])
    message: str = Field(description="One sentence saying what to do instead.")


class Error(_Out):
    """The one shape of every error response."""

    error: ErrorDetail


class Choice(_Out):
    number: int
    label: str
    value: str = Field(description="Send this as the next message when the choice is picked.")


class Link(_Out):
    title: str
    url: str | None


class Fact(_Out):
    label: str
    value: str


class Handoff(_Out):
    reason: str = Field(examples=["asked", "complaint", "refund", "misses", "referral"])
    desk: str
    phone: str | None
    hours: str | None
    form_url: str | None
    url: str | None
    summary: str = Field(description="The conversation so far, personal data masked.")


class Reply(_Out):
    text: str = Field(description="Plain text; render it as text, never as HTML.")
    html: str = Field(description="The same reply as an HTML fragment with every value escaped.")
    intent: str
    decision: str = Field(examples=["answer", "clarify", "fallback", "dialogue"])
    confidence: float = Field(ge=0, le=1)
    kind: str = Field(examples=["answer", "form", "billing", "clarify", "fallback"])
    choices: list[Choice] = Field(description="Quick replies.")
    links: list[Link]
    facts: list[Fact]
    handoff: Handoff | None = Field(description="Set when the reply offers a person at the support desk.")
    lang: Literal["ja", "en"] = Field(description="The language the reply is written in.")


class ChatResponse(_Out):
    reply: Reply
    state: str = Field(description="Signed conversation state; send it back with the next message.")
    turn: str = Field(description="This turn's id; send it with a 👍/👎 on this reply (POST /api/v1/feedback).")


class EntrySummary(_Out):
    id: str
    kind: Literal["faq", "compute", "smalltalk"]
    category: str
    question: str


class FaqList(_Out):
    entries: list[EntrySummary]


class EntryDetail(EntrySummary):
    alternates: list[str]
    product: str | None
    answer: str = Field(description="Plain text.")
    html: str = Field(description="Escaped HTML fragment.")
    pages: list[str] = Field(description="Support-page titles.")
    related: list[EntrySummary]


class SearchResult(EntrySummary):
    matched_question: str
    confidence: float = Field(ge=0, le=1)


class SearchResponse(_Out):
    query: str
    results: list[SearchResult]


class Billing(_Out):
    product: str
    plan: str
    expiry: date
    billing_date: date
    notice_date: date
    approximate: bool
    approx: str
    cycle_expiry: date
    notice_passed: bool
    plans_confirmed: bool
    statement_descriptors: list[str]
    explanation: str


class FeedbackResponse(_Out):
    ok: Literal[True]


class Health(_Out):
    status: Literal["ok"]
    entries: int
    kb_hash: str


class DeskContacts(_Out):
    name: str
    phone: str | None
    hours: str | None
    form_url: str | None
    url: str | None


class HandoffResponse(_Out):
    status: Literal["delivered", "queued"] = Field(description="queued: kept and retried until the desk takes it.")
    reference: str = Field(description="Eight characters the customer can quote to the desk.")
    desk: DeskContacts


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    Error, ChatResponse, FaqList, EntryDetail, SearchResponse, Billing, FeedbackResponse, Health, HandoffResponse,
)
