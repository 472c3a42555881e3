"""Strings stored as flat numpy arrays, so a cached engine maps them instead of unpickling them.

A list of 250,000 question texts, or a dict of 60,000 words, is that many
Python objects: unpickling them costs a tenth of a second each, and every
worker process that reads them writes reference counts into their pages, so
memory shared after a fork turns private.  Stored as arrays they are written
out of band into the engine file (:mod:`faqbot.answers.engine_file`) and
mapped read-only: opening costs nothing, pages are read on demand and shared
by every process.

* :class:`PackedStrings` — a sequence of strings as one UTF-8 blob and offsets,
  each string decoded when it is read (:class:`PackedSequence` for other items).
* :class:`StringIndex` — string → position in a sorted array of fixed-width
  numpy strings, looked up in one vectorised ``numpy.searchsorted``: the
  lookups are exact (a key is found only when equal), like a dict's.
* :class:`DigestIndex` — the same for strings of any length (whole answers),
  by a 128-bit digest of each: a fixed-width array would be as wide as the
  longest string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from hashlib import blake2b
from pathlib import Path
from typing import TypeVar, overload

import numpy as np

from faqbot.text.heap import release, spilled

T = TypeVar("T")

# PackedStrings.take in compiled code: (blob, offsets, positions) → the strings, or None for
# positions it leaves to the numpy code.  Set by faqbot.routing.postings when its extension is
# built (this layer imports nothing above it); None: the numpy code alone.
_compiled_take: Callable[[np.ndarray, np.ndarray, np.ndarray], list[str] | None] | None = None


def use_compiled_take(take: Callable[[np.ndarray, np.ndarray, np.ndarray], list[str] | None] | None) -> None:
    """Decode :meth:`PackedStrings.take`'s strings with ``take`` (None: with numpy and ``str``)."""
    global _compiled_take
    _compiled_take = take


class PackedSequence(Sequence[T]):
    """Items stored as byte strings one after the other in one array; a subclass decodes them."""

    def __init__(self, chunks: Sequence[bytes | memoryview]) -> None:
        lengths = np.fromiter((len(b) for b in chunks), dtype=np.int64, count=len(chunks))
        self._offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        self._blob = np.frombuffer(b"".join(chunks), dtype=np.uint8)

    def _decode(self, data: memoryview) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(f"{type(self).__name__} index out of range")
        start, end = int(self._offsets[index]), int(self._offsets[index + 1])
        return self._decode(self._blob[start:end].data)


