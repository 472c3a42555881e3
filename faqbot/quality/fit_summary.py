"""What a build fitted for a knowledge base, in words: the lexical weight and the decision.

Both are fitted on the whole knowledge base, so an edit anywhere may move them — and with them
where every stored question routes.  `faqbot check` prints them; `faqbot learn` says when a change
would move them, since the lint's errors about entries the change never touched come from that.
`faqbot check` also says how firmly the weight was chosen (:class:`WeightMargin`): the shipped KB's
0.1 is inside the one-standard-error band by one question of 250, so a small edit can move it.
"""

from __future__ import annotations

from dataclasses import dataclass

from faqbot.answers.answering import Engine
from faqbot.quality.evaluation import decision_text, fitted_decision_text
from faqbot.quality.weights import vectors_text, weight_text
from faqbot.routing.router import Router
from faqbot.routing.training import WEIGHT_GRID, held_out_scores


@dataclass(frozen=True)
class FitSummary:
    """What the build fitted (or the knowledge base states)."""

    lexical_weight: float
    weight_stated: bool
    weight: str  # the weight as `faqbot eval` names it
    decision: str  # the decision as `faqbot eval` names it
    vectors: str | None = None  # the word-vector table the router ranks with (None: none)
    vector_weight: float = 0.0  # its fitted weight λ
    vectors_note: str | None = None  # the channel as `faqbot eval` names it (None: the KB names no table)
    decision_stated: bool = False  # service.yaml states the decision (router.score_cut): the fit only advises
    fitted_decision: str = ""  # the decision the build's fit chose, stated or not
    decision_agrees: bool = True  # the fit chose the stated cut, to the last digit

    @classmethod
    def of(cls, engine: Engine) -> FitSummary:
        """What ``engine``'s router runs with."""
        router = engine.router
        stated = router.kb.settings.lexical_weight is not None
        vectors = router.vectors.words.name if router.vectors is not None else None
        return cls(router.lexical_weight, stated, weight_text(router), decision_text(engine), vectors, router.vector_weight,
                   vectors_text(router), router.kb.settings.score_cut is not None, fitted_decision_text(router.calibration),
                   router.calibration.score_cut == router.kb.settings.score_cut)

    def line(self) -> str:
        """One line of text: ``fit: lexical weight …[; word vectors …]; decision: …``."""
        vectors = "" if self.vectors_note is None else f"; word vectors {self.vectors_note}"
        return f"fit: lexical weight {self.weight}{vectors}; decision: {self.decision}"

    def as_json(self) -> dict[str, object]:
        """The ``--json`` shape (``word_vectors``: the table and its weight, or null)."""
        vectors = None if self.vectors is None else {"table": self.vectors, "weight": self.vector_weight}
        return {"lexical_weight": self.lexical_weight, "lexical_weight_stated": self.weight_stated, "decision": self.decision,
                "decision_stated": self.decision_stated, "decision_fitted": self.fitted_decision, "word_vectors": vectors}


@dataclass(frozen=True)
class StatedDecision:
    """A decision service.yaml states (``router.score_cut``): how it does on the knowledge base's own
    examples, and what the fit would choose now — so a maintainer sees when to restate it."""

    cut: float
    precision: float  # weighted share right of the pseudo-queries it answers
    refusal: float  # share of the negatives refused, the rules' refusals included
    answered: float  # share of the pseudo-queries answered
    target_precision: float
    target_refusal: float
    fitted: str  # the decision the fit would choose, as `faqbot eval` names it
    agrees: bool  # the fit chooses the stated cut, to the last digit

    @classmethod
    def of(cls, router: Router, fit: FitSummary) -> StatedDecision | None:
        """``router``'s stated decision, measured (None: the knowledge base states none); ``fit``: its
        :class:`FitSummary`, which names what the fit would choose."""
        from faqbot.routing.calibration_fit import at_cut, fit_calibration  # build-time code: only when stated

        settings = router.kb.settings
        if settings.score_cut is None:
            return None
        figures = at_cut(fit_calibration(router, settings.target_precision), settings.score_cut)
        return cls(settings.score_cut, figures.precision, figures.refusal, figures.answered, settings.target_precision,
                   settings.target_refusal, fit.fitted_decision, fit.decision_agrees)

    def line(self) -> str:
        """One line of text for `faqbot check`."""
        agrees = "the same cut" if self.agrees else "not the stated cut"
        return (f"  service.yaml states the decision (best score ≥ {self.cut:.4f}), which holds it: on the knowledge "
                f"base's own examples it answers {self.answered:.0%} of the questions held out that the rules let through, {self.precision:.3f} "
                f"of them rightly (target {self.target_precision:g}), and refuses {self.refusal:.3f} of the negatives "
                f"(target {self.target_refusal:g}); fitted now it would be {self.fitted}: {agrees}")

    def as_json(self) -> dict[str, object]:
        """The ``--json`` shape."""
        return {"cut": self.cut, "precision": self.precision, "refusal": self.refusal, "answered": self.answered,
                "fitted": self.fitted, "agrees": self.agrees}


