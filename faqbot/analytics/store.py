"""The analytics store: each turn's outcome and each 👍/👎, for ``faqbot report``.

Two backends behind one :class:`Recorder`: an SQLite file, the embedded
default (:mod:`faqbot.analytics.sqlite_backend`), and PostgreSQL for several
instances sharing one database (:mod:`faqbot.analytics.postgres_backend`).
Both use the same schema and queries (:mod:`faqbot.analytics.schema`).

Every query is passed through :func:`faqbot.text.privacy.mask_personal_data`
*before* it reaches either database: card numbers, e-mail addresses and phone
numbers are never stored.

Where records go (see :func:`analytics_settings`):

* ``FAQBOT_ANALYTICS=off`` (or ``0``, ``false``, ``no``) switches recording off;
* ``FAQBOT_ANALYTICS_DB=postgresql://user@host:5432/db`` (or ``postgres://``) chooses PostgreSQL;
* ``FAQBOT_ANALYTICS_DB=/path/file.sqlite3`` chooses the SQLite file;
* otherwise ``$XDG_STATE_HOME/faqbot/analytics.sqlite3``, falling back to
  ``~/.local/state/faqbot/analytics.sqlite3``.

Any other ``scheme://`` value is refused: it would otherwise become a folder
named after the scheme while the operator believes the records go elsewhere.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from faqbot.analytics import schema
from faqbot.analytics.records import AnalyticsError, FeedbackRecord, TurnRecord
from faqbot.analytics.sqlite_backend import SqliteBackend
from faqbot.text.privacy import mask_personal_data

if TYPE_CHECKING:
    from faqbot.analytics.postgres_backend import PostgresBackend

__all__ = ["AnalyticsError", "AnalyticsSettings", "FeedbackRecord", "Recorder", "TurnRecord"]

ENV_SWITCH = "FAQBOT_ANALYTICS"
ENV_DB = "FAQBOT_ANALYTICS_DB"
_OFF = frozenset({"off", "0", "false", "no"})
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class AnalyticsSettings:
    """Whether to record, and where: a PostgreSQL ``url``, else the SQLite ``path``."""

    enabled: bool
    path: Path
    url: str | None = None

    @property
    def target(self) -> Path | str:
        """What :class:`Recorder` takes: the URL when there is one, else the path."""
        return self.url if self.url is not None else self.path


def default_db_path(env: Mapping[str, str]) -> Path:
    """``$XDG_STATE_HOME/faqbot/analytics.sqlite3`` or ``~/.local/state/faqbot/analytics.sqlite3``."""
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state) / "faqbot" / "analytics.sqlite3"


def database_url(value: str) -> str | None:
    """``value`` when it is a PostgreSQL URL, None when it is a path.

    Raises :class:`AnalyticsError` for a URL of any other scheme.
    """
    match = _URL.match(value)
    if match is None:
        return None
    if match.group(1).lower() in POSTGRES_SCHEMES:
        return value
    raise AnalyticsError(
        f"{ENV_DB}={match.group(1)}://… is a database URL of a kind faqbot cannot use; "
        "give a postgresql:// URL or the path of an SQLite file."
    )


def analytics_settings(env: Mapping[str, str] | None = None) -> AnalyticsSettings:
    """Read ``FAQBOT_ANALYTICS`` and ``FAQBOT_ANALYTICS_DB`` from ``env`` (default: the process)."""
    env = os.environ if env is None else env
    enabled = env.get(ENV_SWITCH, "on").strip().lower() not in _OFF
    value = env.get(ENV_DB, "").strip()
    url = database_url(value)
    path = Path(value).expanduser() if value and url is None else default_db_path(env)
    return AnalyticsSettings(enabled=enabled, path=path, url=url)


class Recorder:
    """Appends turns and feedback to the analytics database; a no-op when disabled.

    ``target`` is a PostgreSQL URL (``postgresql://…``), an SQLite file path,
    or None (recording off).  Recording is best effort: a full disk, a locked
    file or a database that is down must never break a conversation, so write
    errors are kept in :attr:`last_error` instead of raised.
    """

    def __init__(self, target: Path | str | None) -> None:
        self._backend: SqliteBackend | PostgresBackend | None = None
        url = database_url(target) if isinstance(target, str) else None
        if url is not None:
            # Imported here: psycopg takes ~0.4 s to import, which every faqbot command would pay.
            from faqbot.analytics.postgres_backend import PostgresBackend

            self._backend = PostgresBackend(url)
        elif target is not None:
            self._backend = SqliteBackend(Path(target))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Recorder:
        """The recorder the environment asks for (disabled with ``FAQBOT_ANALYTICS=off``)."""
        settings = analytics_settings(env)
        return cls(settings.target if settings.enabled else None)

    @property
    def enabled(self) -> bool:
        """False when recording is switched off."""
        return self._backend is not None

    @property
    def location(self) -> str:
        """Where records go, for messages (a URL without its password)."""
        return self._backend.location if self._backend is not None else "(recording off)"

    @property
    def last_error(self) -> str | None:
        """The last write problem, or None."""
        return self._backend.last_error if self._backend is not None else None

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
        pending_card_digits: int = 0,
    ) -> bool:
        """Store one turn's outcome; True when it was written or queued.

        ``query`` is masked here, the one place every recorded message passes;
        ``pending_card_digits`` is the conversation's count of card digits left
        pending by the message before (``DialogueState.card_digits``), so the
        second half of a card number split over two messages is masked too.
        """
        if self._backend is None:
            return False
        return self._backend.write(
            schema.INSERT_TURN,
            (at.isoformat(timespec="seconds"), channel, mask_personal_data(query, pending_card_digits), intent,
             float(confidence), int(fallback), int(clarified), product, uuid.uuid4().hex),
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
        """Store a 👍 (``helpful=True``) or 👎 on the answer of ``intent``; True when written or queued.

        With a ``turn`` id, a turn counts once: a later vote for the same turn
        replaces the earlier one (the customer corrected a misclick), so repeating
        a vote cannot stuff the report.
        """
        if self._backend is None:
            return False
        return self._backend.write(
            schema.INSERT_FEEDBACK,
            (at.isoformat(timespec="seconds"), channel, intent, int(helpful), mask_personal_data(query), product, turn),
        )

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until queued records are written (PostgreSQL); True when none is left."""
        return self._backend.flush(timeout) if self._backend is not None else True

    def _read(self, sql: str, since: date | None) -> list[tuple[object, ...]]:
        if self._backend is None:
            raise AnalyticsError("Analytics recording is switched off (FAQBOT_ANALYTICS=off); pass --db PATH.")
        return self._backend.read(sql, since.isoformat() if since else "")

    def turns(self, since: date | None = None) -> tuple[TurnRecord, ...]:
        """Recorded turns on or after ``since``, oldest first."""
        return tuple(
            TurnRecord(str(r[0]), str(r[1]), str(r[2]), str(r[3]), float(r[4]),  # type: ignore[arg-type]
                       bool(r[5]), bool(r[6]), r[7] if r[7] is None else str(r[7]))
            for r in self._read(schema.SELECT_TURNS, since)
        )

    def feedback(self, since: date | None = None) -> tuple[FeedbackRecord, ...]:
        """Recorded 👍/👎 on or after ``since``, oldest first."""
        return tuple(
            FeedbackRecord(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), str(r[4]),
                           r[5] if r[5] is None else str(r[5]))
            for r in self._read(schema.SELECT_FEEDBACK, since)
        )
