"""``faqbot serve --workers N`` on Linux: forked workers, a SO_REUSEPORT socket each, supervised.

The point of the socket per worker is that connections spread over the
workers; these tests count, from /proc, which worker holds each connection.
The supervisor replaces a dead or stuck worker, and SIGTERM lets requests in
flight finish.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from faqbot.answers.answering import Engine
from faqbot.web.config import ConfigError, WebConfig
from faqbot.web.localserver import LOOPBACK
from faqbot.web.workers import ProcessSettings, Supervisor, bind_reuse_port, reuse_port_supported
from tests.serving import SECRET, Server, request, serve, sockets_on

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT load balancing is Linux only")


def test_two_reuse_port_sockets_share_a_port_that_a_plain_socket_blocks() -> None:
    first = bind_reuse_port(LOOPBACK, 0)
    port = first.getsockname()[1]
    second = bind_reuse_port(LOOPBACK, port)
    assert second.getsockname()[1] == port
    first.close()
    second.close()
    with socket.socket() as plain:
        plain.bind((LOOPBACK, 0))
        plain.listen()
        with pytest.raises(OSError):
            bind_reuse_port(LOOPBACK, plain.getsockname()[1])


def test_a_port_in_use_is_one_sentence_not_a_traceback(engine: Engine) -> None:
    with socket.socket() as plain:
        plain.bind((LOOPBACK, 0))
        plain.listen()
        port = plain.getsockname()[1]
        with pytest.raises(ConfigError, match=rf"127\.0\.0\.1:{port} .*choose another --port"):
            Supervisor(LOOPBACK, port, 2, WebConfig(secret=SECRET), engine).run()


def test_workers_that_cannot_start_stop_the_supervisor(engine: Engine) -> None:
    # A worker whose app fails at start-up would fail the same way on every restart:
    # the supervisor must stop (status 1) instead of restarting it forever.
    @contextlib.asynccontextmanager
    async def failing(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("the app cannot start")
        yield

    started = time.monotonic()
    supervisor = Supervisor(LOOPBACK, 0, 2, WebConfig(secret=SECRET), engine, app_for=lambda _: Starlette(lifespan=failing))
    assert supervisor.run() == 1
    assert time.monotonic() - started < 60


def test_an_app_that_cannot_be_built_stops_the_start_before_any_worker(engine: Engine) -> None:
    def broken(_: Engine) -> Starlette:
        raise ConfigError("FAQBOT_SOMETHING is wrong.")

    with pytest.raises(ConfigError, match="FAQBOT_SOMETHING"):
        Supervisor(LOOPBACK, 0, 2, WebConfig(secret=SECRET), engine, app_for=broken).run()


def test_a_supervisor_needs_a_worker(engine: Engine) -> None:
    with pytest.raises(ValueError, match="0"):
        Supervisor(LOOPBACK, 0, 0, WebConfig(secret=SECRET), engine)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with serve(tmp_path, env={"FAQBOT_WORKER_TIMEOUT": "3", "FAQBOT_GRACEFUL_TIMEOUT": "20"}) as running:
        yield running


def test_keep_alive_connections_spread_over_both_workers(server: Server) -> None:
    port = server.port
    connections = [http.client.HTTPConnection(LOOPBACK, port, timeout=10) for _ in range(16)]
    try:
        for conn in connections:  # one request each, so every connection has been accepted
            conn.request("GET", "/healthz")
            assert conn.getresponse().read()
        held = [sockets_on(pid, port, "01") for pid in server.workers()]
        # 16 connections hashed over two sockets all land on one with probability 2^-15.
        assert sum(held) == 16 and min(held) > 0, held
    finally:
        for conn in connections:
            conn.close()


def test_a_dead_worker_is_replaced_and_sigterm_stops_every_worker(server: Server) -> None:
    before = server.workers()
    os.kill(before[0], signal.SIGKILL)
    now = server.wait_for_workers(2, other_than=(before[0],))
    assert request(server.base + "/healthz")[0] == 200
    assert "died" in server.log_text()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in now)


def test_the_watchdog_replaces_a_stuck_worker(server: Server) -> None:
    before = server.workers()
    os.kill(before[0], signal.SIGSTOP)  # its event loop stops: no more heartbeats
    after = server.wait_for_workers(2, other_than=(before[0],))
    assert before[1] in after
    assert f"worker {before[0]} sent no heartbeat for 3 s (stuck)" in server.log_text()
    for _ in range(4):
        assert request(server.base + "/healthz")[0] == 200


def test_sigterm_lets_a_request_in_flight_finish(server: Server) -> None:
    body = json.dumps({"message": "解約したい"}).encode()
    with socket.create_connection((LOOPBACK, server.port), timeout=30) as conn:
        head = f"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode() + body[:10])
        time.sleep(0.5)  # the worker has read the headers: the request has begun
        server.process.send_signal(signal.SIGTERM)
        server.wait_for_log("received SIGTERM")
        time.sleep(1.0)  # the workers are shutting down, and wait for this request
        assert server.process.poll() is None
        conn.sendall(body[10:])
        response = conn.makefile("rb").read()  # to the end: the worker closes the connection after it
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 200 OK", response[:300]
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1])["reply"]["intent"] == "cancel-howto"
    assert b"\r\nconnection: close\r\n" in rest.lower()  # the client is told, not left to find out
    assert server.process.wait(timeout=60) == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "between 0 and 3600, not 0"), ("soon", "not 'soon'"), ("7200", "between 0 and 3600, not 7200")],
)
def test_a_bad_worker_timeout_is_one_sentence(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"FAQBOT_WORKER_TIMEOUT must be .*{message}"):
        ProcessSettings.from_env({"FAQBOT_WORKER_TIMEOUT": value})


def test_process_settings_default_and_read_from_the_environment() -> None:
    assert ProcessSettings.from_env({}) == ProcessSettings(30.0, 15.0, False)
    env = {"FAQBOT_WORKER_TIMEOUT": "2.5", "FAQBOT_GRACEFUL_TIMEOUT": "60"}
    assert ProcessSettings.from_env(env, watch=True) == ProcessSettings(2.5, 60.0, True)
