"""What a build's :class:`~faqbot.text.memo.TextMemo` leaves for the next: its results, packed.

The memo keeps its earlier results packed, not as Python objects: each kind of
result is a :class:`~faqbot.text.packed.DigestIndex` of the texts' digests and a
:class:`~faqbot.text.packed.PackedStrings` of the results; an analysis is a row of
word numbers into a vocabulary of (term, reading, topic or not).  At 50,000
entries the results as dicts of strings and tuples were ~360 MB of the build's
memory for as long as it ran; packed they are a fraction of that, and a result
becomes Python objects only when the build asks for it (in batches: a
look-up costs a digest and a share of one ``numpy.searchsorted``).

This module is that packed form: the stored values, an analysis packed into its
words and decoded back from them.  Which rows a build used, and what it looks up
and computes, is the memo's (:mod:`faqbot.text.memo`); like the memo, only a
build imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

import numpy as np

from faqbot.text.analysis import Analysis
from faqbot.text.heap import release, spilled
from faqbot.text.packed import PackedFloats, PackedStrings

# Rows decoded at once (bounds the Python integers alive while decoding analyses).
_DECODE_BATCH = 8192
# The digests of no texts (n × 2 uint64, n = 0).
NO_KEYS = np.zeros((0, 2), dtype=np.uint64)


@dataclass(frozen=True)
class StoredTable:
    """One kind's results as stored: each text's digest (n × 2 uint64) and the result, row for row."""

    keys: np.ndarray
    values: PackedStrings

    def release(self) -> None:
        """Give back this process's pages of the table when mapped from a file (:func:`~faqbot.text.heap.release`)."""
        release(self.keys)
        self.values.release()


@dataclass(frozen=True)
class StoredAnalyses:
    """Analyses as stored: each text's digest, and its words as numbers into a vocabulary.

    A word is a (term, reading, topic term or not) triple: an analysis's terms and
    readings are its words' in order, its topic terms those of its topic words.
    """

    keys: np.ndarray  # n × 2 uint64
    offsets: np.ndarray  # int64, n + 1: row i's words are items[offsets[i]:offsets[i + 1]]
    items: np.ndarray  # int32 word numbers
    terms: PackedStrings  # by word number
    readings: PackedStrings
    topic: np.ndarray  # bool by word number

    def words_of(self, rows: np.ndarray) -> np.ndarray:
        """The word numbers of each of ``rows``, run together in order."""
        return _rows(self.offsets, self.items, rows)

    def spilled(self, folder: Path | None) -> StoredAnalyses:
        """The same analyses, their arrays moved to unnamed files in ``folder`` (:func:`~faqbot.text.heap.spilled`)."""
        return StoredAnalyses(
            spilled(self.keys, folder), spilled(self.offsets, folder), spilled(self.items, folder),
            self.terms.spilled(folder), self.readings.spilled(folder), spilled(self.topic, folder),
        )

    def release(self) -> None:
        """Give back this process's pages of the analyses when mapped from a file (:func:`~faqbot.text.heap.release`)."""
        release(self.keys, self.offsets, self.items, self.topic)
        self.terms.release()
        self.readings.release()


@dataclass(frozen=True)
class StoredMemo:
    """Everything a build leaves for the next: tables and analyses by kind, and wordfreq's rarity table."""

    tables: Mapping[str, StoredTable] = field(default_factory=dict)
    analyses: Mapping[str, StoredAnalyses] = field(default_factory=dict)
    packed_rarity: PackedFloats | None = None  # packed, as the veto keeps it (see TextMemo.rarity_table)


def vocabulary(stored: StoredAnalyses) -> tuple[np.ndarray, np.ndarray]:
    """The stored analyses' terms and readings by word number, as numpy object arrays (for :func:`decode`)."""
    return _objects(stored.terms), _objects(stored.readings)


@overload
def decode(
    stored: StoredAnalyses, vocab: tuple[np.ndarray, np.ndarray], rows: np.ndarray, topic_only: Literal[False]
) -> list[Analysis]: ...


@overload
def decode(
    stored: StoredAnalyses, vocab: tuple[np.ndarray, np.ndarray], rows: np.ndarray, topic_only: Literal[True]
) -> list[tuple[str, ...]]: ...


@overload
def decode(
    stored: StoredAnalyses, vocab: tuple[np.ndarray, np.ndarray], rows: np.ndarray, topic_only: bool
) -> list[Analysis] | list[tuple[str, ...]]: ...


