"""The "did you mean" hint for an id typed wrong (「cancel-hwto」 → 'cancel-howto')."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process

# How alike (0–100, rapidfuzz's WRatio) a known id must be to the typed one to be offered.
SUGGEST_MIN_SCORE = 70.0


def did_you_mean(typed: str, known: Iterable[str]) -> str:
    """`` (did you mean 'ID'?)`` naming the known id closest to ``typed``, or "" when none is close."""
    best = process.extractOne(typed, list(known), score_cutoff=SUGGEST_MIN_SCORE)
    return f" (did you mean {best[0]!r}?)" if best else ""
