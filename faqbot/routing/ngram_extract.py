"""Every document's character n-grams at once, with numpy instead of a Python loop per document.

Building the character channel's three n-gram indexes called
:func:`faqbot.routing.ngram_index.ngrams` once per document: at 10,000 entries
(51,000 questions, read twice, plus the entries' vocabularies) that was 1.5 s of
Python slicing and dict building.  Here the documents are laid end to end as
one array of code points and every bigram, trigram and single kanji becomes one
integer key, so finding each document's distinct n-grams, in the order
:func:`ngrams` gives them, is a few sorts over flat arrays.

Keys, with ``c`` a code point plus one (so never 0, and at most 2²¹): a bigram is
``c0·2²¹ + c1``, a trigram ``c0·2⁴² + c1·2²¹ + c2``, a single character ``c``.
The three kinds never share a key, and a trigram fits in 63 bits.  The result is exactly what the per-document loop produced: the
same n-grams per document in the same order, numbered in order of first
appearance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from faqbot.text.normalize import KANJI_CODE_RANGES

_SHIFT = np.int64(21)


@dataclass(frozen=True)
class Postings:
    """Each document's distinct n-grams as gram numbers, documents in order, and the grams' text."""

    grams: list[str]  # gram number → the n-gram, in order of first appearance
    gram_ids: np.ndarray  # int32, every document's grams in turn, each document's in ngrams() order
    per_doc: np.ndarray  # int32, how many grams each document has


@dataclass(frozen=True)
class Segment:
    """A run of documents' n-grams, laid out for :class:`~faqbot.routing.ngram_index.NgramIndex` to merge.

    Grams are numbered by their key's rank (see the module docstring), so two
    segments' numberings meet in one sorted union of keys.  The local arrays use the
    narrowest unsigned type that holds them: a segment is kept on disk between builds.
    """

    vocab: np.ndarray  # int64, the segment's distinct gram keys, ascending
    gram_ids: np.ndarray  # positions in ``vocab``: every document's grams in turn, each in ngrams() order
    per_doc: np.ndarray  # int32, how many grams each document has
    df: np.ndarray  # int32, the documents each gram of ``vocab`` occurs in
    docs: np.ndarray  # the documents of each gram in turn (``vocab`` order), each gram's ascending


@dataclass(frozen=True)
class _Distinct:
    """Each document's distinct n-grams, found with one stable sort of their keys."""

    joined: str
    keys: np.ndarray  # every candidate key in ngrams() order
    key_docs: np.ndarray
    starts: np.ndarray  # where each candidate starts in ``joined``
    order: np.ndarray  # the stable sort of ``keys``
    new_key: np.ndarray  # in sorted order: the first of a run of one key
    new_pair: np.ndarray  # in sorted order: the first of a run of one key in one document
    kept: np.ndarray  # in ngrams() order: a document's first occurrence of a key
    rank: np.ndarray  # in ngrams() order: the key's rank among the distinct keys


def _distinct(docs: Sequence[str]) -> _Distinct | None:
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    if not lengths.sum():
        return None
    joined = "".join(docs)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    keys, key_docs, starts = _candidates(points, doc_of, lengths)
    # One stable sort by key: equal keys end up adjacent, still in the order ngrams() meets
    # them (document, then bigrams, trigrams, kanji, each by position).  So a run of one key
    # is one gram, its first element the gram's first appearance, and a run of one key in
    # one document starts with that document's first occurrence: no other sort is needed.
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_docs = keys[order], key_docs[order]
    new_key = np.empty(len(keys), dtype=bool)
    new_key[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new_key[1:])
    new_pair = new_key.copy()
    new_pair[1:] |= sorted_docs[1:] != sorted_docs[:-1]
    kept = np.zeros(len(keys), dtype=bool)
    kept[order[new_pair]] = True
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.cumsum(new_key) - 1
    return _Distinct(joined, keys, key_docs, starts, order, new_key, new_pair, kept, rank)


def extract(docs: Sequence[str]) -> Postings:
    """The n-grams of every document, numbered by first appearance (see the module docstring)."""
    found = _distinct(docs)
    if found is None:
        return Postings([], np.zeros(0, dtype=np.int32), np.zeros(len(docs), dtype=np.int32))
    # Number grams by first appearance, as the dict the per-document loop filled did.
    appears = found.order[found.new_key]
    by_appearance = np.argsort(appears, kind="stable")
    renumber = np.empty(len(appears), dtype=np.int64)
    renumber[by_appearance] = np.arange(len(appears))
    first_at = appears[by_appearance]
    widths = _widths(found.keys[first_at])
    starts = found.starts[first_at].tolist()
    grams = [found.joined[s : s + w] for s, w in zip(starts, widths.tolist(), strict=True)]
    gram_ids = renumber[found.rank[found.kept]].astype(np.int32)
    per_doc = np.bincount(found.key_docs[found.kept], minlength=len(docs)).astype(np.int32)
    return Postings(grams, gram_ids, per_doc)


