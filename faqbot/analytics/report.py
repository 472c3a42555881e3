"""The maintainer's report: what customers asked that the knowledge base did not answer well.

Built from recorded turns and feedback (:mod:`faqbot.analytics.store`):

* the fallback rate (and how often the bot had to ask which question was meant);
* the most asked intents;
* unanswered queries (fallbacks) and low-confidence queries (answered below
  :data:`LOW_CONFIDENCE`, or clarified), each grouped by similarity so that
  「ポイントで払えますか」 and 「ポイントで払えますか？」 count as one group, with
  the group's size and one example — the list a maintainer works through;
* the answers with the most 👎.

Grouping compares normalised queries with rapidfuzz: a query joins the first
group whose example is at least :data:`SIMILARITY` similar, else starts one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from faqbot.analytics.store import FeedbackRecord, TurnRecord
from faqbot.text.normalize import normalize

#: Answered turns below this confidence count as low-confidence.
LOW_CONFIDENCE = 0.6
#: rapidfuzz ratio (0–100) at which two normalised queries fall in one group.
SIMILARITY = 70.0
#: How many intents and groups each section lists.
TOP = 20


@dataclass(frozen=True)
class IntentCount:
    """How often one intent was answered."""

    intent: str
    count: int
    share: float  # of all answered turns


@dataclass(frozen=True)
class QueryGroup:
    """Similar queries counted together, with one example and the intent the bot leaned to."""

    example: str
    count: int
    variants: int  # distinct wordings in the group
    intent: str  # the most frequent intent of the group's turns ("fallback" for unanswered)


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
    unanswered: tuple[QueryGroup, ...]
    low_confidence: tuple[QueryGroup, ...]
    disliked: tuple[FeedbackCount, ...]


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def group_queries(turns: tuple[TurnRecord, ...] | list[TurnRecord], similarity: float = SIMILARITY) -> tuple[QueryGroup, ...]:
    """Group turns by query similarity, biggest group first (ties: first asked first)."""
    forms: dict[str, list[TurnRecord]] = {}
    for turn in turns:
        forms.setdefault(normalize(turn.query) or turn.query, []).append(turn)
    # Most frequent wording first, so it becomes the group's example.
    ordered = sorted(forms.items(), key=lambda item: -len(item[1]))
    groups: list[tuple[str, list[str], list[TurnRecord]]] = []  # (key form, forms, turns)
    for form, members in ordered:
        best, best_score = None, similarity
        for group in groups:
            score = fuzz.ratio(form, group[0])
            if score >= best_score and (best is None or score > best_score):
                best, best_score = group, score
        if best is None:
            groups.append((form, [form], list(members)))
        else:
            best[1].append(form)
            best[2].extend(members)
    out = [
        QueryGroup(
            example=forms[key][0].query,
            count=len(members),
            variants=len(keys),
            intent=Counter(t.intent for t in members).most_common(1)[0][0],
        )
        for key, keys, members in groups
    ]
    out.sort(key=lambda g: -g.count)  # stable: equal counts keep first-asked order
    return tuple(out)


def build_report(
    turns: tuple[TurnRecord, ...],
    feedback: tuple[FeedbackRecord, ...],
    since: date | None = None,
    low_confidence: float = LOW_CONFIDENCE,
    top: int = TOP,
) -> Report:
    """Summarise recorded ``turns`` and ``feedback`` (already filtered by ``since``)."""
    fallbacks = [t for t in turns if t.fallback]
    answered = [t for t in turns if not t.fallback]
    unsure = [t for t in answered if t.clarified or t.confidence < low_confidence]
    counts = Counter(t.intent for t in answered)
    first_seen = {t.intent: i for i, t in reversed(list(enumerate(answered)))}
    intents = sorted(counts.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
    votes: dict[str, list[int]] = {}
    for f in feedback:
        votes.setdefault(f.intent, [0, 0])[0 if not f.helpful else 1] += 1
    disliked = sorted(
        (FeedbackCount(intent, down, up) for intent, (down, up) in votes.items() if down),
        key=lambda c: (-c.down, c.up, c.intent),
    )
    return Report(
        since=since,
        turns=len(turns),
        fallbacks=len(fallbacks),
        clarified=sum(1 for t in turns if t.clarified),
        fallback_rate=_rate(len(fallbacks), len(turns)),
        intents=tuple(IntentCount(i, n, _rate(n, len(answered))) for i, n in intents[:top]),
        unanswered=group_queries(fallbacks)[:top],
        low_confidence=group_queries(unsure)[:top],
        disliked=tuple(disliked[:top]),
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
        "unanswered": [_group_json(g) for g in report.unanswered],
        "low_confidence": [_group_json(g) for g in report.low_confidence],
        "disliked": [{"intent": d.intent, "down": d.down, "up": d.up} for d in report.disliked],
    }


def _group_json(g: QueryGroup) -> dict[str, object]:
    return {"example": g.example, "count": g.count, "variants": g.variants, "intent": g.intent}


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
    rows += [("unanswered", g.intent, g.count, str(g.variants), g.example) for g in report.unanswered]
    rows += [("low_confidence", g.intent, g.count, str(g.variants), g.example) for g in report.low_confidence]
    rows += [("thumbs_down", d.intent, d.down, str(d.up), "") for d in report.disliked]
    return rows
