"""The peer process manager for ``bench_server.py --gunicorn``: gunicorn with uvicorn workers.

Only for the benchmark (gunicorn and uvicorn-worker are not dependencies of
faqbot): ``pip install gunicorn uvicorn-worker`` into the venv first.  The
worker speaks faqbot's HTTP protocol class, as ``faqbot serve`` does, so the
comparison is of the process managers, not of TCP_NODELAY (without it every
keep-alive response waits for the client's delayed ACK, Kludex/uvicorn#3149).
"""

from __future__ import annotations

from typing import Any

from uvicorn_worker import UvicornWorker


class NoDelayUvicornWorker(UvicornWorker):  # type: ignore[misc]
    """uvicorn-worker's worker with faqbot's protocol (TCP_NODELAY, header deadline)."""

    CONFIG_KWARGS: dict[str, Any] = {"loop": "auto", "http": "faqbot.web.protocol:NoDelayHttpToolsProtocol"}
