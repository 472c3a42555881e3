"""Where each fitted value of a router comes from, as the engine keeps it.

A module of its own so that opening a cached engine, which unpickles these, does not
import the fitting and reuse code of :mod:`faqbot.routing.fit_reuse` (a build's).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FitOrigin:
    """Where a router's fitted value comes from (kept in the engine)."""

    kind: str
    made_on: str  # content hash of the knowledge base the value was fitted on
    reused: bool  # kept from an earlier build under the rule of :mod:`faqbot.routing.fit_reuse`
    changed_entries: int  # entries differing from that knowledge base (0 when fitted by this build)
