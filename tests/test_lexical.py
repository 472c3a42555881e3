"""Tests of faqbot.routing.lexical: BM25 per field, Lucene idf, exclusion, the ceiling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.lexical import FieldIndex, LexicalIndex, Vocabulary


def test_field_index_matches_the_bm25_formula() -> None:
    # Two documents; "a" in both, "b" twice in the first.  k1 = 1.2, b = 0.75.
    vocab = Vocabulary()
    docs = [vocab.add(["a", "b", "b"]), vocab.add(["a"])]
    index = FieldIndex(docs, len(vocab.ids))
    idf_b = math.log1p((2 - 1 + 0.5) / (1 + 0.5))
    avg = 2.0
    expected_b = idf_b * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / avg))
    scores = index.scores(vocab.lookup(["b"]))
    assert scores[0] == pytest.approx(expected_b) and scores[1] == 0.0
    assert index.ceiling(vocab.lookup(["b"])) == pytest.approx(idf_b * 2.2)


def test_unknown_terms_are_left_out_of_the_lookup() -> None:
    vocab = Vocabulary()
    vocab.add(["x"])
    assert vocab.lookup(["x", "never-seen"]).tolist() == [0]


def _index() -> LexicalIndex:
    questions = [("解約", "方法"), ("解約", "出来る", "〈否定〉"), ("カード", "変更")]
    owners = np.array([0, 0, 1])
    answers = [("解約", "画面"), ("カード", "登録")]
    pages = [("解約",), ()]
    return LexicalIndex(questions, owners, answers, pages)


def test_an_entry_scores_as_its_best_question_plus_its_answer_and_pages() -> None:
    scores = _index().score(["解約", "方法"])
    assert scores.question[0] > 0 and scores.answer[0] > 0 and scores.pages[0] > 0
    assert scores.best_question(0) == 0 and scores.best_question(1) == -1
    assert scores.total[0] > scores.total[1] == 0.0


def test_excluded_questions_score_nothing() -> None:
    index = _index()
    assert index.score(["方法"], excluded=[0]).question[0] == 0.0
    assert index.score(["方法"]).question[0] > 0.0


def test_unknown_words_raise_the_ceiling() -> None:
    index = _index()
    assert index.score(["解約", "パスポート"]).ceiling > index.score(["解約"]).ceiling


def test_questions_must_be_grouped_by_entry() -> None:
    with pytest.raises(ValueError, match="grouped by entry"):
        LexicalIndex([("a",), ("b",), ("c",)], np.array([1, 0, 1]), [(), ()], [(), ()])


def test_each_entrys_best_question_is_the_max_over_its_questions() -> None:
    # Entries with one to four questions, some scoring nothing, some scoring in several questions.
    words = ["解約", "方法", "料金", "変更", "登録"]
    questions = [(words[(i * 7 + j) % 5],) if (i + j) % 3 else () for i in range(12) for j in range(1 + i % 4)]
    owners = np.array([i for i in range(12) for _ in range(1 + i % 4)])
    index = LexicalIndex(questions, owners, [()] * 12, [()] * 12)
    for terms in (["解約"], ["方法", "料金"], ["パスポート"], words):
        scores = index.score(terms, excluded=[3])
        starts = np.searchsorted(owners, np.arange(12))
        assert scores.question.tolist() == np.maximum.reduceat(scores.per_question, starts).tolist()
    assert index.score(words).question.max() > 0.0


def test_add_all_numbers_terms_as_adding_each_document_in_turn() -> None:
    docs = [("a", "b", "a"), (), ("c", "b"), ("d",)]
    one_by_one = Vocabulary()
    one_by_one.add(["z"])
    expected = [c for doc in docs for c in one_by_one.add(doc)]
    together = Vocabulary()
    together.add(["z"])
    columns, lengths = together.add_all(docs)
    assert columns.tolist() == expected == [1, 2, 1, 3, 2, 4]
    assert lengths.tolist() == [3, 0, 2, 1]
    assert together.ids == one_by_one.ids


def test_an_index_from_columns_in_parts_is_the_index_of_the_whole_lists() -> None:
    questions = [("解約", "方法"), ("解約", "出来る", "〈否定〉"), ("カード", "変更"), ("変更",)]
    owners = np.array([0, 0, 1, 2])
    answers = [("解約", "画面"), ("カード", "登録"), ("請求",)]
    pages = [("解約",), (), ("請求", "解約")]
    whole = LexicalIndex(questions, owners, answers, pages)
    cut = LexicalIndex.from_columns(
        [Vocabulary.columns(questions[:2]), Vocabulary.columns(questions[2:])],
        owners,
        [Vocabulary.columns(answers[:1]), Vocabulary.columns(answers[1:])],
        [Vocabulary.columns(pages[:1]), Vocabulary.columns(pages[1:])],
    )
    assert cut.vocabulary.ids == whole.vocabulary.ids  # the same numbering, term for term
    for query in (["解約", "方法"], ["カード"], ["請求", "変更", "未知"]):
        a, b = whole.score(query), cut.score(query)
        assert np.array_equal(a.total, b.total) and np.array_equal(a.per_question, b.per_question) and a.ceiling == b.ceiling


def test_each_entry_scores_its_best_question_on_the_shipped_kb(engine: Engine) -> None:
    # The best question is taken over the query's postings only: it must be the maximum
    # over each entry's whole run of questions, exactly, with and without exclusions.
    router = engine.router
    lexical = router._lexical
    texts = list(router.char_channel.texts)[::5]
    for i, text in enumerate(texts):
        terms = router.analyze(text).topic_terms
        for excluded in ([], [i * 5], [i * 5, i * 5 + 1, 3]):
            excluded = [q for q in excluded if q < len(lexical._owner_of)]
            fields = lexical.score(terms, excluded)
            want = np.maximum.reduceat(fields.per_question, fields.starts)
            assert fields.question.tobytes() == want.tobytes(), (text, excluded)


def test_a_field_index_is_built_as_one_unique_over_every_posting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-place sort and the weights a block at a time give exactly np.unique's layout and floats."""
    import faqbot.routing.lexical as lexical

    monkeypatch.setattr(lexical, "_BLOCK", 1000)  # many blocks, a ragged last one
    rng = np.random.default_rng(3)
    width, n = 700, 900
    lengths = rng.integers(0, 12, n)  # some empty documents
    cols = rng.integers(0, width - 50, int(lengths.sum())).astype(np.int64)  # repeats: tf > 1; unused columns
    index = FieldIndex.from_columns(cols, lengths, width)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keys, tf = np.unique(cols * n + rows, return_counts=True)
    col_of, row_of = np.divmod(keys, n)
    df = np.bincount(col_of, minlength=width).astype(np.float64)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    idf[df == 0] = 0.0
    norm = 1.2 * (1.0 - 0.75 + 0.75 * lengths.astype(np.float64)[row_of] / float(lengths.mean()))
    assert len(tf) > 3000 and tf.max() > 1
    assert np.array_equal(index._weights, idf[col_of] * tf * 2.2 / (tf + norm))  # bit for bit
    assert np.array_equal(index._rows, row_of.astype(np.int32))
    assert np.array_equal(index.idf, idf)
    empty = FieldIndex.from_columns(np.zeros(0, dtype=np.int64), np.zeros(3, dtype=np.int64), 5)
    assert len(empty._weights) == 0 and empty.size == 3 and np.array_equal(empty.scores(np.array([1])), np.zeros(3))
