"""Static word vectors as an extra ranking channel on LocalgovFAQ: measured, not shipped.

Issue 11 names the static vectors of the ``ja-ginza`` package (20,000 rows × 300, from the
package registry) as a possible optional channel: worth it only if its figures pay for its
weight, never required.  This measures it without spaCy or any new dependency: the wheel is a
zip; its ``vocab/vectors`` is a numpy array, ``vocab/key2row`` a msgpack map from spaCy's
string hash (MurmurHash64A, seed 1) to a row, and ``vocab/strings.json`` the strings hashed.

    .venv/bin/python -m pip download --no-deps ja-ginza==5.3.0 -d /tmp/ginza
    .venv/bin/python benchmarks/bench_vectors.py /tmp/ginza/ja_ginza-5.3.0-py3-none-any.whl /path/to/localgovfaq
    .venv/bin/python benchmarks/bench_vectors.py /tmp/ginza/ja_ginza-5.3.0-py3-none-any.whl --shipped

An entry's vector is the idf-weighted mean of the unit vectors of its question's and answer's
topic terms (:attr:`faqbot.text.analysis.Analysis.topic_terms`, the lemmas retrieval searches);
a query's likewise.  Each query's first 100 entries by ``Router.rank`` are re-ranked by
confidence + λ · cosine.  λ is chosen on the even query ids (the half looked at while
designing) from :data:`LAMBDAS`; both halves are printed at every λ, the odd half only read.
The vectors alone are printed too.  ``--shipped`` measures the shipped knowledge base's own
material instead: leave-one-out top-1 of its alternates (held out as the lexical weight's fit holds
them, each entry's vector without the held-out question) at each λ.  Nothing here is in faqbot's
runtime.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from bench_generality import evaluate, write_kb

from faqbot.answers.answering import Engine
from faqbot.kb import SHIPPED_KB
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.ranking import K
from faqbot.routing.router import Router
from faqbot.text.analysis import analyze

# Weights of the cosine added to faqbot's confidence (both in [0, 1]); 0 is faqbot alone.
LAMBDAS = (0.0, 0.1, 0.3, 0.5, 0.8, 1.2, 2.0, 3.0)
# Entries re-ranked per query: faqbot's first ones (the vectors alone rank every entry).
RERANKED = 100
_MASK = (1 << 64) - 1


def murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy hashes its strings (``hash_string``: seed 1)."""
    m, r = 0xC6A4A7935BD1E995, 47
    h = (seed ^ (len(data) * m)) & _MASK
    whole = len(data) // 8
    for (k,) in struct.iter_unpack("<Q", data[: whole * 8]):
        k = (k * m) & _MASK
        k ^= k >> r
        h ^= (k * m) & _MASK
        h = (h * m) & _MASK
    tail = data[whole * 8 :]
    if tail:
        for i in range(len(tail) - 1, -1, -1):
            h ^= tail[i] << (8 * i)
        h = (h * m) & _MASK
    h ^= h >> r
    h = (h * m) & _MASK
    return h ^ (h >> r)


def _msgpack_uint_map(raw: bytes) -> dict[int, int]:
    """The one msgpack map of unsigned integers that spaCy writes as ``key2row``."""
    widths = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}

    def uint(at: int) -> tuple[int, int]:
        tag = raw[at]
        if tag < 0x80:
            return tag, at + 1
        width = widths.get(tag)
        if width is None:
            raise ValueError(f"key2row: byte {tag:#x} at {at} is no unsigned integer; is this a spaCy vocab?")
        return int.from_bytes(raw[at + 1 : at + 1 + width], "big"), at + 1 + width

    if raw[0] == 0xDF:
        (count,), at = struct.unpack_from(">I", raw, 1), 5
    elif raw[0] == 0xDE:
        (count,), at = struct.unpack_from(">H", raw, 1), 3
    else:
        raise ValueError("key2row: not a msgpack map; is this a spaCy vocab?")
    table: dict[int, int] = {}
    for _ in range(count):
        key, at = uint(at)
        table[key], at = uint(at)
    return table


