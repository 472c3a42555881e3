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

import math
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
    if settings.threshold is not None or settings.min_confidence is not None:
        return []  # a hand-set floor or probability: the author chose it, nothing fitted to judge
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
    return [Problem(SERVICE_FILE, _router_line(router.kb.root / SERVICE_FILE), message + _weight_advice(router), severity="warning")]


def _weight_advice(router: Router) -> str:
    """A sentence on ``router.lexical_weight`` when the KB's own alternates, held out, rank clearly better with another weight.

    Clearly: by more than one standard error of the best share (the rule the weight's fit uses).
    Empty when the weight is stated, the alternates are too few, or no weight does clearly better.
    """
    from faqbot.routing.training import held_out_ranking  # a sibling of the fit, at check time only

    if router.kb.settings.lexical_weight is not None:
        return ""
    ranking = held_out_ranking(router)
    now = ranking.at(router.lexical_weight) if ranking is not None else None
    if ranking is None or now is None:
        return ""
    weight, best = ranking.best()
    if best - now <= math.sqrt(best * (1.0 - best) / ranking.questions):
        return ""
    return (
        f"; held out as customers' paraphrases, its alternates rank their entry first {now:.0%} of the time at the "
        f"fitted lexical weight {router.lexical_weight:g} and {best:.0%} at {weight:g}: try `lexical_weight: {weight:g}` "
        "under router: in service.yaml, and confirm it with `faqbot eval`'s table of weights on customers' messages"
    )


def _router_line(path: Path) -> int:
    """The line of ``router:`` in ``path`` (0 when the file states no router settings)."""
    data = load_yaml(path, display=SERVICE_FILE)  # it loaded with the knowledge base, so it parses
    return line_of(data, "router") if isinstance(data, dict) and "router" in data else 0
