"""The analytics store: each turn's outcome and each 👍/👎, in one SQLite file.

SQLite because it is embedded (nothing to run beside the bot), one file a
maintainer can copy, and safe for a few writers (the chat and the server)
thanks to WAL mode.  A connection is opened per call, so the recorder can be
shared across the web server's threads.

Every query is passed through :func:`faqbot.text.privacy.mask_personal_data`
*before* it reaches the database: card numbers, e-mail addresses and phone
numbers are never stored.

Where the file lives (see :func:`analytics_settings`):

* ``FAQBOT_ANALYTICS=off`` (or ``0``, ``false``, ``no``) switches recording off;
* ``FAQBOT_ANALYTICS_DB=/path/file.sqlite3`` chooses the file;
* otherwise ``$XDG_STATE_HOME/faqbot/analytics.sqlite3``, falling back to
  ``~/.local/state/faqbot/analytics.sqlite3``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from faqbot.errors import FaqbotError
from faqbot.text.privacy import mask_personal_data

ENV_SWITCH = "FAQBOT_ANALYTICS"
ENV_DB = "FAQBOT_ANALYTICS_DB"
_OFF = frozenset({"off", "0", "false", "no"})
# Versioned migrations, applied in order to a database whose meta.schema_version is lower.
# Version 1 is written with IF NOT EXISTS: databases made before versioning already have it.
_MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    query TEXT NOT NULL,
    intent TEXT NOT NULL,
    confidence REAL NOT NULL,
    fallback INTEGER NOT NULL,
    clarified INTEGER NOT NULL,
    product TEXT
);
CREATE INDEX IF NOT EXISTS turns_at ON turns (at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    intent TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    query TEXT NOT NULL,
    product TEXT
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
"""),
    # A vote names the turn it rates; one row per turn (a later vote replaces the earlier one).
    (2, """
ALTER TABLE feedback ADD COLUMN turn TEXT;
CREATE UNIQUE INDEX feedback_turn ON feedback (turn);
"""),
)
_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
# A value like "postgresql://…" is a database URL, never a file name.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class AnalyticsError(FaqbotError):
    """The analytics database cannot be opened or read."""

    code = "analytics_error"


@dataclass(frozen=True)
class AnalyticsSettings:
    """Whether to record, and where."""

    enabled: bool
    path: Path


@dataclass(frozen=True)
class TurnRecord:
    """One recorded turn (the query is already masked)."""

    at: str  # ISO 8601 as recorded
    channel: str
    query: str
    intent: str
    confidence: float
    fallback: bool
    clarified: bool
    product: str | None


@dataclass(frozen=True)
class FeedbackRecord:
    """One 👍 (helpful) or 👎 (not helpful) on an answer."""

    at: str
    channel: str
    intent: str
    helpful: bool
    query: str
    product: str | None


def default_db_path(env: Mapping[str, str]) -> Path:
    """``$XDG_STATE_HOME/faqbot/analytics.sqlite3`` or ``~/.local/state/faqbot/analytics.sqlite3``."""
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state) / "faqbot" / "analytics.sqlite3"


def analytics_settings(env: Mapping[str, str] | None = None) -> AnalyticsSettings:
    """Read ``FAQBOT_ANALYTICS`` and ``FAQBOT_ANALYTICS_DB`` from ``env`` (default: the process)."""
    env = os.environ if env is None else env
    enabled = env.get(ENV_SWITCH, "on").strip().lower() not in _OFF
    value = env.get(ENV_DB, "")
    if _URL.match(value):
        raise AnalyticsError(
            f"{ENV_DB}={value.split('://')[0]}://… is a database URL, which this version cannot use; "
            "set it to the path of an SQLite file instead."
        )
    path = Path(value).expanduser() if value else default_db_path(env)
    return AnalyticsSettings(enabled=enabled, path=path)


