"""Fitting a router to its knowledge base, from the knowledge base's own material.

The weight ``w`` of the lexical channel in the fused ranking score
``char + w · lexical`` is fitted when the engine is built, never on an
evaluation set: the smallest value of :data:`WEIGHT_GRID` whose leave-one-out
accuracy is within one standard error of the best (each sampled alternate is
taken out of the indexes and routed as if a customer had typed it).  Only questions whose
entry keeps another question count: otherwise the character channel, which
reads questions only, could not find the entry at all.  A knowledge base with
too few such questions to tell (one question per entry, like LocalgovFAQ)
gives no evidence for the character channel, so the lexical channel, which
reads every field, leads: :data:`DEFAULT_WEIGHT` is the grid's largest value.
(On LocalgovFAQ's even query ids, the half looked at while designing, weights
1 / 4 / 16 measured Recall@10 0.532 / 0.637 / 0.653.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from faqbot.routing.router import Candidates, Router


# Candidate weights of the lexical channel; the leave-one-out best wins (ties: the first).
WEIGHT_GRID = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
# For knowledge bases that cannot tell: the lexical channel leads (see the module docstring).
DEFAULT_WEIGHT = WEIGHT_GRID[-1]
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


