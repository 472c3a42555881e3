"""Sending a handoff to the operator's desk: a signed JSON webhook, retried until it arrives.

Each delivery is a ``POST`` of the JSON body to ``FAQBOT_HANDOFF_URL`` with

* ``Idempotency-Key``: the same on every attempt, so the desk can drop repeats;
* ``X-Faqbot-Timestamp``: POSIX seconds of this attempt;
* ``X-Faqbot-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``"<timestamp>." + body`` under
  ``FAQBOT_HANDOFF_SECRET`` (the timestamp is signed too, so an old delivery cannot be
  replayed as new).

Any 2xx answer is "arrived"; anything else (another status, a refused connection, no
answer within the timeout) is retried: a few times with backoff while the customer
waits, then by :class:`Redelivery` in the background from the outbox, with growing
pauses, until it arrives or :data:`MAX_ATTEMPTS` is reached (then ``faqbot report``
shows it as given up, for staff to pass on by hand).

httpx because it gives an async client with per-request timeouts, so waiting for a
slow desk never blocks the server's event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import anyio.to_thread
import httpx

from faqbot.analytics.outbox import Outbox, OutboxError

SIGNATURE_HEADER = "X-Faqbot-Signature"
TIMESTAMP_HEADER = "X-Faqbot-Timestamp"
KEY_HEADER = "Idempotency-Key"
ATTEMPTS_NOW = 3  # attempts while the customer waits for the answer
BACKOFF = 0.5  # seconds before the second of those attempts; doubles after each
RETRY_BASE = 30.0  # background: seconds before the first retry; doubles after each
RETRY_MAX = 3600.0  # background: longest pause between two attempts
MAX_ATTEMPTS = 12  # about five hours of attempts; then given up and left to staff
REDELIVERY_INTERVAL = 15.0  # seconds between two looks at the outbox
_LEASE = 120.0  # a claimed delivery is not taken by another worker for this long

log = logging.getLogger("faqbot.web")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Faqbot-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def next_retry(attempts: int, now: float) -> float | None:
    """When to try again after ``attempts`` failed attempts; None once they are exhausted."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(RETRY_MAX, RETRY_BASE * (1 << max(0, attempts - 1)))


@dataclass(frozen=True)
class Outcome:
    """What the attempts made: ``error`` is None when the desk has it."""

    attempts: int
    error: str | None


@dataclass(frozen=True)
class Webhook:
    """The desk's webhook: where, the shared secret, and seconds per attempt."""

    url: str
    secret: str
    timeout: float
    clock: Callable[[], float] = time.time

    async def send_once(self, key: str, body: str) -> str | None:
        """One attempt; None when it arrived (2xx), else what went wrong, in a few words."""
        data = body.encode("utf-8")
        stamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: key,
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(self.secret, stamp, data),
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
                response = await client.post(self.url, content=data, headers=headers)
        except httpx.TimeoutException:
            return f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:200]
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    async def deliver(self, key: str, body: str, budget: float) -> Outcome:
        """Up to :data:`ATTEMPTS_NOW` attempts with backoff, all within ``budget`` seconds."""
        deadline = anyio.current_time() + budget
        error: str | None = "not attempted"
        attempts = 0
        pause = BACKOFF
        while attempts < ATTEMPTS_NOW:
            left = deadline - anyio.current_time()
            if left <= 0:
                break
            attempts += 1
            with anyio.move_on_after(left):
                error = f"no answer within {left:.1f} s"
                error = await self.send_once(key, body)
            if error is None or deadline - anyio.current_time() <= pause:
                break
            await anyio.sleep(pause)
            pause *= 2
        return Outcome(attempts, error)


@dataclass(frozen=True)
class Redelivery:
    """Retries the outbox's due deliveries in the background, one worker at a time per delivery."""

    outbox: Outbox
    webhook: Webhook
    interval: float = REDELIVERY_INTERVAL
    clock: Callable[[], float] = time.time

    async def run_once(self) -> int:
        """Attempt every due delivery once; the number that arrived."""
        due = await anyio.to_thread.run_sync(self.outbox.claim_due, self.clock(), _LEASE)
        arrived = 0
        for delivery in due:
            error = await self.webhook.send_once(delivery.key, delivery.body)
            retry_at = None if error is None else next_retry(delivery.attempts + 1, self.clock())
            await anyio.to_thread.run_sync(self.outbox.record_attempt, delivery.key, error, retry_at)
            if error is None:
                arrived += 1
                log.info("handoff %s delivered after %d attempts", delivery.key, delivery.attempts + 1)
            elif retry_at is None:
                log.error("handoff %s given up after %d attempts: %s", delivery.key, delivery.attempts + 1, error)
        return arrived

    async def run_forever(self) -> None:
        """Look at the outbox every :attr:`interval` seconds until cancelled; a broken outbox is logged."""
        while True:
            try:
                await self.run_once()
            except OutboxError as exc:
                log.error("handoff outbox: %s", exc)
            await anyio.sleep(self.interval)
