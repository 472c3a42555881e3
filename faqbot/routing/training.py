"""Fitting a router to its knowledge base, from the knowledge base's own material.

The weight ``w`` of the lexical channel in the fused ranking score
``char + w · lexical`` is fitted when the engine is built, never on an
evaluation set: the smallest value of :data:`WEIGHT_GRID` whose leave-one-out
accuracy is within one standard error of the best.  Each sampled question is
taken out of the indexes (both channels) and routed as if a customer had typed
it; which questions are sampled depends on what the knowledge base holds:

* **alternates** (the shipped KB, the generated ones): questions whose entry
  keeps another question.  The character channel, which reads questions only,
  can find the entry through its siblings, the lexical channel through its
  siblings, answer and page titles: the fit weighs the two on equal terms.
* **pseudo-queries** (a KB with one question per entry, like LocalgovFAQ):
  with fewer than :data:`MIN_HELD_OUT` alternates, every question is a
  candidate, and a left-out question can only be found through its entry's
  answer and page titles.  That is the situation of a customer's paraphrase in
  such a KB: the character channel has one wording per entry to match, so
  whatever it says about *other* entries may move the ranking only as far as
  the pseudo-queries do not suffer for it.  The grid reaches 64, where the
  character channel is in effect a tie-breaker.

A KB with fewer than :data:`MIN_HELD_OUT` questions at all cannot tell and gets
:data:`DEFAULT_WEIGHT`.

The word-vector channel's weight ``λ`` (:mod:`faqbot.routing.vector_channel`, for a KB
that names an installed table) is fitted after ``w``, by the same rule on the same held-out
questions, each entry's vector without its held-out question: the smallest value of
:data:`VECTOR_GRID` within one standard error of the best.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from faqbot.routing.router import Router


# Candidate weights of the lexical channel, smallest first (the rule below prefers the first).
# Doubling steps up to 64: there the character score (≤ 1.12 with the date bonus) moves no
# entry past another whose lexical score is ahead by more than 1.12 / 64 ≈ 2 % of the ceiling.
WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
# Candidate weights λ of the word-vector channel (score + λ · cosine, both in [0, 1]), smallest
# first: up to where the cosine outweighs a perfect match score three times over.
VECTOR_GRID = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
# For knowledge bases too small to fit on (< MIN_HELD_OUT questions): the value this
# module used for every KB without alternates before pseudo-queries were fitted.
DEFAULT_WEIGHT = 4.0
MIN_HELD_OUT = 30
# Held-out questions routed at most (a random sample, fixed seed): bounds the build time
# of a large knowledge base while giving the choice hundreds of examples.
MAX_HELD_OUT = 250
_SEED = 0


@dataclass(frozen=True)
class _Example:
    """What the fit needs of one held-out question's candidates, and the entry it belongs to.

    Only these three short arrays: a whole ``Candidates`` keeps the lexical channel's
    per-question scores (one float per stored question), and 250 of them were 0.8 GB
    of a 50,000-entry build's peak.
    """

    owners: np.ndarray
    char: np.ndarray
    lexical: np.ndarray
    owner: int
    cosine: np.ndarray | None = None  # the word-vector channel's, when the router has one


@dataclass(frozen=True)
class HeldOutScores:
    """Leave-one-out top-1 of the sampled questions at each weight of :data:`WEIGHT_GRID`, and the choice."""

    scores: tuple[float, ...]  # by WEIGHT_GRID
    questions: int  # how many were held out

    @property
    def best(self) -> int:
        """Position in :data:`WEIGHT_GRID` of the best score (the smallest weight on a tie)."""
        return self.scores.index(max(self.scores))

    @property
    def standard_error(self) -> float:
        """The binomial standard error of the best score over :attr:`questions`."""
        best = self.scores[self.best]
        return float(np.sqrt(best * (1.0 - best) / self.questions))

    @property
    def chosen(self) -> int:
        """Position in :data:`WEIGHT_GRID` of the smallest weight within one standard error of the best."""
        edge = self.scores[self.best] - self.standard_error
        return next(i for i, score in enumerate(self.scores) if score >= edge)


def fit_lexical_weight(router: Router) -> float:
    """The lexical weight for ``router``'s knowledge base (see the module docstring)."""
    held = held_out_scores(router)
    return DEFAULT_WEIGHT if held is None else WEIGHT_GRID[held.chosen]


