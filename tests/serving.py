"""Starting ``faqbot serve`` as a real process on loopback, and looking at its workers, for the server tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faqbot.web.localserver import LOOPBACK, free_port, wait_until_healthy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from procmem import children  # noqa: E402

FAQBOT = Path(sys.executable).parent / "faqbot"
SECRET = "w" * 43


@dataclass
class Server:
    """A running ``faqbot serve`` process, its address and its log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        """Wait until ``text`` appears in the server's log (fails with the log)."""
        deadline = time.monotonic() + timeout
        while text not in self.log_text():
            assert self.process.poll() is None, self.log_text()
            assert time.monotonic() < deadline, f"{text!r} never logged:\n{self.log_text()}"
            time.sleep(0.1)

    def workers(self) -> list[int]:
        """The worker processes (the supervisor's children), sorted."""
        return children(self.process.pid)

    def wait_for_workers(self, count: int, timeout: float = 60, other_than: tuple[int, ...] = ()) -> list[int]:
        """Wait until exactly ``count`` workers, none of ``other_than``, listen on the port."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.workers()
            if len(pids) == count and not set(pids) & set(other_than) and all(listening_on(p, self.port) for p in pids):
                return pids
            assert time.monotonic() < deadline, self.log_text()
            time.sleep(0.1)


@contextmanager
def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None, workers: int = 2) -> Iterator[Server]:
    """``faqbot serve --workers N ARGS`` on a free loopback port, healthy and with every worker listening."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    clean.update({"FAQBOT_ANALYTICS": "off", "FAQBOT_RATE_LIMIT": "0", "FAQBOT_SECRET": SECRET, **(env or {})})
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(FAQBOT), "serve", "--port", str(port), "--workers", str(workers), *args],
            env=clean, stdout=log, stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log_path)
    try:
        wait_until_healthy(server.base, process, timeout=90, log=log_path)
        server.wait_for_workers(workers)
        yield server
    finally:
        for pid in server.workers():
            os.kill(pid, signal.SIGCONT)  # a test may have stopped one
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def sockets_on(pid: int, port: int, state: str) -> int:
    """How many TCP sockets on local ``port`` in ``state`` (01 established, 0A listening) ``pid`` holds."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return 0
    for fd in fds:
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


def listening_on(pid: int, port: int) -> bool:
    return sockets_on(pid, port, "0A") > 0


def request(url: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """One request on a new connection: (status, JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@dataclass
class Load:
    """Clients sending chat turns in a loop until stopped; every failure is kept."""

    base: str
    intent: str = "cancel-howto"  # what 解約したい must be answered with on the served knowledge base
    clients: int = 2
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        for n in range(self.clients):
            thread = threading.Thread(target=self._run, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, client: int) -> None:
        turn = 0
        while not self._stop.is_set():
            turn += 1
            # A message no earlier request sent, so every turn is routed, not remembered.
            message = f"解約したい ({client}-{turn})"
            try:
                status, data = request(self.base + "/api/v1/chat", {"message": message})
                ok = status == 200 and data["reply"]["intent"] == self.intent
                problem = "" if ok else f"{status} {data}"
            except (OSError, ValueError, KeyError) as exc:
                problem = repr(exc)
            self.sent += 1
            if problem:
                self.failures.append(problem)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Wait until at least ``count`` more requests have been sent."""
        target = self.sent + count
        deadline = time.monotonic() + timeout
        while self.sent < target:
            assert time.monotonic() < deadline, f"only {self.sent} requests sent; failures: {self.failures[:3]}"
            time.sleep(0.05)


def when(predicate: Callable[[], bool], timeout: float = 60) -> None:
    """Wait until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.1)
