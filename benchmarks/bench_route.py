"""Per-route CPU of ``Router.route`` on never-repeated messages, for A/B runs of two checkouts.

Loads the engine of ``--kb`` from a fresh engine cache (built on first use, then
read back mapped, as a server worker reads it) and routes the never-repeated chat
messages of ``bench_server.py`` once each, entities extracted beforehand (not
timed).  Prints the load average and the median, p95 and p99 of the wall time
per route, plus the process CPU time per route.  Run it alternately under two
checkouts and compare the ratios::

    PYTHONPATH=/work/main .venv/bin/python benchmarks/bench_route.py --kb KB10K --entries 10000
    .venv/bin/python benchmarks/bench_route.py --kb KB10K --entries 10000

``--profile`` prints cProfile's top functions instead of timing.  ``--peer-queries N``
then times the naive router of ``bench_scale.py`` (rapidfuzz's ``extractOne`` over
every stored question) on the first N of the same messages, after faqbot's timing,
and adds its median and p95 (``naive_p50_ms``, ``naive_p95_ms``): the peer, in the
same run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import NaiveRouter  # noqa: E402
from bench_server import chat_messages  # noqa: E402

import faqbot  # noqa: E402
from faqbot.answers.engine_cache import load_engine  # noqa: E402

TODAY = date(2026, 11, 26)


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (for the probes)")
    parser.add_argument("--queries", type=int, default=3000, help="never-repeated messages to route")
    parser.add_argument("--cache", type=Path, help="engine cache folder (default: a fresh one)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--peer-queries", type=int, default=0,
                        help="also time the naive router on the first N messages (0: no peer)")
    args = parser.parse_args()
    os.environ["FAQBOT_CACHE_DIR"] = str(args.cache or tempfile.mkdtemp(prefix="bench-route-"))
    load_engine(args.kb)
    engine = load_engine(args.kb)
    router = engine.router
    queries = chat_messages(args.entries)[1][: args.queries]
    entities = [engine.extractor.extract(q, TODAY) for q in queries]
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for q, e in zip(queries, entities, strict=True):
            router.route(q, e)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    wall: list[float] = []
    cpu0 = time.process_time()
    for q, e in zip(queries, entities, strict=True):
        t0 = time.perf_counter()
        router.route(q, e)
        wall.append((time.perf_counter() - t0) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / len(queries)
    result: dict[str, object] = {
        "faqbot": faqbot.__file__, "load_average": os.getloadavg(), "queries": len(queries),
        "p50_ms": round(percentile(wall, 50), 3), "p95_ms": round(percentile(wall, 95), 3),
        "p99_ms": round(percentile(wall, 99), 3), "cpu_ms_per_route": round(cpu, 3),
    }
    if args.peer_queries:
        naive = NaiveRouter(engine)
        naive_wall: list[float] = []
        for q in queries[: args.peer_queries]:
            t0 = time.perf_counter()
            naive.route(q)
            naive_wall.append((time.perf_counter() - t0) * 1000)
        result.update({"naive_queries": len(naive_wall), "naive_p50_ms": round(percentile(naive_wall, 50), 3),
                       "naive_p95_ms": round(percentile(naive_wall, 95), 3),
                       "naive_load_average": os.getloadavg()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