def decode(
    stored: StoredAnalyses, vocab: tuple[np.ndarray, np.ndarray], rows: np.ndarray, topic_only: bool
) -> list[Analysis] | list[tuple[str, ...]]:
    """The analyses at ``rows`` of ``stored``, as values (or only their topic terms).

    ``vocab``: the :func:`vocabulary` of ``stored`` (made once, kept by the caller).
    The words of a batch of rows are looked up in the vocabulary with numpy (object
    arrays), and each row is then three slices: one Python step per row, not per word
    (an answer has a hundred; per word, the veto fit's look-ups cost 2 s at 10,000 entries).
    """
    if not len(rows):
        return []
    terms, readings = vocab
    lengths = np.diff(stored.offsets)
    analyses: list[Analysis] = []
    topics: list[tuple[str, ...]] = []
    for start in range(0, len(rows), _DECODE_BATCH):
        batch = rows[start : start + _DECODE_BATCH]
        words = _rows(stored.offsets, stored.items, batch)
        is_topic = stored.topic[words]
        # Each row's topic words, run together, and where each row's run ends.
        row_of = np.repeat(np.arange(len(batch)), lengths[batch])
        topic_ends = np.cumsum(np.bincount(row_of[is_topic], minlength=len(batch))).tolist()
        topic_words = terms[words[is_topic]].tolist()
        if topic_only:
            topics.extend(tuple(topic_words[a:b]) for a, b in zip([0, *topic_ends], topic_ends, strict=False))
            continue
        ends = np.cumsum(lengths[batch]).tolist()
        all_terms, all_readings = terms[words].tolist(), readings[words].tolist()
        analyses.extend(
            Analysis(tuple(all_terms[a:b]), tuple(all_readings[a:b]), tuple(topic_words[c:d]))
            for a, b, c, d in zip([0, *ends], ends, [0, *topic_ends], topic_ends, strict=False)
        )
    return topics if topic_only else analyses


def pack(
    earlier: StoredAnalyses | None,
    used: np.ndarray,
    new: Mapping[str, Analysis],
    digest: Callable[[Sequence[str]], np.ndarray],
) -> StoredAnalyses:
    """The analyses of ``earlier`` where ``used`` (a bool per row), then those of ``new``, packed.

    ``digest`` gives the new texts' digests (the memo's, computed once per build).
    """
    if earlier is None:
        earlier = StoredAnalyses(NO_KEYS, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                                 PackedStrings(()), PackedStrings(()), np.zeros(0, dtype=bool))
    kept_rows = np.flatnonzero(used)
    kept = _rows(earlier.offsets, earlier.items, kept_rows)
    lengths = np.diff(earlier.offsets)[kept_rows]
    # The vocabulary: the earlier words still used, then the new analyses' new words.
    alive = np.zeros(len(earlier.topic), dtype=bool)
    alive[kept] = True
    renumber = np.cumsum(alive) - 1
    terms, readings, topic = list(earlier.terms.select(alive)), list(earlier.readings.select(alive)), earlier.topic[alive].tolist()
    number = {word: i for i, word in enumerate(zip(terms, readings, topic, strict=True))}
    added: list[int] = []
    added_lengths: list[int] = []
    added_texts: list[str] = []
    for text, found in new.items():
        words = _words(found)
        if words is None:
            continue  # not storable (see _words): analysed again next time
        added_texts.append(text)
        for word in words:
            if word not in number:
                number[word] = len(terms)
                terms.append(word[0])
                readings.append(word[1])
                topic.append(word[2])
            added.append(number[word])
        added_lengths.append(len(words))
    all_lengths = np.concatenate((lengths, np.array(added_lengths, dtype=np.int64)))
    return StoredAnalyses(
        np.concatenate((earlier.keys[used], digest(added_texts))),
        np.concatenate(([0], np.cumsum(all_lengths))).astype(np.int64),
        np.concatenate((renumber[kept], np.array(added, dtype=np.int64))).astype(np.int32),
        PackedStrings(terms),
        PackedStrings(readings),
        np.array(topic, dtype=bool),
    )


def _rows(offsets: np.ndarray, items: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``items`` of each of ``rows`` (row i: ``items[offsets[i]:offsets[i + 1]]``), run together in order."""
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    total = int(lengths.sum())
    # Each row's place in the output, shifted back to its place in ``items``.
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    picked: np.ndarray = items[np.arange(total, dtype=np.int64) + shift]
    return picked


def _objects(strings: PackedStrings) -> np.ndarray:
    """The strings as a numpy object array (one Python string each), for look-ups by number."""
    array = np.empty(len(strings), dtype=object)
    array[:] = list(strings)
    return array


def _words(found: Analysis) -> list[tuple[str, str, bool]] | None:
    """The (term, reading, topic or not) words of an analysis: its topic terms are the topic words' terms.

    A term that occurs both as a topic term and not (rare) is matched in order, which
    gives back the same topic terms whichever occurrence is marked.  None when the topic
    terms are not a subsequence of the terms (never, for :func:`~faqbot.text.analysis.analyze`'s analyses).
    """
    topic = found.topic_terms
    at = 0
    words = []
    for term, reading in zip(found.terms, found.readings, strict=True):
        is_topic = at < len(topic) and topic[at] == term
        at += is_topic
        words.append((term, reading, is_topic))
    return words if at == len(topic) else None
