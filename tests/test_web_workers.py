"""``faqbot serve --workers N`` on Linux: a SO_REUSEPORT socket per worker, supervised.

The point of the socket per worker is that connections spread over the
workers; these tests count, from /proc, which worker holds each connection.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faqbot.web.config import ConfigError
from faqbot.web.localserver import LOOPBACK, free_port, wait_until_healthy
from faqbot.web.workers import Supervisor, bind_reuse_port, reuse_port_supported

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT load balancing is Linux only")

FAQBOT = Path(sys.executable).parent / "faqbot"


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


def test_a_port_in_use_is_one_sentence_not_a_traceback() -> None:
    with socket.socket() as plain:
        plain.bind((LOOPBACK, 0))
        plain.listen()
        port = plain.getsockname()[1]
        with pytest.raises(ConfigError, match=rf"127\.0\.0\.1:{port} .*choose another --port"):
            Supervisor(LOOPBACK, port, 2).run()


def test_workers_that_cannot_load_the_knowledge_base_stop_the_supervisor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The knowledge base broke after serve checked it: every worker fails the same way, so the
    # supervisor must stop (status 1) instead of restarting them forever.
    monkeypatch.setenv("FAQBOT_KB", str(tmp_path / "no-such-kb"))
    monkeypatch.setenv("FAQBOT_SECRET", "w" * 43)
    monkeypatch.setenv("FAQBOT_ANALYTICS", "off")
    started = time.monotonic()
    assert Supervisor(LOOPBACK, 0, 2).run() == 1
    assert time.monotonic() - started < 60


def test_a_supervisor_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="0"):
        Supervisor(LOOPBACK, 0, 0)


def _workers(pid: int) -> list[int]:
    """The worker processes of the server ``pid`` (spawned children running spawn_main)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def _sockets_on(pid: int, port: int, state: str) -> int:
    """How many TCP sockets on local ``port`` in ``state`` (01 established, 0A listening) ``pid`` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count


def _established_on(pid: int, port: int) -> int:
    return _sockets_on(pid, port, "01")


def _listening_on(pid: int, port: int) -> bool:
    return _sockets_on(pid, port, "0A") > 0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    env.update({"FAQBOT_ANALYTICS": "off", "FAQBOT_RATE_LIMIT": "0", "FAQBOT_SECRET": "w" * 43})
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(FAQBOT), "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_healthy(f"http://{LOOPBACK}:{port}", process, timeout=60, log=log_path)
        deadline = time.monotonic() + 30
        # The first answer came from one worker; wait until both listen (the other may still be loading).
        while True:
            workers = _workers(process.pid)
            if len(workers) == 2 and all(_listening_on(pid, port) for pid in workers):
                break
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        yield process, port, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_keep_alive_connections_spread_over_both_workers(server: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    process, port, _ = server
    connections = [http.client.HTTPConnection(LOOPBACK, port, timeout=10) for _ in range(16)]
    try:
        for conn in connections:  # one request each, so every connection has been accepted
            conn.request("GET", "/healthz")
            assert conn.getresponse().read()
        held = [_established_on(pid, port) for pid in _workers(process.pid)]
        # 16 connections hashed over two sockets all land on one with probability 2^-15.
        assert sum(held) == 16 and min(held) > 0, held
    finally:
        for conn in connections:
            conn.close()


def test_a_dead_worker_is_replaced_and_sigterm_stops_every_worker(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log_path = server
    before = _workers(process.pid)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = _workers(process.pid)
        if len(now) == 2 and before[0] not in now and all(_listening_on(pid, port) for pid in now):
            break
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    wait_until_healthy(f"http://{LOOPBACK}:{port}", process, timeout=60, log=log_path)
    assert "died" in log_path.read_text()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in now)
