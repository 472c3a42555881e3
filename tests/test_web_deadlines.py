"""The served edge against slow and lying clients: header deadline, half-open connections, forwarded headers.

Real ``faqbot serve`` processes on loopback (uvicorn and faqbot's protocol
class, as in production), with a 1-second header deadline so the tests stay
short.  Every wait is bounded.
"""

from __future__ import annotations

import http.client
import os
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faqbot.web.localserver import LOOPBACK, free_port, wait_until_healthy

FAQBOT = Path(sys.executable).parent / "faqbot"
HEADER_TIMEOUT = 1.0
SLACK = 2.0  # scheduling on a shared, loaded machine
HALF_OPEN = 200


def _serve(tmp_path: Path, name: str, **settings: str) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    env.update({"FAQBOT_ANALYTICS": "off", "FAQBOT_SECRET": "d" * 43, "FAQBOT_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
                "FAQBOT_ALLOW_CLIENT_TODAY": "1"})
    env.update(settings)
    log_path = tmp_path / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(FAQBOT), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://{LOOPBACK}:{port}", process, timeout=60, log=log_path)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from _serve(tmp_path_factory.mktemp("deadline"), "untrusting", FAQBOT_RATE_LIMIT="60", FAQBOT_RATE_BURST="3")


@pytest.fixture(scope="module")
def proxied_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from _serve(
        tmp_path_factory.mktemp("proxied"), "proxied",
        FAQBOT_RATE_LIMIT="60", FAQBOT_RATE_BURST="3", FAQBOT_TRUSTED_PROXIES="127.0.0.1",
    )


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


def _read_until_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when that was (seconds)."""
    start = time.monotonic()
    sock.settimeout(limit)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data, time.monotonic() - start
        data += chunk


# ---------------------------------------------------------------- header deadline


def test_a_trickled_header_is_cut_off(port: int) -> None:
    sock = socket.create_connection((LOOPBACK, port), timeout=5)
    start = time.monotonic()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    sent = 0
    try:
        # One header byte every 0.2 s: each arrives well within any per-read timeout, but the
        # header block would never end.  Stop at 10 s whatever happens (the test then fails).
        while time.monotonic() - start < 10:
            sock.sendall(b"X-Slow: " if sent == 0 else b"a")
            sent += 1
            time.sleep(0.2)
    except OSError:  # the server closed the connection: writes fail (broken pipe / reset)
        pass
    held = time.monotonic() - start
    try:
        data, _ = _read_until_closed(sock, 2)
    except OSError:
        data = b""  # reset before the 408 could be read: closed all the same
    sock.close()
    assert held < HEADER_TIMEOUT + SLACK, f"the connection was held {held:.1f} s"
    assert data in (b"", b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def test_headers_in_time_then_a_slow_body_are_the_apps_business(port: int) -> None:
    """The deadline covers the headers only: a body arriving after it is still read."""
    body = '{"message": "解約したい", "today": "2026-11-26"}'.encode()
    sock = socket.create_connection((LOOPBACK, port), timeout=10)
    sock.sendall(
        b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    time.sleep(HEADER_TIMEOUT + 0.5)
    sock.sendall(body)
    data, _ = _read_until_closed(sock, 10)
    sock.close()
    assert data.startswith(b"HTTP/1.1 200 "), data[:200]


def test_pipelined_requests_are_all_answered_then_the_deadline_runs_again(port: int) -> None:
    """httptools parses every buffered request at once: the deadline waits for the last answer, then restarts."""
    sock = socket.create_connection((LOOPBACK, port), timeout=10)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    data, closed_after = _read_until_closed(sock, HEADER_TIMEOUT + SLACK + 5)
    sock.close()
    assert data.count(b"HTTP/1.1 200 ") == 3, data[:300]
    # uvicorn's own keep-alive timeout is 5 s: an earlier close is the header deadline's.
    assert closed_after < HEADER_TIMEOUT + SLACK, f"the idle connection was held {closed_after:.1f} s"
    assert b"408 Request Timeout" not in data  # nothing of a fourth request arrived: closed without a word


def test_many_half_open_connections_are_closed_and_the_server_still_answers(port: int) -> None:
    selector = selectors.DefaultSelector()
    sockets = []
    start = time.monotonic()
    for i in range(HALF_OPEN):
        sock = socket.create_connection((LOOPBACK, port), timeout=5)
        if i % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost:")  # half a request; the other half send nothing
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        sockets.append(sock)
    assert _get(port, "/healthz") == 200  # while they are all open
    open_ = set(sockets)
    deadline = start + HEADER_TIMEOUT + SLACK + HALF_OPEN * 0.01
    while open_ and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                if sock.recv(4096):
                    continue  # the 408 of a half-sent request; the close follows
            except OSError:
                pass
            selector.unregister(sock)
            open_.discard(sock)
    elapsed = time.monotonic() - start
    for sock in sockets:
        sock.close()
    assert not open_, f"{len(open_)} of {HALF_OPEN} connections still open after {elapsed:.1f} s"
    assert _get(port, "/healthz") == 200


# ---------------------------------------------------------------- forwarded headers


def test_a_faked_forwarded_for_buys_no_new_rate_limit_bucket(port: int) -> None:
    statuses = [_get(port, "/api/v1/faq", {"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(8)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429] * 5


def test_a_configured_proxy_is_believed(proxied_port: int) -> None:
    # Each forwarded client has a bucket of its own; one client still runs out of its own.
    rotating = [_get(proxied_port, "/api/v1/faq", {"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(8)]
    assert rotating == [200] * 8
    same = [_get(proxied_port, "/api/v1/faq", {"X-Forwarded-For": "192.0.2.7"}) for _ in range(5)]
    assert same == [200, 200, 200, 429, 429]
