"""The handoff outbox: deliveries kept until the desk has them, claimed once, listed for staff."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.analytics.outbox import (
    STATUS_DELIVERED,
    STATUS_GAVE_UP,
    STATUS_PENDING,
    Outbox,
    OutboxError,
    outbox_path,
    reference,
)
from faqbot.cli import main
from faqbot.web.webhook import MAX_ATTEMPTS, next_retry
from tests.test_analytics_report import record_fixture

KEY = "k" * 20


def test_a_delivery_is_given_up_after_the_last_attempt_and_stays_listed(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, "{}", now=100.0)
    outbox.record_attempt(KEY, "HTTP 500", next_retry(MAX_ATTEMPTS, 100.0))
    [stuck] = outbox.undelivered()
    assert stuck.status == STATUS_GAVE_UP and stuck.last_error == "HTTP 500"
    assert outbox.claim_due(now=10_000.0, lease=60.0) == []  # never retried again by itself


def test_claimed_deliveries_are_not_claimed_twice(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, "{}", now=100.0)
    assert [d.key for d in outbox.claim_due(now=200.0, lease=60.0)] == [KEY]
    assert outbox.claim_due(now=210.0, lease=60.0) == []  # another worker, during the lease
    assert [d.key for d in outbox.claim_due(now=270.0, lease=60.0)] == [KEY]


def test_a_held_delivery_is_not_claimed_while_its_sender_attempts_it(tmp_path: Path) -> None:
    # The request that adds a delivery attempts it at once; a background worker that claimed it
    # meanwhile sent the desk a second copy (the widget test of a desk answering 500 first saw
    # three arrivals when the worker's look fell inside the request's backoff).
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, "{}", now=100.0, hold=4.0)
    assert outbox.claim_due(now=103.9, lease=60.0) == []
    assert [d.key for d in outbox.claim_due(now=104.0, lease=60.0)] == [KEY]  # its sender died: retried


def test_adding_a_key_twice_keeps_the_first(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, '{"first": 1}', now=100.0)
    again = outbox.add(KEY, '{"second": 2}', now=200.0)
    assert (again.delivery.body, again.delivery.created) == ('{"first": 1}', 100.0)


def test_a_repeat_is_sent_only_by_whoever_holds_the_delivery(tmp_path: Path) -> None:
    # The widget re-sends a handoff (same key) while the first request is still attempting it:
    # the repeat must not send the desk a second copy at the same time.
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    assert outbox.add(KEY, "{}", now=100.0, hold=4.0).ours
    assert not outbox.add(KEY, "{}", now=102.0, hold=4.0).ours  # the first request holds it
    assert outbox.claim_due(now=103.0, lease=60.0) == []
    assert outbox.add(KEY, "{}", now=104.0, hold=4.0).ours  # its sender died: the repeat takes over
    assert outbox.claim_due(now=107.0, lease=60.0) == []  # now held for the repeat


def test_a_repeat_of_a_given_up_delivery_is_sent_again(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, "{}", now=100.0)
    outbox.record_attempt(KEY, "HTTP 500", None)  # given up
    kept = outbox.add(KEY, "{}", now=5_000.0, hold=4.0)
    assert kept.ours and kept.delivery.status == STATUS_PENDING


def test_a_delivered_handoff_is_never_ours_to_send_again(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, "{}", now=100.0)
    outbox.record_attempt(KEY, None, None)
    kept = outbox.add(KEY, "{}", now=5_000.0)
    assert not kept.ours and kept.delivery.status == STATUS_DELIVERED


def test_an_unusable_outbox_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutboxError, match="FAQBOT_HANDOFF_OUTBOX"):
        Outbox(tmp_path / "file" / "outbox.sqlite3").add(KEY, "{}", now=1.0)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"FAQBOT_HANDOFF_OUTBOX": "/srv/o.sqlite3"}, Path("/srv/o.sqlite3")),
        ({"XDG_STATE_HOME": "/state"}, Path("/state/faqbot/handoff-outbox.sqlite3")),
        ({"HOME": "/home/a"}, Path("/home/a/.local/state/faqbot/handoff-outbox.sqlite3")),
    ],
)
def test_where_the_outbox_lives(env: dict[str, str], expected: Path) -> None:
    assert outbox_path(env) == expected


@pytest.mark.parametrize(("key", "ref"), [("abcd-ef12-3456", "ABCDEF12"), ("k" * 20, "KKKKKKKK")])
def test_the_reference_a_customer_quotes(key: str, ref: str) -> None:
    assert reference(key) == ref


def test_faqbot_report_lists_undelivered_handoffs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "analytics.sqlite3"
    record_fixture(db)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    monkeypatch.setenv("FAQBOT_HANDOFF_OUTBOX", str(outbox.path))
    outbox.add("a" * 20, "{}", now=1_796_000_000.0)
    outbox.record_attempt("a" * 20, "HTTP 500", retry_at=1_796_000_030.0, attempts=3)
    outbox.add("b" * 20, "{}", now=1_796_000_100.0)
    outbox.record_attempt("b" * 20, "no answer within 3 s", retry_at=None)
    outbox.add("c" * 20, "{}", now=1_796_000_200.0)
    outbox.record_attempt("c" * 20, None, retry_at=None)  # delivered: not listed
    result = CliRunner().invoke(main, ["report", "--db", str(db)])
    assert result.exit_code == 0, result.output
    section = result.stdout.split("■ 担当者に届いていない引き継ぎ")[1].splitlines()
    rows = [line.split() for line in section[1:4]]
    assert rows == [
        ["受付番号", "状態", "試行", "受付", "(UTC)", "最後のエラー"],
        ["AAAAAAAA", "再送中", "3", "2026-11-30", "00:53", "HTTP", "500"],
        ["BBBBBBBB", "打ち切り(要手作業)", "1", "2026-11-30", "00:55", "no", "answer", "within", "3", "s"],
    ]


def test_faqbot_report_says_when_every_handoff_arrived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "analytics.sqlite3"
    record_fixture(db)
    monkeypatch.setenv("FAQBOT_HANDOFF_OUTBOX", str(tmp_path / "none.sqlite3"))
    result = CliRunner().invoke(main, ["report", "--db", str(db)])
    assert result.stdout.split("■ 担当者に届いていない引き継ぎ\n")[1].startswith("  (なし)\n")
