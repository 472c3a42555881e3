"""faqbot's own share of a `faqbot ask` start-up, beside another checkout's, in alternating fresh processes.

``bench_startup.py`` times whole processes, and on this shared two-core machine
their spread (0.36-0.70 s) hides a change of a few tens of milliseconds.  Here each
fresh interpreter first imports the runtime dependencies (click, numpy, rapidfuzz,
yaml, jinja2, fugashi: what ``bench_startup.py`` calls the import floor, less ahocorasick_rs, which
the session-start checkout did not use: its 1 ms counts against this one), then times
only what is faqbot's: importing the CLI and answering one question from the warm
engine cache, faqbot's bytecode compiled beforehand.  The two checkouts alternate (A/B, then B/A) so that the host's drift
falls on both.

    .venv/bin/python benchmarks/bench_own_startup.py --peer-src /path/to/other/checkout --pairs 20
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_CODE = """
import sys, time
import click, numpy, rapidfuzz, yaml, jinja2, fugashi
started = time.perf_counter()
from faqbot.cli import main
try:
    main(["ask", "請求日はいつ？", "--today", "2026-11-26"], standalone_mode=False)
except SystemExit:
    pass
sys.stderr.write("%f\\n" % (time.perf_counter() - started))
"""


def _once(src: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-c", _CODE], cwd=src, env=env, capture_output=True, text=True, check=True)
    return float(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-src", type=Path, required=True, help="the other checkout (its root folder)")
    parser.add_argument("--pairs", type=int, default=20)
    args = parser.parse_args()
    checkouts = {"this": HERE.parent, "peer": args.peer_src.resolve()}
    for src in checkouts.values():
        # Bytecode first (as bench_startup.py does): with PYTHONDONTWRITEBYTECODE set, or a fresh
        # checkout, every run would otherwise compile faqbot's source again.
        compileall.compile_dir(src / "faqbot", quiet=1)
        _once(src)  # warm each checkout's engine cache
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for i in range(args.pairs):
        order = list(checkouts) if i % 2 == 0 else list(reversed(checkouts))
        for name in order:
            times[name].append(_once(checkouts[name]))
    for name, values in times.items():
        print(f"{name}: median {1000 * statistics.median(values):.1f} ms, min {1000 * min(values):.1f} ms ({checkouts[name]})")
    print(f"this / peer (medians): {statistics.median(times['this']) / statistics.median(times['peer']):.3f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
