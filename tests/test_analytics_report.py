"""The maintainer's report, built from a recorded fixture conversation set.

The fixture (tests/fixtures/analytics_conversations.json) is recorded into a
temporary database through the real Recorder; every expected figure below is
worked out by hand from the fixture.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from faqbot.analytics import Recorder, build_report, report_json, report_rows
from faqbot.analytics.report import FeedbackCount, IntentCount, QueryGroup

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "analytics_conversations.json"


def record_fixture(db: Path | str) -> Recorder:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    recorder = Recorder(db)
    for t in data["turns"]:
        assert recorder.record_turn(
            t["channel"], t["query"], t["intent"], t["confidence"], t["fallback"], t["clarified"],
            t["product"], datetime.fromisoformat(t["at"]),
        )
    for f in data["feedback"]:
        assert recorder.record_feedback(
            f["channel"], f["intent"], f["helpful"], datetime.fromisoformat(f["at"]), f["query"], f["product"]
        )
    return recorder


@pytest.fixture()
def recorder(analytics_target: Path | str) -> Recorder:
    """The fixture recorded into an SQLite file and, in a second run of each test, into PostgreSQL."""
    return record_fixture(analytics_target)


def test_report_since_november(recorder: Recorder) -> None:
    since = date(2026, 11, 1)
    report = build_report(recorder.turns(since), recorder.feedback(since), since=since)
    # T1–T10 are in November; T3–T7 fell back; T9 was clarified.
    assert (report.turns, report.fallbacks, report.clarified, report.fallback_rate) == (10, 5, 1, 0.5)
    # Answered: T1, T2 cancel-howto; T8, T9 billing-timing; T10 change-email (ties: first asked first).
    assert report.intents == (
        IntentCount("cancel-howto", 2, 0.4),
        IntentCount("billing-timing", 2, 0.4),
        IntentCount("change-email", 1, 0.2),
    )
    # T3+T4 are one wording; T5 (card masked) and T6 are alike; T7 stands alone.
    assert report.unanswered == (
        QueryGroup("ポイントで払えますか", 2, 1, "fallback"),
        QueryGroup("返金してほしい [カード番号]", 2, 2, "fallback"),
        QueryGroup("領収書を発行してほしい", 1, 1, "fallback"),
    )
    # T8 (0.55 < 0.6) and T9 (clarified) are one group; T1, T2, T10 were confident.
    assert report.low_confidence == (QueryGroup("請求日はいつ", 2, 2, "billing-timing"),)
    # change-email only got a 👍 in November, so it is not listed.
    assert report.disliked == (FeedbackCount("cancel-howto", 2, 1), FeedbackCount("billing-timing", 1, 0))


def test_report_all_time(recorder: Recorder) -> None:
    report = build_report(recorder.turns(), recorder.feedback())
    assert (report.turns, report.fallbacks, report.fallback_rate) == (12, 6, 0.5)
    assert report.intents == (
        IntentCount("cancel-howto", 3, 0.5),
        IntentCount("billing-timing", 2, 0.3333),
        IntentCount("change-email", 1, 0.1667),
    )
    # T12 「ポイントで払える？」 joins the ポイント group.
    assert [(g.example, g.count) for g in report.unanswered] == [
        ("ポイントで払えますか", 3),
        ("返金してほしい [カード番号]", 2),
        ("領収書を発行してほしい", 1),
    ]
    assert report.disliked == (
        FeedbackCount("cancel-howto", 2, 1),
        FeedbackCount("billing-timing", 1, 0),
        FeedbackCount("change-email", 1, 1),
    )


def test_report_json_and_rows(recorder: Recorder) -> None:
    since = date(2026, 11, 1)
    report = build_report(recorder.turns(since), recorder.feedback(since), since=since)
    data = report_json(report)
    assert data["since"] == "2026-11-01"
    assert data["fallback_rate"] == 0.5
    assert data["unanswered"][1] == {"example": "返金してほしい [カード番号]", "count": 2, "variants": 2, "intent": "fallback"}
    rows = report_rows(report)
    assert rows[:4] == [
        ("summary", "turns", 10, "", ""),
        ("summary", "fallbacks", 5, "0.5000", ""),
        ("summary", "clarified", 1, "", ""),
        ("intent", "cancel-howto", 2, "0.4000", ""),
    ]
    assert rows[-1] == ("thumbs_down", "billing-timing", 1, "0", "")


def test_empty_report() -> None:
    report = build_report((), ())
    assert (report.turns, report.fallback_rate, report.intents, report.unanswered, report.disliked) == (0, 0.0, (), (), ())
