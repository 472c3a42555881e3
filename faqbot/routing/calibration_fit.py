"""Fitting the calibrated decision (:mod:`faqbot.routing.calibration`) when an engine is built.

Fitting examples, all from the knowledge base itself (never an evaluation set):

* **pseudo-queries**: its questions and alternates, small talk excluded.  A question whose entry
  keeps another one is routed **held out**: taken out of every index, its
  entry's vocabulary included, as if never written — a paraphrase written by a
  person, the best stand-in for a customer.  An entry's only question cannot be
  held out (the entry would be findable by its answer alone, far harder than a
  real message: 6 % top-1 on LocalgovFAQ); its pseudo-query is a random half of
  the question's content words, the question kept, as customers type keywords.
  The label is whether the best entry is the pseudo-query's own, so one that
  routes elsewhere is a hard example the model learns from.  A held-out question's
  first rivals are weakened as its own entry is: each loses the question it matched
  best, where it keeps another (ninety-sixth rule), so that at a given score the own
  entry wins about as often as it does for a customer, whose message is no stored question;
* **negatives** (label 0): the shipped general off-domain questions
  (``routing/data/offdomain.yaml``) and the knowledge base's out-of-scope
  examples (each held out).

Every example is routed when there are at most :data:`MAX_ROUTED_WHOLE`, so
the fit depends on no sample; a larger knowledge base routes a fixed-seed sample
of :data:`MAX_POSITIVES` pseudo-queries and :data:`MAX_NEGATIVES` negatives,
bounding its build time.

Examples the router's rules refuse anyway (out-of-scope subject or examples,
the unknown-content veto) are left out: the model decides among the rest.
Pseudo-queries together weigh ``1 −`` :data:`NEGATIVE_PRIOR` of the total and
negatives :data:`NEGATIVE_PRIOR`, counted before the rules refuse any: the
probability assumes that share of messages is about something the knowledge base
does not answer (a stated assumption, not fitted).  The model is a weighted
logistic regression fitted with numpy (:mod:`faqbot.routing.logistic`: Newton's
method, a unit ridge on standardised features); a feature whose weight comes out negative is dropped
and the rest refitted, so the probability never falls as the score or the
margin rises.

:func:`cross_validate` measures both on examples that did not set the cut (each
fold judged by a fit on the others).  With fewer than
:data:`MIN_EXAMPLES` examples in either class nothing is fitted: the score
stands in for the probability, with threshold :data:`~faqbot.routing.calibration.FALLBACK_THRESHOLD`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from faqbot.kb.knowledge import KIND_SMALLTALK
from faqbot.routing.calibration import CLARIFY_CHOICES, UNFITTED, Calibration, Evidence
from faqbot.routing.logistic import fit_logistic, precision_threshold, refusal_threshold
from faqbot.text.analysis import NEGATION

if TYPE_CHECKING:
    from faqbot.routing.candidates import Candidates
    from faqbot.routing.router import Router

# Share of the fitting weight carried by negatives: a stated assumption, not fitted (one message
# in five about something the KB does not answer; the shipped KB's labelled sets have 14–24 %).
NEGATIVE_PRIOR = 0.2
# A knowledge base with at most this many examples (pseudo-queries and negatives together) has
# every one routed: no sample, so no seed moves the cut (the shipped KB: 1,069, ~1.2 s; a KB of
# LocalgovFAQ's size: 1,966).  Larger ones route a fixed-seed sample, bounding the build time.
MAX_ROUTED_WHOLE = 2000
# The sample of a larger knowledge base: pseudo-queries and negatives routed at most.
MAX_POSITIVES = 150
MAX_NEGATIVES = 150
# Fewer examples than this in either class cannot place a boundary.
MIN_EXAMPLES = 20
# Folds of the cross-validation that measures both targets on examples that did not set the cut.
CV_FOLDS = 5
# The sign each feature's weight may have: score and margin both raise the probability.
SIGNS = (1.0, 1.0)
# The sample's seed (fixed: a build is reproducible; the benchmark varies it to measure the spread).
SEED = 0
# Rivals of a held-out pseudo-query that lose their best-matching question too: the evidence reads
# the best two entries, and five cover those that can become one of them once weakened.
_RIVALS = 5


@dataclass(frozen=True)
class CalibrationFit:
    """The calibration and the examples it was fitted on (for the docs, tests and benchmarks)."""

    calibration: Calibration
    features: np.ndarray  # one row (score, margin) per example that reached the model
    labels: np.ndarray  # 1.0: the best entry was right
    weights: np.ndarray  # each example's weight in the fit
    in_domain: np.ndarray  # True: a pseudo-query; False: a negative
    refused_negatives: int = 0  # negatives the rules refused before the model saw them


def fit_calibration(
    router: Router, target: float, seed: int = SEED, target_refusal: float | None = None
) -> CalibrationFit:
    """Fit the decision for ``router``'s knowledge base (see the module docstring).

    ``target``: the precision target; ``target_refusal``: the refusal target (default:
    the knowledge base's ``router.target_refusal``); ``seed``: the sample's, when the
    knowledge base is too large to route every example.
    """
    refusal = router.kb.settings.target_refusal if target_refusal is None else target_refusal
    scripts = _Scripts.of(router)
    examples = _examples(router, seed, scripts)
    # Weighed over every example, refused or not: the prior is of the messages arriving, and
    # the rules' refusals must not make the negatives they let through count for more.
    weight_of = _class_weights(np.array([e.entry >= 0 for e in examples], dtype=bool))
    rows: list[Evidence] = []
    labels: list[float] = []
    kept: list[int] = []
    for i, example in enumerate(examples):
        found = _route(router, example, scripts)
        if router.refuses(example.query, found):
            continue
        ev = router.evidence(found)
        rows.append(ev)
        labels.append(float(example.entry in found.owners[: CLARIFY_CHOICES if ev.clarifies else 1].tolist()))
        kept.append(i)
    x = np.array([r.vector() for r in rows]).reshape(-1, 2)
    in_domain = np.array([examples[i].entry >= 0 for i in kept], dtype=bool)
    refused = sum(e.entry < 0 for e in examples) - int(np.count_nonzero(~in_domain))
    fit = CalibrationFit(UNFITTED, x, np.array(labels), weight_of[kept], in_domain, refused)
    return replace(fit, calibration=choose(fit, target, refusal))


def choose(fit: CalibrationFit, target_precision: float, target_refusal: float) -> Calibration:
    """:func:`decide`'s model, cutting the best score alone when cross-validation finds that as good.

    Both decisions are cross-validated on the same folds. The score alone is kept when its
    decision meets both targets and answers no fewer held-out pseudo-queries than the
    two-feature one less one standard error (the rule the lexical weight's fit uses: the
    simpler evidence unless the other is better by more than its noise). Whether the margin
    helps is the knowledge base's own property: on a KB of one question per entry the score
    alone answers almost nothing at the targets.
    """
    both = decide(fit, target_precision, target_refusal)
    if not both.fitted:
        return both
    judged = replace(fit, calibration=both)
    two, one = cross_validate(judged), cross_validate(judged, decider=decide_on_score)
    positives = max(int(np.count_nonzero(fit.in_domain)), 1)
    noise = math.sqrt(two.answered * (1.0 - two.answered) / positives)
    meets = one.precision >= target_precision and one.refusal >= target_refusal
    if not (meets and one.answered >= two.answered - noise):
        return both
    cut = _score_cut(fit, target_precision, target_refusal)
    return replace(both, score_cut=cut, score_floor=cut)


@dataclass(frozen=True)
class _Cuts:
    """The cuts on one value (the best score, or the probability) that meet each target."""

    precision: float  # what the router offers is right at least target_precision of the time
    refusal: float  # a message the knowledge base does not answer is refused at least target_refusal of the time

    @classmethod
    def on(cls, values: np.ndarray, fit: CalibrationFit, target_precision: float, target_refusal: float) -> _Cuts:
        """The cuts on ``values`` (one per example of ``fit``)."""
        return cls(
            precision_threshold(values, fit.labels, fit.weights, target_precision),
            refusal_threshold(values[~fit.in_domain], fit.refused_negatives, target_refusal),
        )

    @property
    def stricter(self) -> float:
        """The cut that meets both targets."""
        return max(self.precision, self.refusal)


def decide_on_score(fit: CalibrationFit, target_precision: float, target_refusal: float) -> Calibration:
    """A decision that cuts the best score alone: the stricter of the precision and refusal cuts on it."""
    cut = _score_cut(fit, target_precision, target_refusal)
    return replace(UNFITTED, target_precision=target_precision, target_refusal=target_refusal, score_cut=cut)


def _score_cut(fit: CalibrationFit, target_precision: float, target_refusal: float) -> float:
    return _Cuts.on(fit.features[:, 0], fit, target_precision, target_refusal).stricter


def cross_validate_chosen(fit: CalibrationFit) -> CrossValidation:
    """:func:`cross_validate` of the decision :func:`choose` kept for ``fit`` (score alone or probability)."""
    return cross_validate(fit, decider=decide if fit.calibration.score_cut is None else decide_on_score)


def decide(fit: CalibrationFit, target_precision: float, target_refusal: float) -> Calibration:
    """The model fitted on ``fit``'s examples and its threshold: the stricter of the two targets' cuts.

    Unfitted (the score stands in) with fewer than :data:`MIN_EXAMPLES` examples in either class.
    """
    x, y, w = fit.features, fit.labels, fit.weights
    positives = int(np.count_nonzero(fit.in_domain))
    if positives < MIN_EXAMPLES or len(y) - positives < MIN_EXAMPLES:
        return replace(UNFITTED, target_precision=target_precision, target_refusal=target_refusal)
    intercept, coef = fit_logistic(x, y, w, SIGNS)
    model = Calibration(intercept, (float(coef[0]), float(coef[1])), 0.0, target_precision, target_refusal=target_refusal)
    p = model.probabilities(x)
    # What the router offers — an answer, or the two entries of a clarification — must be
    # right at least ``target_precision`` of the time; and a message about something the
    # knowledge base does not answer must be refused at least ``target_refusal`` of the time.
    cuts = _Cuts.on(p, fit, target_precision, target_refusal)
    above = x[p >= cuts.stricter, 0]
    floor = float(above.min()) if len(above) else 1.0
    return replace(
        model, threshold=cuts.stricter, score_floor=floor, precision_cut=cuts.precision, refusal_cut=cuts.refusal
    )


@dataclass(frozen=True)
class CrossValidation:
    """The targets measured on examples that did not set the cut: each fold judged by a fit on the others."""

    precision: float  # weighted share right of the held-out examples answered
    refusal: float  # share of the held-out negatives refused, the rules' refusals included
    answered: float  # share of the held-out pseudo-queries that reach the model and are answered


def cross_validate(
    fit: CalibrationFit,
    folds: int = CV_FOLDS,
    seed: int = SEED,
    decider: Callable[[CalibrationFit, float, float], Calibration] = decide,
) -> CrossValidation:
    """Fit ``decider`` (:func:`decide`) on all folds but one, judge the one left; pool the judgements.

    Folds are drawn within each class (fixed seed); the negatives the rules refused are
    spread over the folds too, so each fit counts only its own.  A measurement for the
    docs, tests and benchmarks: the engine's decision is fitted on every example.
    """
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(fit.labels), dtype=np.int64)
    for side in (fit.in_domain, ~fit.in_domain):
        fold_of[side] = rng.permutation(int(np.count_nonzero(side))) % folds
    refused_in = np.bincount(np.arange(fit.refused_negatives) % folds, minlength=folds)
    answered = np.zeros(len(fit.labels), dtype=bool)
    calibration = fit.calibration
    for k in range(folds):
        test = fold_of == k
        train = replace(
            fit,
            features=fit.features[~test],
            labels=fit.labels[~test],
            weights=fit.weights[~test],
            in_domain=fit.in_domain[~test],
            refused_negatives=fit.refused_negatives - int(refused_in[k]),
        )
        model = decider(train, calibration.target_precision, calibration.target_refusal)
        answered[test] = model.answered(fit.features[test])
    return _judged(fit, answered)


def at_cut(fit: CalibrationFit, cut: float) -> CrossValidation:
    """What a stated cut on the best score does to ``fit``'s examples: its precision, refusal and the share
    of pseudo-queries answered.  In-sample, not cross-validated: the cut was not fitted on them here."""
    return _judged(fit, fit.features[:, 0] >= cut)


def _judged(fit: CalibrationFit, answered: np.ndarray) -> CrossValidation:
    """The figures of ``fit``'s examples when those ``answered`` are: the rules' refused negatives count as refused."""
    negatives = int(np.count_nonzero(~fit.in_domain)) + fit.refused_negatives
    right = float((fit.weights * fit.labels)[answered].sum())
    return CrossValidation(
        precision=right / max(float(fit.weights[answered].sum()), 1e-12),
        refusal=1.0 - int(np.count_nonzero(answered & ~fit.in_domain)) / max(negatives, 1),
        answered=float(answered[fit.in_domain].mean()) if fit.in_domain.any() else 0.0,
    )


@dataclass(frozen=True)
class _Example:
    query: str
    held_out: tuple[int, ...]  # stored text ids left out while routing it
    entry: int  # its entry's position; -1 for a negative


def _examples(router: Router, seed: int, scripts: _Scripts) -> list[_Example]:
    """Pseudo-queries, then negatives: every one, or a fixed-seed sample of a large knowledge base."""
    from faqbot.routing.novelty_fit import offdomain_questions  # a sibling, at build time only

    char = router.char_channel
    entries = router.kb.entries
    owner_of = char.doc_owner.tolist()
    topical = [i for i, o in enumerate(owner_of) if o < len(entries) and entries[o].kind != KIND_SMALLTALK]
    negatives = [_Example(q, (), -1) for q in offdomain_questions()]
    negatives += [_Example(char.texts[i], (i,), -1) for i, o in enumerate(owner_of) if o == len(entries)]
    whole = len(topical) + len(negatives) <= MAX_ROUTED_WHOLE
    rng = np.random.default_rng(seed)
    if not whole and len(topical) > MAX_POSITIVES:
        topical = sorted(rng.choice(topical, size=MAX_POSITIVES, replace=False).tolist())
    # Questions per entry and script: a held-out question must leave a sibling a channel can find
    # its entry by (an entry's one English alternate among Japanese ones cannot be; sixty-eighth rule).
    pseudo = [_pseudo_query(router, i, owner_of[i], scripts.keeps_another(owner_of[i], i), rng) for i in topical]
    if not whole and len(negatives) > MAX_NEGATIVES:
        negatives = [negatives[i] for i in sorted(rng.choice(len(negatives), size=MAX_NEGATIVES, replace=False).tolist())]
    return [e for e in pseudo if e.query] + negatives


@dataclass(frozen=True)
class _Scripts:
    """Each stored text's script (1: Latin) and each entry's number of questions per script."""

    latin: np.ndarray  # by stored text id
    counts: np.ndarray  # by ``entry * 2 + script``

    @classmethod
    def of(cls, router: Router) -> _Scripts:
        """The scripts of ``router``'s stored texts."""
        char = router.char_channel
        texts = char.texts
        latin = np.fromiter((_is_latin(t) for t in texts), dtype=np.int64, count=len(texts))
        return cls(latin, np.bincount(char.doc_owner * 2 + latin, minlength=2 * (len(router.kb.entries) + 1)))

    def keeps_another(self, entry: int, doc: int) -> bool:
        """Does ``entry`` keep a question in stored text ``doc``'s script once ``doc`` is held out?"""
        return int(self.counts[entry * 2 + self.latin[doc]]) > 1


def _route(router: Router, example: _Example, scripts: _Scripts) -> Candidates:
    """``example``'s candidates as the fit reads them: held out, its first rivals weakened too."""
    found = router.candidates(example.query, held_out=example.held_out)
    rivals = _rivals_held_out(example, found, scripts) if example.entry >= 0 and example.held_out else ()
    return router.candidates(example.query, held_out=example.held_out + rivals) if rivals else found


def _rivals_held_out(example: _Example, found: Candidates, scripts: _Scripts) -> tuple[int, ...]:
    """The question each of the first :data:`_RIVALS` other entries matched best, where the entry keeps
    another of its script: held out too, so the rivals are weakened as the pseudo-query's own entry is
    (ninety-sixth rule)."""
    rivals: list[int] = []
    for owner, doc in zip(found.owners.tolist(), found.char_doc.tolist(), strict=True):
        if len(rivals) == _RIVALS:
            break
        if owner != example.entry and doc >= 0 and scripts.keeps_another(owner, doc):
            rivals.append(int(doc))
    return tuple(rivals)


def _is_latin(text: str) -> bool:
    """Is ``text`` written in Latin script alone (an English question), not Japanese?"""
    return text.isascii()


def _pseudo_query(router: Router, doc: int, entry: int, held_out: bool, rng: np.random.Generator) -> _Example:
    """Stored question ``doc`` as a message: itself held out, or half its content words (see the docstring)."""
    text = router.char_channel.texts[doc]
    if held_out:
        return _Example(text, (doc,), entry)
    words = [t for t in router.analyze(text).terms if t != NEGATION]
    if not words:
        return _Example("", (), entry)
    keep = sorted(rng.choice(len(words), size=math.ceil(len(words) / 2), replace=False).tolist())
    return _Example(" ".join(words[j] for j in keep), (), entry)


def _class_weights(in_domain: np.ndarray) -> np.ndarray:
    """Each example's weight: pseudo-queries and negatives carry their prior's share of the total."""
    count = int(np.count_nonzero(in_domain))
    n_in, n_out = max(count, 1), max(len(in_domain) - count, 1)
    weights: np.ndarray = np.where(in_domain, (1.0 - NEGATIVE_PRIOR) / n_in, NEGATIVE_PRIOR / n_out) * len(in_domain)
    return weights
