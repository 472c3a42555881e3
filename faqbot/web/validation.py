"""Validating a request with a model of :mod:`faqbot.web.request_schemas`, refusals in the API's error shape.

A pydantic error becomes :class:`~faqbot.web.errors.ApiError` (422) with the
code of the request's first problem: ``missing_field``, ``unknown_field``,
``invalid_body``, ``invalid_type``, ``too_long``, ``empty_field``,
``invalid_text``, ``out_of_range``, or the code a validator of the schemas
raised itself (``invalid_date``, ``unknown_product``, ``unknown_plan``,
``unknown_entry``), each with a sentence naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from faqbot.web.errors import ApiError

M = TypeVar("M", bound=BaseModel)

_TYPE_CODES = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "empty_field",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "model_type": "invalid_body",
    # Lone surrogates arrive through JSON \ud800 escapes; pydantic refuses them.
    "string_unicode": "invalid_text",
    "literal_error": "invalid_value",
    "too_short": "too_short",
    "too_long": "too_long",
}
_EXPECTED = {"string_type": "a string", "bool_type": "true or false", "int_type": "a whole number"}


def validate(model: type[M], data: object, *, what: str = "field") -> M:
    """``data`` as ``model``; raises :class:`ApiError` (422) naming the first problem.

    ``what`` is how messages name an input: "field" (JSON body) or "parameter".
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        allowed = ", ".join(model.model_fields)
        raise _api_error(exc.errors()[0], what, allowed) from None


def _api_error(error: ErrorDetails, what: str, allowed: str) -> ApiError:
    kind = error["type"]
    name = str(error["loc"][0]) if error["loc"] else ""
    value = error.get("input")
    subject = f"The {what} {name!r}"
    code = _TYPE_CODES.get(kind, kind if kind not in _EXPECTED else "invalid_type")
    messages: Mapping[str, Callable[[], str]] = {
        "missing_field": lambda: f"{subject} is required.",
        "unknown_field": lambda: f"Unknown {what} {name!r}; this endpoint accepts: {allowed}.",
        "too_long": lambda: _too_long(subject, value, error),
        "too_short": lambda: f"{subject} must have at least {error.get('ctx', {}).get('min_length')} item(s).",
        "empty_field": lambda: f"{subject} must not be empty.",
        "invalid_text": lambda: f"{subject} contains characters that are not valid Unicode.",
        "invalid_body": lambda: f"The request body must be a JSON object, not {json_kind(value)}.",
        # A bound of the schema's own (ge / le), or a range a validator states in its message.
        "out_of_range": lambda: f"{subject} must be {_bound(error)}, not {value}." if _bounded(error) else f"{subject} {error['msg']}",
    }
    if code in messages:
        return ApiError(422, code, messages[code]())
    if kind in _EXPECTED:
        return ApiError(422, code, f"{subject} must be {_EXPECTED[kind]}, not {json_kind(value)}.")
    return ApiError(422, code, f"{subject} {error['msg']}")


def _too_long(subject: str, value: Any, error: ErrorDetails) -> str:
    limit = error.get("ctx", {}).get("max_length")
    if isinstance(value, list):
        return f"{subject} has {len(value)} items; the limit is {limit}."
    return f"{subject} is {len(str(value))} characters long; the limit is {limit}."


def json_kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _bounded(error: ErrorDetails) -> bool:
    ctx = error.get("ctx", {})
    return "ge" in ctx or "le" in ctx


def _bound(error: ErrorDetails) -> str:
    ctx = error.get("ctx", {})
    return f"at least {ctx['ge']}" if "ge" in ctx else f"at most {ctx.get('le')}"
