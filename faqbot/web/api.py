"""API v1: chat, search, FAQ lookup, billing and health, as Starlette routes.

Handlers validate input with the models of :mod:`faqbot.web.request_schemas` (which
also generate the OpenAPI document), call the core, and answer
with the dicts of :mod:`faqbot.answers.serialize` / :func:`faqbot.dialogue.reply_json`.
The server keeps nothing per conversation: the dialogue state arrives signed
with each chat request and leaves re-signed with the reply.  The system date
is read here, at the edge, as the date in ``FAQBOT_TZ`` (Japan); a request may
say ``today`` only to a server started with ``--allow-client-today`` (tests).

With a :class:`~faqbot.analytics.Recorder`, each routed chat turn and each
👍/👎 (``POST /api/v1/feedback``) is recorded for ``faqbot report``; recording
is best effort and never fails a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from faqbot.analytics import Recorder
from faqbot.answers.answering import Engine, billing_for
from faqbot.answers.serialize import billing_json, entry_json, match_json
from faqbot.dialogue import Reply, initial_state, render_reply_html, reply_json, step
from faqbot.errors import UnknownEntryError
from faqbot.kb.templating import render_html, render_text
from faqbot.kb.timezones import date_in_zone
from faqbot.text.privacy import mask_personal_data
from faqbot.web import metrics
from faqbot.web.config import WebConfig
from faqbot.web.errors import ApiError
from faqbot.web.inputs import read_json_object
from faqbot.web.openapi import openapi_schema
from faqbot.web.request_schemas import Limits, RequestModels, request_models
from faqbot.web.signing import StateSigner, TurnSigner
from faqbot.web.turncache import CachedTurn, TurnCache, TurnKey
from faqbot.web.validation import validate

API_PREFIX = "/api/v1"
CHANNEL = "web"  # the analytics channel of everything this API records
# Router outcomes worth recording; "dialogue" turns (form slots, cancel) are not questions.
_RECORDED_DECISIONS = ("answer", "clarify", "fallback")

log = logging.getLogger("faqbot.web")
T = TypeVar("T")


@dataclass(frozen=True)
class Api:
    """The API's handlers over one engine, configuration and state signer.

    ``recorder`` stores turns and feedback for ``faqbot report``; None (the
    default, and what tests get) records nothing.  ``turns`` remembers recent
    chat turns (see :mod:`faqbot.web.turncache`); None keeps none.
    """

    engine: Engine
    config: WebConfig
    signer: StateSigner
    recorder: Recorder | None = None
    turns: TurnCache | None = None
    # CPU-bound core work (turns, searches) runs in a thread, one at a time per worker:
    # under the GIL, threads add no parallelism, and several turns sharing it by time
    # slices all finish late (measured: 10% less throughput, p99 17 ms instead of 12).
    cpu: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1), compare=False)
    models: RequestModels = field(init=False, compare=False)
    turn_ids: TurnSigner = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once per app: the request models carry this KB's ids and this config's limits.
        object.__setattr__(self, "models", request_models(Limits.of(self.engine.kb, self.config.max_message_chars)))
        object.__setattr__(self, "turn_ids", TurnSigner(self.config.secret))

    def routes(self) -> list[BaseRoute]:
        """Starlette routes of API v1 and ``/healthz``."""
        return [
            Route(f"{API_PREFIX}/chat", self.chat, methods=["POST"]),
            Route(f"{API_PREFIX}/search", self.search, methods=["GET"]),
            Route(f"{API_PREFIX}/faq", self.faq_list, methods=["GET"]),
            Route(f"{API_PREFIX}/faq/{{entry_id}}", self.faq_entry, methods=["GET"]),
            Route(f"{API_PREFIX}/billing", self.billing, methods=["POST"]),
            Route(f"{API_PREFIX}/feedback", self.feedback, methods=["POST"]),
            Route(f"{API_PREFIX}/openapi.json", self.openapi, methods=["GET"]),
            Route("/healthz", self.healthz, methods=["GET"]),
        ]

    async def chat(self, request: Request) -> JSONResponse:
        """``POST /api/v1/chat``: one dialogue turn."""
        body = validate(self.models.chat, await read_json_object(request, self.config.max_body_bytes))
        message = body.message
        state = initial_state() if body.state is None else self.signer.loads(body.state)
        today = self._today(body.today)
        turn = await self._turn(TurnKey(state, message, today, body.lang))
        _count_turn(turn.reply)
        await self._record_turn(message, state.card_digits, turn.reply, turn.state.product)
        return JSONResponse(
            {"reply": turn.payload, "state": self.signer.dumps(turn.state), "turn": self.turn_ids.issue(turn.reply.intent)}
        )

    async def _turn(self, key: TurnKey) -> CachedTurn:
        """The turn for ``key``: remembered, or computed (and remembered when it may be)."""
        cached = self.turns.get(key) if self.turns is not None else None
        if cached is not None:
            return cached
        # step() is CPU-bound; keep the event loop free for other requests.
        reply, new_state = await _in_thread(self.cpu, step, self.engine, key.state, key.message, key.today, key.lang)
        payload = {**reply_json(reply), "html": str(render_reply_html(reply))}
        turn = CachedTurn(reply, payload, new_state)
        if self.turns is not None:
            self.turns.put(key, turn)
        return turn

    def _today(self, requested: date | None) -> date:
        """The date in the configured zone (Japan); a request's ``today`` only on a test server."""
        if requested is None:
            return date_in_zone(datetime.now(UTC), self.config.timezone)
        if not self.config.allow_client_today:
            raise ApiError(
                403,
                "today_not_allowed",
                "The field 'today' is honoured only by a test server (faqbot serve --allow-client-today); leave it out.",
            )
        return requested

    async def search(self, request: Request) -> JSONResponse:
        """``GET /api/v1/search?q=&top=``: entries ranked for ``q`` (no threshold)."""
        params = validate(self.models.search, dict(request.query_params), what="parameter")
        query, top = params.q, params.top
        kb = self.engine.kb
        # The query is echoed back: a card number, e-mail address or phone number never is.
        query = mask_personal_data(query)
        matches = await _in_thread(self.cpu, self.engine.router.rank, query, None, top)
        return JSONResponse({"query": query, "results": [match_json(m, kb.entry(m.entry_id)) for m in matches]})

    async def faq_list(self, request: Request) -> JSONResponse:
        """``GET /api/v1/faq``: every entry, in knowledge-base order."""
        return JSONResponse({"entries": [entry_json(e) for e in self.engine.kb.entries]})

    async def faq_entry(self, request: Request) -> JSONResponse:
        """``GET /api/v1/faq/{id}?product=``: one entry with its answer rendered (for a product)."""
        kb = self.engine.kb
        entry_id = validate(self.models.entry_path, {"id": request.path_params["entry_id"]}, what="parameter").id
        if not kb.has_entry(entry_id):
            raise UnknownEntryError(f"There is no FAQ entry with id {entry_id!r}; GET /api/v1/faq lists the ids.")
        entry = kb.entry(entry_id)
        product_id = validate(self.models.entry_query, dict(request.query_params), what="parameter").product
        product = kb.product(product_id) if product_id is not None else None
        return JSONResponse(
            {
                **entry_json(entry),
                "alternates": list(entry.alternates),
                "product": product.id if product else None,
                "answer": render_text(kb, entry, product),
                "html": str(render_html(kb, entry, product)),
                "pages": list(entry.pages.for_product(product.id if product else None)),
                "related": [entry_json(kb.entry(rid)) for rid in entry.related if kb.has_entry(rid)],
            }
        )

    async def billing(self, request: Request) -> JSONResponse:
        """``POST /api/v1/billing``: the next billing and notice dates for a contract."""
        if not self.engine.kb.computes_billing:  # a knowledge base without products: not in the OpenAPI document
            raise ApiError(404, "no_billing", "This knowledge base has no billing calculator; ask the chat instead.")
        body = validate(self.models.billing, await read_json_object(request, self.config.max_body_bytes))
        today = self._today(body.today)
        result = billing_for(self.engine, body.product, body.plan, body.expiry, today)
        return JSONResponse(billing_json(result))

    async def feedback(self, request: Request) -> JSONResponse:
        """``POST /api/v1/feedback``: a 👍 (``helpful: true``) or 👎 on the answer of ``intent``.

        ``intent`` must be the one the chat response of ``turn`` had (its token says which), so a
        vote cannot count against another answer; a mismatch is 422 ``intent_mismatch``.
        """
        body = validate(self.models.feedback, await read_json_object(request, self.config.max_body_bytes))
        signed = self.turn_ids.verify(body.turn)
        if signed.intent and body.intent != signed.intent:
            raise ApiError(
                422,
                "intent_mismatch",
                f"The field 'intent' is {body.intent!r} but that turn's reply had {signed.intent!r}; "
                "send the 'intent' and 'turn' of the same chat response.",
            )
        turn = signed.id
        metrics.FEEDBACK.labels(helpful=str(body.helpful).lower()).inc()
        if self.recorder is not None:
            # record_feedback masks the message before it is stored; a turn's later vote replaces its earlier one.
            write = partial(
                self.recorder.record_feedback, CHANNEL, body.intent, body.helpful, _now(), body.message or "", body.product, turn
            )
            await run_in_threadpool(_record_safely, self.recorder, write)
        return JSONResponse({"ok": True})

    async def _record_turn(self, message: str, card_digits: int, reply: Reply, product: str | None) -> None:
        """Record a routed chat turn; never raises.

        The recorder masks the message, with the state's pending card digits (the second
        half of a split card number too), and only when recording.
        """
        if self.recorder is None or reply.decision not in _RECORDED_DECISIONS:
            return
        write = partial(
            self.recorder.record_turn, CHANNEL, message, reply.intent, reply.confidence,
            reply.decision == "fallback", reply.decision == "clarify", product, _now(), card_digits,
        )
        # SQLite writes block: off the event loop, like step().
        await run_in_threadpool(_record_safely, self.recorder, write)

    async def openapi(self, request: Request) -> JSONResponse:
        """``GET /api/v1/openapi.json``: the API description."""
        return JSONResponse(openapi_schema(
            self.config, self.models, billing=self.engine.kb.computes_billing, service=self.engine.kb.service.name
        ))

    async def healthz(self, request: Request) -> JSONResponse:
        """``GET /healthz``: the process is up and its knowledge base loaded."""
        kb = self.engine.kb
        return JSONResponse({"status": "ok", "entries": len(kb.entries), "kb_hash": kb.content_hash})


