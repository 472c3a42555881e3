"""The OpenAPI 3.1 description of API v1, written by hand next to the handlers.

Tests validate it with openapi-spec-validator and check real responses against
its schemas, so it cannot drift from :mod:`faqbot.web.api` unnoticed.
"""

from __future__ import annotations

from typing import Any

from faqbot.web.config import WebConfig

_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], required: tuple[str, ...] | None = None, **extra: Any) -> dict[str, Any]:
    """An object schema; every property required unless ``required`` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
        "additionalProperties": False,
        **extra,
    }


_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date", "examples": ["2027-03-31"]}
_DATE_IN = {**_DATE, "description": "YYYY-MM-DD, between 1900-01-01 and 2999-12-31."}
_CONFIDENCE = {"type": "number", "minimum": 0, "maximum": 1}


def _schemas(config: WebConfig) -> dict[str, Any]:
    today = {
        **_DATE,
        "type": ["string", "null"],
        "description": (
            "Reference date (YYYY-MM-DD, 1900–2999) for relative dates and billing, honoured only by a test "
            "server (--allow-client-today; else 403 today_not_allowed); omit or null for today's date in Japan."
        ),
    }
    entry = {
        "id": _STR,
        "kind": {"type": "string", "enum": ["faq", "compute", "smalltalk"]},
        "category": _STR,
        "question": _STR,
    }
    return {
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "code": {"type": "string", "examples": ["missing_field", "invalid_state", "not_found"]},
                        "message": {"type": "string", "description": "One sentence saying what to do instead."},
                    }
                )
            },
            description="The one shape of every error response.",
        ),
        "ChatRequest": _obj(
            {
                "message": {"type": "string", "minLength": 1, "maxLength": config.max_message_chars},
                "state": {
                    "type": ["string", "null"],
                    "description": "The 'state' of the previous response, unchanged; omit or null to start a conversation.",
                },
                "today": today,
                "lang": {
                    "type": ["string", "null"],
                    "enum": ["ja", "en", None],
                    "description": "Reply language (the widget's data-faqbot-language); omit or null to follow each message's language.",
                },
            },
            required=("message",),
        ),
        "Choice": _obj(
            {
                "number": {"type": "integer"},
                "label": _STR,
                "value": {"type": "string", "description": "Send this as the next message when the choice is picked."},
            }
        ),
        "Link": _obj({"title": _STR, "url": _NULLABLE_STR}),
        "Fact": _obj({"label": _STR, "value": _STR}),
        "Handoff": _obj(
            {
                "reason": {"type": "string", "examples": ["asked", "complaint", "refund", "misses", "referral"]},
                "desk": _STR,
                "phone": _NULLABLE_STR,
                "hours": _NULLABLE_STR,
                "form_url": _NULLABLE_STR,
                "url": _NULLABLE_STR,
                "summary": {"type": "string", "description": "The conversation so far, personal data masked."},
            }
        ),
        "Reply": _obj(
            {
                "text": {"type": "string", "description": "Plain text; render it as text, never as HTML."},
                "html": {"type": "string", "description": "The same reply as an HTML fragment with every value escaped."},
                "intent": _STR,
                "decision": {"type": "string", "examples": ["answer", "clarify", "fallback", "dialogue"]},
                "confidence": _CONFIDENCE,
                "kind": {"type": "string", "examples": ["answer", "form", "billing", "clarify", "fallback"]},
                "choices": {"type": "array", "items": _ref("Choice"), "description": "Quick replies."},
                "links": {"type": "array", "items": _ref("Link")},
                "facts": {"type": "array", "items": _ref("Fact")},
                "handoff": {
                    "anyOf": [_ref("Handoff"), {"type": "null"}],
                    "description": "Set when the reply offers a person at the support desk.",
                },
                "lang": {"type": "string", "enum": ["ja", "en"], "description": "The language the reply is written in."},
            }
        ),
        "ChatResponse": _obj(
            {
                "reply": _ref("Reply"),
                "state": {"type": "string", "description": "Signed conversation state; send it back with the next message."},
            }
        ),
        "EntrySummary": _obj(entry),
        "FaqList": _obj({"entries": {"type": "array", "items": _ref("EntrySummary")}}),
        "EntryDetail": _obj(
            {
                **entry,
                "alternates": {"type": "array", "items": _STR},
                "product": _NULLABLE_STR,
                "answer": {"type": "string", "description": "Plain text."},
                "html": {"type": "string", "description": "Escaped HTML fragment."},
                "pages": {"type": "array", "items": _STR, "description": "Support-page titles."},
                "related": {"type": "array", "items": _ref("EntrySummary")},
            }
        ),
        "SearchResult": _obj({**entry, "matched_question": _STR, "confidence": _CONFIDENCE}),
        "SearchResponse": _obj({"query": _STR, "results": {"type": "array", "items": _ref("SearchResult")}}),
        "BillingRequest": _obj(
            {
                "product": {"type": "string", "examples": ["virusbuster-cloud"]},
                "plan": {"type": "string", "examples": ["monthly", "annual"]},
                "expiry": _DATE_IN,
                "today": today,
            },
            required=("product", "plan", "expiry"),
        ),
        "Billing": _obj(
            {
                "product": _STR,
                "plan": _STR,
                "expiry": _DATE,
                "billing_date": _DATE,
                "notice_date": _DATE,
                "approximate": {"type": "boolean"},
                "approx": _STR,
                "cycle_expiry": _DATE,
                "notice_passed": {"type": "boolean"},
                "plans_confirmed": {"type": "boolean"},
                "statement_descriptors": {"type": "array", "items": _STR},
                "explanation": _STR,
            }
        ),
        "FeedbackRequest": _obj(
            {
                "intent": {"type": "string", "maxLength": 100, "description": "The 'intent' of the reply being rated (an FAQ entry id).",
                           "examples": ["cancel-howto"]},
                "helpful": {"type": "boolean", "description": "true: 👍 helpful; false: 👎 not helpful."},
                "message": {"type": ["string", "null"], "maxLength": config.max_message_chars,
                            "description": "The customer's question that got this answer; personal data is masked before it is stored."},
                "product": {"type": ["string", "null"], "maxLength": 100, "description": "Product id, when known.",
                            "examples": ["mobile"]},
            },
            required=("intent", "helpful"),
        ),
        "FeedbackResponse": _obj({"ok": {"const": True}}),
        "Health": _obj({"status": {"const": "ok"}, "entries": {"type": "integer"}, "kb_hash": _STR}),
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": _ref("Error")}}}


_ERRORS = {
    "400": _error("Invalid JSON, or a state this server did not issue or that expired."),
    "404": _error("Unknown address or id."),
    "405": _error("Method not allowed."),
    "413": _error("Request body over the size limit."),
    "415": _error("Body not sent as application/json."),
    "422": _error("A field is missing, of the wrong type, too long, or not a known value."),
    "429": {
        **_error("Too many requests from this client address (per-minute limit per server worker)."),
        "headers": {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}}},
    },
    "500": _error("A bug on the server (never caused by input)."),
    "503": {
        **_error("The request took longer than the server's request timeout."),
        "headers": {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}}},
    },
}


def _op(summary: str, ok: str, schema: str, codes: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": ok, "content": {_JSON: {"schema": _ref(schema)}}}}
    responses.update({code: {"$ref": f"#/components/responses/E{code}"} for code in codes})
    return {"summary": summary, "responses": responses, **extra}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {_JSON: {"schema": _ref(schema)}}}


def openapi_schema(config: WebConfig) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with the configured limits filled in."""
    get_errors = ("404", "405", "422", "429", "500", "503")
    post_errors = ("400", "404", "405", "413", "415", "422", "429", "500", "503")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "faqbot API",
            "version": "1.0.0",
            "description": (
                "Answers questions about あんしん自動更新. Stateless: each chat response carries a signed "
                "conversation state that the client sends back with its next message. Every error has the "
                f"Error shape. Request bodies are limited to {config.max_body_bytes} bytes, requests to "
                f"{config.request_timeout:g} seconds"
                + (f", and each client address to {config.rate_limit} API requests a minute per server worker." if config.rate_limit else ".")
            ),
        },
        "paths": {
            "/api/v1/chat": {
                "post": _op(
                    "One turn of the conversation", "The reply and the new state", "ChatResponse",
                    post_errors, operationId="chat", requestBody=_body("ChatRequest"),
                )
            },
            "/api/v1/search": {
                "get": _op(
                    "Entries ranked for a query (for staff tools)", "Ranked entries", "SearchResponse",
                    get_errors, operationId="search",
                    parameters=[
                        {"name": "q", "in": "query", "required": True,
                         "schema": {"type": "string", "minLength": 1, "maxLength": config.max_message_chars}},
                        {"name": "top", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5}},
                    ],
                )
            },
            "/api/v1/faq": {
                "get": _op("Every entry of the knowledge base", "The entries", "FaqList", get_errors, operationId="listFaq")
            },
            "/api/v1/faq/{id}": {
                "get": _op(
                    "One entry with its answer", "The entry", "EntryDetail", get_errors, operationId="getFaq",
                    parameters=[
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}},
                        {"name": "product", "in": "query", "required": False,
                         "description": "Render the answer for this product id.",
                         "schema": {"type": "string", "maxLength": 100}},
                    ],
                )
            },
            "/api/v1/billing": {
                "post": _op(
                    "Next billing and notice dates", "The billing result", "Billing", post_errors,
                    operationId="billing", requestBody=_body("BillingRequest"),
                )
            },
            "/api/v1/feedback": {
                "post": _op(
                    "👍/👎 on an answer (recorded for the maintainers' report)", "Accepted", "FeedbackResponse",
                    post_errors, operationId="feedback", requestBody=_body("FeedbackRequest"),
                )
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": {_JSON: {"schema": {"type": "object"}}}},
                        **{code: {"$ref": f"#/components/responses/E{code}"} for code in ("429", "503")},
                    },
                }
            },
            "/healthz": {
                "get": _op("Liveness and knowledge-base version", "Up", "Health", ("405", "500", "503"), operationId="health")
            },
        },
        "components": {
            "schemas": _schemas(config),
            "responses": {f"E{code}": response for code, response in _ERRORS.items()},
        },
    }
