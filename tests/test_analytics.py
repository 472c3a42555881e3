"""The analytics store: where it lives, switching it off, masking before storage."""

from __future__ import annotations

import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.analytics import AnalyticsError, Recorder, analytics_settings, default_db_path, schema
from faqbot.analytics.postgres_backend import PostgresBackend
from faqbot.analytics.sqlite_backend import SqliteBackend
from faqbot.cli import main
from faqbot.terminal.chat import Conversation

AT = datetime(2026, 11, 26, 10, 30)


@pytest.mark.parametrize(
    ("env", "enabled", "path"),
    [
        ({"HOME": "/home/agent"}, True, "/home/agent/.local/state/faqbot/analytics.sqlite3"),
        ({"HOME": "/home/agent", "XDG_STATE_HOME": "/var/state"}, True, "/var/state/faqbot/analytics.sqlite3"),
        ({"HOME": "/h", "FAQBOT_ANALYTICS_DB": "/data/a.sqlite3"}, True, "/data/a.sqlite3"),
        ({"HOME": "/h", "FAQBOT_ANALYTICS": "off"}, False, "/h/.local/state/faqbot/analytics.sqlite3"),
        ({"HOME": "/h", "FAQBOT_ANALYTICS": "OFF"}, False, "/h/.local/state/faqbot/analytics.sqlite3"),
        ({"HOME": "/h", "FAQBOT_ANALYTICS": "0"}, False, "/h/.local/state/faqbot/analytics.sqlite3"),
        ({"HOME": "/h", "FAQBOT_ANALYTICS": "on"}, True, "/h/.local/state/faqbot/analytics.sqlite3"),
    ],
)
def test_settings_from_environment(env: dict[str, str], enabled: bool, path: str) -> None:
    settings = analytics_settings(env)
    assert settings.enabled is enabled
    assert settings.path == Path(path)


def test_default_path_uses_xdg_state_home() -> None:
    assert default_db_path({"XDG_STATE_HOME": "/s"}) == Path("/s/faqbot/analytics.sqlite3")


def test_disabled_recorder_writes_nothing(tmp_path: Path) -> None:
    recorder = Recorder.from_env({"FAQBOT_ANALYTICS": "off", "FAQBOT_ANALYTICS_DB": str(tmp_path / "a.db")})
    assert recorder.enabled is False
    assert recorder.record_turn("web", "解約したい", "cancel-howto", 0.9, False, False, None, AT) is False
    assert not (tmp_path / "a.db").exists()


