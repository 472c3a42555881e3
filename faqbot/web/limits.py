"""Abuse limits as ASGI middleware: a per-client rate limit and a per-request timeout.

Both answer in the API's one error shape.  The rate limit is an in-process
token bucket per client IP: each worker process keeps its own buckets, so with
``--workers N`` a client may get up to N times the configured rate (documented
in ``docs/reliability.md``).  The client IP is the ASGI ``client`` address: the connecting peer, unless
the peer is one of ``FAQBOT_TRUSTED_PROXIES`` (default: none), whose
X-Forwarded-For uvicorn's proxy-header support then reads (see
:func:`faqbot.web.workers.uvicorn_options`).  Under plain ``uvicorn`` pass
``--no-proxy-headers`` or ``--forwarded-allow-ips`` yourself: its default
believes any client on loopback.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from faqbot.web.errors import error_response

# Buckets kept per worker; beyond this the least recently seen client is forgotten,
# so clients rotating addresses cannot grow memory without bound.
MAX_CLIENTS = 10_000


class TokenBuckets:
    """One token bucket per key: ``burst`` tokens, refilled at ``per_minute`` per minute."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, last time)

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket: 0.0 when allowed, else the seconds until a token is back."""
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens >= 1.0:
            tokens -= 1.0
            wait = 0.0
        else:
            wait = (1.0 - tokens) / self._rate
        self._buckets[key] = (tokens, now)  # re-inserted last: most recently seen
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


class RateLimitMiddleware:
    """429 with ``Retry-After`` once a client IP has spent its bucket; only paths under ``prefix``."""

    def __init__(self, app: ASGIApp, per_minute: int, burst: int, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix
        self.buckets = TokenBuckets(per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown")
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            response = error_response(
                429,
                "rate_limited",
                f"Too many requests from your address; wait {seconds} second(s) and try again.",
                {"Retry-After": str(seconds)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class TimeoutMiddleware:
    """503 ``timeout`` when a request (body upload included) takes longer than ``seconds``.

    Work already handed to a thread (a dialogue turn) finishes in the background
    and its result is dropped; the client gets the error at the deadline.  If the
    response had already started, it is cut off instead (nothing else can be sent).
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with anyio.move_on_after(self.seconds) as deadline:
            await self.app(scope, receive, send_tracking)
        if deadline.cancelled_caught and not started:
            response = error_response(
                503,
                "timeout",
                f"The request took longer than {self.seconds:g} seconds; send it again.",
                {"Retry-After": "1"},
            )
            await response(scope, receive, send)
