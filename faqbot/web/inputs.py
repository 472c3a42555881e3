"""Reading request input defensively: bodies, JSON fields and query parameters.

Each check raises :class:`~faqbot.web.errors.ApiError` with a 4xx status and a
sentence naming the field and what to send instead, so bad input never reaches
the core as a wrong type and never becomes a 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from starlette.requests import Request

from faqbot.errors import InvalidDateError
from faqbot.kb.dates import parse_iso_date
from faqbot.web.errors import ApiError

# Dates a contract can plausibly have; far outside them calendar arithmetic
# (a year past 9999) would fail in the core instead of answering.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)


async def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """The request body as a JSON object, at most ``max_bytes`` long."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the request body as JSON with 'Content-Type: application/json'.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    # Count while streaming: a chunked body has no Content-Length to check up front.
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The request body is not valid UTF-8 JSON.") from None
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_body", f"The request body must be a JSON object, not {json_kind(value)}.")
    return value


def check_fields(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse fields the endpoint does not know, so a client's typo is not silently ignored."""
    unknown = sorted(k for k in body if k not in allowed)
    if unknown:
        raise ApiError(422, "unknown_field", f"Unknown field {unknown[0]!r}; this endpoint accepts: {', '.join(allowed)}.")


def required_text(body: Mapping[str, Any], name: str, max_chars: int) -> str:
    """A required, non-blank string field of at most ``max_chars`` characters."""
    if name not in body:
        raise ApiError(422, "missing_field", f"The field {name!r} is required.")
    value = optional_text(body, name, max_chars)
    if value is None:
        raise ApiError(422, "invalid_type", f"The field {name!r} must be a string, not null.")
    if not value.strip():
        raise ApiError(422, "empty_field", f"The field {name!r} must not be empty.")
    return value


def required_bool(body: Mapping[str, Any], name: str) -> bool:
    """A required JSON ``true``/``false`` field (not 0/1, not "true")."""
    if name not in body:
        raise ApiError(422, "missing_field", f"The field {name!r} is required (true or false).")
    value = body[name]
    if not isinstance(value, bool):
        raise ApiError(422, "invalid_type", f"The field {name!r} must be true or false, not {json_kind(value)}.")
    return value


def optional_text(body: Mapping[str, Any], name: str, max_chars: int) -> str | None:
    """An optional string field (absent or null → None)."""
    value = body.get(name)
    if value is None:
        return None
    return check_text(name, value, max_chars)


def check_text(name: str, value: Any, max_chars: int) -> str:
    """``value`` as text of at most ``max_chars`` characters, encodable as UTF-8."""
    if not isinstance(value, str):
        raise ApiError(422, "invalid_type", f"The field {name!r} must be a string, not {json_kind(value)}.")
    if len(value) > max_chars:
        raise ApiError(
            422, "too_long", f"The field {name!r} is {len(value)} characters long; the limit is {max_chars}."
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates arrive through JSON \ud800 escapes
        raise ApiError(422, "invalid_text", f"The field {name!r} contains characters that are not valid Unicode.") from None
    return value


def optional_date(body: Mapping[str, Any], name: str) -> date | None:
    """An optional YYYY-MM-DD field (absent or null → None)."""
    text = optional_text(body, name, 40)
    return None if text is None else parse_date(name, text)


def parse_date(name: str, text: str) -> date:
    """A strict YYYY-MM-DD date between :data:`MIN_DATE` and :data:`MAX_DATE`, else 422."""
    try:
        value = parse_iso_date(text)
    except InvalidDateError as exc:
        raise ApiError(422, "invalid_date", f"The field {name!r}: {exc}") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise ApiError(
            422, "out_of_range", f"The field {name!r} must lie between {MIN_DATE} and {MAX_DATE}, not {value}."
        )
    return value


def query_int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within ``[low, high]``."""
    text = params.get(name)
    if text is None:
        return default  # absent; an empty value (``top=``) is not a number and is refused below
    if not text.strip().lstrip("-").isdigit() or not text.strip().isascii():
        raise ApiError(422, "invalid_type", f"The parameter {name!r} must be a whole number, not {text[:40]!r}.")
    value = int(text)
    if not low <= value <= high:
        raise ApiError(422, "out_of_range", f"The parameter {name!r} must be between {low} and {high}, not {value}.")
    return value


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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "body_too_large", f"The request body is larger than the limit of {max_bytes} bytes.")
