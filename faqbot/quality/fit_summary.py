"""What a build fitted for a knowledge base, in words: the lexical weight and the decision.

Both are fitted on the whole knowledge base, so an edit anywhere may move them — and with them
where every stored question routes.  `faqbot check` prints them; `faqbot learn` says when a change
would move them, since the lint's errors about entries the change never touched come from that.
"""

from __future__ import annotations

from dataclasses import dataclass

from faqbot.answers.answering import Engine
from faqbot.quality.evaluation import decision_text
from faqbot.quality.weights import weight_text


@dataclass(frozen=True)
class FitSummary:
    """What the build fitted (or the knowledge base states)."""

    lexical_weight: float
    weight_stated: bool
    weight: str  # the weight as `faqbot eval` names it
    decision: str  # the decision as `faqbot eval` names it

    @classmethod
    def of(cls, engine: Engine) -> FitSummary:
        """What ``engine``'s router runs with."""
        router = engine.router
        stated = router.kb.settings.lexical_weight is not None
        return cls(router.lexical_weight, stated, weight_text(router), decision_text(engine))

    def line(self) -> str:
        """One line of text: ``fit: lexical weight …; decision: …``."""
        return f"fit: lexical weight {self.weight}; decision: {self.decision}"

    def as_json(self) -> dict[str, object]:
        """The ``--json`` shape."""
        return {"lexical_weight": self.lexical_weight, "lexical_weight_stated": self.weight_stated, "decision": self.decision}
