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

from faqbot.web.config import WebConfig
from faqbot.web.errors import error_response
from faqbot.web.headers import SecurityHeadersMiddleware
from faqbot.web.limits import RateLimitMiddleware, TimeoutMiddleware


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, but a refused preflight answers with the API's error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = response.body.decode("utf-8", "replace") if isinstance(response.body, bytes) else "refused"
        keep = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return error_response(
            response.status_code, "cors_refused", f"Cross-origin request refused: {reason}.", keep
        )


def build_middleware(config: WebConfig) -> list[Middleware]:
    """Middleware, outermost first."""
    stack: list[Middleware] = [Middleware(SecurityHeadersMiddleware)]
    if config.cors_origins:
        # Without configured origins no CORS headers are sent: browsers allow same origin only.
        stack.append(
            Middleware(
                JsonCORSMiddleware,
                allow_origins=list(config.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type"],
                max_age=600,
            )
        )
    if config.rate_limit > 0:
        stack.append(Middleware(RateLimitMiddleware, per_minute=config.rate_limit, burst=config.rate_burst))
    stack.append(Middleware(TimeoutMiddleware, seconds=config.request_timeout))
    return stack