@dataclass(frozen=True)
class WeightMargin:
    """How firmly the fit chose the lexical weight: its held-out questions, refitted as the build fits them."""

    weight: float  # the weight the fit chooses
    in_force: float  # the weight the router runs with (an earlier build's, when faqbot.routing.fit_reuse kept it)
    right: int  # held-out questions ranked first at it
    best_weight: float
    best_right: int
    questions: int
    band: float  # one standard error of the best, in questions
    inside: int  # how many questions the chosen weight's score is inside the band by
    stated: bool = False  # service.yaml states the weight in force (the fit then only advises)

    @classmethod
    def of(cls, router: Router) -> WeightMargin | None:
        """The margin of ``router``'s fit (None: too few questions to fit on); for a stated weight, what the fit would choose."""
        held = held_out_scores(router)
        if held is None:
            return None
        best, n = held.best, held.questions

        def count(score: float) -> int:
            return round(score * n)

        band = held.standard_error * n
        inside = count(held.scores[held.chosen]) - count(held.scores[best]) + band
        return cls(
            WEIGHT_GRID[held.chosen], router.lexical_weight, count(held.scores[held.chosen]), WEIGHT_GRID[best],
            count(held.scores[best]), n, band, int(inside), router.kb.settings.lexical_weight is not None,
        )

    def line(self) -> str:
        """One line of text for `faqbot check`: what a small edit can do to the weight."""
        if self.stated:
            agrees = "the same" if self.weight == self.in_force else f"not the stated {self.in_force:g}"
            return (f"  service.yaml states {self.in_force:g}, which holds it; fitted now the weight would be {self.weight:g} "
                    f"({agrees}): held out, {self.right} of {self.questions} questions rank first at it and "
                    f"{self.best_right} at {self.best_weight:g}, the best, {self.inside} to spare inside one standard error")
        kept = "" if self.weight == self.in_force else (
            f" (the build kept {self.in_force:g} from an earlier one, as faqbot.routing.fit_reuse allows; fitted now it is {self.weight:g})"
        )
        if self.weight == self.best_weight:
            return (f"  held out, {self.right} of {self.questions} questions rank first at {self.weight:g}, the best of the grid{kept}; "
                    "an edit moves it only if another weight overtakes it")
        return (f"  held out, {self.right} of {self.questions} questions rank first at {self.weight:g} and {self.best_right} at "
                f"{self.best_weight:g}, the best; {self.weight:g} is kept as the smallest weight within one standard error "
                f"({self.band:.1f} questions) of it, with {self.inside} to spare{kept}: an edit that changes how that many "
                "route can move the weight, and with it where every question routes (faqbot learn says when a change "
                "would; stating router.lexical_weight in service.yaml holds it)")

    def as_json(self) -> dict[str, object]:
        """The ``--json`` shape."""
        return {"weight": self.weight, "in_force": self.in_force, "right": self.right, "best_weight": self.best_weight, "best_right": self.best_right,
                "questions": self.questions, "band": self.band, "inside": self.inside, "stated": self.stated}
