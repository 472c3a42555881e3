"""What other lexical weights would rank first: the table behind ``router.lexical_weight``.

The router ranks by ``character score + w · lexical score`` with ``w`` fitted on the knowledge
base's own questions (:mod:`faqbot.routing.training`).  A support team with a labelled file of
its customers' messages can read, in ``faqbot eval``, how often the right entry would rank
first at other weights, and state one in ``service.yaml`` (``router.lexical_weight``) when its
own messages say the fit chose badly — as the trial knowledge bases written by other teams did:
their customers' nouns (ふとん, 光回線) are what the lemmas read and the character channel weighs
less than phrasing.  The table ranks only; which messages are answered at a weight also depends
on the decision, refitted when the knowledge base states a weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from faqbot.routing.entities import Entities
from faqbot.routing.router import Routed, Router
from faqbot.routing.training import WEIGHT_GRID

# The weights of the table: the fit's own grid, so the weight a build fits is always a row.
LEXICAL_WEIGHTS = WEIGHT_GRID


@dataclass(frozen=True)
class WeightRanking:
    """How the labelled entries of in-scope messages rank at one lexical weight."""

    weight: float
    hit_at_1: float  # share ranked first
    mrr: float  # mean of 1 / rank (0 when the entry is not among the candidates)
    queries: int


def ranks_at_weights(router: Router, routed: Routed, entities: Entities, entry_id: str) -> tuple[int, ...]:
    """The rank of entry ``entry_id`` at each of :data:`LEXICAL_WEIGHTS` (1 = first, 0 = not found)
    for the text :meth:`Router.routed` ranked (standard Japanese, a pleasantry set aside).

    Its candidates are reused when the lexical channel ran for them (a weight above 0); else
    both channels read the text once more.  Ties are ordered as the router orders them (by
    position). Empty when the knowledge base has no such entry.
    """
    position = router.kb.entries.position(entry_id)
    if position < 0:
        return ()
    found = routed.found
    if found.fields is None:
        found = router.candidates(routed.text, entities, both_channels=True)
    at = np.flatnonzero(found.owners == position)
    if not len(at):
        return (0,) * len(LEXICAL_WEIGHTS)
    ranks = []
    for weight in LEXICAL_WEIGHTS:
        order = np.lexsort((found.owners, -(found.char + weight * found.lexical)))
        ranks.append(int(np.flatnonzero(order == at[0])[0]) + 1)
    return tuple(ranks)


def weight_text(router: Router) -> str:
    """The weight in force, and whether the knowledge base states it or the build fitted it."""
    how = "stated in service.yaml" if router.kb.settings.lexical_weight is not None else "fitted on the knowledge base's own questions"
    return f"{router.lexical_weight:g} ({how})"


def vectors_text(router: Router) -> str | None:
    """The word-vector channel in force, or that the table named is not installed (None: none is named)."""
    if router.vectors is not None:
        return f"{router.vectors.words.name} at λ {router.vector_weight:g} (fitted on the knowledge base's own questions)"
    name = router.kb.settings.word_vectors
    if name is not None:
        return f"none: {name} is named in service.yaml but not installed ('faqbot vectors install {name}')"
    return None


def weight_table(ranks: Sequence[tuple[int, ...]]) -> tuple[WeightRanking, ...]:
    """:class:`WeightRanking` at each weight over the examples' :func:`ranks_at_weights` (empty ones skipped)."""
    rows = np.array([r for r in ranks if r], dtype=np.float64).reshape(-1, len(LEXICAL_WEIGHTS))
    if not len(rows):
        return ()
    reciprocal = np.divide(1.0, rows, out=np.zeros_like(rows), where=rows > 0)
    return tuple(
        WeightRanking(weight, float(np.mean(rows[:, i] == 1)), float(np.mean(reciprocal[:, i])), len(rows))
        for i, weight in enumerate(LEXICAL_WEIGHTS)
    )
