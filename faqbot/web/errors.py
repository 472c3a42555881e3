"""The API's one error shape and the handlers that produce it for every failure.

Every error, whatever raised it (a bad field, a domain error from the core, a
404 from routing, a 405, an oversized body, a forged state, a bug), reaches
the client as::

    {"error": {"status": 422, "code": "missing_field", "message": "..."}}

never as a stack trace or an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from faqbot.errors import FaqbotError, NoBillingError, UnknownEntryError
from faqbot.text.privacy import mask_personal_data
from faqbot.web.headers import SECURITY_HEADERS

log = logging.getLogger("faqbot.web")

# Codes for the statuses the framework raises itself (routing, methods).
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_HTTP_MESSAGES = {
    404: "There is nothing at this address; see /api/v1/openapi.json for the API.",
    405: "This address does not accept that HTTP method; see the Allow header.",
}


class ApiError(Exception):
    """An error the API answers with its error shape: HTTP status, machine code, sentence."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(status: int, code: str, message: str) -> dict[str, dict[str, object]]:
    """The error shape as a JSON-ready dict; personal data quoted in ``message`` is masked."""
    # Messages quote bad values back ('4111 1111 … is not in the form YYYY-MM-DD'): never a card number.
    return {"error": {"status": status, "code": code, "message": mask_personal_data(message)}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response carrying the error shape."""
    return JSONResponse(error_body(status, code, message), status_code=status, headers=headers)


def domain_status(exc: FaqbotError) -> int:
    """HTTP status of a domain error: unknown ids are 404, other bad input 422."""
    return 404 if isinstance(exc, (UnknownEntryError, NoBillingError)) else 422


async def handle_api_error(request: Request, exc: ApiError) -> Response:
    """``ApiError`` → its status and code."""
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def handle_domain_error(request: Request, exc: FaqbotError) -> Response:
    """Domain errors from the core (``faqbot.errors``) → 404/422 with the error's own code."""
    return error_response(domain_status(exc), exc.code, str(exc))


async def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    """Routing errors the framework raises (404, 405, …) → the error shape, headers kept."""
    status = exc.status_code
    code = _HTTP_CODES.get(status, "http_error")
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    message = _HTTP_MESSAGES.get(status) or (exc.detail if exc.detail and exc.detail != phrase else phrase)
    return error_response(status, code, message, dict(exc.headers or {}))


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug: log it with its traceback server-side, tell the client nothing internal."""
    request_id = request.scope.get("state", {}).get("request_id")
    log.exception("unhandled error on %s %s (request id %s)", request.method, request.url.path, request_id)
    # Starlette answers this one outside the middleware stack, so the security headers and the
    # request id (which ties the client's error to the logged traceback) are added here.
    headers = dict(SECURITY_HEADERS)
    if isinstance(request_id, str):
        headers["X-Request-ID"] = request_id
    return error_response(500, "internal_error", "Something went wrong on our side; please try again.", headers)


# Each handler is registered for its own exception class, so its narrower parameter type holds.
EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Any], Awaitable[Response]]] = {
    ApiError: handle_api_error,
    FaqbotError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
