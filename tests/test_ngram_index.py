"""Tests of faqbot.ngram_index: character n-grams and TF-IDF scoring."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from faqbot.ngram_index import Hit, NgramIndex, ngrams


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", Counter({"ab": 1, "bc": 1, "abc": 1})),
        ("かいやく", Counter({"かい": 1, "いや": 1, "やく": 1, "かいや": 1, "いやく": 1})),
        ("解約", Counter({"解約": 1, "解": 1, "約": 1})),  # single kanji count too
        ("aaa", Counter({"aa": 2, "aaa": 1})),
        ("x", Counter({"x": 1})),  # a one-character query still has a gram
        ("", Counter()),
    ],
)
def test_ngrams(text: str, expected: Counter) -> None:
    assert ngrams(text) == expected


DOCS = ["解約したい", "請求日はいつ", "くれじつとかどを変更したい", "解約の方法"]


@pytest.fixture(scope="module")
def index() -> NgramIndex:
    return NgramIndex(DOCS)


def test_identical_document_scores_one(index: NgramIndex) -> None:
    scores = index.scores("請求日はいつ")
    assert scores.shape == (4,)
    assert scores[1] == pytest.approx(1.0, abs=1e-5)
    assert scores[0] == 0.0 and scores[2] == 0.0


def test_scores_are_cosines_in_unit_range(index: NgramIndex) -> None:
    for query in ["解約", "変更したい", "いつ解約", "まったく関係ない"]:
        scores = index.scores(query)
        assert np.all(scores >= 0.0) and np.all(scores <= 1.0 + 1e-6)


def test_unknown_grams_lower_the_score(index: NgramIndex) -> None:
    assert index.scores("解約したい")[0] > index.scores("解約したいけど明日の天気も教えて")[0]


def test_top_is_ordered_and_drops_zero_scores(index: NgramIndex) -> None:
    hits = index.top("解約", 4)
    assert {h.doc for h in hits} == {0, 3}
    assert hits[0].score >= hits[1].score > 0.0
    assert index.top("天気", 3) == []
    assert index.top("解約", 0) == []
    assert isinstance(index.top("請求日", 1)[0], Hit) and index.top("請求日", 1)[0].doc == 1


def test_coverage_both_ways(index: NgramIndex) -> None:
    q_cov, d_cov = index.coverage("解約")
    # every gram of 解約 is in both 解約 documents: full query coverage
    assert q_cov[0] == pytest.approx(1.0) and q_cov[3] == pytest.approx(1.0)
    # …but only part of each document is covered by the query
    assert 0.0 < d_cov[0] < 1.0
    assert q_cov[1] == 0.0 and d_cov[1] == 0.0
    q_cov, d_cov = index.coverage("解約したい")
    assert d_cov[0] == pytest.approx(1.0) and q_cov[0] == pytest.approx(1.0)


def test_empty_index_and_empty_query() -> None:
    empty = NgramIndex([])
    assert empty.scores("解約").shape == (0,)
    assert empty.top("解約", 3) == []
    index = NgramIndex(DOCS)
    assert not index.scores("").any()
    q_cov, d_cov = index.coverage("")
    assert not q_cov.any() and not d_cov.any()
