"""An inverted character n-gram index with TF-IDF cosine scoring.

Japanese has no spaces, so words cannot be split cheaply; overlapping
character bigrams and trigrams (and single kanji, which carry meaning alone)
are robust evidence instead.  The index keeps, per n-gram, the documents that
contain it, so a query only touches the documents that share an n-gram with
it: cost grows with the postings of the query's n-grams, not with the size of
the knowledge base.  Scores are summed with ``numpy.bincount``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from faqbot.normalize import has_kanji


def ngrams(text: str) -> Counter[str]:
    """Character bigrams and trigrams of ``text``, plus its single kanji."""
    grams: Counter[str] = Counter()
    for n in (2, 3):
        for i in range(len(text) - n + 1):
            grams[text[i : i + n]] += 1
    for ch in text:
        if has_kanji(ch):
            grams[ch] += 1
    if not grams and text:
        grams[text] += 1  # a one-character query still deserves a lookup
    return grams


@dataclass(frozen=True)
class Hit:
    """One document's score for a query."""

    doc: int
    score: float


class NgramIndex:
    """TF-IDF weighted n-gram postings over a fixed list of normalised documents."""

    def __init__(self, docs: Sequence[str]) -> None:
        self.size = len(docs)
        doc_grams = [ngrams(doc) for doc in docs]
        df: Counter[str] = Counter()
        for grams in doc_grams:
            df.update(grams.keys())
        self._idf = {g: math.log((self.size + 1) / (n + 1)) + 1.0 for g, n in df.items()}
        self._max_idf = math.log(self.size + 1) + 1.0
        vocab = {g: i for i, g in enumerate(df)}
        postings: list[list[tuple[int, float]]] = [[] for _ in vocab]
        for doc_id, grams in enumerate(doc_grams):
            weights = {g: (1.0 + math.log(tf)) * self._idf[g] for g, tf in grams.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for g, w in weights.items():
                postings[vocab[g]].append((doc_id, w / norm))
        self._vocab = vocab
        # Per-document idf mass, for coverage scores (what share of a document's
        # information a query contains).
        self._doc_mass = np.array(
            [sum(self._idf[g] for g in grams) or 1.0 for grams in doc_grams], dtype=np.float32
        )
        lengths = np.fromiter((len(p) for p in postings), dtype=np.int64, count=len(postings))
        self._indptr = np.concatenate(([0], np.cumsum(lengths)))
        flat = [pair for plist in postings for pair in plist]
        self._docs = np.fromiter((d for d, _ in flat), dtype=np.int32, count=len(flat))
        self._weights = np.fromiter((w for _, w in flat), dtype=np.float32, count=len(flat))

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of ``query`` with every document (dense, length ``size``).

        Query n-grams unknown to the index still count in the query's norm, so a
        long message that shares one phrase with a question scores lower than a
        message that is that question.
        """
        grams = ngrams(query)
        if not grams or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        weights: dict[str, float] = {}
        for g, tf in grams.items():
            weights[g] = (1.0 + math.log(tf)) * self._idf.get(g, self._max_idf)
        qnorm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        doc_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for g, w in weights.items():
            gid = self._vocab.get(g)
            if gid is None:
                continue
            lo, hi = self._indptr[gid], self._indptr[gid + 1]
            doc_parts.append(self._docs[lo:hi])
            weight_parts.append(self._weights[lo:hi] * np.float32(w / qnorm))
        if not doc_parts:
            return np.zeros(self.size, dtype=np.float32)
        return np.bincount(
            np.concatenate(doc_parts), weights=np.concatenate(weight_parts), minlength=self.size
        ).astype(np.float32)

    def coverage(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Shared information between ``query`` and every document, both ways.

        Returns ``(query_coverage, doc_coverage)``: the idf-weighted share of the
        query's n-grams found in each document, and of each document's n-grams
        found in the query.  A short keyword query covered by a question scores
        high on the first; a long message that contains a whole question scores
        high on the second.  Unknown query n-grams count at the highest idf.
        """
        grams = set(ngrams(query))
        zeros = np.zeros(self.size, dtype=np.float32)
        if not grams or self.size == 0:
            return zeros, zeros
        idfs = {g: self._idf.get(g, self._max_idf) for g in grams}
        qmass = sum(idfs.values()) or 1.0
        doc_parts: list[np.ndarray] = []
        idf_parts: list[np.ndarray] = []
        for g in grams:
            gid = self._vocab.get(g)
            if gid is None:
                continue
            lo, hi = self._indptr[gid], self._indptr[gid + 1]
            doc_parts.append(self._docs[lo:hi])
            idf_parts.append(np.full(hi - lo, idfs[g], dtype=np.float32))
        if not doc_parts:
            return zeros, zeros
        docs = np.concatenate(doc_parts)
        shared = np.bincount(docs, weights=np.concatenate(idf_parts), minlength=self.size)
        return (shared / qmass).astype(np.float32), (shared / self._doc_mass).astype(np.float32)

    def top(self, query: str, k: int) -> list[Hit]:
        """The ``k`` best documents for ``query``, best first (zero scores left out)."""
        scores = self.scores(query)
        if self.size == 0 or k <= 0:
            return []
        k = min(k, self.size)
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [Hit(int(i), float(scores[i])) for i in idx if scores[i] > 0.0]
