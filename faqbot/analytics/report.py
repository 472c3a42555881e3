"""The maintainer's report: what customers asked that the knowledge base did not answer well.

Built from recorded turns and feedback (:mod:`faqbot.analytics.store`):

* the fallback rate (and how often the bot had to ask which question was meant),
  overall and day by day;
* the most asked intents;
* the to-do list: unanswered, clarified, low-confidence (answered below
  :data:`LOW_CONFIDENCE`) and 👎 messages grouped by meaning with the router's
  own analysis (:mod:`faqbot.analytics.grouping`), each group labelled with
  what the engine makes of it;
* 👍/👎 per answer, and the answers with the most 👎.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from faqbot.analytics.grouping import (
    SOURCE_CLARIFIED,
    SOURCE_FALLBACK,
    SOURCE_LOW,
    SOURCE_THUMBS_DOWN,
    Group,
    Message,
    group_messages,
)
from faqbot.analytics.store import FeedbackRecord, TurnRecord
from faqbot.routing.router import Router

#: Answered turns below this confidence count as low-confidence.
LOW_CONFIDENCE = 0.6
#: How many intents and groups each section lists.
TOP = 20


@dataclass(frozen=True)
class IntentCount:
    """How often one intent was answered."""

    intent: str
    count: int
    share: float  # of all answered turns


@dataclass(frozen=True)
class DayCount:
    """Turns and fallbacks on one day."""

    day: str  # YYYY-MM-DD
    turns: int
    fallbacks: int

    @property
    def fallback_rate(self) -> float:
        """Share of the day's turns that fell back."""
        return _rate(self.fallbacks, self.turns)


@dataclass(frozen=True)
class FeedbackCount:
    """👍 and 👎 on the answer of one intent."""

    intent: str
    down: int
    up: int


@dataclass(frozen=True)
class Report:
    """Everything ``faqbot report`` shows."""

    since: date | None
    turns: int
    fallbacks: int
    clarified: int
    fallback_rate: float
    intents: tuple[IntentCount, ...]
    groups: tuple[Group, ...]  # the to-do list, biggest group first
    disliked: tuple[FeedbackCount, ...]  # answers with a 👎, most first
    days: tuple[DayCount, ...] = ()  # oldest first
    votes: tuple[FeedbackCount, ...] = ()  # every voted answer, by entry id


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def to_do_messages(
    turns: tuple[TurnRecord, ...], feedback: tuple[FeedbackRecord, ...], low_confidence: float = LOW_CONFIDENCE
) -> list[Message]:
    """The messages a maintainer should look at: fallbacks, clarified, low-confidence and 👎 turns."""
    messages: list[Message] = []
    for t in turns:
        if t.fallback:
            messages.append(Message(t.query, SOURCE_FALLBACK))
        elif t.clarified:
            messages.append(Message(t.query, SOURCE_CLARIFIED))
        elif t.confidence < low_confidence:
            messages.append(Message(t.query, SOURCE_LOW))
    # A 👎 without the question it answered says nothing to group.
    messages += [Message(f.query, SOURCE_THUMBS_DOWN) for f in feedback if not f.helpful and f.query.strip()]
    return messages


def _days(turns: tuple[TurnRecord, ...]) -> tuple[DayCount, ...]:
    totals: Counter[str] = Counter(t.at[:10] for t in turns)
    fallbacks: Counter[str] = Counter(t.at[:10] for t in turns if t.fallback)
    return tuple(DayCount(day, totals[day], fallbacks[day]) for day in sorted(totals))


def build_report(
    turns: tuple[TurnRecord, ...],
    feedback: tuple[FeedbackRecord, ...],
    router: Router,
    since: date | None = None,
    low_confidence: float = LOW_CONFIDENCE,
    top: int = TOP,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Summarise recorded ``turns`` and ``feedback`` (already filtered by ``since``);
    ``router`` groups the to-do list by meaning."""
    fallbacks = [t for t in turns if t.fallback]
    answered = [t for t in turns if not t.fallback]
    counts = Counter(t.intent for t in answered)
    first_seen = {t.intent: i for i, t in reversed(list(enumerate(answered)))}
    intents = sorted(counts.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
    votes: dict[str, list[int]] = {}
    for f in feedback:
        votes.setdefault(f.intent, [0, 0])[0 if not f.helpful else 1] += 1
    counted = [FeedbackCount(intent, down, up) for intent, (down, up) in votes.items()]
    disliked = sorted((c for c in counted if c.down), key=lambda c: (-c.down, c.up, c.intent))
    return Report(
        since=since,
        turns=len(turns),
        fallbacks=len(fallbacks),
        clarified=sum(1 for t in turns if t.clarified),
        fallback_rate=_rate(len(fallbacks), len(turns)),
        intents=tuple(IntentCount(i, n, _rate(n, len(answered))) for i, n in intents[:top]),
        groups=group_messages(to_do_messages(turns, feedback, low_confidence), router, progress=progress)[:top],
        disliked=tuple(disliked[:top]),
        days=_days(turns),
        votes=tuple(sorted(counted, key=lambda c: c.intent)),
    )


def report_json(report: Report) -> dict[str, object]:
    """The ``faqbot report --json`` shape."""
    return {
        "since": report.since.isoformat() if report.since else None,
        "turns": report.turns,
        "fallbacks": report.fallbacks,
        "clarified": report.clarified,
        "fallback_rate": report.fallback_rate,
        "intents": [{"intent": i.intent, "count": i.count, "share": i.share} for i in report.intents],
        "groups": [group_json(g) for g in report.groups],
        "disliked": [{"intent": d.intent, "down": d.down, "up": d.up} for d in report.disliked],
        "days": [{"day": d.day, "turns": d.turns, "fallbacks": d.fallbacks} for d in report.days],
    }


def group_json(g: Group) -> dict[str, object]:
    """One to-do group as JSON (``faqbot report --json``, ``faqbot learn --json``)."""
    return {
        "id": g.id,
        "label": g.label,
        "label_text": g.label_text,
        "entry": g.entry,
        "confidence": g.confidence,
        "count": g.count,
        "phrasings": [{"text": p.text, "count": p.count, "masked": p.masked} for p in g.phrasings],
        "sources": dict(g.sources),
    }


#: Columns of ``faqbot report --csv``: one row per figure, the section saying which.
CSV_HEADER = ("section", "key", "count", "value", "example")


def report_rows(report: Report) -> list[tuple[str, str, int, str, str]]:
    """The report as flat rows under :data:`CSV_HEADER` (for spreadsheets)."""
    rows: list[tuple[str, str, int, str, str]] = [
        ("summary", "turns", report.turns, "", ""),
        ("summary", "fallbacks", report.fallbacks, f"{report.fallback_rate:.4f}", ""),
        ("summary", "clarified", report.clarified, "", ""),
    ]
    rows += [("intent", i.intent, i.count, f"{i.share:.4f}", "") for i in report.intents]
    rows += [("group", g.id, g.count, g.label_text, g.example) for g in report.groups]
    rows += [("thumbs_down", d.intent, d.down, str(d.up), "") for d in report.disliked]
    return rows
