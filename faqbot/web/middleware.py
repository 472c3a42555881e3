"""The middleware stack, built from :class:`~faqbot.web.config.WebConfig`.

One place decides the order; the hardening work (security headers, rate
limits, timeouts) adds its middleware here.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.datastructures import Headers

from faqbot.web.config import WebConfig
from faqbot.web.errors import error_response


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
    stack: list[Middleware] = []
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
    return stack
