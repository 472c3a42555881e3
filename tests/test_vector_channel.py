"""Tests of faqbot.routing.vector_channel: entries' vectors, a message's cosines, held-out questions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from faqbot.routing.vector_channel import TermDocuments, VectorChannel
from faqbot.text.word_vectors import WordVectors
from tests.vector_tables import synonym_table


def _channel(documents: list[tuple[int, list[str]]], entries: int) -> VectorChannel:
    table = synonym_table()
    rows = [table.lookup(terms) for _, terms in documents]
    owners = [np.full(len(terms), owner, dtype=np.int64) for owner, terms in documents]
    return VectorChannel.build(table, TermDocuments(np.concatenate(rows), np.concatenate(owners)), entries)


def test_an_entry_s_vector_is_the_idf_weighted_sum_of_its_terms() -> None:
    # Entry 0: 解約 twice and 天気 (a question and an answer); entry 1: 請求 and a word without a vector.
    channel = _channel([(0, ["解約", "天気"]), (0, ["キャンセル"]), (1, ["請求", "ない言葉"])], entries=2)
    idf_one_entry = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))  # Lucene's idf, each row in one entry of two
    assert channel.sums[0].tolist() == pytest.approx([2 * idf_one_entry, 0.0, idf_one_entry])
    assert channel.sums[1].tolist() == pytest.approx([0.0, idf_one_entry, 0.0])
    assert channel.norms[0] == pytest.approx(math.sqrt(5) * idf_one_entry)


def test_a_row_no_entry_holds_weighs_most() -> None:
    channel = _channel([(0, ["解約"]), (1, ["解約", "請求"])], entries=2)
    held_by_both, held_by_one, held_by_none = channel.idf[0], channel.idf[1], channel.idf[2]
    assert held_by_none > held_by_one > held_by_both


def test_a_synonym_the_entries_never_use_finds_its_entry() -> None:
    channel = _channel([(0, ["解約"]), (1, ["請求"])], entries=2)
    cosines = channel.cosines(["退会"], np.array([0, 1]))
    assert cosines.tolist() == pytest.approx([1.0, 0.0])


def test_a_message_without_any_vector_has_no_cosine() -> None:
    channel = _channel([(0, ["解約"])], entries=1)
    assert channel.cosines(["ない言葉"], np.array([0])).tolist() == [0.0]
    assert channel.cosines(["解約"], np.array([], dtype=np.int64)).tolist() == []


def test_a_held_out_question_no_longer_speaks_for_its_entry() -> None:
    # Entry 0 is about cancelling only through its question; its answer talks of billing.
    channel = _channel([(0, ["解約"]), (0, ["請求"]), (1, ["天気"])], entries=2)
    owners = np.array([0, 1])
    assert channel.cosines(["キャンセル"], owners)[0] > 0.5
    held = channel.cosines(["キャンセル"], owners, held_out=[(0, ["解約"])])
    assert held.tolist() == pytest.approx([0.0, 0.0])
    assert channel.cosines(["キャンセル"], owners)[0] > 0.5  # the stored sums are untouched


def test_what_rounding_leaves_of_an_emptied_entry_has_no_direction() -> None:
    # Summed in blocks when built and all at once when held out, 300 terms leave ~5e-6 of float32
    # rounding behind: a random direction that gave the emptied entry a cosine of its own.
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 300)) * rng.uniform(0.01, 100, size=(500, 1))
    table = WordVectors.from_words("r", "test", [f"w{i}" for i in range(500)], list(range(500)), vectors)
    terms = [f"w{i}" for i in rng.integers(0, 400, size=300)]
    rows = np.concatenate([table.lookup(terms), table.lookup(["w450"])])
    channel = VectorChannel.build(table, TermDocuments(rows, np.array([0] * len(terms) + [1])), 2)
    assert float(np.linalg.norm(channel.sums[0] - channel.embed(terms))) > 0.0  # the rounding is there
    for message in (["w7", "w9"], terms[:20]):
        assert channel.cosines(message, np.array([0, 1]), held_out=[(0, terms)])[0] == 0.0
