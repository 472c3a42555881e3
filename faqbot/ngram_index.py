"""An inverted character n-gram index with TF-IDF cosine scoring.

Japanese has no spaces, so words cannot be split cheaply; overlapping
character bigrams and trigrams (and single kanji, which carry meaning alone)
are robust evidence instead.  The index keeps, per n-gram, the documents that
contain it, so a query only touches the documents that share an n-gram with
it: cost grows with the postings of the query's n-grams, not with the size of
the knowledge base.  Scores are summed with ``numpy.bincount``.

Building is vectorised: n-grams are numbered through a C-level dict lookup and
the postings are laid out with one stable ``argsort``, so a 250,000-question
index builds in seconds and holds its postings in flat numpy arrays (a few
bytes per posting) instead of Python tuples.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

import numpy as np

# Documents numbered per batch while building (bounds the n-gram strings alive at once).
_CHUNK = 4096

# The ideographs faqbot.normalize.has_kanji recognises, as one pattern for findall.
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def ngrams(text: str) -> Counter[str]:
    """Character bigrams and trigrams of ``text``, plus its single kanji."""
    grams: Counter[str] = Counter([text[i : i + 2] for i in range(len(text) - 1)])
    grams.update([text[i : i + 3] for i in range(len(text) - 2)])
    grams.update(_KANJI.findall(text))
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
        # Every n-gram gets the next number the first time it is seen.
        # Every n-gram gets the next number the first time it is seen; the numbering
        # runs in C (map over dict.__getitem__), a chunk of documents at a time so
        # that the n-gram strings of only one chunk are alive at once.
        vocab: defaultdict[str, int] = defaultdict(count().__next__)
        number = vocab.__getitem__
        id_chunks: list[np.ndarray] = []
        tfs = array("I")
        per_doc = array("i")
        for start in range(0, self.size, _CHUNK):
            keys: list[str] = []
            for doc in docs[start : start + _CHUNK]:
                grams = ngrams(doc)
                keys.extend(grams)
                tfs.extend(grams.values())
                per_doc.append(len(grams))
            id_chunks.append(np.fromiter(map(number, keys), dtype=np.int32, count=len(keys)))
        gids = np.concatenate(id_chunks) if id_chunks else np.zeros(0, dtype=np.int32)
        self._vocab: dict[str, int] = dict(vocab)
        owners = np.repeat(np.arange(self.size, dtype=np.int32), np.frombuffer(per_doc, dtype=np.int32))
        del id_chunks, per_doc
        df = np.bincount(gids, minlength=len(self._vocab))
        idf = np.log((self.size + 1) / (df + 1.0)) + 1.0
        self._idf = idf  # by gram id (float64)
        self._max_idf = float(np.log(self.size + 1) + 1.0)
        posting_idf = idf[gids]
        # Per-document idf mass, for coverage scores (what share of a document's
        # information a query contains).
        mass = np.bincount(owners, weights=posting_idf, minlength=self.size)
        mass[mass == 0.0] = 1.0
        self._doc_mass = mass.astype(np.float32)
        weights = np.log(np.frombuffer(tfs, dtype=np.uint32).astype(np.float64))
        del tfs
        weights += 1.0
        weights *= posting_idf
        del posting_idf
        norms = np.sqrt(np.bincount(owners, weights=weights * weights, minlength=self.size))
        norms[norms == 0.0] = 1.0
        weights /= norms[owners]
        order = np.argsort(gids, kind="stable")  # postings grouped by gram, doc ids ascending
        del gids
        self._indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        self._docs = owners[order]
        del owners
        self._weights = weights[order].astype(np.float32)

    def _postings(self, grams: Sequence[str]) -> tuple[list[int], list[np.ndarray]]:
        """Gram ids of the known ``grams`` and each one's posting list (document ids)."""
        ids = [gid for gid in map(self._vocab.get, grams) if gid is not None]
        indptr, docs = self._indptr, self._docs
        return ids, [docs[indptr[gid] : indptr[gid + 1]] for gid in ids]

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
            gid = self._vocab.get(g)
            idf = float(self._idf[gid]) if gid is not None else self._max_idf
            weights[g] = (1.0 + float(np.log(tf))) * idf
        qnorm = float(np.sqrt(sum(w * w for w in weights.values()))) or 1.0
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

    def shared_mass(self, query: str) -> tuple[np.ndarray, float]:
        """The idf mass each document shares with ``query`` (dense float64), and the query's own mass.

        Unknown query n-grams count in the query's mass at the highest idf.
        """
        grams = list(ngrams(query))
        if not grams or self.size == 0:
            return np.zeros(self.size), 1.0
        ids, postings = self._postings(grams)
        idfs = self._idf[ids] if ids else np.zeros(0)
        qmass = float(idfs.sum()) + (len(grams) - len(ids)) * self._max_idf or 1.0
        if not ids:
            return np.zeros(self.size), qmass
        lengths = np.fromiter((len(p) for p in postings), dtype=np.int64, count=len(postings))
        shared = np.bincount(
            # float32 weights, as the postings' idf were always summed.
            np.concatenate(postings), weights=np.repeat(idfs.astype(np.float32), lengths), minlength=self.size
        )
        return shared, qmass

    def coverage(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Shared information between ``query`` and every document, both ways.

        Returns ``(query_coverage, doc_coverage)``: the idf-weighted share of the
        query's n-grams found in each document, and of each document's n-grams
        found in the query.  A short keyword query covered by a question scores
        high on the first; a long message that contains a whole question scores
        high on the second.  Unknown query n-grams count at the highest idf.
        """
        shared, qmass = self.shared_mass(query)
        return (shared / qmass).astype(np.float32), (shared / self._doc_mass).astype(np.float32)

    def doc_mass(self, doc_ids: np.ndarray) -> np.ndarray:
        """The idf mass of the given documents (float32), the denominator of document coverage."""
        return self._doc_mass[doc_ids]

    def top(self, query: str, k: int) -> list[Hit]:
        """The ``k`` best documents for ``query``, best first (zero scores left out)."""
        scores = self.scores(query)
        if self.size == 0 or k <= 0:
            return []
        k = min(k, self.size)
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [Hit(int(i), float(scores[i])) for i in idx if scores[i] > 0.0]
