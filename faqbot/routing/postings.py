"""Sums over an inverted index's postings for one query: compiled when built, numpy otherwise.

Both n-gram indexes and the lexical fields sum weights over the postings of a query's
grams or terms.  In numpy that is three passes and three temporary arrays (the postings
concatenated and cast to ``intp``, a weight per posting, then ``bincount``), about a
quarter of a never-repeated route at 10,000 entries.  ``_postings.c`` (built by
``pip install``, an optional extension: without a compiler the numpy code runs) adds
each posting's weight straight into the sums, in the order ``bincount`` adds them, so
the floats are the same bit for bit (``tests/test_postings.py`` compares them).

``FAQBOT_POSTINGS=numpy`` runs the numpy code even when the extension is built.
"""

from __future__ import annotations

import os
from types import ModuleType

import numpy as np

from faqbot.text.packed import use_compiled_take

_postings: ModuleType | None
try:
    from faqbot.routing import _postings
except ImportError:  # not built (no compiler when installed): the numpy code below
    _postings = None

_INTP_IS_INT64 = np.dtype(np.intp) == np.dtype(np.int64)
# The compiled module in use, None for the numpy code (tests and benchmarks may set it).
kernels = _postings if os.environ.get("FAQBOT_POSTINGS", "") != "numpy" else None
# Packed strings read (the character channel's ~60 candidate questions a message) decoded by it too.
use_compiled_take(kernels.take_strings if kernels is not None else None)


def _nothing_summed(size: int) -> np.ndarray:
    """What ``bincount`` gives for no postings, weights or not: ``intp`` zeros (its dtype shows in a fingerprint)."""
    return np.zeros(size, dtype=np.intp)


