"""What runs inside one ``faqbot serve`` worker process: uvicorn, with a heartbeat and a gentler drain.

The supervisor (:mod:`faqbot.web.workers`) forks a worker with the app already
built and the slot's listening socket; :func:`serve_slot` serves it until told
to stop.  :class:`HeartbeatServer` stamps the heartbeat the supervisor's
watchdog reads, and sends keep-alive clients elsewhere before it closes their
connections.
"""

from __future__ import annotations

import asyncio
import ctypes
import signal
import socket
import time
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from faqbot.web.allocator import keep_heap_pages

# How long a stopping worker keeps answering its keep-alive connections (with Connection: close).
_LINGER_SECONDS = 2.0
_CLOSE = (b"connection", b"close")


class HeartbeatServer(uvicorn.Server):
    """uvicorn's server, stamping a heartbeat the supervisor reads from each tick of its loop."""

    def __init__(self, config: uvicorn.Config, beat: ctypes.c_double) -> None:
        super().__init__(config)
        self._beat = beat

    async def on_tick(self, counter: int) -> bool:
        # CLOCK_MONOTONIC is one clock for every process on Linux, so the supervisor can compare.
        self._beat.value = time.monotonic()
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's graceful shutdown, after first sending keep-alive clients elsewhere.

        uvicorn closes an idle keep-alive connection at once, and a client that was just
        sending its next request on it sees the connection drop (measured: 12 of 7,863
        wrk requests failed during a reload).  Here the worker first stops accepting and
        answers every request it still gets with ``Connection: close``, for up to
        ``_LINGER_SECONDS``: a busy client learns to reconnect (to the slot's next
        worker) from a response instead of from a dropped request.
        """
        for server in self.servers:
            server.close()
        state = self.server_state
        state.default_headers = [*state.default_headers, _CLOSE]  # for requests still to come
        for connection in state.connections:  # and for those whose response has not started
            cycle = getattr(connection, "cycle", None)
            if cycle is not None and not cycle.response_started:
                cycle.default_headers = [*cycle.default_headers, _CLOSE]
        deadline = time.monotonic() + min(_LINGER_SECONDS, self.config.timeout_graceful_shutdown or _LINGER_SECONDS)
        while state.connections and time.monotonic() < deadline and not self.force_exit:
            await asyncio.sleep(0.05)
        await super().shutdown(sockets)


def serve_slot(sock: socket.socket, beat: ctypes.c_double, app: ASGIApp, options: dict[str, Any]) -> None:
    """A forked worker: serve the inherited app (and engine) on the slot's socket."""
    # The supervisor reloads on SIGHUP; a worker has nothing to reload (a terminal hang-up
    # reaching the whole process group must not kill it either).  uvicorn takes SIGINT/SIGTERM.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # until uvicorn's handlers are in, and after they are gone
    keep_heap_pages()  # a turn's temporary arrays stay mapped between requests (faqbot.web.allocator)
    HeartbeatServer(uvicorn.Config(app, **options), beat).run(sockets=[sock])