def segment(docs: Sequence[str]) -> Segment:
    """The n-grams of every document as a :class:`Segment` (grams numbered by key)."""
    found = _distinct(docs)
    if found is None:
        empty = np.zeros(0, dtype=np.uint16)
        return Segment(np.zeros(0, dtype=np.int64), empty, np.zeros(len(docs), dtype=np.int32), np.zeros(0, dtype=np.int32), empty)
    sorted_keys = found.keys[found.order]
    vocab = sorted_keys[found.new_key]
    # In sorted order the first of each (key, document) pair is already grouped by key with
    # its documents ascending: the segment's own postings lists, with no further sort.
    pair_rank = (np.cumsum(found.new_key) - 1)[found.new_pair]
    df = np.bincount(pair_rank, minlength=len(vocab)).astype(np.int32)
    docs_by_gram = found.key_docs[found.order][found.new_pair]
    per_doc = np.bincount(found.key_docs[found.kept], minlength=len(docs)).astype(np.int32)
    return Segment(vocab, _narrow(found.rank[found.kept], len(vocab)), per_doc, df, _narrow(docs_by_gram, len(docs)))


def key_strings(keys: np.ndarray) -> list[str]:
    """The n-gram each key stands for (see the module docstring), in order."""
    keys = np.asarray(keys, dtype=np.int64)
    mask = (np.int64(1) << _SHIFT) - 1
    widths = _widths(keys)
    points = np.zeros((len(keys), 3), dtype=np.int64)
    for column in range(3):
        # Character ``column`` of a key of width w sits (w - 1 - column) fields from the right.
        shift = (widths - 1 - column) * _SHIFT
        present = widths > column
        points[:, column] = np.where(present, ((keys >> np.where(present, shift, 0)) & mask) - 1, 0)
    strings: list[str] = points.astype(np.uint32).view("<U3").ravel().tolist()
    # A fixed-width numpy string drops trailing NULs: the rare gram holding a NUL is built here.
    for i in np.flatnonzero(((points == 0) & (np.arange(3) < widths[:, None])).any(axis=1)).tolist():
        strings[i] = "".join(chr(c) for c in points[i, : widths[i]].tolist())
    return strings


def _narrow(values: np.ndarray, bound: int) -> np.ndarray:
    """``values`` (all below ``bound``) in the narrowest unsigned type that holds them."""
    dtype = np.uint16 if bound <= 1 << 16 else np.uint32
    return values.astype(dtype)


def _candidates(points: np.ndarray, doc_of: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every bigram, trigram and single-kanji key in ngrams() order, with its document and start.

    Each candidate is written straight to its place: a document's bigrams, then its
    trigrams, then its single kanji, each by position, documents one after another.
    """
    codes = points + 1  # never 0, so that no bigram key can equal a single character's
    positions = np.arange(len(codes), dtype=np.int64)
    doc_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    within = positions - doc_start[doc_of]  # position inside its document
    doc_len = lengths[doc_of]
    two = np.flatnonzero(within + 1 < doc_len)
    three = np.flatnonzero(within + 2 < doc_len)
    # ngrams() returns a one-character document itself even when it is not a kanji.
    single = np.flatnonzero(_is_kanji(points) | (doc_len == 1))
    n_two, n_three = np.maximum(lengths - 1, 0), np.maximum(lengths - 2, 0)
    n_single = np.bincount(doc_of[single], minlength=len(lengths))
    out_start = np.concatenate(([0], np.cumsum(n_two + n_three + n_single)[:-1]))
    single_rank = np.arange(len(single)) - np.concatenate(([0], np.cumsum(n_single)[:-1]))[doc_of[single]]
    total = int((n_two + n_three + n_single).sum())
    keys = np.empty(total, dtype=np.int64)
    starts = np.empty(total, dtype=np.int64)
    key_docs = np.empty(total, dtype=np.int64)
    for picked, place, key in (
        (two, out_start[doc_of[two]] + within[two], (codes[two] << _SHIFT) | codes[two + 1]),
        (
            three,
            out_start[doc_of[three]] + n_two[doc_of[three]] + within[three],
            (codes[three] << (2 * _SHIFT)) | (codes[three + 1] << _SHIFT) | codes[three + 2],
        ),
        (single, out_start[doc_of[single]] + (n_two + n_three)[doc_of[single]] + single_rank, codes[single]),
    ):
        keys[place] = key
        starts[place] = picked
        key_docs[place] = doc_of[picked]
    return keys, key_docs, starts


def _is_kanji(codes: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(codes), dtype=bool)
    for low, high in KANJI_CODE_RANGES:  # the single kanji ngram_index.ngrams counts
        mask |= (codes >= low) & (codes <= high)
    return mask


def _widths(keys: np.ndarray) -> np.ndarray:
    """How many characters each key stands for (see the module docstring)."""
    widths: np.ndarray = np.where(keys >= np.int64(1) << (2 * _SHIFT), 3, np.where(keys >= np.int64(1) << _SHIFT, 2, 1))
    return widths