async def _in_thread(limiter: anyio.CapacityLimiter, func: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound core work in a worker thread, off the event loop, as ``limiter`` allows.

    When the request times out (:class:`~faqbot.web.limits.TimeoutMiddleware`) the
    request stops waiting at once and gives its place back; the thread finishes its
    turn and the result is dropped, so a stuck turn never holds up the ones after it.
    """
    return await anyio.to_thread.run_sync(func, *args, abandon_on_cancel=True, limiter=limiter)


def _count_turn(reply: Reply) -> None:
    """Count a chat turn by decision, and the handoff it offered, for /metrics."""
    metrics.TURNS.labels(decision=reply.decision).inc()
    if reply.handoff is not None:
        metrics.HANDOFFS.labels(reason=reply.handoff.reason).inc()


def _now() -> datetime:
    """The server's local time with its UTC offset (the date part is what ``--since`` compares, as for the chat)."""
    return datetime.now().astimezone()


def _record_safely(recorder: Recorder, write: Callable[[], bool]) -> None:
    """Run one recorder write; a failure is logged, never raised, so the customer still gets the reply."""
    try:
        written = write()
    except Exception:  # a bug in recording must not cost a customer their answer
        log.exception("analytics: recording failed")
        return
    if not written and recorder.enabled:
        log.warning("analytics: not recorded: %s", recorder.last_error)
