"""uvicorn's HTTP protocols (httptools, and h11) with TCP_NODELAY and a deadline for each request's headers.

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

``faqbot serve`` passes :class:`NoDelayHttpToolsProtocol` as uvicorn's ``http``
protocol; under plain uvicorn use ``--http faqbot.web.protocol:NoDelayHttpToolsProtocol``
(or ``NoDelayH11Protocol``, the pure-Python parser, where httptools cannot be installed).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from functools import cache

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from faqbot.web.config import header_timeout_from_env


@cache
def _env_header_timeout() -> float:
    return header_timeout_from_env()


class _EdgeMixin:
    """TCP_NODELAY and the header deadline, for either of uvicorn's HTTP/1.1 protocol classes.

    The protocol class says when it waits for a request's headers
    (:meth:`_awaiting_headers`) and whether part of one has arrived
    (:meth:`_partial_request`); the deadline is armed on connecting and whenever a
    response completes with no further request's headers in, and disarmed when they are.
    """

    header_timeout: float | None = None
    _header_deadline: asyncio.TimerHandle | None = None
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def _awaiting_headers(self) -> bool:
        raise NotImplementedError

    def _partial_request(self) -> bool:
        raise NotImplementedError

    @staticmethod
    def _no_delay(transport: asyncio.Transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all: nothing to tune
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _follow_request_state(self) -> None:
        """Waiting for a request's headers: a deadline running; headers complete: none."""
        if self._awaiting_headers() and not self.transport.is_closing():
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
        if self.transport.is_closing() or not self._awaiting_headers():
            return
        if self._partial_request():
            # Part of a request arrived: say why before closing (the parser cannot, it has no request).
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        self.transport.close()


class NoDelayH11Protocol(_EdgeMixin, H11Protocol):
    """H11Protocol (pure Python) that disables Nagle's algorithm and closes connections whose headers are late.

    ``header_timeout`` (seconds) overrides ``FAQBOT_HEADER_TIMEOUT`` in a subclass.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._no_delay(transport)
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

    def _awaiting_headers(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _partial_request(self) -> bool:
        return bool(self.conn.trailing_data[0])


class NoDelayHttpToolsProtocol(_EdgeMixin, HttpToolsProtocol):
    """The same edge over uvicorn's httptools protocol (llhttp, in C): what ``faqbot serve`` runs.

    Parsing and writing a request with h11 costs more CPU than a whole ``/healthz``
    answer does with httptools (see docs/benchmarks-log.md, "Server").  httptools
    parses every request already buffered, so pipelined requests' headers may be
    complete while an earlier response is still running: the deadline waits for
    the last of them to be answered.
    """

    _open_requests = 0  # requests whose headers are in and whose response is not complete
    _begun = False  # a request's first bytes arrived, its headers not yet complete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._no_delay(transport)
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_message_begin(self) -> None:
        self._begun = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._begun = False
        self._open_requests += 1
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        self._open_requests = max(0, self._open_requests - 1)
        super().on_response_complete()  # may start a pipelined request already parsed
        self._follow_request_state()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _awaiting_headers(self) -> bool:
        return self._open_requests == 0

    def _partial_request(self) -> bool:
        return self._begun
