"""API v1's request models, defined once (pydantic v2), and the limits they enforce.

The handlers validate input with these models and the OpenAPI document
(:mod:`faqbot.web.openapi`) is generated from the same models, so every limit
the server enforces — lengths, ranges, date formats, the product, plan and
entry ids the knowledge base knows — appears in the document too.  What the
server sends back is described by :mod:`faqbot.web.response_schemas`.

The request classes below declare the shape for type checkers; the limits
depend on the configuration and the knowledge base, so :func:`request_models`
derives the classes each app validates with (and documents).  To add a field,
declare it in the base class and give its constraints in :func:`request_models`.

Validators here raise pydantic errors whose type is the API's error code
(``invalid_date``, ``unknown_product`` …); :func:`faqbot.web.validation.validate`
turns the first problem of a request into the API's error shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from faqbot.errors import InvalidDateError
from faqbot.kb.date_io import parse_iso_date
from faqbot.kb.dates import EARLIEST_EXPLICIT, LATEST_EXPLICIT
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.templating import LANGUAGES
from faqbot.web.validation import json_kind

# Dates are taken between EARLIEST_EXPLICIT and LATEST_EXPLICIT (faqbot.kb.dates): far outside them
# calendar arithmetic (a year past 9999) would fail in the core instead of answering.
# The same range as a pattern, so the document states it (JSON Schema has no date bounds).
DATE_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"
MAX_TOP = 20
DEFAULT_TOP = 5
# Ids and plan names are short; a long one is a client bug, not a lookup.
MAX_ID_CHARS = 100
# Signed tokens this server writes are a few hundred characters.
MAX_TOKEN_CHARS = 8192
# Text must contain something besides white space (what str.strip() removes).  Spelt out as
# a character class: regex engines and test-data generators disagree on what \S excludes
# (U+0085, U+001C–U+001F), a list of code points reads the same everywhere.
_SPACES = "".join(f"\\u{c:04x}" for c in range(0x3001) if chr(c).isspace())
NOT_BLANK = f"[^{_SPACES}]"


class _Strict(BaseModel):
    # python-re: the server matches patterns exactly as Python's jsonschema and
    # hypothesis read the document (Rust's \s differs on \x1c-\x1f).
    model_config = ConfigDict(extra="forbid", frozen=True, regex_engine="python-re")


class _Query(_Strict):
    # Query strings may carry unrelated parameters (cache busters); they are ignored.
    model_config = ConfigDict(extra="ignore", frozen=True, regex_engine="python-re")


# ---- requests: the shapes (constraints come from request_models) ----


class ChatRequest(_Strict):
    """``POST /api/v1/chat``."""

    message: str
    state: str | None = None
    today: date | None = None
    lang: str | None = None


class BillingRequest(_Strict):
    """``POST /api/v1/billing``."""

    product: str
    plan: str
    expiry: date
    today: date | None = None


class FeedbackRequest(_Strict):
    """``POST /api/v1/feedback``."""

    intent: str
    helpful: StrictBool
    message: str | None = None
    product: str | None = None
    turn: str


class SearchQuery(_Query):
    """``GET /api/v1/search`` query parameters."""

    q: str
    top: int = DEFAULT_TOP


class EntryPath(_Strict):
    """``GET /api/v1/faq/{id}`` path parameters."""

    id: str


class EntryQuery(_Query):
    """``GET /api/v1/faq/{id}`` query parameters."""

    product: str | None = None


# ---- the handoff request: one shape in every app (no limit depends on the knowledge base) ----


def _check_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise _custom("invalid_key", "must be 16 to 64 letters, digits, '-' or '_'.")
    return value


# One pattern for the check and the document (the check names its own error code, invalid_key).
_KEY_PATTERN = "[A-Za-z0-9_-]{16,64}"
_KEY = re.compile(_KEY_PATTERN)
_IdempotencyKey = Annotated[StrictStr, Field(json_schema_extra={"pattern": f"^{_KEY_PATTERN}$"}), AfterValidator(_check_key)]


class TranscriptLine(_Strict):
    role: Literal["user", "bot"] = Field(description="Who said it, as the widget shows it.")
    text: StrictStr = Field(description="The line; personal data is masked and lines are cut at 2,000 characters.")


class HandoffRequest(_Strict):
    """``POST /api/v1/handoff`` (only when the server has a handoff webhook)."""

    key: _IdempotencyKey | None = Field(None, description=(
        "Idempotency key: the same key again is the same handoff, never sent twice; omit for a new one."))
    reason: Literal["asked", "complaint", "refund", "misses", "referral"] = "asked"
    state: str | None = Field(None, max_length=MAX_TOKEN_CHARS, description="The 'state' of the last chat response.")
    lang: Literal["ja", "en"] | None = None
    transcript: list[TranscriptLine] = Field(min_length=1, max_length=100, description="The conversation as shown.")


# ---- constrained types ----


def _custom(code: str, message: str) -> PydanticCustomError:
    # Braces in quoted input must not be read as template fields.
    return PydanticCustomError(code, message.replace("{", "{{").replace("}", "}}"))


def _text(max_chars: int, *, blank: bool = False) -> Any:
    """A string of at most ``max_chars`` characters; unless ``blank``, not only white space."""
    return Annotated[StrictStr, Field(max_length=max_chars, pattern=None if blank else NOT_BLANK)]


def _one_of(ids: tuple[str, ...], code: str, hint: str) -> Any:
    """One of ``ids`` (an enum in the document); another value is refused with ``code``."""
    known = frozenset(ids)

    def check(value: str) -> str:
        if value not in known:
            raise _custom(code, f"must be {hint}, not {value[:40]!r}.")
        return value

    return Annotated[
        StrictStr,
        Field(max_length=MAX_ID_CHARS, pattern=NOT_BLANK, json_schema_extra={"enum": list(ids)}),
        AfterValidator(check),
    ]


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise _custom("invalid_type", f"must be a YYYY-MM-DD string, not {json_kind(value)}.")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise _custom("invalid_date", f"must be a date in the form YYYY-MM-DD, not {value[:40]!r}.")
    try:
        parsed = parse_iso_date(value)
    except InvalidDateError as exc:
        raise _custom("invalid_date", f"is not a date: {exc}") from None
    if not EARLIEST_EXPLICIT <= parsed <= LATEST_EXPLICIT:
        raise _custom("out_of_range", f"must lie between {EARLIEST_EXPLICIT} and {LATEST_EXPLICIT}, not {parsed}.")
    return parsed


DateField = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": DATE_PATTERN, "examples": ["2027-03-31"],
         "description": f"YYYY-MM-DD, between {EARLIEST_EXPLICIT} and {LATEST_EXPLICIT}."}
    ),
]


def _whole_number(value: object) -> object:
    # Query values are text: only ASCII digits count (int() would also take "３" or " 3").
    if isinstance(value, str):
        if not re.fullmatch(r"-?[0-9]{1,6}", value):
            raise _custom("invalid_type", f"must be a whole number, not {value[:40]!r}.")
        return int(value)
    return value


# ---- the models an app validates with ----


@dataclass(frozen=True)
class Limits:
    """What the request models depend on: the configured text limit and the knowledge base's ids."""

    max_message_chars: int
    product_ids: tuple[str, ...]
    plan_ids: tuple[str, ...]
    entry_ids: tuple[str, ...]

    @classmethod
    def of(cls, kb: KnowledgeBase, max_message_chars: int) -> Limits:
        """The limits for ``kb`` with messages of at most ``max_message_chars``."""
        plans: list[str] = []
        for product in kb.products:
            plans += [p for p in product.terms.known_plan_ids or product.terms.plan_ids if p not in plans]
        faq_ids = tuple(kb.ids)  # without decoding every entry of a packed knowledge base
        return cls(max_message_chars, tuple(p.id for p in kb.products), tuple(plans), faq_ids)


