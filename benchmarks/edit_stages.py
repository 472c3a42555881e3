"""Where the first ``faqbot ask`` after a one-file edit spends its time: a stage-by-stage breakdown.

For each faqbot checkout given (this one, and ``--baseline DIR`` for another,
e.g. ``main``), on its own copy of a generated knowledge base (``kbgen.py``: the
shipped KB plus N entries) and its own cache folder: one cold build, then per
round one edit (the first question of the last generated file changed to a
never-written text) and ``load_engine`` with each stage wrapped in a timer (no
profiler overhead).  Checkouts alternate A/B, then B/A.  Prints each stage's
median over the rounds (seconds; 0 for a stage a checkout lacks), each checkout's total, and the load average
before each measurement.  Stages nest: ``NgramIndex`` is part of ``CharChannel``,
and every router stage is part of the total.

    nice -n 10 .venv/bin/python benchmarks/edit_stages.py --entries 10000 --baseline /work/main --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_rebuild import edit_one_file  # noqa: E402
from kbgen import generate_kb  # noqa: E402

# Run in a child with the checkout first on the path; prints one JSON object of stage timings.
STAGES = r"""
import functools, json, sys, time
from pathlib import Path
timings = {}
def timed(module, name, label=None):
    function = getattr(module, name, None)
    if function is None:
        return  # a stage this checkout does not have
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[label or name] = timings.get(label or name, 0.0) + time.perf_counter() - start
    setattr(module, name, wrapper)
start = time.perf_counter()
import faqbot.answers.engine_cache as ec, faqbot.routing.router as r, faqbot.routing.char_channel as cc
timings["imports"] = time.perf_counter() - start
for name in ("load_parsed", "load_knowledge_base", "store_parsed", "load_memo", "store_memo", "_store"):
    timed(ec, name)
for name in ("fit_for_knowledge_base", "CharChannel", "LexicalIndex", "fit_lexical_weight", "fit_calibration"):
    timed(r, name)
timed(cc, "NgramIndex", "NgramIndex (3, in CharChannel)")
timed(r._BuildAnalyser, "topic_terms")
try:  # this branch's stages (absent from older checkouts)
    import faqbot.routing.fit_reuse as fr, faqbot.routing.segments as sg, faqbot.answers.engine_cache as ec2
except ImportError:
    fr = sg = None
if fr is not None:
    for name in ("fingerprint", "veto_material", "veto_with_threshold", "fit_novelty", "fit_lexical_weight", "fit_calibration"):
        timed(fr, name)
    timed(sg.SegmentStore, "index", "n-gram indexes (3, from segments)")
    timed(sg, "segment", "segments extracted")
    for name in ("load_fits", "store_fits", "store_segments"):
        timed(ec, name)
start = time.perf_counter()
ec.load_engine(Path(sys.argv[1]))
timings["total load_engine"] = time.perf_counter() - start
print(json.dumps(timings))
"""


def stages(code: Path, kb: Path, cache: Path) -> dict[str, float]:
    """The stage timings of one ``load_engine`` run by ``code``'s faqbot."""
    env = dict(os.environ, PYTHONPATH=str(code), FAQBOT_CACHE_DIR=str(cache))
    env.pop("FAQBOT_CACHE", None)
    out = subprocess.run([sys.executable, "-c", STAGES, str(kb)], env=env, cwd=code, check=True,
                         capture_output=True, text=True)
    timings: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--baseline", type=Path, help="another faqbot checkout to measure side by side")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    checkouts = [("this", REPO)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    nonce = secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="edit-stages-") as tmp:
        work = Path(tmp)
        for label, code in checkouts:
            generate_kb(work / f"kb-{label}", args.entries, 7)
            stages(code, work / f"kb-{label}", work / f"cache-{label}")  # the cold build
        runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in checkouts}
        loads: dict[str, list[float]] = {label: [] for label, _ in checkouts}
        for rnd in range(args.rounds):
            for label, code in checkouts if rnd % 2 == 0 else checkouts[::-1]:
                edit_one_file(work / f"kb-{label}", f"{nonce}{label}{rnd}の設定方法を教えてください")
                loads[label].append(os.getloadavg()[0])
                runs[label].append(stages(code, work / f"kb-{label}", work / f"cache-{label}"))
    names = list(dict.fromkeys(name for label in runs for run in runs[label] for name in run))
    print(f"{'stage (median s)':34s}" + "".join(f"{label:>10s}" for label in runs))
    for name in names:
        cells = [statistics.median(run.get(name, 0.0) for run in runs[label]) for label in runs]
        print(f"{name:34s}" + "".join(f"{cell:10.2f}" for cell in cells))
    print(f"{'load average before (median)':34s}" + "".join(f"{statistics.median(loads[label]):10.2f}" for label in runs))


if __name__ == "__main__":
    main()
