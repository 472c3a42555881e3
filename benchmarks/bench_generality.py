"""Generality: faqbot on a knowledge base it was never tuned for, beside plain BM25.

LocalgovFAQ (Amagasaki city's FAQ: ~1,786 entries, ~750 crowd-written queries
with graded relevance; ``dataset/{corpus,queries,qrels}.json`` of the
japanese-text-embedding-benchmark repository) is loaded as a faqbot knowledge
base, one entry per FAQ with its question and answer, in a temporary folder.
The data is never committed (its licence is unclear): pass its folder.

    .venv/bin/python benchmarks/bench_generality.py /path/to/localgovfaq

Printed, for faqbot's ``Router.rank`` and for the peer (rank_bm25's
BM25Okapi over faqbot's content-word lemmas of question + answer, one field),
with the leaderboard's definitions (relevant = grade ≥ 1; nDCG gain = grade):
Recall@10, nDCG@10, P@10, hit@1; and faqbot's answered share and the share of
answered queries whose answer is relevant, at its default threshold.  Even
query ids were used while designing; odd ids were not looked at: both halves
are printed.  ``--json FILE`` also writes the same figures there.

``--vectors FOLDER`` (an installed word-vector table, ``faqbot vectors install``) also
measures faqbot with the optional word-vector channel, built and fitted as a knowledge base
naming the table would be (λ fitted on the KB's own questions, never chosen on queries), and
what the channel adds to each query's time:

    .venv/bin/python benchmarks/bench_generality.py /path/to/localgovfaq --vectors ~/.cache/faqbot/vectors/ja-ginza
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from rank_bm25 import BM25Okapi

from faqbot.answers.answering import Engine
from faqbot.kb import SHIPPED_KB
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.ranking import K, mean_ranking
from faqbot.routing.router import Router
from faqbot.routing.vector_channel import RERANKED
from faqbot.routing.verdict import DECISION_FALLBACK
from faqbot.text.analysis import terms
from faqbot.text.word_vectors import load_word_vectors


def write_kb(corpus: dict[str, str], dest: Path) -> Path:
    """A faqbot knowledge base in ``dest`` with one entry per LocalgovFAQ document.

    The shipped service description is reused without its ``router`` settings: a
    knowledge base written by others states none, so it gets faqbot's defaults.  No
    ``products.yaml``: a city sells none of the shipped products, whose names and keyword
    words would be masked out of its texts (スマホ, サポート, フリー…; hundredth rule).
    """
    service = yaml.safe_load((SHIPPED_KB / "service.yaml").read_text(encoding="utf-8"))
    service.pop("router", None)
    (dest / "service.yaml").write_text(yaml.safe_dump(service, allow_unicode=True), encoding="utf-8")
    entries = []
    for doc_id, text in corpus.items():
        question, _, answer = text.partition("\nAnswer: ")
        entries.append({"id": f"doc-{doc_id}", "question": question.removeprefix("Question: ").strip(), "answer": answer.strip()})
    (dest / "faq").mkdir()
    (dest / "faq" / "localgov.yaml").write_text(
        yaml.safe_dump({"category": "LocalgovFAQ", "entries": entries}, allow_unicode=True), encoding="utf-8"
    )
    return dest


def evaluate(rank: Callable[[str], list[str]], queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> list[float]:
    """Mean Recall@10, nDCG@10, P@10 and hit@1 (faqbot.quality.ranking's definitions)."""
    score = mean_ranking([(rank(text), qrels[qid]) for qid, text in queries.items()])
    return [score.recall_at_10, score.ndcg_at_10, score.precision_at_10, score.hit_at_1]


# The decision before calibration: fall back when the best character score is below this floor
# (the shipped KB's hand-set ``router.threshold``), printed beside the calibrated default.
HAND_SET_FLOOR = 0.3


def answered_precision(
    router: Router, part: dict[str, str], qrels: dict[str, dict[str, int]], floor: float | None = None
) -> tuple[float, float]:
    """The share of ``part`` answered (or clarified) and the share of those whose best entry is relevant.

    ``floor``: decide with the rule from before calibration (a floor on the best character
    score) instead of the router's own decision; the other fallback rules are the same.
    """
    answered = right = 0
    for qid, text in part.items():
        routing = router.route(text)
        if floor is not None:
            found = router.candidates(text)
            best = float(found.char[0]) if len(found.char) else 0.0
            answers = not router.refuses(text, found) and best >= floor
        else:
            answers = routing.decision != DECISION_FALLBACK
        if answers and routing.matches:
            answered += 1
            right += qrels[qid].get(routing.matches[0].entry_id.removeprefix("doc-"), 0) >= 1
    return answered / len(part), right / answered if answered else 0.0


#: The names of evaluate()'s four figures, in its order (the keys of --json's rankings).
RANKING_KEYS = ("recall_at_10", "ndcg_at_10", "precision_at_10", "hit_at_1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder with corpus.json, queries.json, qrels.json")
    parser.add_argument("--json", type=Path, help="also write the printed figures here")
    parser.add_argument("--vectors", type=Path, metavar="FOLDER",
                        help="an installed word-vector table (faqbot vectors install; e.g. ~/.cache/faqbot/vectors/ja-ginza): "
                             "also measure faqbot with the word-vector channel, its weight fitted as a build fits it")
    args = parser.parse_args()
    corpus = json.loads((args.data / "corpus.json").read_text(encoding="utf-8"))
    queries = json.loads((args.data / "queries.json").read_text(encoding="utf-8"))
    qrels = {q: {d: int(g) for d, g in r.items()} for q, r in json.loads((args.data / "qrels.json").read_text(encoding="utf-8")).items()}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        kb = load_knowledge_base(write_kb(corpus, Path(tmp)))
        engine = Engine.build(kb)
        build = time.perf_counter() - started
        started = time.perf_counter()
        vectored = Router.build(kb, vectors=load_word_vectors(args.vectors)) if args.vectors else None
        vector_build = time.perf_counter() - started
    router = engine.router
    doc_ids = list(corpus)
    peer = BM25Okapi([list(terms(corpus[d].replace("Question: ", "").replace("\nAnswer: ", "\n"))) for d in doc_ids])

    def faqbot_rank(text: str) -> list[str]:
        return [m.entry_id.removeprefix("doc-") for m in router.rank(text, top=K)]

    def vectored_rank(text: str) -> list[str]:
        return [m.entry_id.removeprefix("doc-") for m in vectored.rank(text, top=K)] if vectored else []

    def peer_rank(text: str) -> list[str]:
        scores = peer.get_scores(list(terms(text)))
        return [doc_ids[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i])[:K]]

    calib = router.calibration
    print(f"LocalgovFAQ: {len(corpus)} entries, {len(queries)} queries; faqbot engine built in {build:.1f} s; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"calibrated decision: target precision {calib.target_precision}, threshold P(right) ≥ {calib.threshold:.3f}")
    figures: dict[str, object] = {"entries": len(corpus), "queries": len(queries), "build_s": build,
                                  "load_average_before": load, "load_average": os.getloadavg()[0],
                                  "target_precision": calib.target_precision, "threshold": calib.threshold}
    if vectored is not None:
        print(f"with word vectors ({args.vectors}): built in {vector_build:.1f} s (after the first build, its analyses cached), fitted λ {vectored.vector_weight:g}, "
              f"threshold P(right) ≥ {vectored.calibration.threshold:.3f}")
        figures.update(vector_build_s=vector_build, vector_weight=vectored.vector_weight)
    print(f"{'half':5} {'system':26} {'Recall@10':>9} {'nDCG@10':>8} {'P@10':>6} {'hit@1':>6} {'answered':>9} {'ans.prec':>9}")
    for half, parity in (("even", 0), ("odd", 1)):
        part = {q: t for q, t in queries.items() if int(q) % 2 == parity and q in qrels}
        ours = evaluate(faqbot_rank, part, qrels)
        theirs = evaluate(peer_rank, part, qrels)
        share, precision = answered_precision(router, part, qrels)
        old_share, old_precision = answered_precision(router, part, qrels, HAND_SET_FLOOR)
        print(f"{half:5} {'faqbot Router.rank':26} " + " ".join(f"{v:{w}.3f}" for v, w in zip(ours, (9, 8, 6, 6), strict=True)) + f" {share:9.3f} {precision:9.3f}")
        print(f"{half:5} {'  decision before calib.':26} {'':32} {old_share:9.3f} {old_precision:9.3f}")
        print(f"{half:5} {'BM25Okapi (rank_bm25)':26} " + " ".join(f"{v:{w}.3f}" for v, w in zip(theirs, (9, 8, 6, 6), strict=True)))
        if vectored is not None:
            with_vectors = evaluate(vectored_rank, part, qrels)
            v_share, v_precision = answered_precision(vectored, part, qrels)
            print(f"{half:5} {'faqbot + word vectors':26} " + " ".join(f"{v:{w}.3f}" for v, w in zip(with_vectors, (9, 8, 6, 6), strict=True))
                  + f" {v_share:9.3f} {v_precision:9.3f}")
            figures[f"{half}_vectors"] = {**dict(zip(RANKING_KEYS, with_vectors, strict=True)), "answered": v_share,
                                          "answered_precision": v_precision}
        figures[half] = {
            "queries": len(part),
            "faqbot": {**dict(zip(RANKING_KEYS, ours, strict=True)), "answered": share, "answered_precision": precision,
                       "answered_before_calibration": old_share, "answered_precision_before_calibration": old_precision},
            "bm25": dict(zip(RANKING_KEYS, theirs, strict=True)),
        }
    if vectored is not None and vectored.vectors is not None:
        # What the channel adds to a message: embedding it and the cosines of its first candidates,
        # on the message's terms already analysed (the lexical channel analyses them anyway).
        channel = vectored.vectors
        analysed = [(vectored.analyze(text).topic_terms, vectored.candidates(text).owners[:RERANKED]) for text in queries.values()]
        started = time.perf_counter()
        for text_terms, owners in analysed:
            channel.cosines(text_terms, owners)
        added = (time.perf_counter() - started) / len(analysed) * 1000
        print(f"word-vector channel: {added:.3f} ms per query added (embedding + {RERANKED} cosines, {len(analysed)} queries)")
        figures["vector_ms_per_query"] = added
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
