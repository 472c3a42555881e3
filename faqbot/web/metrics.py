"""Prometheus metrics: what the server counts, and the port that serves them.

Metrics are served on a port of their own (``FAQBOT_METRICS_PORT``, bound to
``FAQBOT_METRICS_HOST``, 127.0.0.1 by default), never on the public port: the
public port is what a reverse proxy forwards to the internet, and internal
counts (traffic, fallback rate, handoffs) are nobody's business there.  A port
the proxy never forwards cannot leak them by a forgotten ``location`` rule.

Across workers the counts add up: ``faqbot serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before starting the workers, each
worker writes its samples there (prometheus_client's multiprocess mode), and
the metrics port, served by the supervisor, sums them.  Counters of a worker
that died stay counted; a restarted worker adds to them.

The fallback *rate* is left to PromQL (see docs/deployment.md), as Prometheus
advises: ``rate(faqbot_turns_total{decision="fallback"}[5m]) / rate(faqbot_turns_total[5m])``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from faqbot.web.config import ConfigError

ENV_METRICS_PORT = "FAQBOT_METRICS_PORT"
ENV_METRICS_HOST = "FAQBOT_METRICS_HOST"
ENV_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
DEFAULT_METRICS_HOST = "127.0.0.1"

# Request latency buckets: a turn takes milliseconds; the request timeout is 10 s.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

REQUESTS = Counter("faqbot_http_requests", "HTTP requests answered, by route template, method and status.",
                   ("route", "method", "status"))
LATENCY = Histogram("faqbot_http_request_duration_seconds", "Time to answer an HTTP request, by route template.",
                    ("route", "method"), buckets=_BUCKETS)
RATE_LIMITED = Counter("faqbot_rate_limited_requests", "Requests refused with 429 by the per-client rate limit.")
TURNS = Counter("faqbot_turns", "Chat turns, by the router's decision (answer, clarify, fallback, dialogue).", ("decision",))
HANDOFFS = Counter("faqbot_handoffs", "Replies that offered a person at the support desk, by reason.", ("reason",))
FEEDBACK = Counter("faqbot_feedback", "👍/👎 votes received (helpful: true or false).", ("helpful",))
KB_LOADS = Counter("faqbot_kb_loads", "Knowledge bases loaded by a server worker (starts, restarts, roll-outs).")
KB_INFO = Gauge("faqbot_kb_info", "The knowledge base a worker serves (1 per version and entry count).",
                ("kb_hash", "entries"), multiprocess_mode="max")


@dataclass(frozen=True)
class MetricsSettings:
    """Where to serve metrics; ``port`` None: not served."""

    host: str
    port: int | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MetricsSettings:
        """``FAQBOT_METRICS_PORT`` (unset or empty: off) and ``FAQBOT_METRICS_HOST``."""
        env = os.environ if env is None else env
        host = env.get(ENV_METRICS_HOST) or DEFAULT_METRICS_HOST
        text = (env.get(ENV_METRICS_PORT) or "").strip()
        if not text:
            return cls(host, None)
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise ConfigError(f"{ENV_METRICS_PORT} must be a port number (1–65535), not {text!r}.")
        return cls(host, int(text))


def kb_loaded(kb_hash: str, entries: int) -> None:
    """Count a knowledge base this worker now serves."""
    KB_LOADS.inc()
    KB_INFO.labels(kb_hash=kb_hash, entries=str(entries)).set(1)


def prepare_multiprocess(env: dict[str, str]) -> Path:
    """Point ``env`` (inherited by workers) at an empty folder for the workers' samples; returns it.

    A folder the operator chose in ``PROMETHEUS_MULTIPROC_DIR`` is emptied of
    stale ``*.db`` files (a previous run's counts would otherwise be added in),
    except this process's own (prometheus_client opened them when it was
    imported with the variable set); otherwise a new temporary folder is used.
    """
    chosen = env.get(ENV_MULTIPROC_DIR)
    if chosen:
        folder = Path(chosen)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            if not stale.name.endswith(f"_{os.getpid()}.db"):
                stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="faqbot-metrics-"))
    env[ENV_MULTIPROC_DIR] = str(folder)
    return folder


def remove_multiprocess(folder: Path) -> None:
    """Delete a temporary samples folder at shutdown (best effort)."""
    shutil.rmtree(folder, ignore_errors=True)


def worker_died(pid: int) -> None:
    """Drop a dead worker's live gauges (its counters stay counted)."""
    if os.environ.get(ENV_MULTIPROC_DIR):
        mark_process_dead(pid)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated


def serve_metrics(settings: MetricsSettings) -> None:
    """Serve ``/metrics`` on ``settings``' port in a background thread (no-op when off).

    With ``PROMETHEUS_MULTIPROC_DIR`` set, the sum over every worker's samples;
    otherwise this process's own metrics.

    Raises :class:`~faqbot.web.config.ConfigError` when the port cannot be listened on.
    """
    if settings.port is None:
        return
    registry = REGISTRY
    if os.environ.get(ENV_MULTIPROC_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    try:
        start_http_server(settings.port, addr=settings.host, registry=registry)
    except OSError as exc:
        raise ConfigError(
            f"Cannot serve metrics on {settings.host}:{settings.port} ({exc.strerror or exc}); "
            f"choose another {ENV_METRICS_PORT}."
        ) from None