@dataclass(frozen=True)
class RequestModels:
    """The request classes of one app, constraints filled in."""

    chat: type[ChatRequest]
    billing: type[BillingRequest]
    feedback: type[FeedbackRequest]
    search: type[SearchQuery]
    entry_path: type[EntryPath]
    entry_query: type[EntryQuery]


def request_models(limits: Limits) -> RequestModels:
    """The request models for ``limits`` (one set per app)."""
    message = _text(limits.max_message_chars)
    token = _text(MAX_TOKEN_CHARS, blank=True)
    product = _one_of(limits.product_ids, "unknown_product", "a product id (see the document's enum)")
    plan = _one_of(limits.plan_ids, "unknown_plan", f"one of {', '.join(limits.plan_ids)}")
    lang = _one_of(LANGUAGES, "invalid_lang", f"one of {', '.join(LANGUAGES)}")
    intent = _one_of(limits.entry_ids, "unknown_entry", "an FAQ entry id (GET /api/v1/faq lists them)")
    today: tuple[Any, Any] = (DateField | None, Field(None, description=(
        "Reference date for relative dates and billing, honoured only by a test server "
        "(--allow-client-today; else 403 today_not_allowed); omit or null for today's date in Japan.")))
    return RequestModels(
        chat=create_model(
            "ChatRequest", __base__=ChatRequest,
            message=(message, Field(description="The customer's message.")),
            state=(token | None, Field(None, description=(
                "The 'state' of the previous response, unchanged; omit or null to start a conversation."))),
            today=today,
            lang=(lang | None, Field(None, description=(
                "Reply language, 'ja' or 'en'; omit or null to follow each message's language."))),
        ),
        billing=create_model(
            "BillingRequest", __base__=BillingRequest,
            product=(product, Field(examples=["virusbuster-cloud"])),
            plan=(plan, Field(description="The plan must be one the product is sold on (else 422 plan_not_offered).")),
            expiry=(DateField, Field(description="The contract's expiry; not before 'today' (else 422 expiry_in_past).")),
            today=today,
        ),
        feedback=create_model(
            "FeedbackRequest", __base__=FeedbackRequest,
            intent=(intent, Field(description=(
                "The 'intent' of the reply being rated: that of the chat response whose 'turn' is sent "
                "(else 422 intent_mismatch)."), examples=["cancel-howto"])),
            helpful=(StrictBool, Field(description="true: 👍 helpful; false: 👎 not helpful.")),
            message=(message | None, Field(None, description=(
                "The customer's question that got this answer; personal data is masked before it is stored."))),
            product=(product | None, Field(None, description="Product id, when known.", examples=["mobile"])),
            turn=(token, Field(description=(
                "The 'turn' of the chat response being rated: one vote counts per turn, a later vote replaces it."))),
        ),
        search=create_model(
            "SearchQuery", __base__=SearchQuery,
            q=(_text(limits.max_message_chars), Field(description="The query, e.g. 解約.")),
            top=(Annotated[int, BeforeValidator(_whole_number)], Field(DEFAULT_TOP, ge=1, le=MAX_TOP)),
        ),
        entry_path=create_model("EntryPath", __base__=EntryPath, id=(_text(MAX_ID_CHARS), Field(description="An FAQ entry id."))),
        entry_query=create_model(
            "EntryQuery", __base__=EntryQuery,
            product=(product | None, Field(None, description="Render the answer for this product id.")),
        ),
    )
