"""Tests of faqbot.text.word_vectors: the table's lookups, and its files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from faqbot.text.word_vectors import WordVectors, WordVectorsError, load_word_vectors
from tests.vector_tables import synonym_table


def test_words_sharing_a_row_share_its_unit_vector() -> None:
    table = synonym_table()
    rows = table.rows_of(["解約", "キャンセル", "請求"])
    assert rows.tolist() == [0, 0, 1]
    assert table.vectors[1].tolist() == pytest.approx([0.0, 1.0, 0.0])  # [0, 2, 0] made unit length


def test_lookup_keeps_positions_and_marks_unknown_words() -> None:
    table = synonym_table()
    assert table.lookup(["天気", "ない言葉", "退会"]).tolist() == [2, -1, 0]
    assert table.rows_of(["ない言葉"]).tolist() == []
    assert table.lookup([]).tolist() == []


def test_a_zero_vector_stays_zero() -> None:
    table = WordVectors.from_words("z", "test", ["無"], [0], np.zeros((1, 2)))
    assert table.vectors[0].tolist() == [0.0, 0.0]


def test_words_and_rows_must_pair_up() -> None:
    with pytest.raises(WordVectorsError, match="2 words but 1 rows"):
        WordVectors.from_words("x", "test", ["a", "b"], [0], np.ones((1, 2)))


def test_a_saved_table_loads_mapped_with_the_same_lookups(tmp_path: Path) -> None:
    table = synonym_table()
    table.save(tmp_path / "test")
    loaded = load_word_vectors(tmp_path / "test")
    assert not loaded.vectors.flags.owndata and not loaded.vectors.flags.writeable  # mapped read-only
    assert (loaded.name, loaded.digest) == ("test", table.digest)
    assert loaded.lookup(["引き落とし", "天気", "?"]).tolist() == [1, 2, -1]
    assert json.loads((tmp_path / "test" / "about.json").read_text())["words"] == len(table.keys)
    assert not list((tmp_path / "test").glob(".*"))  # no partial file is left behind


def test_a_missing_or_mismatched_folder_says_to_install_again(tmp_path: Path) -> None:
    with pytest.raises(WordVectorsError, match="faqbot vectors install"):
        load_word_vectors(tmp_path / "absent")
    synonym_table().save(tmp_path / "t")
    np.save(tmp_path / "t" / "rows.npy", np.array([0], dtype=np.int32))  # fewer rows than words
    with pytest.raises(WordVectorsError, match="do not fit together"):
        load_word_vectors(tmp_path / "t")


def test_the_digest_tells_tables_apart() -> None:
    one = synonym_table()
    other = WordVectors.from_words("test", "hand-written", ["解約"], [0], np.ones((1, 3)))
    assert one.digest != other.digest


def test_an_engine_file_holding_a_loaded_table_keeps_its_arrays_out_of_the_pickle(tmp_path: Path) -> None:
    from faqbot.answers.engine_file import read_engine_file, write_engine_file

    table = WordVectors.from_words("big", "test", [f"語{i}" for i in range(2000)], list(range(2000)), np.ones((2000, 50)))
    table.save(tmp_path / "big")
    write_engine_file(load_word_vectors(tmp_path / "big"), tmp_path / "table.engine")
    read = read_engine_file(tmp_path / "table.engine")
    assert isinstance(read, WordVectors) and read.lookup(["語7"]).tolist() == [7]
    # Out of band: mapped views of the engine file, and a pickle far smaller than the 400 kB of vectors.
    assert type(read.vectors) is np.ndarray and not read.vectors.flags.owndata
    with (tmp_path / "table.engine").open("rb") as handle:
        pickle_length = int.from_bytes(handle.read(24)[16:24], "little")
    assert pickle_length < 10_000
