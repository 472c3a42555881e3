"""Where the first ``faqbot ask`` after a one-file edit spends its time and memory: a stage-by-stage breakdown.

For each faqbot checkout given (this one, and ``--baseline DIR`` for another,
e.g. ``main``), on its own copy of a generated knowledge base (``kbgen.py``: the
shipped KB plus N entries) and its own cache folder: one cold build, then per
round one edit (the first question of the last generated file changed to a
never-written text) and ``load_engine`` with each stage wrapped in a timer (no
profiler overhead).  Checkouts alternate A/B, then B/A.  Prints the cold build's
stage seconds (one build each, the load average before it), then each edit stage's
median over the rounds (``--rounds 0``: the cold build only) (seconds; 0 for a stage a checkout lacks), each checkout's total, and the load average
before each measurement; then the largest RSS (MiB) seen during each stage, of the
edits (largest over the rounds) and of the cold build — what the process held when the
stage ran, its own allocations on top; "child processes" is the kana-reading child.
Stages nest: ``NgramIndex`` is part of ``CharChannel``, and every router stage is
part of the total.  ``--json FILE`` also writes the same figures there (per checkout:
the cold build's stages, load and peaks; the edits' median stages, median load and
largest peaks).

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
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_rebuild import edit_one_file  # noqa: E402
from kbgen import generate_kb  # noqa: E402

# Run in a child with the checkout first on the path; prints one JSON object: per stage its seconds
# and the largest RSS seen while it ran (MiB; sampled every 3 ms, and VmHWM when the stage raised it).
STAGES = r"""
import functools, json, os, resource, sys, threading, time
from pathlib import Path
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20
def hwm():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM"))
timings, peaks, active = {}, {}, []
def sample():
    while True:
        now = rss()
        for label in list(active):
            peaks[label] = max(peaks.get(label, 0.0), now)
        time.sleep(0.003)
threading.Thread(target=sample, daemon=True).start()
def timed(module, name, label=None):
    function = getattr(module, name, None) if module is not None else None
    if function is None:
        return  # a stage this checkout does not have
    label = label or name
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        before = hwm()
        active.append(label)
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[label] = timings.get(label, 0.0) + time.perf_counter() - start
            active.remove(label)
            after = hwm()
            peaks[label] = max(peaks.get(label, 0.0), rss(), after if after > before else 0.0)
    setattr(module, name, wrapper)
start = time.perf_counter()
import importlib
import faqbot.answers.engine_cache as ec, faqbot.routing.router as r, faqbot.routing.char_channel as cc
timings["imports"] = time.perf_counter() - start
peaks["imports"] = rss()
def module(name):
    # A module this checkout may not have (the layout moved over the sessions): None then.
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
def attr(obj, name):
    return getattr(obj, name, None) if obj is not None else None
# Each stage is wrapped where its caller looks it up: the cache's miss path has its own
# module since the fifteenth session (engine_rebuild), the router's build too (router_build).
rebuild = module("faqbot.answers.engine_rebuild")
folder = module("faqbot.answers.cache_folder")
loader = module("faqbot.kb.loader")
build = module("faqbot.routing.router_build") or r
pending = module("faqbot.text.memo_pending")
for owner in (ec, rebuild):
    for name in ("load_parsed", "load_knowledge_base", "store_parsed", "load_memo", "store_memo", "_store",
                 "_content_hash", "_code_hash", "_read", "load_fits", "store_fits", "store_segments"):
        timed(owner, name)
for owner in (ec, rebuild, loader if rebuild is not None else None):  # the warm path imports it on a miss only
    timed(owner, "kb_content_hash")
for owner in (ec, rebuild):
    timed(owner, "read_cached", "_read")
timed(folder, "code_hash", "_code_hash")
import faqbot.answers.answering as an, faqbot.text.memo as tm
timed(an.Engine, "build", "Engine.build (the router and more)")
BuildAnalyser = attr(module("faqbot.routing.build_analyser"), "BuildAnalyser") or attr(r, "_BuildAnalyser")
timed(BuildAnalyser, "analyses")
timed(BuildAnalyser, "start", "analyses: start the child")
timed(attr(pending, "PendingMemoAnalyses") or attr(tm, "PendingMemoAnalyses"), "finish", "analyses: share the rest (two cores)")
timed(tm.TextMemo, "start_readings", "readings: start the child")
timed(attr(pending, "PendingMemoReadings") or attr(tm, "PendingMemoReadings"), "result", "readings: wait for the child")
timed(build, "rarities")
for name in ("fit_for_knowledge_base", "CharChannel"):
    timed(build, name)
lexical_index = attr(build, "LexicalIndex")
if lexical_index is not None and hasattr(lexical_index, "from_columns"):  # wrapped, the class would hide the classmethod
    timed(lexical_index, "_build", "LexicalIndex")
else:
    timed(build, "LexicalIndex")
if not hasattr(cc, "char_plan"):  # the class wrapped hides its classmethods, which the runs' channel calls
    timed(cc, "NgramIndex", "NgramIndex (3, in CharChannel)")
timed(BuildAnalyser, "topic_terms")
fr, sg = module("faqbot.routing.fit_reuse"), module("faqbot.routing.segments")
if fr is not None:
    for name in ("fingerprint", "veto_material", "veto_with_threshold", "fit_novelty", "fit_lexical_weight", "fit_calibration"):
        timed(fr, name)
    timed(sg.SegmentStore, "index", "n-gram indexes (3, from segments)")
    timed(sg, "segment", "segments extracted")
