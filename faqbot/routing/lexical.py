"""Lexical retrieval: BM25 over content-word lemmas, one index per field.

Every field of an entry is searched — its questions (each question and
alternate a document of its own; an entry scores as its best question), its
answer text and its support-page titles — and the field scores are added, as
Lucene's multi-field BM25 does.  Each field has its own document-length
statistics and idf (Lucene's ``log(1 + (N - df + 0.5) / (df + 0.5))``), so a
long answer does not drown a short question.  The BM25 parameters are the
textbook ones (k1 = 1.2, b = 0.75), not tuned on any evaluation set.

Each field is a sparse matrix of precomputed BM25 term weights in CSC layout
(column pointers, row ids, weights), built with one ``numpy.unique`` over
(term, document) keys.  A query's score is the sum of its terms' columns: their
slices are gathered and summed per row with one ``numpy.bincount``, so the
cost grows with the postings of the query's terms, not with the knowledge
base.  (scipy.sparse did the same, but importing it costs a third of a second
of every ``faqbot ask``, more than the whole routing.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np

from faqbot.routing.postings import best_per_owner, weighted_sums
from faqbot.text.heap import release, spilled

# Textbook BM25 parameters (Robertson & Zaragoza; Lucene's defaults).
_K1 = 1.2
_B = 0.75
# Postings weighed at once while building (bounds the float64 temporaries).
_BLOCK = 1 << 18
# A term in more documents than both of these (為る, 出来る at 250,000 questions) has an idf
# near zero yet its postings were most of a query's work: it credits no document (it still
# counts in the query's ceiling).  The same cut as the character channel's n-gram index;
# below 2,000 documents nothing is that common, so small knowledge bases score exactly.
_COMMON_MIN_DOCS = 2000
_COMMON_SHARE = 0.05


@dataclass(frozen=True)
class TermColumns:
    """Documents' terms as column numbers into a vocabulary of their own (:meth:`Vocabulary.columns`)."""

    vocabulary: tuple[str, ...]  # the distinct terms, in the order first seen
    ids: np.ndarray  # int32: every document's terms in turn, as positions in ``vocabulary``
    lengths: np.ndarray  # int64: how many terms each document has


