"""Tests of faqbot.text.vector_wheel: a spaCy model wheel's vectors read without spaCy."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from faqbot.text.vector_wheel import msgpack_uint_map, murmur64a, read_wheel
from faqbot.text.word_vectors import WordVectorsError
from tests.vector_tables import write_wheel


@pytest.mark.parametrize(
    ("word", "key"),
    [
        # Keys of ja-ginza 5.3.0's vocab/key2row (spaCy's own hashes), found there for these words:
        # a 6-byte word (tail only) and a 21-byte one (two whole blocks and a tail).
        ("解約", 18424087175909737376),
        ("更新", 2621637281683946364),
        ("コンピューター", 3615928692854928586),
    ],
)
def test_murmur64a_gives_spacy_s_keys(word: str, key: int) -> None:
    assert murmur64a(word.encode("utf-8")) == key


def test_murmur64a_of_nothing_with_seed_zero_is_zero() -> None:
    assert murmur64a(b"", seed=0) == 0  # MurmurHash64A's fixed point


def test_a_msgpack_map_of_unsigned_integers_is_read_in_each_width() -> None:
    # map16 of three pairs: fixint → fixint, uint64 → uint16, uint32 → uint8 (written by hand).
    raw = bytes([0xDE, 0x00, 0x03, 0x05, 0x01])
    raw += bytes([0xCF]) + (2**63 + 7).to_bytes(8, "big") + bytes([0xCD, 0x01, 0x00])
    raw += bytes([0xCE]) + (70000).to_bytes(4, "big") + bytes([0xCC, 0xFF])
    assert msgpack_uint_map(raw) == {5: 1, 2**63 + 7: 256, 70000: 255}


@pytest.mark.parametrize("raw", [bytes([0x93, 0x01, 0x02, 0x03]), bytes([0xDE, 0x00, 0x01, 0xA1, 0x61, 0x01]), b""])
def test_anything_else_is_named_as_not_a_spacy_vocab(raw: bytes) -> None:
    with pytest.raises(WordVectorsError, match="spaCy vocab"):
        msgpack_uint_map(raw)


def test_a_wheel_s_vectors_are_read_by_word_and_made_unit_length(tmp_path: Path) -> None:
    vectors = np.array([[3.0, 4.0], [0.0, 2.0]])
    wheel = write_wheel(tmp_path / "model-0-py3-none-any.whl", {"解約": 1, "請求": 0}, vectors, extra_strings=("未登録",))
    table = read_wheel(wheel, "mine")
    assert (table.name, table.source, len(table.keys)) == ("mine", "model-0-py3-none-any.whl", 2)
    assert table.vectors[table.rows_of(["請求"])[0]].tolist() == pytest.approx([0.6, 0.8])
    assert table.vectors[table.rows_of(["解約"])[0]].tolist() == pytest.approx([0.0, 1.0])
    assert table.rows_of(["未登録"]).tolist() == []  # a string without a row is no word of the table


def test_a_zip_without_vectors_is_refused_by_name(tmp_path: Path) -> None:
    wheel = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("other/__init__.py", "")
    with pytest.raises(WordVectorsError, match=r"no vocab/vectors inside; is it a spaCy model wheel"):
        read_wheel(wheel, "other")


def test_a_file_that_is_no_zip_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "broken.whl"
    wheel.write_bytes(b"not a zip")
    with pytest.raises(WordVectorsError, match="cannot be read as a model wheel"):
        read_wheel(wheel, "broken")