class PackedStrings(PackedSequence[str]):
    """An immutable sequence of strings stored as one UTF-8 blob plus offsets."""

    def __init__(self, texts: Iterable[str]) -> None:
        super().__init__([t.encode("utf-8") for t in texts])

    def _decode(self, data: memoryview) -> str:
        return str(data, "utf-8")

    def take(self, positions: np.ndarray) -> list[str]:
        """The strings at ``positions`` (non-negative, in range), in order.

        One offsets read for all of them: item by item, each string cost a bounds check
        and two numpy scalar reads, most of the time of reading a few dozen.
        """
        decode = _compiled_take
        if decode is not None and self._blob.dtype == np.uint8 and self._offsets.dtype == np.int64:
            found = decode(self._blob, self._offsets, np.ascontiguousarray(positions, dtype=np.int64))
            if found is not None:
                return found
        starts = self._offsets[positions].tolist()
        ends = self._offsets[positions + 1].tolist()
        blob = self._blob.data
        return [str(blob[start:end], "utf-8") for start, end in zip(starts, ends, strict=True)]

    @classmethod
    def joined(cls, parts: Sequence[PackedStrings]) -> PackedStrings:
        """The strings of every part, one part after another (bytes copied once, nothing decoded)."""
        packed = object.__new__(cls)
        sizes = np.array([len(part._blob) for part in parts], dtype=np.int64)
        shifts = np.concatenate(([0], np.cumsum(sizes)[:-1])) if len(parts) else sizes
        packed._offsets = np.concatenate(
            [np.zeros(1, dtype=np.int64), *(part._offsets[1:] + shift for part, shift in zip(parts, shifts.tolist(), strict=True))]
        ).astype(np.int64)
        packed._blob = np.concatenate([np.zeros(0, dtype=np.uint8), *(part._blob for part in parts)])
        return packed

    def release(self) -> None:
        """Give back this process's pages of the strings when they are mapped from a file (see :func:`faqbot.text.heap.release`)."""
        release(self._offsets, self._blob)

    def select(self, keep: np.ndarray, more: Iterable[str] = ()) -> PackedStrings:
        """The strings where ``keep`` (a bool per string) is true, in order, then ``more``.

        Copied as bytes, a run of kept strings at a time: nothing is decoded.
        """
        lengths = np.diff(self._offsets)[keep]
        edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
        runs = [self._blob[self._offsets[a] : self._offsets[b]] for a, b in zip(edges[::2], edges[1::2], strict=True)]
        added = [t.encode("utf-8") for t in more]
        packed = object.__new__(PackedStrings)
        all_lengths = np.concatenate((lengths, np.fromiter(map(len, added), dtype=np.int64, count=len(added))))
        packed._offsets = np.concatenate(([0], np.cumsum(all_lengths))).astype(np.int64)
        # One copy of the kept bytes (views of the runs, not each run copied and then joined).
        packed._blob = np.concatenate([np.zeros(0, dtype=np.uint8), *runs, np.frombuffer(b"".join(added), dtype=np.uint8)])
        return packed

    def spilled(self, folder: Path | None) -> PackedStrings:
        """The same strings, their arrays moved to unnamed files in ``folder`` (:func:`~faqbot.text.heap.spilled`)."""
        packed = object.__new__(PackedStrings)
        packed._offsets = spilled(self._offsets, folder)
        packed._blob = spilled(self._blob, folder)
        return packed

    def __iter__(self) -> Iterator[str]:
        # Whole-sequence reads (building a look-up table) copy the blob once, not per item.
        blob = self._blob.tobytes()
        offsets = self._offsets.tolist()
        for start, end in zip(offsets, offsets[1:], strict=False):
            yield blob[start:end].decode("utf-8")


