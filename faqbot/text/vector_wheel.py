"""Reading a spaCy model wheel's static word vectors without spaCy.

The ``ja-ginza`` wheel on the package registry (59 MB) carries 20,000 × 300 vectors
for 480,000 words.  A wheel is a zip; its ``vocab/vectors`` is a numpy array,
``vocab/key2row`` a msgpack map from spaCy's string hash (MurmurHash64A, seed 1) to a
row, and ``vocab/strings.json`` the strings hashed.  Installing spaCy and the model
to read them weighs ~200 MB; this reads the three files directly, with the hash and
the one msgpack shape written out here (no new dependency), once, at install time.
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import numpy as np

from faqbot.text.word_vectors import WordVectors, WordVectorsError

_MASK = (1 << 64) - 1
_WIDTHS = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}  # msgpack's uint8 … uint64 tags


def murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy hashes its strings (``hash_string``: seed 1)."""
    m, r = 0xC6A4A7935BD1E995, 47
    h = (seed ^ (len(data) * m)) & _MASK
    whole = len(data) // 8
    for (k,) in struct.iter_unpack("<Q", data[: whole * 8]):
        k = (k * m) & _MASK
        k ^= k >> r
        h ^= (k * m) & _MASK
        h = (h * m) & _MASK
    tail = data[whole * 8 :]
    if tail:
        for i in range(len(tail) - 1, -1, -1):
            h ^= tail[i] << (8 * i)
        h = (h * m) & _MASK
    h ^= h >> r
    h = (h * m) & _MASK
    return h ^ (h >> r)


def msgpack_uint_map(raw: bytes) -> dict[int, int]:
    """The one msgpack shape spaCy writes as ``key2row``: a map of unsigned integers."""

    def uint(at: int) -> tuple[int, int]:
        tag = raw[at]
        if tag < 0x80:
            return tag, at + 1
        width = _WIDTHS.get(tag)
        if width is None:
            raise WordVectorsError(f"key2row: byte {tag:#x} at {at} is no unsigned integer; is this a spaCy vocab?")
        return int.from_bytes(raw[at + 1 : at + 1 + width], "big"), at + 1 + width

    if raw[:1] == b"\xdf":
        (count,), at = struct.unpack_from(">I", raw, 1), 5
    elif raw[:1] == b"\xde":
        (count,), at = struct.unpack_from(">H", raw, 1), 3
    else:
        raise WordVectorsError("key2row: not a msgpack map; is this a spaCy vocab?")
    table: dict[int, int] = {}
    for _ in range(count):
        key, at = uint(at)
        table[key], at = uint(at)
    return table


def read_wheel(wheel: Path, name: str) -> WordVectors:
    """The word vectors in the spaCy model wheel ``wheel``, called ``name``.

    Raises :class:`WordVectorsError` for a file that is not a wheel with a spaCy vocabulary's vectors.
    """
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = {Path(n).name: n for n in archive.namelist() if "/vocab/" in n}
            missing = [part for part in ("vectors", "key2row", "strings.json") if part not in names]
            if missing:
                raise WordVectorsError(f"{wheel}: no vocab/{missing[0]} inside; is it a spaCy model wheel with vectors, like ja-ginza?")
            with archive.open(names["vectors"]) as handle:
                vectors = np.load(handle, allow_pickle=False)
            key2row = msgpack_uint_map(archive.read(names["key2row"]))
            strings = json.loads(archive.read(names["strings.json"]))
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        raise WordVectorsError(f"{wheel}: cannot be read as a model wheel ({error}); download it again") from error
    words, rows = [], []
    for word in strings:
        row = key2row.get(murmur64a(word.encode("utf-8")))
        if row is not None and isinstance(word, str):
            words.append(word)
            rows.append(row)
    return WordVectors.from_words(name, wheel.name, words, rows, vectors)
