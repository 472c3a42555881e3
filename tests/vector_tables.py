"""Small word-vector tables and spaCy-style wheels for the tests (written by hand, no spaCy)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from faqbot.text.vector_wheel import murmur64a
from faqbot.text.word_vectors import WordVectors


def key2row(pairs: list[tuple[int, int]]) -> bytes:
    """A msgpack map16 of uint64 keys to fixint rows, as spaCy writes ``vocab/key2row``."""
    raw = bytes([0xDE]) + len(pairs).to_bytes(2, "big")
    for key, row in pairs:
        raw += bytes([0xCF]) + key.to_bytes(8, "big") + bytes([row])
    return raw


def write_wheel(path: Path, rows: dict[str, int], vectors: np.ndarray, extra_strings: tuple[str, ...] = ()) -> Path:
    """A wheel at ``path`` whose vocab gives each word of ``rows`` its row of ``vectors``."""
    buffer = io.BytesIO()
    np.save(buffer, vectors.astype(np.float32))
    pairs = [(murmur64a(word.encode()), row) for word, row in rows.items()]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/model-0/vocab/vectors", buffer.getvalue())
        archive.writestr("model/model-0/vocab/key2row", key2row(pairs))
        archive.writestr("model/model-0/vocab/strings.json", json.dumps([*rows, *extra_strings]))
    return path


# Three directions: "cancelling" words, "billing" words, and the rest.
SYNONYM_ROWS = {"解約": 0, "キャンセル": 0, "退会": 0, "止める": 0, "請求": 1, "引き落とし": 1, "支払い": 1, "払う": 1, "天気": 2}
SYNONYM_VECTORS = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]])


def synonym_table() -> WordVectors:
    """:data:`SYNONYM_ROWS` as a table named ``test``."""
    return WordVectors.from_words("test", "hand-written", list(SYNONYM_ROWS), list(SYNONYM_ROWS.values()), SYNONYM_VECTORS)
