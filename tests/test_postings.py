"""Tests of faqbot.routing.postings: the compiled postings sums are the numpy ones, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.routing import postings
from faqbot.routing.ngram_index import gram_keys

compiled = pytest.mark.skipif(postings.kernels is None, reason="faqbot.routing._postings not built (no C compiler)")


def _index(rng: np.random.Generator, docs: int, grams: int, per_gram: int) -> tuple[np.ndarray, np.ndarray]:
    """Random postings: each gram's documents ascending, some grams with none."""
    counts = rng.integers(0, per_gram, size=grams)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    lists = [np.sort(rng.choice(docs, size=int(c), replace=False)) for c in counts]
    return indptr, np.concatenate(lists).astype(np.int32)


@compiled
def test_gram_masses_equal_bincount_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    indptr, docs = _index(rng, 5_000, 400, 300)
    idf = np.log(5_001 / (np.diff(indptr) + 1.0)) + 1.0
    for _ in range(50):
        # Repeats and any order: sums depend on the order, which both must keep.
        ids = rng.integers(0, 400, size=int(rng.integers(1, 60)))
        got = postings.gram_masses(5_000, indptr, docs, ids, idf)
        want = postings.gram_masses_numpy(5_000, indptr, docs, ids, idf)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


@compiled
def test_weighted_sums_and_best_per_owner_equal_numpy() -> None:
    rng = np.random.default_rng(5)
    indptr, rows = _index(rng, 3_000, 200, 200)
    weights = rng.random(len(rows)) * rng.choice([1e-3, 1.0, 1e3], size=len(rows))
    owner = np.sort(rng.integers(0, 700, size=3_000)).astype(np.int32)
    for _ in range(50):
        columns = rng.integers(0, 200, size=int(rng.integers(1, 30)))
        got = postings.weighted_sums(3_000, indptr, rows, weights, columns)
        want = postings.weighted_sums_numpy(3_000, indptr, rows, weights, columns)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        best = postings.best_per_owner(700, indptr, rows, columns, owner, got)
        assert best.tobytes() == postings.best_per_owner_numpy(700, indptr, rows, columns, owner, got).tobytes()


@compiled
def test_no_postings_give_bincounts_integer_zeros() -> None:
    # bincount of no postings is int64 zeros even with weights; a fingerprint hashes the dtype.
    indptr = np.array([0, 0, 2], dtype=np.int64)
    rows = np.array([1, 3], dtype=np.int32)
    weights = np.array([0.5, 0.25])
    for columns in (np.array([0]), np.array([0, 0])):
        got = postings.weighted_sums(4, indptr, rows, weights, columns)
        want = postings.weighted_sums_numpy(4, indptr, rows, weights, columns)
        assert got.dtype == want.dtype == np.intp and got.tobytes() == want.tobytes()
        got = postings.gram_masses(4, indptr, rows, columns, weights)
        assert got.dtype == postings.gram_masses_numpy(4, indptr, rows, columns, weights).dtype == np.intp


@compiled
def test_bad_indexes_raise_instead_of_reading_out_of_bounds() -> None:
    indptr = np.array([0, 2, 3], dtype=np.int64)
    docs = np.array([0, 9, 1], dtype=np.int32)  # 9 is past a 5-document output
    idf = np.ones(2)
    with pytest.raises(IndexError):
        postings.gram_masses(5, indptr, docs, np.array([0]), idf)
    with pytest.raises(IndexError):
        postings.gram_masses(10, indptr, docs, np.array([2]), idf)  # no gram 2


def test_wrong_types_take_the_numpy_code() -> None:
    indptr = np.array([0, 2, 3], dtype=np.int64)
    docs = np.array([0, 4, 1], dtype=np.int64)  # not int32: the compiled code would misread it
    got = postings.gram_masses(5, indptr, docs, np.array([1, 0]), np.array([1.5, 2.0]))
    assert got.tolist() == [1.5, 2.0, 0.0, 0.0, 1.5]


@compiled
def test_the_engines_indexes_sum_alike(engine: Engine) -> None:
    channel = engine.router.char_channel
    lexical = engine.router._lexical
    queries = [*(q for e in engine.kb.entries for q in e.questions[:3]), "かいやくしたい", "ﾊﾟｽﾜｰﾄﾞ わすれた", "自動更新の解約方法を教えて" * 3]
    for query in queries:
        surface = channel.surface(query)
        for index in (channel._surface_index, channel._entry_index, channel._reading_index):
            ids = index.lookup(gram_keys(surface))
            ids = ids[ids >= 0]
            ids = ids[~index._common[ids]]
            if not len(ids):
                continue
            got = postings.gram_masses(index.size, index._indptr, index._docs, ids, index._idf)
            want = postings.gram_masses_numpy(index.size, index._indptr, index._docs, ids, index._idf)
            assert got.tobytes() == want.tobytes(), query
        columns = lexical.vocabulary.lookup(engine.router.analyze(query).topic_terms)
        for field in (lexical._questions, lexical._answers, lexical._pages):
            rare = field.rare(columns)
            if not len(rare):
                continue
            got = postings.weighted_sums(field.size, field._indptr, field._rows, field._weights, rare)
            want = postings.weighted_sums_numpy(field.size, field._indptr, field._rows, field._weights, rare)
            assert got.tobytes() == want.tobytes(), query


