"""Router at one knowledge-base size: build time, peak RSS, latency and accuracy vs the naive router.

Runs in its own process per size (so peak RSS belongs to that size alone) and
prints one JSON object.  ``run_all.py`` calls it; it can be run alone:

    .venv/bin/python benchmarks/bench_scale.py --kb /tmp/kb10k --entries 10000

The naive router is ``rapidfuzz.process.extractOne`` over every stored question
string (normalised the same way as faqbot's), answering with the entry of the
best one.  Both routers see the same queries in the same run: the labelled dev
set (``../shared/eval/dev.jsonl``) and probe queries for the generated entries,
worded in a way no stored question is.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kbgen import generate_entries, probe_queries  # noqa: E402

from faqbot.answers.answering import Engine  # noqa: E402
from faqbot.kb.loader import load_knowledge_base  # noqa: E402
from faqbot.quality.evaluation import load_examples, predict, score  # noqa: E402
from faqbot.routing.verdict import FALLBACK  # noqa: E402
from faqbot.text.normalize import normalize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
TODAY = date(2026, 11, 26)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0–100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class NaiveRouter:
    """``rapidfuzz.process.extractOne`` over every question: the baseline to beat."""

    def __init__(self, engine: Engine) -> None:
        self.owners: list[str] = []
        self.choices: list[str] = []
        for entry in engine.kb.entries:
            for question in entry.questions:
                self.owners.append(entry.id)
                self.choices.append(normalize(question))

    def route(self, query: str) -> str:
        best = process.extractOne(normalize(query), self.choices, scorer=fuzz.WRatio)
        return self.owners[best[2]] if best else FALLBACK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (to rebuild probes)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the queries (faqbot router)")
    parser.add_argument("--naive-queries", type=int, default=0, help="cap on queries timed through the naive router (0: all)")
    args = parser.parse_args()

    started = time.perf_counter()
    kb = load_knowledge_base(args.kb)
    loaded = time.perf_counter()
    engine = Engine.build(kb)
    built = time.perf_counter()
    rss_built = _peak_rss_mb()

    examples = load_examples(DEV)
    probes = probe_queries(generate_entries(args.entries, args.seed), args.probes) if args.entries else []
    queries = [e.query for e in examples] + [q for q, _ in probes]
    entities = {q: engine.extractor.extract(q, TODAY) for q in queries}

    route_ms: list[float] = []
    for _ in range(args.passes):
        for q in queries:
            t0 = time.perf_counter()
            engine.router.route(q, entities[q])
            route_ms.append((time.perf_counter() - t0) * 1000)
    report = score(predict(engine, examples, TODAY))
    probe_hits = sum(engine.router.route(q, entities[q]).intent == want for q, want in probes)

    naive = NaiveRouter(engine)
    naive_ms: list[float] = []
    naive_pred: dict[str, str] = {}
    timed = queries if not args.naive_queries else queries[: args.naive_queries]
    for q in timed:
        t0 = time.perf_counter()
        naive_pred[q] = naive.route(q)
        naive_ms.append((time.perf_counter() - t0) * 1000)
    for q in queries:
        if q not in naive_pred:
            naive_pred[q] = naive.route(q)
    in_scope = [e for e in examples if e.intent != FALLBACK]
    naive_dev = sum(naive_pred[e.query] == e.intent for e in in_scope) / len(in_scope)
    naive_probe = sum(naive_pred[q] == want for q, want in probes) / len(probes) if probes else None

    print(
        json.dumps(
            {
                "entries": len(kb.entries),
                "questions": sum(len(e.questions) for e in kb.entries),
                "load_s": loaded - started,
                "build_s": built - loaded,
                "peak_rss_build_mb": rss_built,
                "peak_rss_mb": _peak_rss_mb(),
                "queries": len(queries),
                "p50_ms": percentile(route_ms, 50),
                "p95_ms": percentile(route_ms, 95),
                "p99_ms": percentile(route_ms, 99),
                "mean_ms": statistics.fmean(route_ms),
                "naive_p50_ms": percentile(naive_ms, 50),
                "naive_p95_ms": percentile(naive_ms, 95),
                "naive_mean_ms": statistics.fmean(naive_ms),
                "dev_in_scope": report.in_scope_accuracy,
                "dev_fallback_precision": report.fallback_precision,
                "dev_fallback_recall": report.fallback_recall,
                "naive_dev_in_scope": naive_dev,
                "probe_accuracy": probe_hits / len(probes) if probes else None,
                "naive_probe_accuracy": naive_probe,
            }
        )
    )


if __name__ == "__main__":
    main()
