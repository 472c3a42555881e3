"""Tests of faqbot.routing.postings: postings read at once equal the slices read one by one."""

from __future__ import annotations

import numpy as np

from faqbot.routing.postings import posting_positions


def test_positions_follow_the_terms_slices_in_query_order() -> None:
    indptr = np.array([0, 3, 3, 5, 9], dtype=np.int64)  # term 1 has no postings
    terms = np.array([2, 0, 1, 3, 2])  # repeats and an empty term kept in order
    positions, lengths = posting_positions(indptr, terms)
    expected = np.concatenate([np.arange(indptr[t], indptr[t + 1]) for t in terms])
    assert positions.tolist() == expected.tolist()
    assert lengths.tolist() == [2, 3, 0, 4, 2]


def test_no_terms_give_no_positions() -> None:
    positions, lengths = posting_positions(np.array([0, 2], dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert positions.tolist() == [] and lengths.tolist() == []
