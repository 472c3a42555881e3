"""Reading a request body defensively: media type, size, UTF-8 JSON.

What the fields must be is the business of the models in
:mod:`faqbot.web.request_schemas`; this module only turns the raw body into a JSON
object, or raises :class:`~faqbot.web.errors.ApiError` with a 4xx status.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from faqbot.web.errors import ApiError
from faqbot.web.validation import json_kind


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
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "invalid_json", "The request body is not valid UTF-8 JSON.") from None
    except RecursionError:  # valid JSON, but nested deeper than the parser goes
        raise ApiError(400, "invalid_json", "The request body is JSON nested too deeply; send a flat JSON object.") from None
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_body", f"The request body must be a JSON object, not {json_kind(value)}.")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "body_too_large", f"The request body is larger than the limit of {max_bytes} bytes.")
