"""The router's verdict on one message: the decision, the ranked entries, the confidence.

Plain values, so the dialogue, the answering layer and the staff tools read a routing
without importing the router that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

DECISION_ANSWER = "answer"
DECISION_CLARIFY = "clarify"
DECISION_FALLBACK = "fallback"
FALLBACK = "fallback"


@dataclass(frozen=True)
class Match:
    """One ranked entry: its id, the question that matched best, and its score (a similarity, not a probability)."""

    entry_id: str
    question: str
    confidence: float


@dataclass(frozen=True)
class Routing:
    """The router's verdict on one message."""

    query: str
    decision: str  # "answer", "clarify" or "fallback"
    matches: tuple[Match, ...]  # real entries, best first
    confidence: float  # probability that the decision is right (calibrated; see :attr:`intent`)
    out_of_scope: bool = False  # fell back because out-of-scope subjects or examples matched best

    @property
    def intent(self) -> str:
        """The answered entry id, or ``"fallback"``; for clarify, the best guess."""
        if self.decision == DECISION_FALLBACK or not self.matches:
            return FALLBACK
        return self.matches[0].entry_id
