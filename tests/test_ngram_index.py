"""Tests of faqbot.routing.ngram_index: character n-grams and idf-weighted coverage."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.ngram_extract import key_strings
from faqbot.routing.ngram_index import NgramIndex, gram_keys, ngrams


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", ("ab", "bc", "abc")),
        ("かいやく", ("かい", "いや", "やく", "かいや", "いやく")),
        ("解約", ("解約", "解", "約")),  # single kanji count too
        ("aaa", ("aa", "aaa")),  # each distinct gram once
        ("x", ("x",)),  # a one-character query still has a gram
        ("", ()),
    ],
)
def test_ngrams(text: str, expected: tuple[str, ...]) -> None:
    assert ngrams(text) == expected


def coverage(index: NgramIndex, query: str) -> tuple[np.ndarray, np.ndarray]:
    """Query and document coverage as the router computes them from the index's masses."""
    shared, qmass = index.shared_mass(query)
    return shared / qmass, shared / index.doc_mass(np.arange(index.size))


DOCS = ["解約したい", "請求日はいつ", "くれじつとかどを変更したい", "解約の方法"]


@pytest.fixture(scope="module")
def index() -> NgramIndex:
    return NgramIndex(DOCS)


def test_identical_document_is_covered_fully_both_ways(index: NgramIndex) -> None:
    q_cov, d_cov = coverage(index, "請求日はいつ")
    assert q_cov.shape == d_cov.shape == (4,)
    assert q_cov[1] == pytest.approx(1.0, abs=1e-5) and d_cov[1] == pytest.approx(1.0, abs=1e-5)
    assert q_cov[0] == 0.0 and q_cov[2] == 0.0 and d_cov[0] == 0.0 and d_cov[2] == 0.0


def test_coverages_are_in_unit_range(index: NgramIndex) -> None:
    for query in ["解約", "変更したい", "いつ解約", "まったく関係ない"]:
        for cov in coverage(index, query):
            assert np.all(cov >= 0.0) and np.all(cov <= 1.0 + 1e-6)


def test_unknown_grams_lower_the_query_coverage(index: NgramIndex) -> None:
    assert coverage(index, "解約したい")[0][0] > coverage(index, "解約したいけど明日の天気も教えて")[0][0]


def test_coverage_both_ways(index: NgramIndex) -> None:
    q_cov, d_cov = coverage(index, "解約")
    # every gram of 解約 is in both 解約 documents: full query coverage
    assert q_cov[0] == pytest.approx(1.0) and q_cov[3] == pytest.approx(1.0)
    # …but only part of each document is covered by the query
    assert 0.0 < d_cov[0] < 1.0
    assert q_cov[1] == 0.0 and d_cov[1] == 0.0
    q_cov, d_cov = coverage(index, "解約したい")
    assert d_cov[0] == pytest.approx(1.0) and q_cov[0] == pytest.approx(1.0)


def test_empty_index_and_empty_query() -> None:
    empty = NgramIndex([])
    assert coverage(empty, "解約")[0].shape == (0,)
    index = NgramIndex(DOCS)
    q_cov, d_cov = coverage(index, "")
    assert not q_cov.any() and not d_cov.any()


def _docs_sharing_one_gram(count: int) -> list[str]:
    # Every document ends in 「ですか」; the rest is a distinct pair of kanji.
    return [chr(0x4E00 + i) + chr(0x5E00 + i) + "ですか" for i in range(count)]


@pytest.mark.parametrize(
    ("count", "common"),
    [
        (1_000, False),  # in every document, but below 2,000 documents nothing is common
        (2_000, False),  # exactly 2,000: not more than the floor
        (3_000, True),  # more than 2,000 documents and more than 5% of them
    ],
)
def test_gram_in_thousands_of_documents_is_common(count: int, common: bool) -> None:
    index = NgramIndex(_docs_sharing_one_gram(count))
    # A common gram credits no document; a rare one (in one document) does.
    assert (not index.shared_mass("です")[0].any()) is common
    assert index.shared_mass(chr(0x4E00) + chr(0x5E00))[0].any()


def test_common_grams_count_in_the_query_but_credit_no_document() -> None:
    index = NgramIndex(_docs_sharing_one_gram(3_000))
    shared, qmass = index.shared_mass("ですか")
    assert not shared.any()  # every gram of the query is common: no document is credited
    assert qmass > 0.0
    q_cov, _ = coverage(index, chr(0x4E00) + chr(0x5E00) + "ですか")
    # Document 0 shares the rare pair and the common tail; only the pair is credited, so its
    # coverage of the query is below 1 (the tail still weighs in the query's mass).
    assert 0.0 < q_cov[0] < 1.0
    assert int(np.argmax(q_cov)) == 0 and np.count_nonzero(q_cov) == 1


# -- integer keys: the query path finds exactly what string look-ups found ------------------------

_ODD_TEXTS = ["", "x", "解", "ab", "aaaa", "x\x00y", "\x00", "\ud800z", "😀😀a", "けいやく いつまで", "日本日本語", "豈" + "㐀" + "ﬀ"]


def _texts(engine: Engine) -> list[str]:
    channel = engine.router.char_channel
    return [*_ODD_TEXTS, *(channel.surface(t) for t in list(channel.texts)[::7])]


def test_gram_keys_stand_for_ngrams_in_order(engine: Engine) -> None:
    for text in _texts(engine):
        assert key_strings(gram_keys(text)) == list(ngrams(text)), text


def _shared_mass_by_strings(index: NgramIndex, query: str) -> tuple[np.ndarray, float]:
    """``shared_mass`` as it was written before integer keys: a string look-up, float32 weights to bincount."""
    vocab = {gram: i for i, gram in enumerate(key_strings(index._keys))}
    grams = ngrams(query)
    if not grams or index.size == 0:
        return np.zeros(index.size), 1.0
    ids = [vocab[g] for g in grams if g in vocab]
    idfs = index._idf[ids] if ids else np.zeros(0)
    qmass = float(idfs.sum()) + (len(grams) - len(ids)) * index._max_idf or 1.0
    rare = [i for i, gid in enumerate(ids) if not index._common[gid]]
    if not rare:
        return np.zeros(index.size), qmass
    postings = [index._docs[index._indptr[ids[i]] : index._indptr[ids[i] + 1]] for i in rare]
    weights = np.repeat(idfs[rare].astype(np.float32), [len(p) for p in postings])
    return np.bincount(np.concatenate(postings), weights=weights, minlength=index.size), qmass


def test_shared_mass_is_bit_for_bit_the_string_lookups(engine: Engine) -> None:
    channel = engine.router.char_channel
    queries = [*_texts(engine), "かいやくしたい", "ﾊﾟｽﾜｰﾄﾞ わすれた", "自動更新の解約方法を教えて" * 3]
    indexes = [channel._surface_index, channel._entry_index, channel._reading_index, NgramIndex(_docs_sharing_one_gram(3_000))]
    for index in indexes:
        for query in [*queries, "ですか", chr(0x4E00) + chr(0x5E00) + "ですか"]:
            shared, qmass = index.shared_mass(query)
            want, want_qmass = _shared_mass_by_strings(index, query)
            assert shared.dtype == want.dtype and shared.tobytes() == want.tobytes(), query
            assert qmass == want_qmass, query