class Recorder:
    """Appends turns and feedback to the analytics database; a no-op when disabled.

    Recording is best effort: a full disk or a locked file must never break a
    conversation, so write errors are kept in :attr:`last_error` instead of raised.
    """

    def __init__(self, path: Path | str | None) -> None:
        self.path = Path(path) if path is not None else None
        self.last_error: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Recorder:
        """The recorder the environment asks for (disabled with ``FAQBOT_ANALYTICS=off``)."""
        settings = analytics_settings(env)
        return cls(settings.path if settings.enabled else None)

    @property
    def enabled(self) -> bool:
        """False when recording is switched off."""
        return self.path is not None

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            raise AnalyticsError("Analytics recording is switched off (FAQBOT_ANALYTICS=off).")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0)
        conn.execute("PRAGMA journal_mode=WAL")
        _migrate(conn)
        return conn

    def _write(self, sql: str, values: tuple[object, ...]) -> bool:
        if self.path is None:
            return False
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

    def record_turn(
        self,
        channel: str,
        query: str,
        intent: str,
        confidence: float,
        fallback: bool,
        clarified: bool,
        product: str | None,
        at: datetime,
    ) -> bool:
        """Store one turn's outcome (``query`` is masked here); True when it was written."""
        return self._write(
            "INSERT INTO turns (at, channel, query, intent, confidence, fallback, clarified, product)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (at.isoformat(timespec="seconds"), channel, mask_personal_data(query), intent,
             float(confidence), int(fallback), int(clarified), product),
        )

    def record_feedback(
        self,
        channel: str,
        intent: str,
        helpful: bool,
        at: datetime,
        query: str = "",
        product: str | None = None,
        turn: str | None = None,
    ) -> bool:
        """Store a 👍 (``helpful=True``) or 👎 on the answer of ``intent``; True when written.

        With a ``turn`` id, a turn counts once: a later vote for the same turn
        replaces the earlier one (the customer corrected a misclick), so repeating
        a vote cannot stuff the report.
        """
        return self._write(
            "INSERT INTO feedback (at, channel, intent, helpful, query, product, turn) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (turn) DO UPDATE SET at = excluded.at, helpful = excluded.helpful",
            (at.isoformat(timespec="seconds"), channel, intent, int(helpful), mask_personal_data(query), product, turn),
        )

    def _read(self, sql: str, since: date | None) -> list[tuple[object, ...]]:
        if self.path is None or not self.path.exists():
            where = self.path if self.path is not None else "(recording off)"
            raise AnalyticsError(
                f"No analytics database at {where}; record some conversations first or pass --db PATH."
            )
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
            try:
                # ISO timestamps sort as text, so the first 10 characters compare as dates.
                return conn.execute(sql, (since.isoformat() if since else "",)).fetchall()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise AnalyticsError(f"Cannot read the analytics database {self.path}: {exc}.") from exc

    def turns(self, since: date | None = None) -> tuple[TurnRecord, ...]:
        """Recorded turns on or after ``since``, oldest first."""
        rows = self._read(
            "SELECT at, channel, query, intent, confidence, fallback, clarified, product FROM turns"
            " WHERE substr(at, 1, 10) >= ? ORDER BY at, id",
            since,
        )
        return tuple(
            TurnRecord(str(r[0]), str(r[1]), str(r[2]), str(r[3]), float(r[4]),  # type: ignore[arg-type]
                       bool(r[5]), bool(r[6]), r[7] if r[7] is None else str(r[7]))
            for r in rows
        )

    def feedback(self, since: date | None = None) -> tuple[FeedbackRecord, ...]:
        """Recorded 👍/👎 on or after ``since``, oldest first."""
        rows = self._read(
            "SELECT at, channel, intent, helpful, query, product FROM feedback"
            " WHERE substr(at, 1, 10) >= ? ORDER BY at, id",
            since,
        )
        return tuple(
            FeedbackRecord(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), str(r[4]),
                           r[5] if r[5] is None else str(r[5]))
            for r in rows
        )


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the database to the newest schema version, one migration after the other.

    Under an immediate (write) lock, so two processes starting at once do not
    both apply the same step; SQLite's DDL is transactional, so a failed step
    leaves the previous version intact.
    """
    conn.isolation_level = None  # transactions are begun and ended here
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_META)
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '0')")
        (current,) = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        for version, script in _MIGRATIONS:
            if version > int(current):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.isolation_level = "DEFERRED"  # back to sqlite3's implicit transactions for the writes