def gram_masses(size: int, indptr: np.ndarray, docs: np.ndarray, ids: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Each document's sum of the float32-rounded ``idf`` of the grams ``ids`` it holds (float64, ``size``).

    ``indptr`` (int64) and ``docs`` (int32): each gram's postings; grams are added in the
    order of ``ids``, each gram's documents in posting order, as ``bincount`` adds them.
    """
    compiled = kernels
    if compiled is not None and _typed(indptr, np.int64) and _typed(docs, np.int32) and _typed(idf, np.float64):
        out = np.zeros(size, dtype=np.float64)
        summed = compiled.gram_masses(out, indptr, docs, np.ascontiguousarray(ids, dtype=np.int64), idf)
        return out if summed else _nothing_summed(size)
    return gram_masses_numpy(size, indptr, docs, ids, idf)


def gram_masses_numpy(size: int, indptr: np.ndarray, docs: np.ndarray, ids: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """:func:`gram_masses` in numpy (the reference the compiled code is tested against)."""
    starts, ends = indptr[ids], indptr[ids + 1]
    # Postings in the query's gram order, so each document's mass is summed in that order,
    # as ever; cast once here (bincount would copy both to intp and float64 itself).
    postings = np.concatenate([docs[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)], dtype=np.intp)
    # float32 weights, as the postings' idf were always summed.
    weights = np.repeat(idf[ids].astype(np.float32).astype(np.float64), ends - starts)
    shared: np.ndarray = np.bincount(postings, weights=weights, minlength=size)
    return shared


def weighted_sums(size: int, indptr: np.ndarray, rows: np.ndarray, weights: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Each row's sum of the weights of its postings in ``columns`` (float64, ``size``), columns in order."""
    compiled = kernels
    if compiled is not None and _typed(indptr, np.int64) and _typed(rows, np.int32) and _typed(weights, np.float64):
        out = np.zeros(size, dtype=np.float64)
        summed = compiled.weighted_sums(out, indptr, rows, weights, np.ascontiguousarray(columns, dtype=np.int64))
        return out if summed else _nothing_summed(size)
    return weighted_sums_numpy(size, indptr, rows, weights, columns)


def weighted_sums_numpy(size: int, indptr: np.ndarray, rows: np.ndarray, weights: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """:func:`weighted_sums` in numpy."""
    spans = list(zip(indptr[columns].tolist(), indptr[columns + 1].tolist(), strict=True))
    # Rows cast once here: bincount would copy them to intp itself.
    summed_rows = np.concatenate([rows[a:b] for a, b in spans], dtype=np.intp)
    summed_weights = np.concatenate([weights[a:b] for a, b in spans])
    sums: np.ndarray = np.bincount(summed_rows, weights=summed_weights, minlength=size)
    return sums


def best_per_owner(
    size: int, indptr: np.ndarray, rows: np.ndarray, columns: np.ndarray, owner: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Each owner's largest of ``values`` at the rows of the postings of ``columns``, 0 for none (float64, ``size``).

    ``owner`` (int32): each row's owner.  The values must not be negative or NaN (scores):
    a maximum from zero, the same in any order.
    """
    compiled = kernels
    if compiled is not None and _typed(indptr, np.int64) and _typed(rows, np.int32) and _typed(owner, np.int32) and _typed(values, np.float64):
        best = np.zeros(size, dtype=np.float64)
        compiled.best_per_owner(best, indptr, rows, np.ascontiguousarray(columns, dtype=np.int64), owner, values)
        return best
    return best_per_owner_numpy(size, indptr, rows, columns, owner, values)


def best_per_owner_numpy(
    size: int, indptr: np.ndarray, rows: np.ndarray, columns: np.ndarray, owner: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """:func:`best_per_owner` in numpy."""
    best = np.zeros(size)
    if len(columns):
        spans = zip(indptr[columns].tolist(), indptr[columns + 1].tolist(), strict=True)
        touched = np.concatenate([rows[a:b] for a, b in spans], dtype=np.intp)
        np.maximum.at(best, owner[touched], values[touched])
    return best



def half_coverages(shared: np.ndarray, qmass: float, doc_mass: np.ndarray, short_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The documents with a shared mass (ascending ids) and the mean of their two coverages (float32).

    Query coverage ``shared / qmass`` and document coverage ``shared / doc_mass`` (the query
    coverage for a short document), each rounded to float32, then their float32 mean: one
    pass over the masses instead of a mask, a gather and five array operations.
    """
    compiled = kernels
    # The ids come back as flatnonzero gives them, intp: the compiled code writes int64.
    if compiled is not None and _INTP_IS_INT64 and _typed(shared, np.float64) and _typed(doc_mass, np.float32) and _typed(short_doc, np.bool_):
        ids = np.empty(len(shared), dtype=np.intp)
        scores = np.empty(len(shared), dtype=np.float32)
        count = compiled.half_coverages(ids, scores, shared, qmass, doc_mass, short_doc)
        return ids[:count], scores[:count]
    return half_coverages_numpy(shared, qmass, doc_mass, short_doc)


def half_coverages_numpy(shared: np.ndarray, qmass: float, doc_mass: np.ndarray, short_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`half_coverages` in numpy."""
    ids = np.flatnonzero(shared > 0.0)  # on a bool mask: several times faster than on floats
    found = shared[ids]
    # Divided in float64 and rounded to float32 as it is written out: what
    # ``(found / qmass).astype(np.float32)`` gives, without the float64 array between.
    q_cov = np.divide(found, qmass, out=np.empty(len(ids), dtype=np.float32), casting="same_kind")
    d_cov = np.divide(found, doc_mass[ids], out=np.empty(len(ids), dtype=np.float32), casting="same_kind")
    np.copyto(d_cov, q_cov, where=short_doc[ids])
    # Half the better plus half the worse is half the sum, bit for bit (see char_channel._mean).
    np.add(q_cov, d_cov, out=d_cov)
    d_cov *= np.float32(0.5)
    return ids, d_cov


def _typed(array: np.ndarray, dtype: type[np.generic]) -> bool:
    """Whether ``array`` is what the compiled code reads it as: ``dtype``, native order, one contiguous block."""
    return array.dtype == dtype and array.dtype.isnative and bool(array.flags.c_contiguous)