else:
    for name in ("fit_lexical_weight", "fit_calibration"):
        timed(r, name)
cr, ni = module("faqbot.routing.char_runs"), module("faqbot.routing.ngram_index")
if cr is not None:
    timed(cr.RunPlan, "__init__", "character runs: looked up")
    timed(cr.RunPlan, "runs", "character runs: found or computed")
    timed(cr, "segment", "segments extracted")
    timed(ni.NgramIndex, "_merge", "n-gram indexes (3, merged)")
ar = module("faqbot.routing.analysis_runs")
if ar is not None:
    timed(ar.AnalysisPlan, "__init__", "analysis runs: looked up")
    timed(ar.AnalysisPlan, "runs", "analysis runs: found or computed")
    timed(ar.AnalysisPlan, "vocabulary", "analysis runs: the veto's words")
start = time.perf_counter()
ec.load_engine(Path(sys.argv[1]))
timings["total load_engine"] = time.perf_counter() - start
peaks["total load_engine"] = hwm()
peaks["child processes (largest)"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": timings, "rss_mib": peaks}))
"""


def stages(code: Path, kb: Path, cache: Path) -> dict[str, dict[str, float]]:
    """The stage timings and peak RSS of one ``load_engine`` run by ``code``'s faqbot."""
    env = dict(os.environ, PYTHONPATH=str(code), FAQBOT_CACHE_DIR=str(cache))
    env.pop("FAQBOT_CACHE", None)
    out = subprocess.run([sys.executable, "-c", STAGES, str(kb)], env=env, cwd=code, check=True,
                         capture_output=True, text=True)
    found: dict[str, dict[str, float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def table(title: str, runs: dict[str, list[dict[str, float]]], pick: Callable[[list[float]], float]) -> None:
    """One row per stage, one column per checkout: ``pick`` of the stage's figures over the runs."""
    names = list(dict.fromkeys(name for label in runs for run in runs[label] for name in run))
    print(f"{title:34s}" + "".join(f"{label:>10s}" for label in runs))
    for name in names:
        cells = [pick([run.get(name, 0.0) for run in runs[label]]) for label in runs]
        print(f"{name:34s}" + "".join(f"{cell:10.2f}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--baseline", type=Path, help="another faqbot checkout to measure side by side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the printed figures here")
    args = parser.parse_args()
    checkouts = [("this", REPO)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    nonce = secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="edit-stages-") as tmp:
        work = Path(tmp)
        cold: dict[str, list[dict[str, float]]] = {}
        cold_seconds: dict[str, list[dict[str, float]]] = {}
        cold_loads: dict[str, float] = {}
        for label, code in checkouts:
            generate_kb(work / f"kb-{label}", args.entries, 7)
            load = os.getloadavg()[0]
            found = stages(code, work / f"kb-{label}", work / f"cache-{label}")  # the cold build
            cold[label] = [found["rss_mib"]]
            cold_seconds[label] = [found["seconds"]]
            cold_loads[label] = load
        runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in checkouts}
        rss: dict[str, list[dict[str, float]]] = {label: [] for label, _ in checkouts}
        loads: dict[str, list[float]] = {label: [] for label, _ in checkouts}
        for rnd in range(args.rounds):
            for label, code in checkouts if rnd % 2 == 0 else checkouts[::-1]:
                edit_one_file(work / f"kb-{label}", f"{nonce}{label}{rnd}の設定方法を教えてください")
                loads[label].append(os.getloadavg()[0])
                found = stages(code, work / f"kb-{label}", work / f"cache-{label}")
                runs[label].append(found["seconds"])
                rss[label].append(found["rss_mib"])
    table("cold build: stage (s)", cold_seconds, statistics.median)
    print(f"{'load average before':34s}" + "".join(f"{cold_loads[label]:10.2f}" for label in cold_loads))
    if args.rounds:
        table("edit: stage (median s)", runs, statistics.median)
        print(f"{'load average before (median)':34s}" + "".join(f"{statistics.median(loads[label]):10.2f}" for label in runs))
        table("edit: peak RSS in stage (max MiB)", rss, max)
    table("cold build: peak RSS in stage", cold, max)
    if args.json:
        args.json.write_text(json.dumps(figures(args.entries, cold_seconds, cold, cold_loads, runs, rss, loads), indent=1)
                             + "\n", encoding="utf-8")


def figures(entries: int, cold_seconds: dict[str, list[dict[str, float]]], cold_rss: dict[str, list[dict[str, float]]],
            cold_loads: dict[str, float], runs: dict[str, list[dict[str, float]]], rss: dict[str, list[dict[str, float]]],
            loads: dict[str, list[float]]) -> dict[str, object]:
    """The printed tables as one JSON-ready object, per checkout (medians and maxima as printed)."""
    def picked(found: list[dict[str, float]], pick: Callable[[list[float]], float]) -> dict[str, float]:
        names = dict.fromkeys(name for run in found for name in run)
        return {name: pick([run.get(name, 0.0) for run in found]) for name in names}

    result: dict[str, object] = {"entries": entries}
    for label in cold_seconds:
        result[label] = {
            "cold": {"seconds": cold_seconds[label][0], "rss_mib": cold_rss[label][0], "load": cold_loads[label]},
            "edit": {"rounds": len(runs[label]), "seconds_median": picked(runs[label], statistics.median),
                     "rss_mib_max": picked(rss[label], max),
                     "load_median": statistics.median(loads[label]) if loads[label] else None},
        }
    return result


if __name__ == "__main__":
    main()
