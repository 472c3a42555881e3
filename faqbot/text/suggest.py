"""The closest of a set of known names to a mistyped one: what a "did you mean" offers.

Shared by every check that names a wrong id or key (an evaluation label, a knowledge-base
key or related entry, an entry id typed to ``faqbot show``), so they all suggest alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

#: How alike (0–100, rapidfuzz's ratio of the whole names) a known name must be to the typed one to be offered.
SUGGEST_MIN_SCORE = 70.0


def closest(typed: str, known: Iterable[str]) -> str | None:
    """The known name most like ``typed`` (None when none is alike enough).

    Whole names are compared (a typo of ``answer_en`` is offered ``answer_en``, not the
    ``answer`` inside it; a lone ``q`` is offered nothing).
    """
    best = process.extractOne(typed, list(known), scorer=fuzz.ratio, score_cutoff=SUGGEST_MIN_SCORE)
    return str(best[0]) if best else None


def suggestion(typed: str, known: Iterable[str], otherwise: str) -> str:
    """``did you mean 'NAME'?`` for the known name closest to ``typed``, else ``otherwise`` (the next step)."""
    best = closest(typed, known)
    return f"did you mean {best!r}?" if best else otherwise


def did_you_mean(typed: str, known: Iterable[str]) -> str:
    """`` (did you mean 'ID'?)`` naming the known name closest to ``typed``, or "" when none is close."""
    best = closest(typed, known)
    return f" (did you mean {best!r}?)" if best else ""
