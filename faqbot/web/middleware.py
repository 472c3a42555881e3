"""The middleware stack, built from :class:`~faqbot.web.config.WebConfig`.

One place decides the order, outermost first: security headers (so every
response carries them, refusals included), CORS (so a browser can read a 429
or 503 from another origin), the per-client rate limit, then the request
timeout around the handler.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from faqbot.web.config import ENV_CORS_ORIGINS, WebConfig
from faqbot.web.errors import error_response
from faqbot.web.headers import SecurityHeadersMiddleware
from faqbot.web.limits import RateLimitMiddleware, TimeoutMiddleware
from faqbot.web.observe import REQUEST_ID_HEADER

# What a cross-origin caller may send and read besides the safelisted headers: its own request id
# (echoed, and on the server's log line) and how long to wait after a 429 or 503.
CORS_REQUEST_HEADERS = ("Content-Type", REQUEST_ID_HEADER)
CORS_EXPOSED_HEADERS = (REQUEST_ID_HEADER, "Retry-After")
CORS_METHODS = ("GET", "POST")


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, but a refused preflight answers with the API's error shape.

    Installed whether or not origins are configured: with none (same origin only) a preflight is
    refused as ``cors_refused`` too, rather than falling through to the router's 405, and other
    responses are left as they are.
    """

    async def simple_response(self, scope: Scope, receive: Receive, send: Send, request_headers: Headers) -> None:
        if not self.allow_origins:
            await self.app(scope, receive, send)  # same origin only: no CORS headers at all
            return
        await super().simple_response(scope, receive, send, request_headers)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        keep = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return error_response(response.status_code, "cors_refused", self.refusal(request_headers), keep)

    def refusal(self, request_headers: Headers) -> str:
        """The one sentence saying what of a refused preflight is not allowed, and what to do."""
        origin = request_headers["origin"]
        if not self.is_allowed_origin(origin):
            if not self.allow_origins:
                return (
                    f"Cross-origin request from {origin!r} refused: this server allows its own origin only; "
                    f"to allow that one, list it in {ENV_CORS_ORIGINS}."
                )
            return f"Cross-origin request from {origin!r} refused: it is not in {ENV_CORS_ORIGINS}; add it there to allow it."
        method = request_headers["access-control-request-method"]
        if method not in self.allow_methods:
            return f"Cross-origin method {method!r} refused; use {' or '.join(self.allow_methods)}."
        asked = [h.strip() for h in request_headers.get("access-control-request-headers", "").split(",") if h.strip()]
        refused = [h for h in asked if h.lower() not in self.allow_headers]
        if refused:
            return f"Cross-origin request header {refused[0]!r} refused; send only {', '.join(CORS_REQUEST_HEADERS)} and the safelisted headers."
        return f"Cross-origin private-network request from {origin!r} refused; call the API from a public address."


def build_middleware(config: WebConfig) -> list[Middleware]:
    """Middleware, outermost first."""
    stack: list[Middleware] = [
        Middleware(SecurityHeadersMiddleware),
        # Without configured origins no CORS headers are sent (browsers allow same origin only),
        # and a preflight is refused with the error shape, naming the setting.
        Middleware(
            JsonCORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=list(CORS_METHODS),
            allow_headers=list(CORS_REQUEST_HEADERS),
            expose_headers=list(CORS_EXPOSED_HEADERS),
            max_age=600,
        ),
    ]
    if config.rate_limit > 0:
        stack.append(Middleware(RateLimitMiddleware, per_minute=config.rate_limit, burst=config.rate_burst))
    stack.append(Middleware(TimeoutMiddleware, seconds=config.request_timeout))
    return stack
