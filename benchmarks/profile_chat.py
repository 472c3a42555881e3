"""Where one never-repeated chat turn's CPU goes, in-process, through the whole ASGI app.

Builds the app of ``faqbot serve`` (middleware, access log to a null stream, metrics,
turn cache on) over ``--kb`` and feeds it ``--turns`` distinct ``POST /api/v1/chat``
requests (the never-repeated messages of ``bench_server.py``, none sent twice)
straight through ASGI: no sockets, no HTTP parser, so what is timed is the app.
Prints the load average, the CPU time per turn (``time.process_time``, less
sensitive than wall time to others sharing the cores) and, with ``--profile``,
cProfile's top functions by own time and by cumulative time.

    .venv/bin/python benchmarks/profile_chat.py --kb KB10K --entries 10000 --turns 3000 [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import logging
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path
from typing import TextIO, cast

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import chat_messages  # noqa: E402
from procmem import load_average  # noqa: E402

from faqbot.answers.engine_cache import load_engine  # noqa: E402
from faqbot.dialogue import initial_state  # noqa: E402
from faqbot.dialogue import step as dialogue_step  # noqa: E402
from faqbot.web import api  # noqa: E402
from faqbot.web.app import create_app, freeze_startup_objects  # noqa: E402
from faqbot.web.config import WebConfig  # noqa: E402
from faqbot.web.observe import access_log, install_access_log  # noqa: E402


async def _call(app, body: bytes) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """One POST /api/v1/chat through the ASGI app; its status and body."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/v1/chat", "raw_path": b"/api/v1/chat", "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    }
    sent = False
    out: dict[str, object] = {"body": b""}

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] = out["body"] + message.get("body", b"")  # type: ignore[operator]

    await app(scope, receive, send)
    return int(out["status"]), out["body"]  # type: ignore[call-overload, return-value]


async def _inline(limiter: object, func, *args):  # type: ignore[no-untyped-def]
    """``faqbot.web.api._in_thread`` without the thread, so that a profiler sees the turn."""
    return func(*args)


async def _run(app, bodies: list[bytes]) -> list[bytes]:  # type: ignore[no-untyped-def]
    replies = []
    for body in bodies:
        status, reply = await _call(app, body)
        if status != 200:
            raise SystemExit(f"status {status}: {reply[:200]!r}")
        replies.append(reply)
    return replies


class _GcPauses:
    """A gc callback timing each collection, by generation."""

    def __init__(self) -> None:
        self.started = 0.0
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self.started)

    def summary(self, turns: int) -> dict[str, dict[str, float]]:
        """Per generation: collections per turn, mean and longest pause (ms), and ms per turn."""
        return {
            f"gen{g}": {
                "per_turn": round(len(p) / turns, 3),
                "mean_ms": round(1000 * sum(p) / len(p), 3) if p else 0.0,
                "max_ms": round(1000 * max(p), 3) if p else 0.0,
                "ms_per_turn": round(1000 * sum(p) / turns, 4),
            }
            for g, p in self.pauses.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--skip", type=int, default=0, help="start this far into the message list")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--web-only", action="store_true",
                        help="every turn answers with one precomputed reply: what the web layer alone costs")
    parser.add_argument("--gc-threshold", help="gc.set_threshold before the run, e.g. 7000,10,10")
    parser.add_argument("--inline", action="store_true",
                        help="run each turn on the event loop's thread (cProfile sees only that thread)")
    args = parser.parse_args()

    _, unique = chat_messages(args.entries)
    # Spread over the whole list (both wordings), never a message twice.
    step = max(1, len(unique) // args.turns)
    messages = unique[args.skip::step][: args.turns]
    bodies = [json.dumps({"message": m, "today": "2026-11-26"}, ensure_ascii=False).encode() for m in messages]
    install_access_log()
    cast(logging.StreamHandler[TextIO], access_log.handlers[0]).setStream(open(os.devnull, "w"))  # noqa: SIM115 - the server's log line, written nowhere
    config = WebConfig(secret="p" * 43, kb_dir=args.kb, allow_client_today=True)
    app = create_app(config, engine=load_engine(args.kb))
    freeze_startup_objects()
    logging.getLogger("faqbot").setLevel(logging.WARNING)

    if args.inline:
        api.__dict__["_in_thread"] = _inline
    if args.web_only:
        fixed = dialogue_step(app.state.engine, initial_state(), "解約したい", date(2026, 11, 26), None)
        api.__dict__["step"] = lambda *_: fixed
    if args.gc_threshold:
        gc.set_threshold(*(int(x) for x in args.gc_threshold.split(",")))
    pauses = _GcPauses()
    gc.callbacks.append(pauses)
    load = load_average()
    profiler = cProfile.Profile() if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    asyncio.run(_run(app, bodies))
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({
        "turns": len(bodies), "cpu_ms_per_turn": round(1000 * cpu / len(bodies), 3),
        "wall_ms_per_turn": round(1000 * wall / len(bodies), 3), "load_average_before": load,
        "profiled": args.profile, "gc_threshold": gc.get_threshold(), "gc_pauses": pauses.summary(len(bodies)),
    }))
    if profiler:
        for order in ("tottime", "cumulative"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(args.top)
            print(text.getvalue())


if __name__ == "__main__":
    main()
