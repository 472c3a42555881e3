"""`faqbot ask` start-up against importing its runtime dependencies alone, and what it imports.

Runs, alternately and ``--runs`` times each (hyperfine-style: a warm-up run of
each first, then median, min, max and standard deviation of the wall time, and
each process's own peak RSS from ``wait4``, taken by a small launcher: ``child_run.py``):

* ``faqbot ask "解約したい"`` on the shipped knowledge base, engine cache warm, and ``faqbot ask
  "請求日はいつ？"`` ("ask billing"): a billing question takes another path (the product hints
  read before the date is computed), which at 50k once decoded every entry — 0.75 s and 215 MB
  that the cancel question never showed;
* ``python -c "import click, numpy, rapidfuzz, yaml, jinja2, fugashi, ahocorasick_rs"``: the
  libraries answering a question needs, and nothing of faqbot;
* with ``--peer-src DIR`` (another checkout's source, e.g. ``git archive main``
  unpacked), ``python -m faqbot ask`` run from that code and from this one: before → after in
  one run. Both go through ``python -m`` because the installed ``faqbot`` script names this
  checkout's entry function, which an older checkout may not have;
* with ``--kb DIR`` (repeatable; e.g. a 50k ``kbgen`` knowledge base), ``faqbot
  ask`` on that knowledge base too (and from the peer), engine cache warm.

faqbot's modules are compiled to ``.pyc`` first and ``PYTHONDONTWRITEBYTECODE``
is dropped for the runs: an installed package has its bytecode (pip compiles it,
as it did the libraries' the import-only run loads); recompiling faqbot's source
in every run would time Python's compiler, not faqbot.

Then ``python -X importtime`` of the same ``faqbot ask`` lists the slowest
imports (cumulative) and every module loaded that answering does not need: the
dependencies only a build (or another command) uses.  Prints one JSON object.

    .venv/bin/python benchmarks/bench_startup.py --runs 20 [--peer-src /tmp/main] [--kb /tmp/kb50k]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from child_run import run_child  # noqa: E402
from procmem import load_average  # noqa: E402

PY = sys.executable
FAQBOT = str(Path(PY).parent / "faqbot")
ASK = [FAQBOT, "ask", "解約したい", "--today", "2026-11-26"]
ASK_BILLING = [FAQBOT, "ask", "請求日はいつ？", "--today", "2026-11-26"]
#: What answering one question needs: the CLI, the router's arrays and fuzzy scores, YAML (the
#: templates' words), templates, and MeCab (the unknown-content veto analyses an answerable message).
RUNTIME_DEPS = ("click", "numpy", "rapidfuzz", "yaml", "jinja2", "fugashi", "ahocorasick_rs")
IMPORT_ONLY = [PY, "-c", f"import {', '.join(RUNTIME_DEPS)}"]
#: Loaded by `faqbot ask` today, needed only to build an engine (kana readings) or never by ask.
BUILD_ONLY = ("pykakasi", "deprecated", "wrapt", "asyncio", "ssl", "concurrent.futures", "multiprocessing",
              "sqlite3", "starlette", "uvicorn", "prompt_toolkit", "rich")


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the process's own peak RSS (MB), through a small launcher (``child_run.py``)."""
    # From the root folder: `python -m` puts the working folder first on sys.path, and this
    # checkout's folder there would shadow the peer's PYTHONPATH.
    child = run_child(cmd, env=env, cwd="/")
    if child.code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    return child.seconds, child.peak_mib


def _summary(runs: list[tuple[float, float]]) -> dict[str, float]:
    times = [wall for wall, _ in runs]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "stdev_s": statistics.stdev(times) if len(times) > 1 else 0.0, "runs": len(times),
            "peak_rss_mb": max(rss for _, rss in runs)}


def _ask(kb: Path | None, module: bool = False, question: list[str] = ASK) -> list[str]:
    command = [PY, "-m", "faqbot", *question[1:]] if module else question
    return command + (["--kb", str(kb)] if kb else [])


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
    parser.add_argument("--peer-src", type=Path, help="another checkout's source folder to time side by side")
    parser.add_argument("--kb", type=Path, action="append", default=[], help="also time ask on this KB")
    args = parser.parse_args()
    for src in (HERE.parent, args.peer_src):
        if src is not None:
            compileall.compile_dir(src / "faqbot", quiet=1)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as peer_cache:
        env = {**base, "FAQBOT_CACHE_DIR": cache, "FAQBOT_ANALYTICS": "off"}
        peer_env = {**env, "FAQBOT_CACHE_DIR": peer_cache, "PYTHONPATH": str(args.peer_src)}
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "ask": (ASK, env), "ask billing": (ASK_BILLING, env), "import_runtime_deps": (IMPORT_ONLY, env),
        }
        for kb in args.kb:
            cases[f"ask --kb {kb.name}"] = (_ask(kb), env)
            cases[f"ask billing --kb {kb.name}"] = (_ask(kb, question=ASK_BILLING), env)
        if args.peer_src:
            for kb in (None, *args.kb):
                suffix = f" --kb {kb.name}" if kb else ""
                cases[f"ask -m{suffix}"] = (_ask(kb, module=True), env)
                cases[f"peer ask -m{suffix}"] = (_ask(kb, module=True), peer_env)
        load = load_average()
        for cmd, case_env in cases.values():  # warm-up: engine caches filled, files in the page cache
            _run(cmd, case_env)
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (cmd, case_env) in cases.items():
                timings[name].append(_run(cmd, case_env))
        profile = import_profile(env, args.top)
    summaries = {name: _summary(runs) for name, runs in timings.items()}
    result = {
        "load_average_before": load, "load_average_after": load_average(),
        **summaries, "runtime_deps": list(RUNTIME_DEPS),
        "ask_vs_imports": summaries["ask"]["median_s"] / summaries["import_runtime_deps"]["median_s"], **profile,
    }
    if args.peer_src:
        floor = summaries["import_runtime_deps"]["median_s"]
        result["ask_m_vs_imports"] = summaries["ask -m"]["median_s"] / floor
        result["peer_ask_m_vs_imports"] = summaries["peer ask -m"]["median_s"] / floor
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
