"""Analytics in one SQLite file: the embedded default.

SQLite because it is embedded (nothing to run beside the bot), one file a
maintainer can copy, and safe for a few writers (the chat and the server)
thanks to WAL mode.  A connection is opened per call, so the backend can be
shared across the web server's threads; writes are synchronous (the server
makes them off the event loop).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from faqbot.analytics import schema
from faqbot.analytics.records import AnalyticsError


class SqliteBackend:
    """Reads and writes one SQLite file, migrating it to the newest schema first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.last_error: str | None = None

    @property
    def location(self) -> str:
        """The file, for messages."""
        return str(self.path)

    def write(self, sql: str, values: tuple[object, ...]) -> bool:
        """Run one statement in its own transaction; False (and :attr:`last_error`) when it failed."""
        try:
            conn = self._connect()
            try:
                with conn:
                    conn.execute(sql, values)
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            self.last_error = f"{self.path}: {exc}"
            return False
        return True

    def read(self, sql: str, since: str) -> list[tuple[object, ...]]:
        """Rows of ``sql`` with ``since`` (YYYY-MM-DD or "") as its one parameter.

        Raises :class:`AnalyticsError` when the file is missing or unreadable.
        """
        if not self.path.exists():
            raise AnalyticsError(
                f"No analytics database at {self.path}; record some conversations first or pass --db PATH."
            )
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
            try:
                return conn.execute(sql, (since,)).fetchall()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise AnalyticsError(f"Cannot read the analytics database {self.path}: {exc}.") from exc

    def flush(self, timeout: float) -> bool:
        """Nothing is ever pending: writes are synchronous."""
        return True

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0)
        conn.execute("PRAGMA journal_mode=WAL")
        _migrate(conn)
        return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the file to the newest schema version, one migration after the other.

    Under an immediate (write) lock, so two processes starting at once do not
    both apply the same step; SQLite's DDL is transactional, so a failed step
    leaves the previous version intact.
    """
    conn.isolation_level = None  # transactions are begun and ended here
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(schema.META)
        conn.execute(schema.META_INIT)
        (current,) = conn.execute(schema.META_VERSION).fetchone()
        for migration in schema.migrations(schema.SQLITE):
            if migration.version > int(current):
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(schema.META_SET, (str(migration.version),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.isolation_level = "DEFERRED"  # back to sqlite3's implicit transactions for the writes
