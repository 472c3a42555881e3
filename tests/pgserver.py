"""A real PostgreSQL server for the tests: Debian's binaries, a temporary cluster, loopback only.

``./dev test`` installs Debian's ``postgresql`` package (``setup_postgres``).  The
cluster lives in a fresh folder under /tmp, listens on 127.0.0.1 and a free
port, trusts local connections (nothing else can reach it) and skips fsync.
PostgreSQL refuses to run as root, so when the tests run as root the server
commands run as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

from faqbot.web.localserver import LOOPBACK, free_port

USER = "faqbot"


def _bin_dir() -> Path:
    """The newest installed PostgreSQL's bin folder; fails with the next step when there is none."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed; run ./dev test (it installs Debian's postgresql package).")
    return versions[-1].parent


class PgServer:
    """One PostgreSQL cluster: init, start, stop, and a database per test."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="faqbot-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        self.running = False
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", USER, "-E", "UTF8", "--locale=C", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(f"{program} failed: {result.stderr}\n{log.read_text() if log.exists() else ''}")

    def start(self) -> None:
        """Start (or restart after :meth:`stop`) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses={LOOPBACK} -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        self.running = True

    def stop(self) -> None:
        """Stop at once (open connections are cut)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def url(self, database: str = "postgres") -> str:
        """The URL of ``database`` on this server."""
        return f"postgresql://{USER}@{LOOPBACK}:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]  # a generated name
        return self.url(name)

    def remove(self) -> None:
        """Stop if running and delete the cluster."""
        if self.running:
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
