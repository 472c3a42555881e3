"""uvicorn's h11 protocol with TCP_NODELAY and a deadline for each request's headers.

TCP_NODELAY: with ``--workers N`` uvicorn's supervisor binds the listening
socket itself (``proto=0``), and asyncio only sets TCP_NODELAY when ``proto``
is TCP, so every keep-alive response waited ~40 ms for the client's delayed
ACK (uvicorn issue #3149).  Setting the option per connection restores normal
latency.

Header deadline: the app's request timeout (:class:`~faqbot.web.limits.TimeoutMiddleware`)
only starts once uvicorn has the whole header block, so a client trickling
header bytes (slow loris) held a connection as long as it liked, and a few
hundred such clients held every connection.  Here a connection must deliver a
request's headers within ``FAQBOT_HEADER_TIMEOUT`` seconds — counted from
connecting, and again from the end of each response on a keep-alive
connection — or it is closed.  The body then falls under the app's timeout.

``faqbot serve`` passes this class as uvicorn's ``http`` protocol; under plain
uvicorn use ``--http faqbot.web.protocol:NoDelayH11Protocol``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from functools import cache

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from faqbot.web.config import header_timeout_from_env


@cache
def _env_header_timeout() -> float:
    return header_timeout_from_env()


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm and closes connections whose headers are late.

    ``header_timeout`` (seconds) overrides ``FAQBOT_HEADER_TIMEOUT`` in a subclass.
    """

    header_timeout: float | None = None
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all: nothing to tune
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_request_state()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may start a pipelined request already buffered
        self._follow_request_state()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _follow_request_state(self) -> None:
        """Headers complete (h11 past IDLE): no deadline; waiting for a request: one running."""
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self._header_deadline is None:
                self._arm_header_deadline()
        else:
            self._disarm_header_deadline()

    def _arm_header_deadline(self) -> None:
        seconds = self.header_timeout if self.header_timeout is not None else _env_header_timeout()
        self._header_deadline = self.loop.call_later(seconds, self._headers_too_late)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:
            # Part of a request arrived: say why before closing (h11 cannot, it has no request).
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        self.transport.close()
