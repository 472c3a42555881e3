"""uvicorn's h11 protocol with TCP_NODELAY on every connection.

With ``--workers N`` uvicorn's supervisor binds the listening socket itself
(``proto=0``), and asyncio only sets TCP_NODELAY when ``proto`` is TCP, so
every keep-alive response waited ~40 ms for the client's delayed ACK
(uvicorn issue #3149).  Setting the option per connection restores normal
latency; ``faqbot serve`` passes this class as uvicorn's ``http`` protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that disables Nagle's algorithm on each accepted connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all: nothing to tune
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
