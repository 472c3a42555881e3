"""Knowledge-base checks that need the router: does each question route home?

The loader (:mod:`faqbot.kb_loader`) catches structural problems; this module
catches content problems a maintainer can only see by routing: an alternate
question that, if it were not stored, would be answered by another entry is
ambiguous wording that misleads the router.
"""

from __future__ import annotations

from faqbot.errors import Problem
from faqbot.knowledge import KnowledgeBase
from faqbot.router import DECISION_ANSWER, Router


def misrouted_alternates(kb: KnowledgeBase, router: Router) -> list[Problem]:
    """Alternates that route to a different entry when left out of the index."""
    problems: list[Problem] = []
    for entry in kb.entries:
        for i, alternate in enumerate(entry.alternates):
            # Only a confident wrong answer is an error: a left-out question that
            # clarifies or falls back still reaches its entry through the others.
            routing = router.route(alternate, exclude=alternate, top=1)
            if routing.decision != DECISION_ANSWER or routing.intent == entry.id:
                continue
            ranked = routing.matches
            line = entry.alternate_lines[i] if i < len(entry.alternate_lines) else entry.line
            problems.append(
                Problem(
                    entry.source,
                    line,
                    f"alternate question {alternate!r} of {entry.id!r} routes to {ranked[0].entry_id!r}",
                )
            )
    return problems
