"""Several uvicorn workers, each accepting on its own SO_REUSEPORT socket (Linux).

uvicorn's own ``--workers`` hands one listening socket to every worker, and
whichever worker wakes first accepts every connection waiting: with a few
keep-alive clients (a reverse proxy's upstream pool, a load generator) one
worker often ends up with all of them while the other idles.  Measured on
loopback, ``/healthz`` with 8 connections ran at 3,800 req/s on one busy
worker and 5,700 when the connections happened to split.  With a socket per
worker bound with ``SO_REUSEPORT``, the kernel spreads new connections over
the workers evenly instead.

The supervisor starts the workers, restarts one that dies, stops all of them
on SIGINT/SIGTERM, and gives up if a worker cannot even start (a worker that
fails at start-up would fail the same way on every restart).  Where the
platform has no ``SO_REUSEPORT`` load balancing, :func:`reuse_port_supported`
says so and ``faqbot serve`` falls back to uvicorn's supervisor.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from faqbot.errors import FaqbotError
from faqbot.web.config import ConfigError, WebConfig
from faqbot.web.metrics import worker_died
from faqbot.web.protocol import NoDelayH11Protocol

log = logging.getLogger("faqbot.web")

APP_FACTORY = "faqbot.web.app:app_from_env"
# How often the supervisor looks for dead workers, and how long a stopping worker
# may take to finish its requests before it is killed.
_POLL_SECONDS = 0.5
_STOP_SECONDS = 15.0


def uvicorn_options(config: WebConfig) -> dict[str, Any]:
    """uvicorn settings every way of serving shares: the protocol, logging, whom to believe.

    X-Forwarded-For is believed only from ``config.trusted_proxies``; with none
    configured uvicorn's proxy-header support is off (its own default trusts
    loopback, and a client there could rotate fake addresses past the rate limit).
    """
    return {
        "log_level": "info",
        "http": NoDelayH11Protocol,  # TCP_NODELAY and the header deadline (faqbot/web/protocol.py)
        "proxy_headers": bool(config.trusted_proxies),
        "forwarded_allow_ips": list(config.trusted_proxies) or None,
        # The app writes one JSON line per request instead (faqbot/web/observe.py).
        "access_log": False,
    }


def reuse_port_supported() -> bool:
    """Does this platform spread connections over sockets sharing a port (Linux SO_REUSEPORT)?"""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bind_reuse_port(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with SO_REUSEPORT, not yet listening.

    Raises :class:`OSError` when the address is taken by a socket without
    SO_REUSEPORT or by another user, or cannot be bound at all.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run_worker(host: str, port: int) -> None:
    """One worker process: its own socket on ``host:port``, the app from ``FAQBOT_*``."""
    try:
        sock = bind_reuse_port(host, port)
    except OSError as exc:
        log.error("worker cannot listen on %s:%d: %s", host, port, exc)
        sys.exit(STARTUP_FAILURE)
    try:
        settings = WebConfig.from_env(shared=True)
    except ConfigError as exc:
        log.error("worker cannot start: %s", exc)
        sys.exit(STARTUP_FAILURE)
    config = uvicorn.Config(APP_FACTORY, factory=True, **uvicorn_options(settings))
    try:
        config.load()  # builds the app: loads the knowledge base and reads the settings
    except FaqbotError as exc:
        # A knowledge base broken since serve checked it, or a bad setting: a restart
        # would fail the same way, so say so once and let the supervisor stop.
        log.error("worker cannot start: %s", exc)
        sys.exit(STARTUP_FAILURE)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Keeps ``workers`` worker processes serving ``host:port`` until told to stop."""

    def __init__(self, host: str, port: int, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"At least one worker is needed, not {workers}.")
        self.host = host
        self.port = port
        self.workers = workers
        self._stop = threading.Event()
        self._context = multiprocessing.get_context("spawn")  # fresh interpreters, as uvicorn does

    def run(self) -> int:
        """Serve until SIGINT/SIGTERM (exit status 0) or a worker fails to start (1).

        Raises :class:`~faqbot.web.config.ConfigError` when ``host:port`` cannot be listened on.
        """
        # Held, not listening, for the whole run: the port cannot be taken by a socket
        # without SO_REUSEPORT between worker restarts, and it receives no connections.
        try:
            holder = bind_reuse_port(self.host, self.port)
        except OSError as exc:
            hint = "stop what is using it or choose another --port" if exc.errno == errno.EADDRINUSE else "check --host"
            raise ConfigError(f"Cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); {hint}.") from None
        self.port = holder.getsockname()[1]
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        processes = [self._start() for _ in range(self.workers)]
        status = 0
        try:
            while not self._stop.wait(_POLL_SECONDS):
                for index, process in enumerate(processes):
                    if process.is_alive():
                        continue
                    if process.exitcode == STARTUP_FAILURE:
                        log.error("worker %s could not start; stopping", process.pid)
                        self._stop.set()
                        status = 1
                        break
                    log.warning("worker %s died (exit code %s); starting a new one", process.pid, process.exitcode)
                    worker_died(process.pid or 0)
                    processes[index] = self._start()
        finally:
            _stop_all(processes)
            holder.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status

    def _on_signal(self, signum: int, frame: object) -> None:
        log.info("received %s, stopping the workers", signal.Signals(signum).name)
        self._stop.set()

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=run_worker, args=(self.host, self.port), daemon=False)
        process.start()
        return process


def _stop_all(processes: list[BaseProcess]) -> None:
    """SIGTERM every worker (uvicorn finishes open requests), then kill what is still there."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(_STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
