"""The values the analytics store hands out, and its error, shared by both backends."""

from __future__ import annotations

from dataclasses import dataclass

from faqbot.errors import FaqbotError


class AnalyticsError(FaqbotError):
    """The analytics database cannot be opened or read, or its setting is wrong."""

    code = "analytics_error"


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
