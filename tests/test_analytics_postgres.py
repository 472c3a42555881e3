"""Two `faqbot serve` instances recording into one PostgreSQL, and the database restarted under traffic.

Everything runs on loopback with bounded request counts; the PostgreSQL server
is the session's own (tests/pgserver.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psycopg

from faqbot.analytics import Recorder
from faqbot.web.localserver import free_port, wait_until_healthy
from tests.pgserver import USER, PgServer

FAQBOT = Path(sys.executable).parent / "faqbot"
SECRET = "pg-secret-" + "p" * 40
QUESTIONS = ("解約したい", "請求日はいつ？", "ポイントで払えますか")


def server_env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    env.update(FAQBOT_ANALYTICS_DB=db_url, FAQBOT_SECRET=SECRET, FAQBOT_RATE_LIMIT="0", FAQBOT_ALLOW_CLIENT_TODAY="1")
    return env


@contextmanager
def serving(db_url: str, log: Path) -> Iterator[str]:
    """One `faqbot serve` on a free loopback port; stopped (SIGTERM, as systemd does) afterwards."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen([str(FAQBOT), "serve", "--port", str(port)], env=server_env(db_url),
                                  stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, timeout=60, log=log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def ask(base: str, message: str) -> int:
    body = json.dumps({"message": message, "today": "2026-11-26"}).encode()
    req = urllib.request.Request(base + "/api/v1/chat", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status


def report(db_url: str) -> dict[str, object]:
    result = subprocess.run([str(FAQBOT), "report", "--json", "--db", db_url], capture_output=True, text=True,
                            timeout=60, env=server_env(db_url), check=False)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def wait_for_turns(db_url: str, expected: int, timeout: float = 30.0) -> int:
    """The number of recorded turns once it reaches ``expected`` (or whatever it is at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        count = len(Recorder(db_url).turns())
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def test_two_instances_record_into_one_database_and_report_counts_every_turn(postgres: PgServer, tmp_path: Path) -> None:
    db = postgres.new_database()
    with serving(db, tmp_path / "a.log") as first, serving(db, tmp_path / "b.log") as second:
        jobs = [(base, QUESTIONS[i % 3]) for i in range(30) for base in (first, second)]
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(lambda job: ask(*job), jobs)) == [200] * 60
    # Both instances have exited (their queues flushed at exit): every turn is there.
    data = report(db)
    assert data["turns"] == 60
    assert data["fallbacks"] == 20
    assert sorted(t.query for t in Recorder(db).turns()) == sorted(q for _, q in jobs)


def test_the_database_stopped_and_started_during_traffic_loses_no_record_and_fails_no_reply(
    postgres: PgServer, tmp_path: Path
) -> None:
    db = postgres.new_database()
    statuses: list[int] = []
    stop = threading.Event()

    def traffic(base: str) -> None:
        while not stop.is_set() and len(statuses) < 400:
            statuses.append(ask(base, QUESTIONS[len(statuses) % 3]))
            time.sleep(0.01)

    with serving(db, tmp_path / "serve.log") as base:
        assert ask(base, "解約したい") == 200
        assert wait_for_turns(db, 1) == 1  # the writer is connected and the schema made
        sender = threading.Thread(target=traffic, args=(base,))
        sender.start()
        try:
            time.sleep(0.5)
            before_stop = len(statuses)
            postgres.stop()
            time.sleep(2.0)  # replies keep coming while the database is down (longer than the writer's 1 s wait)
            during = len(statuses) - before_stop
            postgres.start()
            time.sleep(0.5)
        finally:
            stop.set()
            sender.join(timeout=30)
            if not postgres.running:  # the session's other tests need it
                postgres.start()
        assert during > 0
        assert statuses == [200] * len(statuses)
        # Records made while it was down were kept and are written after it is back.
        assert wait_for_turns(db, len(statuses) + 1) == len(statuses) + 1
    log = (tmp_path / "serve.log").read_text()
    assert "is unavailable" in log and "reachable again" in log



def test_a_role_that_may_only_read_can_run_the_report(postgres: PgServer) -> None:
    db = postgres.new_database()
    writer = Recorder(db)
    assert writer.record_turn("web", "解約したい", "cancel-howto", 0.9, False, False, None, datetime(2026, 11, 26, 10))
    assert writer.flush()
    reader = "reader_" + uuid.uuid4().hex[:8]
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {reader} LOGIN")  # type: ignore[arg-type]  # a generated name
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}")  # type: ignore[arg-type]
    assert [t.intent for t in Recorder(db.replace(f"{USER}@", f"{reader}@")).turns()] == ["cancel-howto"]