def held_out_scores(router: Router) -> HeldOutScores | None:
    """The scores the fit chooses by (None: too few questions to fit on; :data:`DEFAULT_WEIGHT` then)."""
    examples = _examples(router)
    if examples is None:
        return None
    # The one-standard-error rule (HeldOutScores.chosen): the smallest weight whose accuracy is
    # within one standard error of the best.  Smaller weights stay closer to the character
    # channel, the scale the fallback rules were set on; gains below the sampling noise do not
    # pay for leaving it.
    return HeldOutScores(tuple(_accuracy(examples, w) for w in WEIGHT_GRID), len(examples))


def fit_vector_weight(router: Router) -> float:
    """The word-vector channel's weight λ for ``router``'s knowledge base, its lexical weight fitted.

    The same held-out questions and the same rule as the lexical weight's (:func:`vector_scores`);
    0 without a channel or with too few questions to fit on.
    """
    held = vector_scores(router)
    return 0.0 if held is None else VECTOR_GRID[held.chosen]


def vector_scores(router: Router) -> HeldOutScores | None:
    """Leave-one-out top-1 of the sampled questions at each λ of :data:`VECTOR_GRID` (None: nothing to fit)."""
    if router.vectors is None:
        return None
    weight = router.vector_weight
    router.vector_weight = 0.0  # the channels' own order, the cosines beside it
    try:
        examples = _examples(router)
    finally:
        router.vector_weight = weight
    if examples is None:
        return None
    scale = 1.0 + router.lexical_weight
    return HeldOutScores(tuple(_accuracy(examples, router.lexical_weight, lam * scale) for lam in VECTOR_GRID), len(examples))


def _examples(router: Router) -> list[_Example] | None:
    """The sampled questions' examples, each routed held out (None: too few questions to fit on)."""
    char = router.char_channel
    owner_of = char.doc_owner
    entries = len(router.kb.entries)
    real = np.flatnonzero(owner_of < entries)
    counts = np.bincount(owner_of[real], minlength=entries) if len(real) else np.zeros(entries, dtype=np.int64)
    choosable = real[counts[owner_of[real]] > 1]
    if len(choosable) < MIN_HELD_OUT:
        choosable = real  # pseudo-queries: found through their answers
    if len(choosable) < MIN_HELD_OUT:
        return None
    rng = np.random.default_rng(_SEED)
    held = np.sort(rng.choice(choosable, size=min(MAX_HELD_OUT, len(choosable)), replace=False))
    texts = char.texts
    return [_example(router, texts[i], int(owner_of[i])) for i in held.tolist()]


def _example(router: Router, text: str, owner: int) -> _Example:
    # Held out as a customer's paraphrase would be (seventy-fifth rule): out of every index and out of
    # its entry's vocabulary; with ``exclude`` its own words stayed known and vouched for it.
    # Both channels whatever the router's weight: the fit runs at DEFAULT_WEIGHT, `faqbot check` at
    # the fitted one (which may be 0), and each must see the same candidates.
    found = router.candidates(text, held_out=router.char_channel.excluded(text), both_channels=True)
    return _Example(found.owners, found.char, found.lexical, owner, found.cosine)


def _accuracy(examples: list[_Example], weight: float, vector: float = 0.0) -> float:
    """Top-1 of ``examples`` at lexical weight ``weight``, the cosine weighed ``vector`` on the fused scale."""
    right = 0
    for example in examples:
        if len(example.owners):
            fused = example.char + weight * example.lexical
            if vector and example.cosine is not None:
                fused = fused + vector * np.maximum(example.cosine, 0.0)
            right += int(example.owners[int(np.argmax(fused))]) == example.owner
    return right / len(examples)
