"""A message's candidate entries with each channel's evidence: what the router ranks and decides on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from faqbot.routing.lexical import FieldScores


@dataclass(frozen=True)
class Candidates:
    """Every candidate entry of one message with its evidence, best fused score first."""

    owners: np.ndarray  # entry positions
    fused: np.ndarray  # char + w · lexical: the ranking score
    char: np.ndarray  # the character channel's score, in [0, 1] (plus the date bonus)
    lexical: np.ndarray  # BM25 over every field, divided by the query's ceiling
    char_doc: np.ndarray  # the stored question the character channel matched best (-1: none)
    fields: FieldScores | None = None  # the lexical channel's scores, for the best question by lemmas
    out_of_scope: float = 0.0  # the out-of-scope examples' character score (0 without examples)
    out_of_scope_doc: int = -1  # the stored text of the example that scored it (-1: none)
    cosine: np.ndarray | None = None  # the word-vector channel's, for the first RERANKED (None: no channel)
