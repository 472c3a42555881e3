"""Core benchmark: router latency on the shipped knowledge base and `faqbot ask` start-up.

Prints figures; asserts nothing (targets are judged by people reading them).

    .venv/bin/python benchmarks/bench_core.py [--repeat 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from faqbot.answers.answering import Engine, answer_query
from faqbot.cli.progress import progress_bar
from faqbot.kb.loader import load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
TODAY = date(2026, 11, 26)


def _queries() -> list[str]:
    if DEV.exists():
        return [json.loads(line)["q"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    kb = load_knowledge_base()
    return [q for e in kb.entries for q in e.alternates[:3]]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def bench_router(repeat: int) -> None:
    started = time.perf_counter()
    engine = Engine.build(load_knowledge_base())
    build = time.perf_counter() - started
    queries = _queries()
    route_ms: list[float] = []
    answer_ms: list[float] = []
    with progress_bar("Routing the queries") as progress:
        for done, q in enumerate(q for _ in range(repeat) for q in queries):
            progress(done + 1, repeat * len(queries))
            t0 = time.perf_counter()
            entities = engine.extractor.extract(q, TODAY)
            engine.router.route(q, entities)
            route_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            answer_query(engine, q, TODAY)
            answer_ms.append((time.perf_counter() - t0) * 1000)
    questions = sum(len(e.questions) for e in engine.kb.entries)
    print(f"knowledge base: {len(engine.kb.entries)} entries, {questions} questions")
    print(f"engine build (load + validate + index): {build * 1000:.0f} ms")
    for name, values in (("route (entities + router)", route_ms), ("answer (route + render)", answer_ms)):
        print(
            f"{name:28} n={len(values)}  p50 {_percentile(values, 50):.2f} ms  "
            f"p95 {_percentile(values, 95):.2f} ms  p99 {_percentile(values, 99):.2f} ms"
        )


def bench_process(runs: int) -> None:
    exe = shutil.which("faqbot", path=str(Path(sys.executable).parent)) or "faqbot"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "FAQBOT_CACHE_DIR": cache}
        cmd = [exe, "ask", "解約したい", "--today", TODAY.isoformat()]
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        cold = time.perf_counter() - t0
        walls = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - t0)
    print(f"`faqbot ask` wall, cold cache (builds the engine): {cold:.2f} s")
    print(f"`faqbot ask` wall, warm cache: median {statistics.median(walls):.2f} s, max {max(walls):.2f} s over {runs} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the query set")
    parser.add_argument("--runs", type=int, default=5, help="warm `faqbot ask` processes to time")
    args = parser.parse_args()
    bench_router(args.repeat)
    bench_process(args.runs)


if __name__ == "__main__":
    main()
