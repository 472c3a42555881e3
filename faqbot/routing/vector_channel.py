"""The word-vector channel: an optional third opinion on the first candidates' order.

Built only for a knowledge base that names a table in ``router.word_vectors`` and when
that table is installed (:mod:`faqbot.text.word_vectors`).  An entry's vector is the
idf-weighted sum of the unit vectors of its questions' and answer's topic terms (the
lemmas the lexical channel searches); a message's likewise.  The router re-ranks its
first :data:`RERANKED` candidates by ``score + λ · max(cosine, 0)``, ``λ`` fitted per
knowledge base on its own held-out questions (:func:`faqbot.routing.training.fit_vector_weight`).
Words that are spelled differently but mean nearly the same (解約 / キャンセル / 退会) then
pull toward each other's entries, which neither the lemmas nor the characters can do.

The idf is by vector row over the entries (a row's document frequency: how many entries
hold a word of that row), Lucene's ``log(1 + (N - df + 0.5) / (df + 0.5))``; a row no entry
holds gets the highest.  As built, λ fitted (``benchmarks/bench_generality.py --vectors``):
on LocalgovFAQ's odd query ids Recall@10 0.625 → 0.669, nDCG@10 0.521 → 0.547.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from faqbot.routing.candidates import Candidates
from faqbot.text.word_vectors import WordVectors

# Candidates re-ranked per message: the channels' first ones.  Further down, a high cosine
# with an entry that neither the characters nor the lemmas found is not evidence enough.
RERANKED = 100
# An entry's vector shorter than this share of what it was before a held-out question was
# subtracted is what float32 rounding left: no direction (float32 keeps ~7 digits).
_ROUNDING = 1e-4
# (entry, row) pairs weighed at once while building: bounds the block of vectors summed.
_BLOCK = 1 << 13


@dataclass(frozen=True)
class TermDocuments:
    """Documents' topic terms as vector rows, each document owned by an entry."""

    rows: np.ndarray  # int64: every document's rows run together (-1: a term without a vector)
    owners: np.ndarray  # int64: the entry of each of those terms


@dataclass(frozen=True, eq=False)
class VectorChannel:
    """Each entry's idf-weighted sum of term vectors, and the table to embed messages with."""

    words: WordVectors
    sums: np.ndarray  # float32 (entries × dimensions)
    norms: np.ndarray  # float32: each sum's length
    idf: np.ndarray  # float32: by vector row

    @classmethod
    def build(cls, words: WordVectors, documents: TermDocuments, entries: int) -> VectorChannel:
        """The channel of ``entries`` entries whose terms are ``documents``."""
        known = documents.rows >= 0
        rows, owners = documents.rows[known], documents.owners[known]
        order = np.argsort(owners, kind="stable")
        rows, owners = rows[order], owners[order]
        distinct = np.unique(owners * len(words.vectors) + rows) % len(words.vectors)
        df = np.bincount(distinct, minlength=len(words.vectors)).astype(np.float64)
        idf = np.log1p((entries - df + 0.5) / (df + 0.5)).astype(np.float32)
        sums = np.zeros((entries, words.dimensions), dtype=np.float32)
        for start in range(0, len(rows), _BLOCK):
            block_rows, block_owners = rows[start : start + _BLOCK], owners[start : start + _BLOCK]
            weighted = np.asarray(words.vectors[block_rows]) * idf[block_rows, None]
            firsts = np.flatnonzero(np.concatenate(([True], block_owners[1:] != block_owners[:-1])))
            # Owners come sorted, so each owner's terms in the block are one run: summed by reduceat.
            sums[block_owners[firsts]] += np.add.reduceat(weighted, firsts, axis=0)
        return cls(words, sums, np.linalg.norm(sums, axis=1).astype(np.float32), idf)

    def embed(self, terms: Sequence[str]) -> np.ndarray:
        """The idf-weighted sum of ``terms``' vectors (float32; zero when none has one)."""
        rows = self.words.rows_of(terms)
        if not len(rows):
            return np.zeros(self.words.dimensions, dtype=np.float32)
        summed: np.ndarray = (np.asarray(self.words.vectors[rows]) * self.idf[rows, None]).sum(axis=0)
        return summed

    def cosines(self, terms: Sequence[str], owners: np.ndarray, held_out: Sequence[tuple[int, Sequence[str]]] = ()) -> np.ndarray:
        """The cosine of the message ``terms`` with each of ``owners`` (entry positions).

        ``held_out``: (entry, terms) of stored questions left out, as if never written: their
        vectors no longer speak for their entries (the fits route the knowledge base's own
        questions so, see :meth:`Router.candidates`).
        """
        query = self.embed(terms)
        length = float(np.linalg.norm(query))
        if not len(owners) or length == 0.0:
            return np.zeros(len(owners))
        sums = np.asarray(self.sums[owners], dtype=np.float32)
        norms = np.asarray(self.norms[owners], dtype=np.float32)
        for entry, question in held_out:
            at = np.flatnonzero(owners == entry)
            if len(at):
                before = norms[at]
                sums[at] -= self.embed(question)
                after = np.linalg.norm(sums[at], axis=1)
                # What is left of an entry only that question spoke for is float32 rounding, not a direction.
                norms[at] = np.where(after < _ROUNDING * before, 0.0, after)
        dots = (sums @ query).astype(np.float64)
        cosines: np.ndarray = np.divide(dots, norms * length, out=np.zeros(len(owners)), where=norms > 1e-6)
        return cosines

    def reranked(
        self, found: Candidates, terms: Sequence[str], held_out: Sequence[tuple[int, Sequence[str]]], lexical_weight: float,
        weight: float,
    ) -> Candidates:
        """``found`` with the cosines of its first :data:`RERANKED` with ``terms``, re-ranked by them.

        Each fused score gains ``(1 + w) · λ · max(cosine, 0)`` (``w``: ``lexical_weight``, ``λ``:
        ``weight``): the order of ``score + λ · cosine`` on the scale of a match's score.  ``held_out``:
        see :meth:`cosines`.  With ``weight`` 0 the order is the channels' own, the cosines beside it
        (what the fit of λ reads).
        """
        first = min(RERANKED, len(found.owners))
        cosine = np.zeros(len(found.owners))
        cosine[:first] = self.cosines(terms, found.owners[:first], held_out)
        if weight <= 0.0:
            return replace(found, cosine=cosine)
        fused = found.fused + (1.0 + lexical_weight) * weight * np.maximum(cosine, 0.0)
        order = np.argsort(-fused, kind="stable")
        return replace(
            found, owners=found.owners[order], fused=fused[order], char=found.char[order], lexical=found.lexical[order],
            char_doc=found.char_doc[order], cosine=cosine[order],
        )
