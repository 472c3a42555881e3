"""Reading postings lists (compressed sparse columns) without a Python loop per query term.

The n-gram index (:mod:`faqbot.routing.ngram_index`) keeps each n-gram's postings as
one slice ``indptr[t]:indptr[t + 1]`` of flat arrays.  A query used to slice them one
n-gram at a time and concatenate the pieces: a few Python and numpy calls per n-gram,
at the few dozen n-grams of a message about twice what one gather costs.  (The lexical
channel's queries have a handful of terms: slicing stays cheaper there.)
"""

from __future__ import annotations

import numpy as np


def posting_positions(indptr: np.ndarray, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of every posting of ``terms``, term after term, and each term's posting count.

    Indexing the flat arrays with the positions gives exactly what concatenating
    the terms' slices in order gives.
    """
    starts = indptr[terms]
    lengths = indptr[terms + 1] - starts
    ends = np.cumsum(lengths)
    # Position k of the output belongs to the term whose run covers k; shifting by that
    # term's start less the run's first output position gives the posting's position.
    shift = np.repeat(starts - (ends - lengths), lengths)
    positions: np.ndarray = shift + np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    return positions, lengths
