"""`faqbot ask` wall time: this checkout beside an earlier revision, in one run.

    .venv/bin/python benchmarks/bench_ask_baseline.py [REV] [--runs 7]

REV (default: the first parent of the routing work, ``b3ccc1b``) is exported with
``git archive`` into a temporary folder (no checkout) and run with the same
Python and libraries through ``PYTHONPATH``.  Each version gets its own empty
engine cache; the first ask (cold: build and store the engine) is timed once,
then warm asks (engine from the cache, a different question each time so no
answer is repeated) alternate between the two versions, so machine load
falls on both alike.  Prints the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ask(source: Path, cache: Path, question: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(source), "FAQBOT_CACHE_DIR": str(cache)}
    env.pop("FAQBOT_CACHE", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "faqbot", "ask", question, "--today", "2026-11-26", "--kb", str(source / "knowledge")],
        env=env, cwd=tempfile.gettempdir(), check=True, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", nargs="?", default="b3ccc1b")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base, new = Path(tmp) / "base", Path(tmp) / "new"
        for dest, rev in ((base, args.rev), (new, "HEAD")):
            dest.mkdir()
            archive = subprocess.run(["git", "archive", rev, "faqbot", "knowledge"], cwd=ROOT, check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
        versions = {f"{args.rev} (before)": base, "HEAD (this work)": new}
        cold = {name: _ask(src, Path(tmp) / f"cache-{i}", "解約したい") for i, (name, src) in enumerate(versions.items())}
        warm: dict[str, list[float]] = {name: [] for name in versions}
        for run in range(args.runs):
            for i, (name, src) in enumerate(versions.items()):
                warm[name].append(_ask(src, Path(tmp) / f"cache-{i}", f"クレカを変更したい{run}"))
    print(f"{'version':20} {'cold ask (s)':>12} {'warm ask median (s)':>20}")
    for name in versions:
        print(f"{name:20} {cold[name]:12.2f} {statistics.median(warm[name]):20.3f}")


if __name__ == "__main__":
    main()
