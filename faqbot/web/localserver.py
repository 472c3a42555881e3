"""Starting ``faqbot serve`` on loopback for tests, benchmarks and the soak run.

One place for the two chores every such script repeats: finding a free port,
and waiting until the server answers ``/healthz`` (or failing with its log).
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(
    base_url: str, process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float, log: Path | None = None
) -> None:
    """Return once ``base_url/healthz`` answers 200.

    Raises :class:`RuntimeError` (with the server's log when given) if the
    process exits first or ``timeout`` seconds pass; the process is killed then.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            details = log.read_text(errors="replace") if log is not None and log.exists() else ""
            raise RuntimeError(f"faqbot serve did not start at {base_url}:\n{details}")
        time.sleep(0.1)
