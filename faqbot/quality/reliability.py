"""Is the router's confidence a probability on a labelled file's messages?

The decision is fitted on the knowledge base's own questions, each held out
(:mod:`faqbot.routing.calibration_fit`); customers' messages may be easier or
harder than those.  Over the messages no rule refuses, the mean probability the
router gave its best entry should match the share whose best entry is the
labelled one.  User trials' knowledge bases with four or five questions per entry
measured 0.07–0.14 more right than the probability said (underconfident: they
refused right answers); the shipped one, with ~45, is close.

The verdict is statistical, not a tolerance picked by eye: under a calibrated
probability the number of right messages has variance ``Σ p(1 − p)``, and a
share more than :data:`Z` standard errors from the mean probability is called
under- or overconfident.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Standard errors between the share right and the mean probability before a verdict is given
# (about 5 % two-sided under a calibrated probability).
Z = 2.0
CALIBRATED, UNDERCONFIDENT, OVERCONFIDENT = "calibrated", "underconfident", "overconfident"


@dataclass(frozen=True)
class Reliability:
    """The mean probability and the share right over the ``judged`` messages no rule refuses."""

    judged: int
    mean_probability: float
    share_right: float
    verdict: str  # CALIBRATED, UNDERCONFIDENT or OVERCONFIDENT; "" when nothing was judged


def reliability(probabilities: Sequence[float], right: Sequence[bool]) -> Reliability:
    """How the probabilities of the best entries compare with whether they were right.

    ``probabilities[i]``: the probability the router gave message ``i``'s best entry (answered
    or not); ``right[i]``: was that entry the labelled one.  Raises ``ValueError`` when the two
    differ in length.
    """
    if len(probabilities) != len(right):
        raise ValueError(f"{len(probabilities)} probabilities for {len(right)} labels; give one of each per message")
    n = len(probabilities)
    if n == 0:
        return Reliability(0, 0.0, 0.0, "")
    mean = sum(probabilities) / n
    share = sum(right) / n
    spread = math.sqrt(sum(p * (1.0 - p) for p in probabilities)) / n
    return Reliability(n, mean, share, _verdict(share - mean, spread))


def _verdict(gap: float, spread: float) -> str:
    """``gap``: share right less mean probability; ``spread``: its standard error if calibrated."""
    if abs(gap) <= Z * spread:  # with every probability 0 or 1 (no spread), only an exact match
        return CALIBRATED
    return UNDERCONFIDENT if gap > 0 else OVERCONFIDENT
