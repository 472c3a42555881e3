"""Analytics in PostgreSQL: one database for every instance of a scaled-out deployment.

psycopg 3 with a psycopg_pool connection pool (the maintained PostgreSQL driver
and its pool; the pool replaces connections a database restart broke).

Writing never blocks or fails a reply: a record goes into a bounded in-memory
queue and a background thread writes it.  While the database is down the
thread keeps the records it holds and retries with backoff, logging once when
the database goes away and once when it is back; records wait in the queue
meanwhile, in order.  Only when the queue is full (``max_pending`` records, a
long outage under traffic) is a record dropped — counted, logged and kept in
:attr:`PostgresBackend.last_error`.  At exit the queue is flushed (bounded wait).
"""

from __future__ import annotations

import atexit
import logging
import queue
import re
import threading
import time

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from faqbot.analytics import schema
from faqbot.analytics.records import AnalyticsError

log = logging.getLogger("faqbot.analytics")

DEFAULT_MAX_PENDING = 10_000  # a few MB of records: minutes of heavy traffic
_BATCH = 200  # records written per transaction when a backlog builds up
_RETRY_FIRST, _RETRY_MAX = 0.2, 5.0  # seconds between attempts while the database is down
_CONNECT_TIMEOUT = 3  # seconds; a down database must not hold the writer for long
# Seconds the writer waits for a pooled connection before it counts the database as down (and
# says so); the pool keeps reconnecting in the background meanwhile.
_POOL_WAIT = 1.0
_EXIT_FLUSH = 10.0  # seconds the process waits at exit for records still queued
_MIGRATION_LOCK = 0x66_61_71_62  # pg_advisory_xact_lock key ("faqb"): one instance migrates at a time

Item = tuple[str, tuple[object, ...]]


def redact(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PostgresBackend:
    """Queues writes for a background writer; reads directly."""

    def __init__(self, url: str, max_pending: int = DEFAULT_MAX_PENDING) -> None:
        self.url = url
        self.last_error: str | None = None
        self.dropped = 0
        self._queue: queue.Queue[Item] = queue.Queue(max_pending)
        self._pool = ConnectionPool(
            url, min_size=1, max_size=2, open=False, name="faqbot-analytics",
            kwargs={"connect_timeout": _CONNECT_TIMEOUT}, check=ConnectionPool.check_connection,
        )
        self._lock = threading.Lock()
        self._started = False
        self._migrated = False

    @property
    def location(self) -> str:
        """The URL without its password, for messages."""
        return redact(self.url)

    def write(self, sql: str, values: tuple[object, ...]) -> bool:
        """Queue one statement; False (and :attr:`last_error`) only when the queue is full."""
        self._start()
        try:
            self._queue.put_nowait((schema.for_dialect(sql, schema.POSTGRESQL), values))
        except queue.Full:
            self.dropped += 1
            self.last_error = f"{self.location}: {self._queue.maxsize} records are waiting for the database; one was dropped"
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("analytics: %s (%d dropped so far)", self.last_error, self.dropped)
            return False
        return True

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until every queued record is written; True when none is left."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def read(self, sql: str, since: str) -> list[tuple[object, ...]]:
        """Rows of ``sql`` with ``since`` as its one parameter, after this process's own queued writes.

        Raises :class:`AnalyticsError` when the database cannot be reached or read.
        """
        self.flush(_EXIT_FLUSH)
        try:
            with psycopg.connect(self.url, connect_timeout=_CONNECT_TIMEOUT) as conn:
                _migrate(conn)
                return list(conn.execute(schema.for_dialect(sql, schema.POSTGRESQL), (since,)).fetchall())
        except psycopg.Error as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
            raise AnalyticsError(
                f"Cannot read the analytics database {self.location} ({first_line}); check that it runs and the URL is right."
            ) from exc

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._pool.open(wait=False)  # connects in the background: a down database does not stop start-up
            threading.Thread(target=self._run, name="faqbot-analytics-writer", daemon=True).start()
            atexit.register(self._at_exit)
            self._started = True

    def _run(self) -> None:
        """The writer thread: take a batch, write it until it is written, repeat."""
        while True:
            batch = [self._queue.get()]
            while len(batch) < _BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write_until_done(batch)
            for _ in batch:
                self._queue.task_done()

    def _write_until_done(self, batch: list[Item]) -> None:
        delay, down = _RETRY_FIRST, False
        while True:
            try:
                self._write_batch(batch)
            except (psycopg.OperationalError, PoolTimeout) as exc:
                self.last_error = f"{self.location}: {exc}"
                if not down:
                    log.warning("analytics: PostgreSQL at %s is unavailable (%s); %d record(s) kept, retrying",
                                self.location, str(exc).strip(), len(batch) + self._queue.qsize())
                down = True
                time.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)
                continue
            except psycopg.Error as exc:
                # Not a connection problem: retrying would fail the same way.
                self.last_error = f"{self.location}: {exc}"
                log.error("analytics: PostgreSQL refused %d record(s): %s", len(batch), exc)
                return
            if down:
                log.warning("analytics: PostgreSQL at %s is reachable again; waiting records written", self.location)
            return

    def _write_batch(self, batch: list[Item]) -> None:
        with self._pool.connection(timeout=_POOL_WAIT) as conn:
            if not self._migrated:
                _migrate(conn)
                self._migrated = True
            with conn.transaction():
                for sql, values in batch:
                    conn.execute(sql, values)

    def close(self, timeout: float = _EXIT_FLUSH) -> None:
        """Wait up to ``timeout`` seconds for queued records, then close the pool (logged if some are left)."""
        if not self.flush(timeout):
            log.error("analytics: %d record(s) not written to %s before exit", self._queue.unfinished_tasks, self.location)
        self._pool.close(timeout=1.0)
        atexit.unregister(self._at_exit)

    def _at_exit(self) -> None:
        self.close()


def _migrate(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Bring the database to the newest schema version, one migration after the other.

    Under an advisory lock, so instances starting together migrate one after the
    other; PostgreSQL's DDL is transactional, so a failed step changes nothing.
    A database already at the newest version is only read, so a reporting role
    without write rights can run ``faqbot report``.
    """
    try:
        with conn.transaction():
            row = conn.execute(schema.META_VERSION).fetchone()
        if row is not None and int(str(row[0])) >= schema.LATEST:
            return
    except psycopg.errors.UndefinedTable:
        pass  # a new database: create everything below
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(schema.META)
        conn.execute(schema.META_INIT)
        row = conn.execute(schema.META_VERSION).fetchone()
        current = int(str(row[0])) if row else 0
        for migration in schema.migrations(schema.POSTGRESQL):
            if migration.version > current:
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(schema.for_dialect(schema.META_SET, schema.POSTGRESQL), (str(migration.version),))
