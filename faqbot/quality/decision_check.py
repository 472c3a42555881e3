"""Does the fitted decision answer the knowledge base's own questions?  A warning for ``faqbot check``.

A knowledge base that states no ``router.threshold`` gets a decision fitted on its own
material (:mod:`faqbot.routing.calibration_fit`).  When its held-out questions are far
harder than customers' messages — few alternates per entry, each worded unlike the
others — the fitted cut can refuse most of what the knowledge base answers, and nothing
else tells its author (a user trial's 21-entry KB: 4 % of its own questions answered,
cross-validated, and 9 % of its author's labelled questions).  The same cross-validation
the fit uses says it beforehand.  Two later trials, warned at 1–11 % with four or five
alternates per entry, cleared it with eight to ten: the message says so, rather than the
three the few-alternates warning asks for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from faqbot.errors import Problem
from faqbot.kb.yamlsource import line_of, load_yaml

if TYPE_CHECKING:
    from faqbot.routing.router import Router

# Below this share of its own held-out questions answered, the author is warned: fewer than
# half means most customers asking what the knowledge base answers would be refused.
MIN_ANSWERED = 0.5
SERVICE_FILE = "service.yaml"


def decision_coverage(router: Router) -> list[Problem]:
    """A warning when the fitted decision answers fewer than :data:`MIN_ANSWERED` of the KB's own questions."""
    from faqbot.routing.calibration_fit import cross_validate_chosen, fit_calibration

    settings = router.kb.settings
    if settings.threshold is not None or settings.min_confidence is not None or settings.score_cut is not None:
        return []  # a hand-set floor, probability or held cut: the author chose it, nothing fitted to judge
    fit = fit_calibration(router, settings.target_precision)
    if not fit.calibration.fitted:
        return []  # too few examples to fit: the score stands in, as documented
    answered = cross_validate_chosen(fit).answered
    if answered >= MIN_ANSWERED:
        return []
    message = (
        f"the fitted decision answers only {answered:.0%} of this knowledge base's own questions when each "
        f"is held out (cross-validated, router.target_precision {settings.target_precision}): most customers' "
        "questions will be refused; add alternates in customers' own words, each asking the whole question "
        "(three per entry is only the floor the few-alternates warning checks: user trials needed eight to ten "
        "to clear this warning), or label questions as customers ask them (JSONL lines "
        '{"q": …, "intent": entry id or "fallback", "product": id or null}, docs/knowledge-format.md) and run '
        "`faqbot eval` on them: its precision–coverage table shows what a lower router.target_precision, or a "
        "stated router.min_confidence, would answer and how often rightly"
    )
    return [Problem(SERVICE_FILE, _router_line(router.kb.root / SERVICE_FILE), message, severity="warning")]


def _router_line(path: Path) -> int:
    """The line of ``router:`` in ``path`` (0 when the file states no router settings)."""
    data = load_yaml(path, display=SERVICE_FILE)  # it loaded with the knowledge base, so it parses
    return line_of(data, "router") if isinstance(data, dict) and "router" in data else 0
