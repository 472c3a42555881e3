"""``faqbot serve``'s process manager: forked workers sharing one engine, supervised (Linux).

* **One engine, shared.**  The supervisor loads the knowledge base once, freezes it
  out of garbage collection (:func:`~faqbot.web.reload.share_engine`) and forks the
  workers, which inherit it copy-on-write instead of each loading its own.
* **A socket per worker slot.**  uvicorn's own ``--workers`` hands one listening
  socket to every worker, and whichever wakes first accepts every connection
  waiting: with a few keep-alive clients one worker often got all of them
  (``/healthz`` at 3,800 req/s instead of 5,700).  Each slot here has its own
  ``SO_REUSEPORT`` socket, so the kernel spreads new connections evenly.  The
  supervisor creates and keeps these sockets listening, and a worker inherits its
  slot's: when a worker is replaced, the connections waiting in that socket's
  queue are accepted by the next one instead of being reset.
* **Watchdog.**  Each worker's event loop stamps a shared heartbeat ten times a
  second; a worker without one for ``FAQBOT_WORKER_TIMEOUT`` seconds is stuck (a
  blocked loop, a stopped process): it is killed and replaced.  A worker that dies
  is replaced; one that cannot even start stops the supervisor (it would fail the
  same way on every restart).
* **Graceful stop.**  SIGTERM/SIGINT: every worker stops accepting, answers what
  still comes on its keep-alive connections with ``Connection: close`` for a moment,
  finishes the requests it has begun (``FAQBOT_GRACEFUL_TIMEOUT`` seconds at most)
  and exits (:mod:`faqbot.web.workerserver`).
* **Live reload.**  SIGHUP, or a change in the knowledge-base folder with
  ``--watch``: the supervisor loads and checks the new knowledge base; a broken one
  is logged ``file:line`` by ``file:line`` and the old one keeps serving.  A good
  one replaces the workers one slot at a time: the new worker starts on the slot's
  socket and only once it is answering is the old one told to drain.

gunicorn was weighed instead (see docs/reliability.md): its ``preload_app`` shares
the engine and it has a heartbeat and graceful HUP, but a HUP does not reload a
preloaded app, without preloading each worker loads its own engine and a broken
knowledge base makes the workers fail to boot and the master exit, and its
workers share one socket.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE

from faqbot.analytics import Recorder
from faqbot.answers.answering import Engine
from faqbot.errors import FaqbotError
from faqbot.web.app import create_app
from faqbot.web.config import ConfigError, WebConfig, seconds_setting
from faqbot.web.metrics import worker_died
from faqbot.web.protocol import NoDelayHttpToolsProtocol
from faqbot.web.reload import KbWatcher, load_checked, share_engine
from faqbot.web.workerserver import serve_slot

log = logging.getLogger("faqbot.web")

APP_FACTORY = "faqbot.web.app:app_from_env"
ENV_WORKER_TIMEOUT = "FAQBOT_WORKER_TIMEOUT"
ENV_GRACEFUL_TIMEOUT = "FAQBOT_GRACEFUL_TIMEOUT"
DEFAULT_WORKER_TIMEOUT = 30.0
DEFAULT_GRACEFUL_TIMEOUT = 15.0
# How often the supervisor looks at its workers (and, with --watch, at the folder).
_POLL_SECONDS = 0.5
# A worker past its graceful timeout gets this much longer before it is killed.
_KILL_MARGIN = 5.0
_BACKLOG = 2048  # uvicorn's default
_MAX_SECONDS = 3600.0
# A worker that has not stamped its first heartbeat yet is starting (on a busy machine that
# can take a while): it gets at least this long before the watchdog calls it stuck.
_START_SECONDS = 60.0


@dataclass(frozen=True)
class ProcessSettings:
    """How the supervisor watches its workers."""

    worker_timeout: float = DEFAULT_WORKER_TIMEOUT  # seconds without a heartbeat before a worker is killed
    graceful_timeout: float = DEFAULT_GRACEFUL_TIMEOUT  # seconds a stopping worker has to finish its requests
    watch: bool = False  # reload when the knowledge-base folder changes

    @classmethod
    def from_env(cls, env: Mapping[str, str], watch: bool = False) -> ProcessSettings:
        """Read ``FAQBOT_WORKER_TIMEOUT`` and ``FAQBOT_GRACEFUL_TIMEOUT`` (seconds); raises ConfigError."""
        return cls(
            worker_timeout=seconds_setting(env, ENV_WORKER_TIMEOUT, DEFAULT_WORKER_TIMEOUT, _MAX_SECONDS),
            graceful_timeout=seconds_setting(env, ENV_GRACEFUL_TIMEOUT, DEFAULT_GRACEFUL_TIMEOUT, _MAX_SECONDS),
            watch=watch,
        )


def uvicorn_options(config: WebConfig) -> dict[str, Any]:
    """uvicorn settings every way of serving shares: the protocol, logging, whom to believe.

    X-Forwarded-For is believed only from ``config.trusted_proxies``; with none
    configured uvicorn's proxy-header support is off (its own default trusts
    loopback, and a client there could rotate fake addresses past the rate limit).
    """
    return {
        "log_level": "info",
        "http": NoDelayHttpToolsProtocol,  # TCP_NODELAY and the header deadline (faqbot/web/protocol.py)
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


class _Worker:
    """A worker process, the heartbeat it stamps, and when it was started."""

    __slots__ = ("beat", "process", "started")

    def __init__(self, process: BaseProcess, beat: ctypes.c_double) -> None:
        self.process = process
        self.beat = beat
        self.started = time.monotonic()

    @property
    def ready(self) -> bool:
        """Listening and running its event loop (it has stamped a heartbeat)."""
        return self.beat.value > 0

    def silent_for(self, now: float) -> float:
        """Seconds since the last heartbeat (or since the start, before the first one)."""
        return now - max(self.beat.value, self.started)

    def stuck(self, now: float, timeout: float) -> bool:
        """No heartbeat for ``timeout`` seconds (``_START_SECONDS`` at least before the first one)."""
        return self.silent_for(now) > (timeout if self.ready else max(timeout, _START_SECONDS))


class Supervisor:
    """Keeps ``workers`` forked worker processes serving ``host:port`` until told to stop.

    ``engine`` is the checked engine to serve first; ``app_for`` builds the app over
    an engine (default: :func:`~faqbot.web.app.create_app` with the analytics
    recorder the environment asks for), in the supervisor, so the workers share it
    too and an app that cannot be built fails before any worker is replaced.
    ``config.kb_dir`` is what a reload loads.
    """

    def __init__(
        self,
        host: str,
        port: int,
        workers: int,
        config: WebConfig,
        engine: Engine,
        settings: ProcessSettings | None = None,
        app_for: Callable[[Engine], ASGIApp] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"At least one worker is needed, not {workers}.")
        self.host = host
        self.port = port
        self.workers = workers
        self.config = config
        self.settings = settings or ProcessSettings()
        self._engine = engine
        self._app: ASGIApp | None = None
        self._app_for = app_for or (lambda e: create_app(config, e, Recorder.from_env()))
        self._options = {**uvicorn_options(config), "timeout_graceful_shutdown": self.settings.graceful_timeout}
        self._stop = threading.Event()
        self._reload_asked = False
        self._context = multiprocessing.get_context("fork")  # inherit the engine, copy-on-write
        self._sockets: list[socket.socket] = []
        self._slots: list[_Worker] = []
        # Stopping workers, with their deadlines.  Their heartbeats stay allocated until they
        # are reaped: a freed heartbeat could be handed to a new worker while the old one
        # still stamps it, and the new one would look ready before it is.
        self._draining: list[tuple[_Worker, float]] = []

    @property
    def kb_dir(self) -> Path | None:
        """The knowledge-base folder a reload reads (None: the shipped one)."""
        return self.config.kb_dir

    def run(self) -> int:
        """Serve until SIGINT/SIGTERM (exit status 0) or a worker fails to start (1).

        Raises :class:`~faqbot.web.config.ConfigError` when ``host:port`` cannot be listened
        on, and whatever :class:`~faqbot.errors.FaqbotError` building the app raises.
        """
        self._app = self._app_for(self._engine)
        self._sockets = self._listen()
        handlers = {signal.SIGINT: self._on_stop, signal.SIGTERM: self._on_stop, signal.SIGHUP: self._on_hup}
        previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
        watcher = KbWatcher(self.kb_dir) if self.settings.watch else None
        status = 0
        try:
            share_engine()
            self._slots = [self._start(index) for index in range(self.workers)]
            while not self._stop.wait(_POLL_SECONDS):
                if self._reload_asked or (watcher is not None and watcher.poll()):
                    self._reload_asked = False
                    self._reload()
                status = self._check_workers()
                if status:
                    break
                self._reap_draining()
        finally:
            self._stop_all()
            for sock in self._sockets:
                sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status

    def _listen(self) -> list[socket.socket]:
        """One listening SO_REUSEPORT socket per worker slot, all on one port."""
        sockets: list[socket.socket] = []
        try:
            for _ in range(self.workers):
                sock = bind_reuse_port(self.host, self.port)
                sockets.append(sock)
                sock.listen(_BACKLOG)
                self.port = sock.getsockname()[1]  # port 0: the rest join the port the first one got
        except OSError as exc:
            for sock in sockets:
                sock.close()
            hint = "stop what is using it or choose another --port" if exc.errno == errno.EADDRINUSE else "check --host"
            raise ConfigError(f"Cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); {hint}.") from None
        return sockets

    def _on_stop(self, signum: int, frame: object) -> None:
        log.info("received %s, stopping the workers", signal.Signals(signum).name)
        self._stop.set()

    def _on_hup(self, signum: int, frame: object) -> None:
        self._reload_asked = True  # acted on by the main loop, never inside a signal handler

    def _start(self, index: int) -> _Worker:
        beat = self._context.RawValue(ctypes.c_double, 0.0)
        process = self._context.Process(
            target=serve_slot, args=(self._sockets[index], beat, self._app, self._options)
        )
        process.start()
        return _Worker(process, beat)

    def _check_workers(self) -> int:
        """Replace dead and stuck workers; 1 when a worker could not even start."""
        now = time.monotonic()
        for index, worker in enumerate(self._slots):
            pid = worker.process.pid
            if not worker.process.is_alive():
                if worker.process.exitcode == STARTUP_FAILURE and not worker.ready:
                    log.error("worker %s could not start; stopping", pid)
                    return 1
                log.warning("worker %s died (exit code %s); starting a new one", pid, worker.process.exitcode)
            elif worker.stuck(now, self.settings.worker_timeout):
                log.error(
                    "worker %s sent no heartbeat for %.0f s (stuck); killing it and starting a new one",
                    pid, worker.silent_for(now),
                )
                worker.process.kill()
                worker.process.join(_KILL_MARGIN)
            else:
                continue
            worker_died(pid or 0)  # its live metric gauges go; its counters stay counted
            self._slots[index] = self._start(index)
        return 0

    def _reload(self) -> None:
        """Load and check the knowledge base, then replace the workers one slot at a time."""
        log.info("reload: loading the knowledge base from %s", self.kb_dir or "the shipped folder")
        engine = load_checked(self.kb_dir)
        if engine is None:
            return
        if engine.kb.content_hash == self._engine.kb.content_hash:
            log.info("reload: the knowledge base is unchanged; the workers keep serving it")
            return
        try:
            app = self._app_for(engine)
        except FaqbotError as exc:
            log.error("reload: %s; still serving the previous knowledge base.", exc)
            return
        self._engine, self._app = engine, app
        del app
        share_engine()  # frees the old engine here; new workers inherit the new one frozen
        for index in range(len(self._slots)):
            if self._stop.is_set():
                return
            new = self._start(index)
            if not self._wait_ready(new):
                log.error("reload: a new worker did not start; the old one keeps serving its slot")
                new.process.kill()
                new.process.join()
                continue
            self._drain(self._slots[index])
            self._slots[index] = new
        log.info("reload: serving %d entries on every worker", len(engine.kb.entries))

    def _wait_ready(self, worker: _Worker) -> bool:
        """Wait until ``worker`` answers on its socket; False if it dies, hangs or we stop."""
        while not worker.ready:
            if not worker.process.is_alive() or worker.stuck(time.monotonic(), self.settings.worker_timeout) or self._stop.wait(0.02):
                return False
        return True

    def _drain(self, worker: _Worker) -> None:
        """Tell ``worker`` to finish its requests and exit; killed if it takes too long."""
        worker.process.terminate()
        self._draining.append((worker, time.monotonic() + self.settings.graceful_timeout + _KILL_MARGIN))

    def _reap_draining(self) -> None:
        still = []
        for worker, deadline in self._draining:
            process = worker.process
            if not process.is_alive():
                process.join()
            elif time.monotonic() > deadline:
                log.warning("worker %s did not finish within the graceful timeout; killing it", process.pid)
                process.kill()
                process.join()
            else:
                still.append((worker, deadline))
        self._draining = still

    def _stop_all(self) -> None:
        """SIGTERM every worker (each finishes its open requests), then kill what is still there."""
        for worker in self._slots:
            self._drain(worker)
        self._slots = []
        for worker, _ in self._draining:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker, deadline in self._draining:
            process = worker.process
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("worker %s did not finish within the graceful timeout; killing it", process.pid)
                process.kill()
                process.join()
        self._draining = []
