"""An inverted character n-gram index with idf-weighted coverage scoring.

Japanese has no spaces, so words cannot be split cheaply; overlapping
character bigrams and trigrams (and single kanji, which carry meaning alone)
are robust evidence instead.  The index keeps, per n-gram, the documents that
contain it, so a query only touches the documents that share an n-gram with
it: cost grows with the postings of the query's n-grams, not with the size of
the knowledge base.  Shared idf mass is summed with ``numpy.bincount``; the
router turns it into coverage both ways (see :meth:`NgramIndex.coverage`).

Building is vectorised: each run of documents (a :class:`~faqbot.routing.ngram_extract.Segment`)
finds its n-grams as integer keys with one stable sort, and the runs are merged
by key (a sorted union of a few hundred thousand keys, then each run's postings
placed after the earlier runs'), so a 250,000-question index builds in seconds
and holds its postings in flat numpy arrays (a few bytes per posting) instead
of Python tuples.  Runs remembered from an earlier build are merged as they
are (:mod:`faqbot.routing.segments`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from faqbot.routing.postings import gram_masses
from faqbot.text.heap import release, spilled
from faqbot.text.normalize import KANJI_CODE_RANGES

if TYPE_CHECKING:
    from faqbot.routing.ngram_extract import Segment

# Documents numbered per batch while building (bounds the n-gram strings alive at once).
_CHUNK = 4096

# An n-gram in more documents than both of these is too common to tell questions
# apart (「ですか」, 「したい」 at 50,000 questions), yet its postings were most of a
# query's work: it still counts in every mass, but no document is credited for
# sharing it.  Below 2,000 documents nothing is that common, so small knowledge
# bases score exactly as before; at 10,000 entries this halves the postings a
# query touches with the same routing on every labelled set (docs/benchmarks-log.md).
_COMMON_MIN_DOCS = 2000
_COMMON_SHARE = 0.05

# The ideographs faqbot.text.normalize.has_kanji recognises, as one pattern for findall; compiled
# on first use (re's cache), by ngrams() only: compiling the class costs ~3 ms, and answering never does.
_KANJI = "[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in KANJI_CODE_RANGES) + "]"
# The same ranges on code points plus one (the keys' codes, see faqbot.routing.ngram_extract).
_KANJI_CODES = tuple((low + 1, high + 1) for low, high in KANJI_CODE_RANGES)


def ngrams(text: str) -> tuple[str, ...]:
    """The distinct character bigrams and trigrams of ``text``, then its single kanji, first seen first."""
    grams = dict.fromkeys([text[i : i + 2] for i in range(len(text) - 1)])
    grams.update(dict.fromkeys([text[i : i + 3] for i in range(len(text) - 2)]))
    grams.update(dict.fromkeys(re.findall(_KANJI, text)))
    if not grams and text:
        return (text,)  # a one-character query still deserves a lookup
    return tuple(grams)


def gram_keys(text: str) -> np.ndarray:
    """The integer key of each of :func:`ngrams` of ``text`` (int64), in the same order.

    Keys as :mod:`faqbot.routing.ngram_extract` numbers n-grams when building (a code
    point plus one per character, 21 bits each), so an index finds a query's grams with
    one integer ``searchsorted`` instead of building and comparing numpy strings.
    """
    codes = [ord(c) + 1 for c in text]
    keys = dict.fromkeys([(a << 21) | b for a, b in zip(codes, codes[1:], strict=False)])
    keys.update(dict.fromkeys([(a << 42) | (b << 21) | c for a, b, c in zip(codes, codes[1:], codes[2:], strict=False)]))
    lo1, hi1 = _KANJI_CODES[0]
    lo2, hi2 = _KANJI_CODES[1]
    lo3, hi3 = _KANJI_CODES[2]
    keys.update(dict.fromkeys([c for c in codes if lo2 <= c <= hi2 or lo1 <= c <= hi1 or lo3 <= c <= hi3]))
    if not keys and codes:
        return np.array(codes, dtype=np.int64)  # a one-character query still deserves a lookup
    return np.fromiter(keys, dtype=np.int64, count=len(keys))


class NgramIndex:
    """Idf-weighted n-gram postings over a fixed list of normalised documents."""

    def __init__(self, docs: Sequence[str]) -> None:
        """Index ``docs``, a chunk of documents at a time (see :meth:`from_segments`)."""
        from faqbot.routing.ngram_extract import segment  # a build's: answering from a cached engine never loads it

        self._merge([segment(docs[start : start + _CHUNK]) for start in range(0, len(docs), _CHUNK)])

    @classmethod
    def from_segments(cls, segments: Sequence[Segment]) -> NgramIndex:
        """The index of the segments' documents, one segment after another.

        Equal, array for array, to the index of all their documents at once: how the
        documents are cut into segments does not show.  A rebuild after an edit reuses
        the segments whose documents did not change (:mod:`faqbot.routing.segments`).
        """
        index = cls.__new__(cls)
        index._merge(segments)
        return index

    def _merge(self, segments: Sequence[Segment]) -> None:
        # Grams are numbered by key, so the segments' numberings meet in one sorted union
        # (a few hundred thousand keys) and no sort over every posting is needed.
        self.size = sum(len(part.per_doc) for part in segments)
        keys = _union([part.vocab for part in segments])
        luts = [np.searchsorted(keys, part.vocab) for part in segments]
        # Gram → id as the sorted keys, not a dict: the cached engine maps them, and a query's
        # grams are found with one integer searchsorted (gram_keys).
        self._keys = keys  # int64, ascending: position = id
        df = np.zeros(len(keys), dtype=np.int64)
        for part, lut in zip(segments, luts, strict=True):
            df[lut] += part.df  # a segment's grams are distinct
        idf = np.log((self.size + 1) / (df + 1.0)) + 1.0
        self._idf = idf  # by gram id (float64)
        self._common = df > max(_COMMON_MIN_DOCS, _COMMON_SHARE * self.size)  # by gram id
        self._max_idf = float(np.log(self.size + 1) + 1.0)
        # Per-document idf mass, for coverage scores (what share of a document's information
        # a query contains): each document's grams summed in ngrams() order, as ever.  A segment
        # at a time (bincount adds each bin's weights in array order from zero, so the sums are
        # the same floats as over all postings at once), through its own small idf table: no
        # float64 and owner per posting of the whole index at once (~150 MB at 50,000 entries).
        mass = np.empty(self.size, dtype=np.float64)
        start = 0
        for part, lut in zip(segments, luts, strict=True):
            count = len(part.per_doc)
            owners = np.repeat(np.arange(count, dtype=np.int32), part.per_doc)
            mass[start : start + count] = np.bincount(owners, weights=idf[lut][part.gram_ids], minlength=count)
            release(part.gram_ids, part.per_doc)  # read for the last time: a mapped run's pages go back
            start += count
        mass[mass == 0.0] = 1.0
        self._doc_mass = mass.astype(np.float32)
        # Postings grouped by gram, documents ascending: each segment's lists go after the
        # earlier segments' documents of the same gram.
        self._indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        docs = np.empty(int(self._indptr[-1]), dtype=np.int32)
        placed = np.zeros(len(keys), dtype=np.int64)
        offset = 0
        for part, lut in zip(segments, luts, strict=True):
            local = np.concatenate(([0], np.cumsum(part.df, dtype=np.int64)[:-1]))
            first = self._indptr[lut] + placed[lut] - local
            positions = np.repeat(first, part.df) + np.arange(len(part.docs), dtype=np.int64)
            docs[positions] = part.docs.astype(np.int32) + np.int32(offset)
            placed[lut] += part.df
            offset += len(part.per_doc)
            release(part.docs, part.df, part.vocab)
        self._docs = docs

    def spill(self, folder: Path | None) -> None:
        """Move the index's arrays to unnamed files in ``folder``, mapped read-only (:func:`~faqbot.text.heap.spilled`).

        The same values, read from the page cache: a build that only writes the index to the
        engine file next does not hold it in the heap meanwhile.  Nothing without a folder.
        """
        for name in ("_keys", "_idf", "_common", "_doc_mass", "_indptr", "_docs"):
            setattr(self, name, spilled(getattr(self, name), folder))

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The gram id of each of ``keys`` (see :func:`gram_keys`), -1 for a gram the index does not hold."""
        known = self._keys
        if not len(known) or not len(keys):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.searchsorted(known, keys)
        np.minimum(at, len(known) - 1, out=at)
        found: np.ndarray = np.where(known[at] == keys, at, -1)
        return found

    def shared_mass(self, query: str, keys: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """The idf mass each document shares with ``query`` (dense float64), and the query's own mass.

        Unknown query n-grams count in the query's mass at the highest idf;
        common ones (see ``_COMMON_SHARE``) count in it but credit no document.
        ``keys``: ``gram_keys(query)``, when the caller already has them (several indexes, one query).
        """
        keys = gram_keys(query) if keys is None else keys
        if not len(keys) or self.size == 0 or not len(self._keys):
            return np.zeros(self.size), 1.0
        # The known grams' ids in the query's order (what lookup() gives, less its misses).
        known = self._keys
        at = np.searchsorted(known, keys)
        np.minimum(at, len(known) - 1, out=at)
        ids = at[known[at] == keys]
        idf = self._idf
        qmass = float(idf[ids].sum()) + (len(keys) - len(ids)) * self._max_idf or 1.0
        ids = ids[~self._common[ids]]
        if not len(ids):
            return np.zeros(self.size), qmass
        # Each document's mass summed in the query's gram order, as ever (compiled when built).
        shared = gram_masses(self.size, self._indptr, self._docs, ids, idf)
        return shared, qmass

    def shared_with(self, keys: np.ndarray, own: frozenset[int]) -> float:
        """The idf mass a query shares with a text, scored as :meth:`shared_mass` scores a document.

        ``keys``: the query's :func:`gram_keys` (the caller has them: one route weighs several held-out
        entries); ``own``: the text's, as a set.  For held-out evaluation: an entry's vocabulary
        without the questions held out.  A gram of both that the index never saw (one spanning two
        questions run together) counts as the last gram id's, as the string look-up's -1 always made it count.
        """
        ids = [gid for key, gid in zip(keys.tolist(), self.lookup(keys).tolist(), strict=True) if key in own]
        rare = [gid for gid in ids if not self._common[gid]]
        return float(self._idf[rare].astype(np.float32).sum()) if rare else 0.0

    @property
    def doc_masses(self) -> np.ndarray:
        """Every document's idf mass (float32), by document id."""
        return self._doc_mass

    def doc_mass(self, doc_ids: np.ndarray) -> np.ndarray:
        """The idf mass of the given documents (float32), the denominator of document coverage."""
        masses: np.ndarray = self._doc_mass[doc_ids]
        return masses


def _union(vocabs: Sequence[np.ndarray]) -> np.ndarray:
    """The sorted distinct keys of several sorted, distinct key arrays.

    Each array's keys not yet in the union are inserted where they belong: the
    segments of one knowledge base share most of their grams, so this touches a
    few thousand new keys per segment instead of sorting every segment's keys (a
    third of a second at 10,000 entries).
    """
    keys = np.zeros(0, dtype=np.int64)
    for vocab in vocabs:
        at = np.searchsorted(keys, vocab)
        known = keys[np.minimum(at, len(keys) - 1)] == vocab if len(keys) else np.zeros(len(vocab), dtype=bool)
        if not known.all():
            keys = np.insert(keys, at[~known], vocab[~known])
    return keys