class Vocabulary:
    """Term → column number, shared by every field so one query looks up its terms once."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def add(self, terms: Sequence[str]) -> list[int]:
        """Column numbers of ``terms``, numbering new ones."""
        ids = self.ids
        return [ids.setdefault(t, len(ids)) for t in terms]

    def add_all(self, docs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Every document's column numbers run together (int64) and each document's length.

        What :meth:`add` of each document in turn gives (new terms numbered in the order
        first seen), without a Python step per term: 580,000 terms at 10,000 entries.
        """
        ids = self.ids
        flat = list(chain.from_iterable(docs))
        new = [t for t in dict.fromkeys(flat) if t not in ids]
        ids.update(zip(new, range(len(ids), len(ids) + len(new)), strict=True))
        columns = np.fromiter(map(ids.__getitem__, flat), dtype=np.int64, count=len(flat))
        return columns, np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))

    @staticmethod
    def columns(docs: Sequence[Sequence[str]]) -> TermColumns:
        """``docs`` numbered by a vocabulary of their own (kept between builds, a run of documents at a time)."""
        own = Vocabulary()
        ids, lengths = own.add_all(docs)
        return TermColumns(tuple(own.ids), ids.astype(np.int32), lengths)

    def add_columns(self, parts: Sequence[TermColumns]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`add_all` of the documents of ``parts``, one part after another.

        Each part's terms are numbered in the order first seen within it, so taking each
        part's vocabulary in turn numbers new terms exactly as the documents in turn would.
        """
        ids = self.ids
        columns = [np.array([ids.setdefault(t, len(ids)) for t in part.vocabulary], dtype=np.int64)[part.ids] for part in parts]
        for part in parts:  # renumbered into ``columns``: a mapped run's pages go back
            release(part.ids, part.lengths)
        empty = np.zeros(0, dtype=np.int64)
        return np.concatenate([empty, *columns]), np.concatenate([empty, *(part.lengths for part in parts)])

    def lookup(self, terms: Sequence[str]) -> np.ndarray:
        """Column numbers of the known terms among ``terms`` (unknown ones are left out)."""
        ids = self.ids
        return np.array([ids[t] for t in terms if t in ids], dtype=np.int64)


class FieldIndex:
    """BM25 term weights of one field: one row per document, one column per term."""

    def __init__(self, docs: Sequence[Sequence[int]], width: int) -> None:
        """Index ``docs``, each a list of column numbers below ``width``."""
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        self._build(np.fromiter(chain.from_iterable(docs), dtype=np.int64, count=int(lengths.sum())), lengths, width)

    @classmethod
    def from_columns(cls, columns: np.ndarray, lengths: np.ndarray, width: int) -> FieldIndex:
        """The index of the documents whose column numbers are ``columns`` run together, ``lengths`` each."""
        index = cls.__new__(cls)
        index._build(columns, lengths, width)
        return index

    def _build(self, cols: np.ndarray, doc_lengths: np.ndarray, width: int) -> None:
        n = len(doc_lengths)
        lengths = doc_lengths.astype(np.float64)
        avg = float(lengths.mean()) if n and lengths.sum() else 1.0
        # One sort of (column, row) keys gives the CSC layout and the term frequencies at once
        # (what np.unique(..., return_counts=True) gives, sorted in place: at 50,000 entries
        # its copies of every posting were most of the build's peak).
        keys = cols * max(n, 1)
        keys += np.repeat(np.arange(n, dtype=np.int64), doc_lengths)
        keys.sort()
        first = np.empty(len(keys), dtype=bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        tf = np.diff(starts, append=len(keys))
        keys = keys[starts]
        del starts
        col_of, row_of = np.divmod(keys, max(n, 1))
        del keys
        df = np.bincount(col_of, minlength=width).astype(np.float64)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5))
        self.idf[df == 0] = 0.0
        # Element by element, a block at a time: the same floats as over every posting at once.
        weights = np.empty(len(col_of), dtype=np.float64)
        for a in range(0, len(col_of), _BLOCK):
            b = a + _BLOCK
            norm = _K1 * (1.0 - _B + _B * lengths[row_of[a:b]] / avg)
            weights[a:b] = self.idf[col_of[a:b]] * tf[a:b] * (_K1 + 1.0) / (tf[a:b] + norm)
        self._weights = weights
        self._indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self._common = df > max(_COMMON_MIN_DOCS, _COMMON_SHARE * n)
        self._rows = row_of.astype(np.int32)
        self.size = n

    def spill(self, folder: Path | None) -> None:
        """Move the postings to unnamed files in ``folder``, mapped read-only (:func:`~faqbot.text.heap.spilled`)."""
        for name in ("idf", "_weights", "_indptr", "_common", "_rows"):
            setattr(self, name, spilled(getattr(self, name), folder))

    def scores(self, columns: np.ndarray) -> np.ndarray:
        """The BM25 score of every document for a query made of ``columns`` (repeats count)."""
        columns = self.rare(columns)
        if not len(columns) or not self.size:
            return np.zeros(self.size)
        # Summed column by column, each column's postings in order, as bincount adds them (compiled when built).
        return weighted_sums(self.size, self._indptr, self._rows, self._weights, columns)

    def rare(self, columns: np.ndarray) -> np.ndarray:
        """``columns`` less the common ones (see ``_COMMON_SHARE``), whose postings credit no document."""
        return columns[~self._common[columns]] if len(columns) else columns

    def best_per_owner(self, columns: np.ndarray, owner: np.ndarray, scores: np.ndarray, owners: int) -> np.ndarray:
        """Each owner's best of ``scores`` among the documents of the postings of ``rare(columns)``, else 0.

        BM25 scores are never negative, so only the documents with a posting of the query
        (~8% of the questions at 10k entries, some more than once) can raise an owner's best
        above 0: a maximum over their postings, exact in any order, instead of a pass over every document.
        """
        columns = self.rare(columns)
        if not len(columns) or not self.size:
            return np.zeros(owners)
        return best_per_owner(owners, self._indptr, self._rows, columns, owner, scores)

    def ceiling(self, columns: np.ndarray) -> float:
        """An upper bound of :meth:`scores` for these columns: Σ idf·(k1+1)."""
        return float(self.idf[columns].sum() * (_K1 + 1.0)) if len(columns) else 0.0


@dataclass(frozen=True)
class FieldScores:
    """Per-entry BM25 scores of one query, by field."""

    question: np.ndarray  # best question of each entry
    answer: np.ndarray
    pages: np.ndarray
    per_question: np.ndarray  # every question's score, to find an entry's best question
    starts: np.ndarray  # the first question id of each entry (questions are grouped by entry)
    ceiling: float  # an upper bound of the summed score: normalises it to about [0, 1]

    @property
    def total(self) -> np.ndarray:
        """The fields' scores added (Lucene's multi-field sum)."""
        summed: np.ndarray = self.question + self.answer + self.pages
        return summed

    def best_question(self, entry: int) -> int:
        """The id of ``entry``'s best-scoring question, or -1 when none scores."""
        start = int(self.starts[entry])
        end = int(self.starts[entry + 1]) if entry + 1 < len(self.starts) else len(self.per_question)
        if end <= start or self.question[entry] <= 0.0:
            return -1
        return start + int(np.argmax(self.per_question[start:end]))