@compiled
def test_half_coverages_equal_numpy_bit_for_bit(engine: Engine) -> None:
    rng = np.random.default_rng(11)
    size = 4_000
    doc_mass = (rng.random(size) * 40 + 1).astype(np.float32)
    short = rng.random(size) < 0.1
    for _ in range(30):
        shared = np.where(rng.random(size) < 0.3, rng.random(size) * 30, 0.0)
        qmass = float(rng.random() * 50 + 1)
        ids, scores = postings.half_coverages(shared, qmass, doc_mass, short)
        want_ids, want = postings.half_coverages_numpy(shared, qmass, doc_mass, short)
        assert ids.dtype == want_ids.dtype and ids.tobytes() == want_ids.tobytes()
        assert scores.dtype == want.dtype and scores.tobytes() == want.tobytes()
    channel = engine.router.char_channel
    index = channel._surface_index
    for entry in engine.kb.entries:
        for question in entry.questions[:4]:
            shared, qmass = index.shared_mass(channel.surface(question + "ですか"))
            got = postings.half_coverages(shared, qmass, index.doc_masses, channel._short_doc)
            want_ids, want = postings.half_coverages_numpy(shared, qmass, index.doc_masses, channel._short_doc)
            assert got[0].tobytes() == want_ids.tobytes() and got[1].tobytes() == want.tobytes(), question


@compiled
def test_relabelled_renames_as_the_numpy_code() -> None:
    from faqbot.routing.fuzzy_similarity import relabelled, relabelled_numpy

    rng = np.random.default_rng(13)
    alphabets = [
        "abc",
        "あいうえおかきくけこ解約更新",
        "".join(map(chr, range(0x3041, 0x3041 + 300))),  # more than 256 distinct
        "abc\U0001f600",  # outside the BMP
        "\ud800xy",  # a lone surrogate, as a JSON escape can leave
    ]

    def pick(alphabet: str) -> str:
        return "".join(rng.choice(list(alphabet), size=int(rng.integers(0, 30))))

    for alphabet in alphabets:
        for _ in range(40):
            surface, questions = pick(alphabet), [pick(alphabet) for _ in range(int(rng.integers(0, 8)))]
            got, want = relabelled(surface, questions), relabelled_numpy(surface, questions)
            assert got == want
            assert [t.isascii() for t in [got[0], *got[1]]] == [t.isascii() for t in [want[0], *want[1]]]
    assert relabelled("", []) == relabelled_numpy("", []) == ("", [])
    assert relabelled("", ["", ""]) == ("", ["", ""])


@compiled
def test_packed_strings_taken_in_compiled_code_equal_the_numpy_reading(engine: Engine) -> None:
    from faqbot.text import packed

    texts = ["", "解約したい", "a", "Wi-Fiルーター", "😀 絵文字", "x" * 300, "ｶﾅ"]
    strings = packed.PackedStrings(texts)
    surfaces = engine.router._char._doc_surface
    rng = np.random.default_rng(11)
    cases = [
        (strings, np.arange(len(texts))), (strings, np.array([6, 0, 0, 3])), (strings, np.zeros(0, dtype=np.int64)),
        (surfaces, rng.integers(0, len(surfaces), 60)), (surfaces, np.arange(len(surfaces))),
    ]
    assert packed._compiled_take is not None
    compiled_reads = [table.take(positions) for table, positions in cases]
    try:
        packed.use_compiled_take(None)
        numpy_reads = [table.take(positions) for table, positions in cases]
    finally:
        packed.use_compiled_take(postings.kernels.take_strings)
    assert compiled_reads == numpy_reads
    assert compiled_reads[0] == texts and compiled_reads[-1] == list(surfaces)
    # Out of range: the compiled code declines and the numpy reading decides, as before.
    assert postings.kernels.take_strings(strings._blob, strings._offsets, np.array([7], dtype=np.int64)) is None
    assert postings.kernels.take_strings(strings._blob, strings._offsets, np.array([-1], dtype=np.int64)) is None
