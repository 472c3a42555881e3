"""Tests of benchmarks/bench_vectors.py: reading a ja-ginza wheel's vectors without spaCy."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from bench_vectors import _msgpack_uint_map, load_vectors, murmur64a  # noqa: E402


def test_a_msgpack_map_of_unsigned_integers_is_read_in_each_width() -> None:
    # map16 of three pairs: fixint → fixint, uint64 → uint16, uint32 → uint8 (written by hand).
    raw = bytes([0xDE, 0x00, 0x03, 0x05, 0x01])
    raw += bytes([0xCF]) + (2**63 + 7).to_bytes(8, "big") + bytes([0xCD, 0x01, 0x00])
    raw += bytes([0xCE]) + (70000).to_bytes(4, "big") + bytes([0xCC, 0xFF])
    assert _msgpack_uint_map(raw) == {5: 1, 2**63 + 7: 256, 70000: 255}


@pytest.mark.parametrize("raw", [bytes([0x93, 0x01, 0x02, 0x03]), bytes([0xDE, 0x00, 0x01, 0xA1, 0x61, 0x01])])
def test_anything_else_is_named_as_not_a_spacy_vocab(raw: bytes) -> None:
    with pytest.raises(ValueError, match="spaCy vocab"):
        _msgpack_uint_map(raw)


def test_murmur64a_of_nothing_with_seed_zero_is_zero() -> None:
    assert murmur64a(b"", seed=0) == 0  # MurmurHash64A's fixed point
    assert murmur64a(b"a") != murmur64a(b"b")
    assert murmur64a("解約".encode()) < 2**64


def test_a_wheel_s_vectors_are_read_by_word_and_made_unit_length(tmp_path: Path) -> None:
    vectors = np.array([[3.0, 4.0], [0.0, 2.0]], dtype=np.float32)
    words = ["解約", "請求", "未登録"]  # the third has no row
    pairs = [(murmur64a(words[0].encode()), 1), (murmur64a(words[1].encode()), 0)]
    raw = bytes([0xDE, 0x00, len(pairs)])
    for key, row in pairs:
        raw += bytes([0xCF]) + key.to_bytes(8, "big") + bytes([row])
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    wheel = tmp_path / "ja_ginza-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("ja_ginza/ja_ginza-0/vocab/vectors", buffer.getvalue())
        archive.writestr("ja_ginza/ja_ginza-0/vocab/key2row", raw)
        archive.writestr("ja_ginza/ja_ginza-0/vocab/strings.json", json.dumps(words))
    rows, unit = load_vectors(wheel)
    assert rows == {"解約": 1, "請求": 0}
    assert unit[0].tolist() == pytest.approx([0.6, 0.8]) and unit[1].tolist() == pytest.approx([0.0, 1.0])