class LexicalIndex:
    """BM25 over questions (per question), answers and page titles of every entry.

    Questions must come grouped by entry (``owner_of`` ascending, every entry at
    least one question), as a knowledge base lists them: an entry's best question
    is then one ``np.maximum.reduceat`` over contiguous runs, no sort.
    """

    def __init__(
        self,
        questions: Sequence[Sequence[str]],
        owner_of: np.ndarray,
        answers: Sequence[Sequence[str]],
        pages: Sequence[Sequence[str]],
    ) -> None:
        self.vocabulary = Vocabulary()
        q_ids = self.vocabulary.add_all(questions)
        a_ids = self.vocabulary.add_all(answers)
        p_ids = self.vocabulary.add_all(pages)
        self._build(q_ids, a_ids, p_ids, owner_of)

    @classmethod
    def from_columns(
        cls, questions: Sequence[TermColumns], owner_of: np.ndarray, answers: Sequence[TermColumns], pages: Sequence[TermColumns]
    ) -> LexicalIndex:
        """The index of the documents of each field's parts, one part after another (equal to the lists whole)."""
        index = cls.__new__(cls)
        index.vocabulary = Vocabulary()
        q_ids = index.vocabulary.add_columns(questions)
        a_ids = index.vocabulary.add_columns(answers)
        p_ids = index.vocabulary.add_columns(pages)
        index._build(q_ids, a_ids, p_ids, owner_of)
        return index

    def _build(
        self,
        q_ids: tuple[np.ndarray, np.ndarray],
        a_ids: tuple[np.ndarray, np.ndarray],
        p_ids: tuple[np.ndarray, np.ndarray],
        owner_of: np.ndarray,
    ) -> None:
        width = len(self.vocabulary.ids)
        self._questions = FieldIndex.from_columns(*q_ids, width)
        self._answers = FieldIndex.from_columns(*a_ids, width)
        self._pages = FieldIndex.from_columns(*p_ids, width)
        self.entries = len(a_ids[1])
        counts = np.bincount(owner_of, minlength=self.entries) if len(owner_of) else np.zeros(self.entries, dtype=np.int64)
        if np.any(np.diff(owner_of) < 0) or np.any(counts == 0):
            raise ValueError("questions must be grouped by entry, every entry with at least one question")
        self._starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        self._owner_of = np.asarray(owner_of, dtype=np.int32)

    def spill(self, folder: Path | None) -> None:
        """Move every field's postings to unnamed files in ``folder`` (see :meth:`FieldIndex.spill`): the same values.

        For a build that has other work before it writes the engine file (an edit's merges).
        """
        for field_index in (self._questions, self._answers, self._pages):
            field_index.spill(folder)
        self._starts = spilled(self._starts, folder)
        self._owner_of = spilled(self._owner_of, folder)

    def score(self, terms: Sequence[str], excluded: Sequence[int] = ()) -> FieldScores:
        """Each entry's field scores for a query's terms; ``excluded`` question ids score nothing."""
        columns = self.vocabulary.lookup(terms)
        per_question = self._questions.scores(columns)
        if len(excluded):
            per_question[list(excluded)] = 0.0
        # Each entry's best question score, as ``np.maximum.reduceat`` over every entry's slice gives it.
        best = self._questions.best_per_owner(columns, self._owner_of, per_question, self.entries)
        # Unknown terms count in the ceiling at the highest idf: words the knowledge base
        # never uses lower the normalised score, as they should.
        unknown = len(terms) - len(columns)
        ceiling = self._questions.ceiling(columns) + unknown * float(self._questions.idf.max(initial=1.0)) * (_K1 + 1.0)
        return FieldScores(
            best, self._answers.scores(columns), self._pages.scores(columns), per_question, self._starts, ceiling or 1.0
        )
