"""One JSON line per request, a request id on every response, and request metrics.

:class:`ObserveMiddleware` is the outermost layer, so it sees every answer —
429s from the rate limit, 503s from the timeout, 500s from a bug — and times
the whole request.  It:

* takes the client's ``X-Request-ID`` when it is sane (1–64 letters, digits,
  ``.``, ``_``, ``-``; a proxy's id ties the logs together) or makes one, and
  echoes it in the response's ``X-Request-ID``;
* writes one JSON object per request to the ``faqbot.access`` logger: time,
  request id, method, path, query, route, status, duration — path and query
  masked by :func:`faqbot.web.logmask.mask_log_value` (no card number, e-mail
  address or phone number reaches the log);
* counts the request in :mod:`faqbot.web.metrics` by route *template*
  (``/api/v1/faq/{entry_id}``, or ``unmatched``), so made-up paths cannot
  multiply the series.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faqbot.web import metrics
from faqbot.web.logmask import mask_log_value

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_log = logging.getLogger("faqbot.access")


def request_id_from(scope: Scope) -> str:
    """The client's request id when it is sane, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if _SANE_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class ObserveMiddleware:
    """Request id, access log line and request metrics around the whole app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _observe(scope, request_id, status, time.perf_counter() - started)


def _observe(scope: Scope, request_id: str, status: int, seconds: float) -> None:
    route = _route(scope)
    method = str(scope.get("method", ""))
    if access_log.isEnabledFor(logging.INFO):  # the line costs a few dozen µs: only when it is written
        query = scope.get("query_string", b"").decode("latin-1")
        path = str(scope.get("path", ""))
        line: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": method,
            # A path equal to its route's template (/api/v1/chat) is the app's own text: masked once.
            "path": _masked_template(path) if path == route else mask_log_value(path),
            "query": mask_log_value(query) if query else "",
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        access_log.info(json.dumps(line, ensure_ascii=False))
    # Counted after the log line: a scrape that sees the request finds its line too.
    metrics.REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    metrics.LATENCY.labels(route=route, method=method).observe(seconds)
    if status == 429:
        metrics.RATE_LIMITED.inc()


@functools.lru_cache(maxsize=64)
def _masked_template(path: str) -> object:
    """:func:`mask_log_value` of a route template (a bounded set: the app's routes)."""
    return mask_log_value(path)


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def install_access_log() -> None:
    """Write ``faqbot.access`` records as bare JSON lines on stderr (once per process)."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False  # not again through the root logger's "INFO: …" format
