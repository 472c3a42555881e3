"""Helpers of the widget tests: axe-core, a page server on another origin, a gate that can go silent.

Everything listens on 127.0.0.1 and stops with its ``with`` block.  axe-core is the
``axe.min.js`` shipped by the ``axe-playwright-python`` package (a test dependency);
it is run with **every** rule switched on — WCAG A/AA/AAA, best practices and the
experimental ones (``label-content-name-mismatch`` is one) — so "zero violations" is
the strictest reading.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page

HOP_HEADERS = {"connection", "transfer-encoding", "keep-alive", "content-length", "server", "date"}


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, every rule on: ``id (impact): targets``."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return list(
        page.evaluate(
            """() => axe.run(document, {
                resultTypes: ['violations'],
                rules: Object.fromEntries(axe.getRules().map(r => [r.ruleId, {enabled: true}])),
            }).then(r => r.violations.map(v =>
                v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' > ')).join(' | ')))"""
        )
    )


@contextmanager
def _serving(server: ThreadingHTTPServer) -> Iterator[str]:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass


@contextmanager
def page_server(folder: Path) -> Iterator[str]:
    """A plain static file server for ``folder``: a customer's site on another origin."""
    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietFiles, directory=str(folder)))) as base:
        yield base


@dataclass
class Gate:
    """Passes everything through to faqbot, except that chat requests get no answer while ``silent`` is set."""

    upstream: str
    silent: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)  # set at the end: held requests let go
    held: int = 0


@contextmanager
def silent_gate(upstream: str) -> Iterator[tuple[str, Gate]]:
    """A loopback reverse proxy in front of ``upstream`` that can play a server that never answers."""
    gate = Gate(upstream)

    class Handler(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            if self.command == "POST" and self.path.endswith("/api/v1/chat") and gate.silent.is_set():
                gate.held += 1
                gate.released.wait(timeout=30)  # never answers (bounded, for the test run's sake)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS | {"host"}}
            request = urllib.request.Request(gate.upstream + self.path, data=body or None, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
                    status, reply_headers, data = response.status, response.headers.items(), response.read()
            except urllib.error.HTTPError as error:
                status, reply_headers, data = error.code, error.headers.items(), error.read()
            self.send_response(status)
            for name, value in reply_headers:
                if name.lower() not in HOP_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_HEAD = _relay  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
            pass

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base:
        try:
            yield base, gate
        finally:
            gate.released.set()