class StringIndex:
    """The position of each of a fixed set of strings, found by binary search in a sorted array.

    Keys are kept in a numpy unicode array as wide as the longest key; numpy
    cannot store a trailing NUL character in such an array, so the rare key
    containing one is kept in a small dict beside it.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        plain = [i for i, k in enumerate(keys) if "\x00" not in k]
        self._odd = {k: i for i, k in enumerate(keys) if "\x00" in k}
        width = max((len(keys[i]) for i in plain), default=1) or 1
        array = np.array([keys[i] for i in plain], dtype=f"<U{width}")
        order = np.argsort(array, kind="stable")
        self._keys = array[order]
        self._positions = np.asarray(plain, dtype=np.int64)[order] if plain else np.zeros(0, dtype=np.int64)
        self._width = width
        self.size = len(keys)

    def lookup(self, keys: Sequence[str]) -> np.ndarray:
        """The position of each of ``keys`` (int64), -1 for a key that is not in the index."""
        if not len(keys) or not len(self._keys):
            return self._lookup_odd(keys, np.full(len(keys), -1, dtype=np.int64))
        # A key longer than the widest stored one cannot be stored; numpy would cut it to
        # the width (and might then "find" its prefix), so it is not searched at all.
        if max(map(len, keys)) <= self._width and "\x00" not in "".join(keys):
            # Every key fits (the usual case): no per-key check, one array of them all.
            wanted = np.array(keys, dtype=self._keys.dtype)
            at = np.searchsorted(self._keys, wanted)
            np.minimum(at, len(self._keys) - 1, out=at)
            found = np.where(self._keys[at] == wanted, self._positions[at], -1)
            return self._lookup_odd(keys, found)
        found = np.full(len(keys), -1, dtype=np.int64)
        fits = np.fromiter((len(k) <= self._width and "\x00" not in k for k in keys), dtype=bool, count=len(keys))
        if fits.any():
            wanted = np.array([k for k, ok in zip(keys, fits.tolist(), strict=True) if ok], dtype=self._keys.dtype)
            at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
            hit = self._keys[at] == wanted
            found[np.flatnonzero(fits)] = np.where(hit, self._positions[at], -1)
        return self._lookup_odd(keys, found)

    def _lookup_odd(self, keys: Sequence[str], found: np.ndarray) -> np.ndarray:
        if self._odd:
            for i, key in enumerate(keys):
                if key in self._odd:
                    found[i] = self._odd[key]
        return found

    def get(self, key: str) -> int:
        """The position of ``key``, or -1 (what ``lookup([key])`` gives, without its arrays: ~7 instead of 14 µs)."""
        keys = self._keys
        if not len(keys) or len(key) > self._width or "\x00" in key:
            return int(self.lookup([key])[0])
        at = min(int(np.searchsorted(keys, np.array(key, dtype=keys.dtype))), len(keys) - 1)
        return int(self._positions[at]) if keys[at] == key else -1

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) >= 0


def digests(texts: Iterable[str]) -> np.ndarray:
    """The 128-bit BLAKE2b digest of each text (UTF-8, a lone surrogate passed through), as n × 2 uint64."""
    joined = b"".join(blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts)
    return np.frombuffer(joined, dtype="<u8").reshape(-1, 2)


class DigestIndex:
    """The position of each of a set of strings, found by its :func:`digests` in one ``numpy.searchsorted``.

    Sorted by the digest's first half; a hit must match the second half too, so a
    string is found only when its whole 128-bit digest is stored (two different texts
    sharing one has a chance of about 10⁻²⁹ at a million texts).  Two stored digests
    sharing a first half (about 10⁻⁸ at a million) leave the second one unfound: a
    miss, never a wrong hit.
    """

    def __init__(self, keys: np.ndarray) -> None:
        """Index ``keys``, n × 2 uint64 as :func:`digests` gives them (position = row)."""
        order = np.argsort(keys[:, 0], kind="stable")
        self._high = keys[order, 0]
        self._low = keys[order, 1]
        self._positions = order.astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The position of each of ``keys`` (n × 2 uint64), -1 where it is not stored."""
        found = np.full(len(keys), -1, dtype=np.int64)
        if not len(self._high) or not len(keys):
            return found
        at = np.minimum(np.searchsorted(self._high, keys[:, 0]), len(self._high) - 1)
        hit = (self._high[at] == keys[:, 0]) & (self._low[at] == keys[:, 1])
        found[hit] = self._positions[at[hit]]
        return found


class PackedFloats(Mapping[str, float]):
    """A read-only str → float mapping stored as a :class:`StringIndex` and a float array."""

    def __init__(self, table: Mapping[str, float]) -> None:
        keys = list(table)
        self._index = StringIndex(keys)
        self._keys = PackedStrings(keys)
        self._values = np.fromiter((table[k] for k in keys), dtype=np.float64, count=len(keys))

    def __getitem__(self, key: str) -> float:
        pos = self._index.get(key) if isinstance(key, str) else -1
        if pos < 0:
            raise KeyError(key)
        return float(self._values[pos])

    def values_of(self, keys: Sequence[str], default: float) -> list[float]:
        """The value of each of ``keys``, else ``default``: one vectorised lookup for all of them."""
        if not len(self._values):
            return [default] * len(keys)
        positions = self._index.lookup(keys)
        found: list[float] = np.where(positions >= 0, self._values[positions], default).tolist()
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def as_dict(self) -> dict[str, float]:
        """The mapping as a dict, in the order it was packed in: equal, key for key and value for value, to the table packed."""
        return dict(zip(self._keys.take(np.arange(len(self._keys))), self._values.tolist(), strict=True))
