"""A real HTTP receiver on 127.0.0.1 standing in for the operator's desk, for the handoff tests.

It answers each POST with the next scripted behaviour (a status code, or
:data:`SILENT`: hold the connection without answering for ``silence`` seconds,
bounded) and records what arrived: headers, body, and whether the signature
checks out with the shared secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SILENT = 0  # a "status" that never answers


@dataclass
class Arrival:
    """One POST as the desk saw it."""

    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """The desk: scripted answers, recorded arrivals."""

    secret: str
    url: str = ""
    script: list[int] = field(default_factory=list)  # answers in order; then 200 for ever
    silence: float = 3.0
    arrivals: list[Arrival] = field(default_factory=list)

    def expected_signature(self, timestamp: str, body: bytes) -> str:
        # Written out here rather than imported, so the test checks the documented scheme.
        return "sha256=" + hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@contextmanager
def running_receiver(secret: str) -> Iterator[Receiver]:
    """A :class:`Receiver` listening on a free loopback port until the block ends."""
    receiver = Receiver(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signature = self.headers.get("X-Faqbot-Signature", "")
            expected = receiver.expected_signature(self.headers.get("X-Faqbot-Timestamp", ""), body)
            receiver.arrivals.append(Arrival(dict(self.headers.items()), body, hmac.compare_digest(signature, expected)))
            status = receiver.script.pop(0) if receiver.script else 200
            if status == SILENT:
                time.sleep(receiver.silence)  # bounded: the sender gives up first
                return
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
