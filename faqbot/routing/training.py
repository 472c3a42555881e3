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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from faqbot.routing.router import Candidates, Router


# Candidate weights of the lexical channel, smallest first (the rule below prefers the first).
# Doubling steps up to 64: there the character score (≤ 1.12 with the date bonus) moves no
# entry past another whose lexical score is ahead by more than 1.12 / 64 ≈ 2 % of the ceiling.
WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
# For knowledge bases too small to fit on (< MIN_HELD_OUT questions): the value this
# module used for every KB without alternates before pseudo-queries were fitted.
DEFAULT_WEIGHT = 4.0
MIN_HELD_OUT = 30
# Held-out questions routed at most (a random sample, fixed seed): bounds the build time
# of a large knowledge base while giving the choice hundreds of examples.
MAX_HELD_OUT = 250
_SEED = 0


def fit_lexical_weight(router: Router) -> float:
    """The lexical weight for ``router``'s knowledge base (see the module docstring)."""
    char = router.char_channel
    owner_of = char.doc_owner
    entries = len(router.kb.entries)
    real = np.flatnonzero(owner_of < entries)
    counts = np.bincount(owner_of[real], minlength=entries) if len(real) else np.zeros(entries, dtype=np.int64)
    choosable = real[counts[owner_of[real]] > 1]
    if len(choosable) < MIN_HELD_OUT:
        choosable = real  # pseudo-queries: found through their answers
    if len(choosable) < MIN_HELD_OUT:
        return DEFAULT_WEIGHT
    rng = np.random.default_rng(_SEED)
    held = np.sort(rng.choice(choosable, size=min(MAX_HELD_OUT, len(choosable)), replace=False))
    texts = char.texts
    examples = [(router.candidates(texts[i], exclude=texts[i]), int(owner_of[i])) for i in held.tolist()]
    scores = np.array([_accuracy(examples, w) for w in WEIGHT_GRID])
    # The one-standard-error rule: the smallest weight whose accuracy is within one standard
    # error of the best.  Smaller weights stay closer to the character channel, the scale the
    # fallback rules were set on; gains below the sampling noise do not pay for leaving it.
    best = float(scores.max())
    standard_error = float(np.sqrt(best * (1.0 - best) / len(examples)))
    return WEIGHT_GRID[int(np.flatnonzero(scores >= best - standard_error)[0])]


def _accuracy(examples: list[tuple[Candidates, int]], weight: float) -> float:
    right = 0
    for found, owner in examples:
        if len(found.owners):
            fused = found.char + weight * found.lexical
            right += int(found.owners[int(np.argmax(fused))]) == owner
    return right / len(examples)
