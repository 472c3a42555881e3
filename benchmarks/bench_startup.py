"""`faqbot ask` start-up against importing its runtime dependencies alone, and what it imports.

Runs, alternately and ``--runs`` times each (hyperfine-style: a warm-up run of
each first, then median, min, max and standard deviation of the wall time):

* ``faqbot ask "解約したい"`` on the shipped knowledge base, engine cache warm;
* ``python -c "import click, numpy, rapidfuzz, yaml, jinja2"``: the libraries
  answering a question needs, and nothing of faqbot.

Then ``python -X importtime`` of the same ``faqbot ask`` lists the slowest
imports (cumulative) and every module loaded that answering does not need: the
dependencies only a build (or another command) uses.  Prints one JSON object.

    .venv/bin/python benchmarks/bench_startup.py --runs 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from procmem import load_average  # noqa: E402

PY = sys.executable
FAQBOT = str(Path(PY).parent / "faqbot")
ASK = [FAQBOT, "ask", "解約したい", "--today", "2026-11-26"]
#: What answering one question needs: the CLI, the router's arrays and fuzzy scores, YAML, templates.
RUNTIME_DEPS = ("click", "numpy", "rapidfuzz", "yaml", "jinja2")
IMPORT_ONLY = [PY, "-c", f"import {', '.join(RUNTIME_DEPS)}"]
#: Loaded by `faqbot ask` today, needed only to build an engine (kana readings) or never by ask.
BUILD_ONLY = ("pykakasi", "deprecated", "wrapt", "asyncio", "ssl", "concurrent.futures", "multiprocessing",
              "sqlite3", "starlette", "uvicorn", "prompt_toolkit", "rich")


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _summary(times: list[float]) -> dict[str, float]:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "stdev_s": statistics.stdev(times) if len(times) > 1 else 0.0, "runs": len(times)}


def import_profile(env: dict[str, str], top: int) -> dict[str, object]:
    """The slowest imports of one `faqbot ask` (cumulative µs) and the build-only modules it loaded."""
    out = subprocess.run([PY, "-X", "importtime", "-m", "faqbot", *ASK[1:]], env=env, check=True,
                         capture_output=True, text=True)
    rows: list[tuple[int, str]] = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|", 2)
        rows.append((int(cumulative), name[1:]))  # nested imports keep their indentation
    total = sum(us for us, name in rows if not name.startswith(" "))
    loaded = {name.strip() for _, name in rows}
    build_only = {mod: max((us for us, n in rows if n.strip() == mod), default=0) for mod in BUILD_ONLY if mod in loaded}
    slowest = sorted(rows, reverse=True)[:top]
    return {"imports_total_ms": total / 1000, "slowest_ms": [(n.strip(), us / 1000) for us, n in slowest],
            "build_only_loaded_ms": {mod: us / 1000 for mod, us in build_only.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=15, help="slowest imports to list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "FAQBOT_CACHE_DIR": cache, "FAQBOT_ANALYTICS": "off"}
        load = load_average()
        for cmd in (ASK, IMPORT_ONLY):  # warm-up: the engine cache filled, files in the page cache
            _wall(cmd, env)
        ask, deps = [], []
        for _ in range(args.runs):
            ask.append(_wall(ASK, env))
            deps.append(_wall(IMPORT_ONLY, env))
        profile = import_profile(env, args.top)
    result = {
        "load_average_before": load, "load_average_after": load_average(),
        "ask": _summary(ask), "import_runtime_deps": _summary(deps), "runtime_deps": list(RUNTIME_DEPS),
        "ask_vs_imports": statistics.median(ask) / statistics.median(deps), **profile,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