def test_turns_are_masked_before_storage(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "analytics.sqlite3"
    recorder = Recorder(db)
    assert recorder.record_turn(
        "chat", "カード 4111 1111 1111 1111 を a@example.com に", "change-card", 0.8, False, False, "mobile", AT
    )
    assert recorder.record_feedback("web", "change-card", False, AT, query="電話 090-1234-5678")
    # Read the file directly: the raw data must never have been written.
    raw = sqlite3.connect(db)
    stored = [row[0] for row in raw.execute("SELECT query FROM turns UNION ALL SELECT query FROM feedback")]
    raw.close()
    assert stored == ["カード [カード番号] を [メールアドレス] に", "電話 [電話番号]"]
    (turn,) = recorder.turns()
    assert (turn.at, turn.channel, turn.intent, turn.confidence, turn.fallback, turn.clarified, turn.product) == (
        "2026-11-26T10:30:00", "chat", "change-card", 0.8, False, False, "mobile",
    )
    (fb,) = recorder.feedback()
    assert (fb.intent, fb.helpful, fb.query) == ("change-card", False, "電話 [電話番号]")


def test_since_filters_by_date(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "a.sqlite3")
    recorder.record_turn("web", "a", "about", 0.9, False, False, None, datetime(2026, 10, 31, 23, 59))
    recorder.record_turn("web", "b", "about", 0.9, False, False, None, datetime(2026, 11, 1, 0, 0))
    assert [t.query for t in recorder.turns(date(2026, 11, 1))] == ["b"]


def test_write_errors_do_not_break_the_conversation(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    recorder = Recorder(blocker / "analytics.sqlite3")
    assert recorder.record_turn("web", "a", "about", 0.9, False, False, None, AT) is False
    assert recorder.last_error is not None and str(blocker) in recorder.last_error


def test_reading_a_missing_database_names_it(tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError, match="No analytics database at .*missing.sqlite3"):
        Recorder(tmp_path / "missing.sqlite3").turns()


def test_terminal_chat_conversation_records_its_turns(tmp_path: Path, engine) -> None:
    recorder = Recorder(tmp_path / "a.sqlite3")
    conversation = Conversation(engine, date(2026, 11, 26), recorder=recorder)
    conversation.send("ウイルスバスター モバイルを解約したい")
    conversation.send("カード 4111 1111 1111 1111 でポイント払いはできる？")
    turns = recorder.turns()
    assert [(t.channel, t.intent, t.product) for t in turns][0] == ("chat", "cancel-howto", "mobile")
    assert "4111" not in turns[1].query and "[カード番号]" in turns[1].query


@pytest.mark.parametrize("url", ["mysql://user:pw@db/x", "sqlite:///a.db", "http://db"])
def test_a_database_url_of_another_kind_is_refused_in_one_sentence(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AnalyticsError, match=r"is a database URL of a kind faqbot cannot use.*postgresql://") as info:
        analytics_settings({"HOME": "/h", "FAQBOT_ANALYTICS_DB": url})
    assert "pw" not in str(info.value) and str(info.value).count(".") <= 2  # one sentence, no credentials
    assert list(tmp_path.iterdir()) == []  # no folder named after the scheme


@pytest.mark.parametrize("url", ["postgresql://bot:secret@db.internal:5432/faqbot", "postgres://db/faqbot"])
def test_a_postgresql_url_chooses_postgresql(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = analytics_settings({"HOME": "/h", "FAQBOT_ANALYTICS_DB": url})
    assert (settings.url, settings.target) == (url, url)
    recorder = Recorder(settings.target)
    assert recorder.enabled and "secret" not in recorder.location
    assert list(tmp_path.iterdir()) == []


def test_a_version_1_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    old = sqlite3.connect(db)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema_version', '1');"
        "CREATE TABLE turns (id INTEGER PRIMARY KEY, at TEXT NOT NULL, channel TEXT NOT NULL, query TEXT NOT NULL,"
        " intent TEXT NOT NULL, confidence REAL NOT NULL, fallback INTEGER NOT NULL, clarified INTEGER NOT NULL, product TEXT);"
        "CREATE TABLE feedback (id INTEGER PRIMARY KEY, at TEXT NOT NULL, channel TEXT NOT NULL, intent TEXT NOT NULL,"
        " helpful INTEGER NOT NULL, query TEXT NOT NULL, product TEXT);"
        "INSERT INTO feedback (at, channel, intent, helpful, query) VALUES ('2026-11-01T10:00:00', 'web', 'about', 1, 'q');"
    )
    old.close()
    recorder = Recorder(db)
    assert recorder.record_feedback("web", "about", False, AT, turn="t1")
    assert recorder.record_feedback("web", "about", True, AT, turn="t1")
    assert [(f.intent, f.helpful) for f in recorder.feedback()] == [("about", True), ("about", True)]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("3",)
    conn.close()


def test_feedback_without_a_turn_is_kept_vote_by_vote(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "a.sqlite3")
    for helpful in (True, False):
        assert recorder.record_feedback("chat", "about", helpful, AT)
    assert [f.helpful for f in recorder.feedback()] == [True, False]


def test_both_backends_mask_filter_and_count_a_turn_once(analytics_target: Path | str) -> None:
    recorder = Recorder(analytics_target)
    recorder.record_turn("web", "カード 4111 1111 1111 1111 です", "change-card", 0.8, False, False, "mobile", AT)
    recorder.record_turn("web", "b", "about", 0.9, False, False, None, datetime(2026, 10, 31, 23, 59))
    for helpful in (True, False, False):
        recorder.record_feedback("web", "about", helpful, AT, "taro@example.com", None, turn="turn-1")
    recorder.record_feedback("web", "about", True, AT)
    assert recorder.flush()
    assert [t.query for t in recorder.turns()] == ["b", "カード [カード番号] です"]
    assert [t.query for t in recorder.turns(date(2026, 11, 1))] == ["カード [カード番号] です"]
    votes = [(f.helpful, f.query) for f in recorder.feedback()]
    assert sorted(votes) == [(False, "[メールアドレス]"), (True, "")]


def test_a_turn_written_twice_counts_once(analytics_target: Path | str) -> None:
    # What a retry after a lost commit acknowledgement does: the same record, with its id, again.
    backend = PostgresBackend(analytics_target) if isinstance(analytics_target, str) else SqliteBackend(analytics_target)
    values = ("2026-11-26T10:30:00", "web", "解約したい", "cancel-howto", 0.9, 0, 0, None, "record-1")
    assert backend.write(schema.INSERT_TURN, values) and backend.write(schema.INSERT_TURN, values)
    assert backend.flush(10)
    assert len(Recorder(analytics_target).turns()) == 1


def test_report_on_an_unreachable_database_says_so_in_one_sentence() -> None:
    result = CliRunner().invoke(main, ["report", "--db", "postgresql://bot:hunter2@127.0.0.1:1/faqbot"])
    assert result.exit_code == 1
    assert "Cannot read the analytics database postgresql://bot:***@127.0.0.1:1/faqbot" in result.output
    assert "hunter2" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_refuses_an_unusable_database_url_before_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_ANALYTICS_DB", "mysql://db/faqbot")
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "FAQBOT_ANALYTICS_DB=mysql://… is a database URL of a kind faqbot cannot use" in result.output
    assert "serving" not in result.output


def test_a_database_that_never_answers_neither_blocks_nor_grows_the_queue(caplog: pytest.LogCaptureFixture) -> None:
    backend = PostgresBackend("postgresql://bot:pw@127.0.0.1:1/faqbot", max_pending=2)  # nothing listens on port 1
    values = ("2026-11-26T10:30:00", "web", "q", "about", 0.9, 0, 0, None, None)
    start = time.perf_counter()
    accepted = [backend.write(schema.INSERT_TURN, values) for _ in range(10)]
    assert time.perf_counter() - start < 1.0  # a reply never waits for the database
    # The queue holds two; the writer holds at most the one batch it keeps retrying, which is
    # whatever the queue held when it took it: one or two records, by the threads' timing.
    assert 2 <= accepted.count(True) <= 4
    assert backend.dropped == accepted.count(False)
    assert backend.last_error is not None and "dropped" in backend.last_error and "pw" not in backend.last_error
    assert "dropped" in caplog.text
    backend.close(timeout=0)
    assert any(f"{n} record(s) not written" in caplog.text for n in (2, 3, 4))


def test_terminal_chat_masks_the_second_half_of_a_split_card_number(tmp_path: Path, engine) -> None:
    """The chat passes the digits left pending by the message before, as the web API does."""
    recorder = Recorder(tmp_path / "a.sqlite3")
    conversation = Conversation(engine, date(2026, 11, 26), recorder=recorder)
    conversation.send("クレジットカードを変更したい。カード番号は4111 1111")
    conversation.send("1111 1111です。解約もしたい")
    queries = [t.query for t in recorder.turns()]
    assert queries == ["クレジットカードを変更したい。カード番号は[カード番号]", "[カード番号]です。解約もしたい"]
