"""Handing a conversation to a person, and the widget's server-side strings.

``POST /api/v1/handoff`` (only when ``FAQBOT_HANDOFF_URL`` is set) takes what the
widget holds — the signed dialogue state and the visible transcript — masks
personal data in every line, and sends it to the desk as a signed webhook
(:mod:`faqbot.web.webhook`).  The delivery is written to the outbox
(:mod:`faqbot.analytics.outbox`) first, so one that fails is retried in the
background and never lost silently.

Request (JSON)::

    {"key": "<16-64 of A-Z a-z 0-9 _ ->"?,        # idempotency key; the server makes one if absent
     "reason": "asked|complaint|refund|misses|referral"?,   # default "asked"
     "state": "<signed state from the last chat reply>"?,
     "lang": "ja|en"?,
     "transcript": [{"role": "user|bot", "text": "..."}]}  # at most 100 lines, 2,000 characters each

Response 200: ``{"status": "delivered" | "queued", "reference": "<8 characters>",
"desk": {name, phone, hours, form_url, url}}`` — ``queued``: the desk did not take
it yet; it is kept and retried.  Errors: 404 ``not_found`` when no handoff URL is
configured; 422 for bad fields; 503 ``handoff_failed`` when it neither arrived nor
could be kept.

``GET /widget-config.json`` (beside ``widget.js``: it is the widget's, not part of API v1)
gives the widget the service name and the desk's
contact points from the knowledge base (None where it is silent), whether the
knowledge base has a billing calculator (a compute entry: the welcome mentions it only then)
and whether the handoff endpoint is on: ``{"service": {name, company}, "desk": {...},
"billing": bool, "handoff": {"enabled": bool}}``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from faqbot.analytics.outbox import STATUS_DELIVERED, Kept, Outbox, OutboxError, reference
from faqbot.dialogue import DialogueState, initial_state
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.text.privacy import mask_personal_data
from faqbot.web.config import WebConfig
from faqbot.web.errors import ApiError
from faqbot.web.inputs import read_json_object
from faqbot.web.request_schemas import HandoffRequest as HandoffRequestModel
from faqbot.web.signing import StateSigner
from faqbot.web.validation import validate
from faqbot.web.webhook import RETRY_BASE, Redelivery, Webhook

API_PREFIX = "/api/v1"
ROLES = {"user": "customer", "bot": "bot"}  # the widget's roles → the webhook's
MAX_LINE_CHARS = 2000
_MARGIN = 1.0  # seconds of the request timeout left for writing the outbox and answering
_CONFIG_CACHE = "public, max-age=300"

log = logging.getLogger("faqbot.web")


@dataclass(frozen=True)
class HandoffRequest:
    """A validated handoff request; the transcript already masked."""

    key: str
    reason: str
    lang: str | None
    state: DialogueState
    transcript: tuple[tuple[str, str], ...]  # (webhook role, masked text)


@dataclass(frozen=True)
class HandoffDesk:
    """The handoff and widget-config endpoints over one knowledge base and configuration."""

    kb: KnowledgeBase
    config: WebConfig
    signer: StateSigner
    webhook: Webhook | None = None  # None: no FAQBOT_HANDOFF_URL, contact points only
    outbox: Outbox | None = None
    clock: Callable[[], float] = time.time

    @classmethod
    def build(cls, kb: KnowledgeBase, config: WebConfig, signer: StateSigner) -> HandoffDesk:
        """The desk as ``config`` sets it up."""
        if config.handoff_url is None:
            return cls(kb, config, signer)
        webhook = Webhook(config.handoff_url, config.handoff_secret, config.handoff_timeout)
        return cls(kb, config, signer, webhook, Outbox(config.handoff_outbox) if config.handoff_outbox else None)

    def routes(self) -> list[BaseRoute]:
        """``GET /widget-config.json`` always; ``POST /api/v1/handoff`` when a webhook is configured."""
        routes: list[BaseRoute] = [Route("/widget-config.json", self.widget_config, methods=["GET"])]
        if self.webhook is not None:
            routes.append(Route(f"{API_PREFIX}/handoff", self.handoff, methods=["POST"]))
        return routes

    @asynccontextmanager
    async def lifespan(self, app: ASGIApp) -> AsyncIterator[None]:
        """While the app runs, retry the outbox's failed deliveries in the background."""
        if self.webhook is None or self.outbox is None:
            yield
            return
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(Redelivery(self.outbox, self.webhook, clock=self.clock).run_forever)
            yield
            tasks.cancel_scope.cancel()

    async def widget_config(self, request: Request) -> JSONResponse:
        """The widget's strings from the knowledge base, and whether a handoff can be sent."""
        service = self.kb.service
        body = {
            "service": {"name": service.name, "company": service.company},
            "desk": self._desk(),
            "billing": self.kb.computes_billing,
            "handoff": {"enabled": self.webhook is not None},
        }
        return JSONResponse(body, headers={"Cache-Control": _CONFIG_CACHE})

    async def handoff(self, request: Request) -> JSONResponse:
        """``POST /api/v1/handoff``: send the conversation to the desk; say whether it arrived."""
        if self.webhook is None:  # routes() leaves the path out then; kept for direct callers
            raise ApiError(404, "not_found", "Handoff to a person is not configured on this server.")
        body = await read_json_object(request, self.config.max_body_bytes * 4)
        parsed = self._parse(body)
        payload = json.dumps(self._payload(parsed), ensure_ascii=False, separators=(",", ":"))
        found = await self._keep(parsed.key, payload)
        kept = found.delivery if found is not None else None
        if kept is not None and kept.status == STATUS_DELIVERED:
            return self._answer("delivered", parsed.key)  # a repeat of one that arrived: not sent twice
        if found is not None and not found.ours:
            # A repeat while another request (or the background worker) is sending it: not sent twice.
            return self._answer("queued", parsed.key)
        budget = max(0.5, self.config.request_timeout - _MARGIN)
        outcome = await self.webhook.deliver(parsed.key, payload if kept is None else kept.body, budget)
        if kept is not None:
            retry_at = None if outcome.error is None else self.clock() + RETRY_BASE
            await self._record(parsed.key, outcome.error, retry_at, outcome.attempts)
        if outcome.error is None:
            return self._answer("delivered", parsed.key)
        log.warning("handoff %s not delivered yet (%d attempts): %s", parsed.key, outcome.attempts, outcome.error)
        if kept is None:
            raise ApiError(503, "handoff_failed", "The conversation could not be handed over; contact the support desk directly.")
        return self._answer("queued", parsed.key)

    def _parse(self, body: dict[str, Any]) -> HandoffRequest:
        request = validate(HandoffRequestModel, body)
        state = initial_state() if request.state is None else self.signer.loads(request.state)
        lines = tuple(
            (ROLES[line.role], mask_personal_data(line.text[:MAX_LINE_CHARS])) for line in request.transcript
        )
        return HandoffRequest(request.key or uuid.uuid4().hex, request.reason, request.lang, state, lines)

    def _payload(self, request: HandoffRequest) -> dict[str, Any]:
        """The webhook's JSON: who, why, the facts the dialogue gathered, and the masked transcript."""
        state = request.state
        product = self.kb.product(state.product) if state.product else None
        return {
            "event": "handoff",
            "key": request.key,
            "created": datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds"),
            "reason": request.reason,
            "lang": request.lang,
            "service": self.kb.service.name,
            "facts": {
                "product": {"id": product.id, "name": product.name} if product else None,
                "plan": state.plan,
                "expiry": state.expiry.isoformat() if state.expiry else None,
            },
            "transcript": [{"role": role, "text": text} for role, text in request.transcript],
        }

    def _desk(self) -> dict[str, str | None]:
        service = self.kb.service
        return {
            "name": service.support_desk,
            "phone": service.support_phone,
            "hours": service.support_hours,
            "form_url": service.support_form_url,
            "url": service.support_url,
        }

    def _answer(self, status: str, key: str) -> JSONResponse:
        return JSONResponse({"status": status, "reference": reference(key), "desk": self._desk()})

    async def _keep(self, key: str, payload: str) -> Kept | None:
        """The outbox's record of this delivery (written first), or None when the outbox is unusable."""
        if self.outbox is None:
            return None
        try:
            # Held for the request's own attempts: the background worker looking at the outbox
            # meanwhile must not send the same conversation a second time at once.
            hold = self.config.request_timeout
            return await anyio.to_thread.run_sync(self.outbox.add, key, payload, self.clock(), hold)
        except OutboxError as exc:
            log.error("handoff outbox: %s", exc)
            return None

    async def _record(self, key: str, error: str | None, retry_at: float | None, attempts: int) -> None:
        if self.outbox is None:
            return
        try:
            await anyio.to_thread.run_sync(self.outbox.record_attempt, key, error, retry_at, attempts)
        except OutboxError as exc:
            log.error("handoff outbox: %s", exc)
