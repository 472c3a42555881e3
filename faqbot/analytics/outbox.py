"""The handoff outbox: conversations handed to a person, kept until the desk has them.

Every handoff the web server sends to the operator's desk (``FAQBOT_HANDOFF_URL``)
is written here *before* the first attempt, so a delivery that fails — the desk
answers 500, never answers, or the server stops mid-way — is kept and retried,
never lost silently.  ``faqbot report`` lists what is still undelivered.

Its own SQLite file, apart from the analytics store (which may move to another
database): ``FAQBOT_HANDOFF_OUTBOX=/path/file.sqlite3``, else
``$XDG_STATE_HOME/faqbot/handoff-outbox.sqlite3`` (``~/.local/state/…``).

The stored body is the webhook's JSON exactly as signed and sent; the web layer
masks personal data before it gets here.  A connection is opened per call, so
the outbox can be shared by the server's threads and, through WAL mode and the
lease in :meth:`Outbox.claim_due`, by several worker processes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from faqbot.errors import FaqbotError

ENV_OUTBOX = "FAQBOT_HANDOFF_OUTBOX"

STATUS_PENDING = "pending"  # not delivered yet; retried in the background
STATUS_DELIVERED = "delivered"
STATUS_GAVE_UP = "gave_up"  # retries exhausted: staff must pass it on by hand

_SCHEMA = """
CREATE TABLE IF NOT EXISTS handoff_outbox (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created REAL NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS handoff_outbox_due ON handoff_outbox (status, next_attempt);
"""
_COLUMNS = "key, body, created, status, attempts, next_attempt, last_error"


class OutboxError(FaqbotError):
    """The handoff outbox cannot be opened, read or written."""

    code = "outbox_error"


@dataclass(frozen=True)
class Delivery:
    """One handoff on its way to the desk; times are POSIX seconds (UTC)."""

    key: str  # the idempotency key the desk sees with every attempt
    body: str  # the JSON sent, as signed
    created: float
    status: str  # one of the STATUS_* values
    attempts: int
    next_attempt: float
    last_error: str


@dataclass(frozen=True)
class Kept:
    """What :meth:`Outbox.add` found or wrote, and whether the caller now holds it to send."""

    delivery: Delivery
    ours: bool  # False: delivered already, or held by another sender right now


def reference(key: str) -> str:
    """The short reference a customer quotes to the desk: the key's first 8 letters and digits."""
    return key.replace("-", "").replace("_", "")[:8].upper()


def default_outbox_path(env: Mapping[str, str]) -> Path:
    """``$XDG_STATE_HOME/faqbot/handoff-outbox.sqlite3`` or ``~/.local/state/faqbot/handoff-outbox.sqlite3``."""
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state) / "faqbot" / "handoff-outbox.sqlite3"


def outbox_path(env: Mapping[str, str] | None = None) -> Path:
    """The outbox file: ``FAQBOT_HANDOFF_OUTBOX``, else :func:`default_outbox_path`."""
    env = os.environ if env is None else env
    return Path(env[ENV_OUTBOX]).expanduser() if env.get(ENV_OUTBOX) else default_outbox_path(env)


class Outbox:
    """Handoff deliveries in one SQLite file; every method raises :class:`OutboxError` on I/O trouble."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, key: str, body: str, now: float, hold: float = 0.0) -> Kept:
        """Keep a delivery, due ``hold`` seconds from ``now``; an existing ``key`` keeps its first body (idempotent).

        ``hold`` is the time the caller takes to attempt it itself: until then no background
        worker claims it, so the desk is not sent a delivery twice at once.  A repeat of a
        delivery the desk does not have and nobody holds (due now, or given up) is held for
        this caller the same way; one that another request or a worker holds is left alone,
        and :attr:`Kept.ours` is False: the caller must not send it.
        """
        with self._connect(create=True, immediate=True) as db:  # read and claim under one write lock
            inserted = db.execute(
                f"INSERT OR IGNORE INTO handoff_outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, 0, ?, '')",
                (key, body, now, STATUS_PENDING, now + hold),
            ).rowcount
            taken = inserted or db.execute(
                # A given-up delivery asked for again is pending again: the desk still does not have it.
                "UPDATE handoff_outbox SET status = ?, next_attempt = ? WHERE key = ? AND status != ? AND next_attempt <= ?",
                (STATUS_PENDING, now + hold, key, STATUS_DELIVERED, now),
            ).rowcount
            row = db.execute(f"SELECT {_COLUMNS} FROM handoff_outbox WHERE key = ?", (key,)).fetchone()
        if row is None:  # just written: only a vanished file gets here
            raise OutboxError(f"The handoff outbox {self.path} lost delivery {key}; check the disk.")
        return Kept(Delivery(*row), ours=bool(taken))

    def get(self, key: str) -> Delivery | None:
        """The delivery with ``key``, or None."""
        if not self.path.exists():
            return None
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM handoff_outbox WHERE key = ?", (key,)).fetchone()
        return Delivery(*row) if row else None

    def record_attempt(self, key: str, error: str | None, retry_at: float | None, attempts: int = 1) -> None:
        """``attempts`` more attempts: delivered when ``error`` is None; else due at ``retry_at`` (None: given up)."""
        if error is None:
            status, when, error = STATUS_DELIVERED, 0.0, ""
        elif retry_at is None:
            status, when = STATUS_GAVE_UP, 0.0
        else:
            status, when = STATUS_PENDING, retry_at
        with self._connect() as db:
            db.execute(
                "UPDATE handoff_outbox SET status = ?, attempts = attempts + ?, next_attempt = ?, last_error = ?"
                " WHERE key = ?",
                (status, attempts, when, error[:500], key),
            )

    def claim_due(self, now: float, lease: float, limit: int = 20) -> list[Delivery]:
        """Pending deliveries due by ``now``, each pushed ``lease`` seconds ahead so no other worker takes it too."""
        if not self.path.exists():
            return []
        with self._connect(immediate=True) as db:  # claim and read under one write lock
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM handoff_outbox WHERE status = ? AND next_attempt <= ?"
                " ORDER BY next_attempt LIMIT ?",
                (STATUS_PENDING, now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE handoff_outbox SET next_attempt = ? WHERE key = ?", [(now + lease, row[0]) for row in rows]
            )
        return [Delivery(*row) for row in rows]

    def undelivered(self) -> list[Delivery]:
        """Every delivery the desk does not have yet (pending or given up), oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM handoff_outbox WHERE status != ? ORDER BY created", (STATUS_DELIVERED,)
            ).fetchall()
        return [Delivery(*row) for row in rows]

    @contextmanager
    def _connect(self, create: bool = False, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success; sqlite3 errors become :class:`OutboxError`."""
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            raise OutboxError(f"The handoff outbox {self.path} cannot be used: {exc}. Check {ENV_OUTBOX}.") from exc