def load_vectors(wheel: Path) -> tuple[dict[str, int], np.ndarray]:
    """Word → row and the unit-length rows, read from a ja-ginza wheel (no spaCy)."""
    with zipfile.ZipFile(wheel) as archive:
        names = {Path(n).name: n for n in archive.namelist() if "/vocab/" in n}
        with archive.open(names["vectors"]) as handle:
            vectors = np.load(handle)
        key2row = _msgpack_uint_map(archive.read(names["key2row"]))
        strings = json.loads(archive.read(names["strings.json"]))
    rows = {s: key2row[k] for s in strings if (k := murmur64a(s.encode("utf-8"))) in key2row}
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return rows, (vectors / norms).astype(np.float32)


class Embedder:
    """Idf-weighted mean of a text's topic-term vectors, unit length (zero when no term has one)."""

    def __init__(self, rows: dict[str, int], vectors: np.ndarray, documents: list[tuple[str, ...]]) -> None:
        self._rows, self._vectors = rows, vectors
        self._df = collections.Counter(t for terms in documents for t in set(terms))
        self._n = len(documents)

    def _idf(self, term: str) -> float:
        df = self._df.get(term, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def sum(self, terms: tuple[str, ...]) -> np.ndarray:
        """The idf-weighted sum of the terms' vectors (float64; zero when no term has one)."""
        found = [(self._rows[t], self._idf(t)) for t in terms if t in self._rows]
        if not found:
            return np.zeros(self._vectors.shape[1], dtype=np.float64)
        rows, weights = zip(*found, strict=True)
        total: np.ndarray = (self._vectors[list(rows)] * np.asarray(weights)[:, None]).sum(axis=0)
        return total

    def __call__(self, terms: tuple[str, ...]) -> np.ndarray:
        v = self.sum(terms)
        unit: np.ndarray = (v / max(float(np.linalg.norm(v)), 1e-9)).astype(np.float32)
        return unit


def shipped_leave_one_out(rows: dict[str, int], vectors: np.ndarray) -> None:
    """Print the shipped KB's leave-one-out top-1 over its alternates at each λ."""
    kb = load_knowledge_base(SHIPPED_KB)
    router = Router.build(kb)
    char = router.char_channel
    owner_of, texts, n = char.doc_owner, char.texts, len(kb.entries)
    questions = [analyze(t).topic_terms for t in texts]
    answers = [analyze(e.answer).topic_terms for e in kb.entries]
    embed = Embedder(rows, vectors, questions + answers)
    sums = [embed.sum(terms) for terms in questions]
    entries = np.stack([embed.sum(terms) for terms in answers])
    for i, owner in enumerate(owner_of.tolist()):
        if owner < n:
            entries[owner] += sums[i]
    real = np.flatnonzero(owner_of < n)
    counts = np.bincount(owner_of[real], minlength=n)
    right = dict.fromkeys(LAMBDAS, 0)
    held = real[counts[owner_of[real]] > 1].tolist()
    for i in held:
        found = router.candidates(texts[i], held_out=char.excluded(texts[i]))
        if not len(found.owners):
            continue
        own = int(owner_of[i])
        candidates = entries[found.owners].copy()
        candidates[found.owners == own] -= sums[i]  # the held-out question no longer speaks for its entry
        query = sums[i] / max(float(np.linalg.norm(sums[i])), 1e-9)
        cosine = (candidates @ query) / np.maximum(np.linalg.norm(candidates, axis=1), 1e-9)
        confidence = found.fused / (1.0 + router.lexical_weight)
        for lam in LAMBDAS:
            right[lam] += int(found.owners[int(np.argmax(confidence + lam * cosine))]) == own
    print(f"shipped KB, {len(held)} alternates held out (lexical weight {router.lexical_weight}): leave-one-out top-1")
    for lam in LAMBDAS:
        label = "faqbot" if lam == 0.0 else f"  + {lam} × cosine"
        print(f"  {label:22} {right[lam] / len(held):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the ja-ginza wheel (pip download --no-deps ja-ginza==5.3.0)")
    parser.add_argument("data", type=Path, nargs="?", help="LocalgovFAQ's folder: corpus.json, queries.json, qrels.json")
    parser.add_argument("--shipped", action="store_true", help="measure the shipped KB's own alternates instead")
    args = parser.parse_args()
    if args.data is None and not args.shipped:
        parser.error("give LocalgovFAQ's folder, or --shipped to measure the shipped knowledge base")
    started = time.perf_counter()
    rows, vectors = load_vectors(args.wheel)
    print(f"vectors: {vectors.shape[0]:,} rows × {vectors.shape[1]}, {len(rows):,} words, read in {time.perf_counter() - started:.1f} s")
    if args.shipped:
        shipped_leave_one_out(rows, vectors)
        return
    corpus = json.loads((args.data / "corpus.json").read_text(encoding="utf-8"))
    queries = json.loads((args.data / "queries.json").read_text(encoding="utf-8"))
    qrels = {q: {d: int(g) for d, g in r.items()} for q, r in json.loads((args.data / "qrels.json").read_text(encoding="utf-8")).items()}
    ids = list(corpus)
    documents = [analyze(corpus[d].replace("Question: ", "").replace("\nAnswer: ", "\n")).topic_terms for d in ids]
    embed = Embedder(rows, vectors, documents)
    matrix = np.stack([embed(terms) for terms in documents])
    with tempfile.TemporaryDirectory() as tmp:
        router = Engine.build(load_knowledge_base(write_kb(corpus, Path(tmp)))).router
    position = {d: i for i, d in enumerate(ids)}

    def reranked(lam: float) -> Callable[[str], list[str]]:
        def rank(text: str) -> list[str]:
            query = embed(analyze(text).topic_terms)
            scored = [(m.confidence + lam * float(matrix[position[d]] @ query), d)
                      for m in router.rank(text, top=RERANKED) if (d := m.entry_id.removeprefix("doc-"))]
            return [d for _, d in sorted(scored, key=lambda pair: -pair[0])[:K]]
        return rank

    def vectors_alone(text: str) -> list[str]:
        return [ids[i] for i in np.argsort(-(matrix @ embed(analyze(text).topic_terms)))[:K]]

    print(f"{'half':5} {'ranking':26} {'Recall@10':>9} {'nDCG@10':>8} {'P@10':>6} {'hit@1':>6}")
    chosen: dict[str, float] = {}
    for half, parity in (("even", 0), ("odd", 1)):
        part = {q: t for q, t in queries.items() if int(q) % 2 == parity and q in qrels}
        alone = evaluate(vectors_alone, part, qrels)
        print(f"{half:5} {'vectors alone':26} " + " ".join(f"{v:{w}.3f}" for v, w in zip(alone, (9, 8, 6, 6), strict=True)))
        for lam in LAMBDAS:
            figures = evaluate(reranked(lam), part, qrels)
            if half == "even" and figures[1] > chosen.get("ndcg", -1.0):
                chosen = {"lambda": lam, "ndcg": figures[1]}
            label = "faqbot Router.rank" if lam == 0.0 else f"  + {lam} × cosine"
            print(f"{half:5} {label:26} " + " ".join(f"{v:{w}.3f}" for v, w in zip(figures, (9, 8, 6, 6), strict=True)))
    print(f"λ with the best nDCG@10 on the even half: {chosen['lambda']}")
    query = "粗大ごみの出し方を教えてください"
    started = time.perf_counter()
    for i in range(1000):
        embed(analyze(f"{query}{i}").topic_terms) @ matrix[:RERANKED].T
    print(f"embedding a never-seen query and {RERANKED} cosines: {(time.perf_counter() - started):.3f} ms per query")


if __name__ == "__main__":
    main()
