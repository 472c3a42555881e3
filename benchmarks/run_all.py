"""Every performance figure of issue 6 in one table: scale, naive baseline, start-up, server.

    .venv/bin/python benchmarks/run_all.py                 # 1k, 10k, 50k + start-up + server (~10 min)
    .venv/bin/python benchmarks/run_all.py --quick         # 1k and 10k, shorter server run (~3 min)
    .venv/bin/python benchmarks/run_all.py --sizes 10000 --skip-server

Generated knowledge bases are kept in ``--data`` (default
``$TMPDIR/faqbot-bench``), keyed by size, seed and the generator's and shipped
knowledge base's content, so a re-run reuses them and a change regenerates
them.  Each size is measured in a fresh process (``bench_scale.py``) so its
peak RSS is its own.  The server run needs wrk (``benchmarks/setup.sh``).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from child_run import run_child  # noqa: E402
from kbgen import generate_kb  # noqa: E402

from faqbot.cli.progress import progress_bar, wanted  # noqa: E402
from faqbot.kb import SHIPPED_KB  # noqa: E402
from faqbot.kb.loader import kb_content_hash  # noqa: E402

PY = sys.executable
FAQBOT = str(Path(sys.executable).parent / "faqbot")
TODAY = "2026-11-26"


def machine() -> str:
    """nproc, RAM, CPU model, Python: the line every result is read against."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{mem_kb / 2**20:.1f} GiB RAM"
    except (OSError, IndexError, ValueError):
        ram = "RAM unknown"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs ({cpu}), {ram}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average at start {load:.2f}")


def kb_for(size: int, data: Path, seed: int) -> Path:
    """The generated knowledge base of ``size`` entries (reused when current)."""
    digest = hashlib.sha256((HERE / "kbgen.py").read_bytes() + kb_content_hash(SHIPPED_KB).encode())
    folder = data / f"kb-{size}-s{seed}-{digest.hexdigest()[:12]}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_kb(folder, size, seed)
        (folder / ".complete").write_text("ok\n")
    return folder


def _json_run(cmd: list[str]) -> dict[str, Any]:
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process (through a small launcher: this one may have
    generated a knowledge base, and its own peak would pass for the child's; see ``child_run.py``)."""
    child = run_child(cmd, env=env)
    if child.code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {child.code}")
    return child.seconds, child.peak_mib


def startup(kb: Path | None, runs: int) -> dict[str, float]:
    """`faqbot ask` wall time: cold engine cache, then warm (median and max of ``runs``)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "FAQBOT_CACHE_DIR": cache, "FAQBOT_ANALYTICS": "off"}
        cmd = [FAQBOT, "ask", "解約したい", "--today", TODAY] + (["--kb", str(kb)] if kb else [])
        cold, cold_rss = _timed(cmd, env)
        warm = [_timed(cmd, env) for _ in range(runs)]
    walls = [w for w, _ in warm]
    return {"cold_s": cold, "cold_rss_mb": cold_rss, "warm_median_s": statistics.median(walls),
            "warm_max_s": max(walls), "warm_rss_mb": max(r for _, r in warm)}


def _row(name: str, values: list[str], target: str = "") -> str:
    return f"| {name} | " + " | ".join(values) + f" | {target} |"


def print_scale(sizes: list[int], scale: dict[int, dict[str, Any]]) -> None:
    """The router-at-scale table, one column per knowledge-base size."""
    cols = [f"{s // 1000}k" if s >= 1000 else str(s) for s in sizes]
    print()
    print("| figure | " + " | ".join(cols) + " | target |")
    print("|---|" + "---|" * len(cols) + "---|")

    def row(name: str, key: str, fmt: str, target: str = "") -> None:
        vals = []
        for s in sizes:
            v = scale[s].get(key)
            vals.append("–" if v is None else format(v, fmt))
        print(_row(name, vals, target))

    row("entries (shipped + generated)", "entries", "d")
    row("questions", "questions", "d")
    row("KB load + validate (s)", "load_s", ".1f")
    row("engine build: router + extractor (s)", "build_s", ".1f")
    row("peak RSS, load + build + queries (MB)", "peak_rss_mb", ".0f", "10k ≤ 300")
    row("router p50 (ms)", "p50_ms", ".2f")
    row("router p95 (ms)", "p95_ms", ".2f", "10k ≤ 5, 50k ≤ 20")
    row("router p99 (ms)", "p99_ms", ".2f")
    row("naive extractOne p50 (ms)", "naive_p50_ms", ".1f")
    row("naive extractOne p95 (ms)", "naive_p95_ms", ".1f")
    print(_row("mean latency, naive ÷ faqbot", [f"{scale[s]['naive_mean_ms'] / scale[s]['mean_ms']:.1f}×" for s in sizes], "> 1 at 10k"))
    row("dev in-scope top-1, faqbot", "dev_in_scope", ".3f", "≥ 0.90 at 50k")
    row("dev in-scope top-1, naive", "naive_dev_in_scope", ".3f", "< faqbot")
    row("dev fallback precision / faqbot", "dev_fallback_precision", ".3f")
    row("dev fallback recall / faqbot", "dev_fallback_recall", ".3f")
    row("probe top-1 (generated entries), faqbot", "probe_accuracy", ".3f")
    row("probe top-1 (generated entries), naive", "naive_probe_accuracy", ".3f")
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        growth = scale[hi]["mean_ms"] / scale[lo]["mean_ms"]
        print(f"\ncost curve: {hi // lo}× the entries → {growth:.1f}× the mean router latency "
              f"(p95 {scale[lo]['p95_ms']:.2f} → {scale[hi]['p95_ms']:.2f} ms)")


def print_startup_imports(r: dict[str, Any]) -> None:
    """The `faqbot ask` vs imports table, then what ask loads that answering does not need."""
    ask, deps = r["ask"], r["import_runtime_deps"]
    print(f"\n| start-up, shipped KB, warm cache ({ask['runs']} runs each, load {r['load_average_before']}) "
          "| median (s) | min (s) | max (s) | target |")
    print("|---|---|---|---|---|")
    print(f"| `faqbot ask \"解約したい\"` | {ask['median_s']:.3f} | {ask['min_s']:.3f} | {ask['max_s']:.3f} | ≤ 0.3 s |")
    print(f"| `python -c \"import {', '.join(r['runtime_deps'])}\"` | {deps['median_s']:.3f} | {deps['min_s']:.3f} | "
          f"{deps['max_s']:.3f} | |")
    print(f"ask ÷ imports alone: {r['ask_vs_imports']:.2f}× (target ≤ 1.6×); imports are "
          f"{r['imports_total_ms']:.0f} ms of one ask (-X importtime)")
    loaded = ", ".join(f"{m} {ms:.0f} ms" for m, ms in r["build_only_loaded_ms"].items()) or "none"
    print(f"loaded by ask but not needed to answer (cumulative import time): {loaded}")


def print_server(r: dict[str, Any]) -> None:
    """The server table: never-repeated chat first, /healthz as the peer, memory per process."""
    for manager in ("faqbot", "gunicorn"):
        if manager not in r:
            continue
        m = r[manager]
        title = "faqbot serve" if manager == "faqbot" else "gunicorn + uvicorn workers, --preload (peer)"
        print(f"\n| {title}, 10k entries, {r['workers']} workers, wrk {r['connections']} connections × "
              f"{r['duration_s']} s | req/s | p50 (ms) | p99 (ms) | server CPU per request (ms) | requests | errors "
              "| load average before |")
        print("|---|---|---|---|---|---|---|---|")
        labels = {"chat_unique": f"chat, {r['unique_messages']} never-repeated messages",
                  "healthz": "`/healthz` (the peer)",
                  "chat_cached": f"chat, {r['messages']} popular messages (turn-cache hits)"}
        for name, label in labels.items():
            w = m[name]
            print(f"| {label} | {w['rps']:.0f} | {w['p50_ms']:.1f} | {w['p99_ms']:.1f} | {w['server_cpu_ms_per_request']:.3f} | "
                  f"{w['requests']} | {w['errors']} | {w['load_average_before']} |")
        print(f"never-repeated chat ÷ /healthz: {m['chat_unique_vs_healthz']:.0%} (target ≥ 20%, p99 ≤ 20 ms, zero "
              f"errors); by server CPU per request: {m['chat_unique_vs_healthz_cpu']:.0%}; "
              f"turn-cache hits ÷ /healthz: {m['chat_cached_vs_healthz']:.0%}")
        print("\n| process (MiB), after the load | RSS | PSS | USS |")
        print("|---|---|---|---|")
        mem = m["memory_after_load"]
        rows = [("supervisor" if manager == "faqbot" else "master", mem["supervisor"])]
        rows += [(f"worker {i + 1}", w) for i, w in enumerate(mem["workers"])]
        for name, p in rows:
            print(f"| {name} | {p['rss_mib']:.1f} | {p['pss_mib']:.1f} | {p['uss_mib']:.1f} |")
        if "second_worker_adds_vs_first_rss" in mem:
            print(f"the second worker adds {mem['second_worker_adds_vs_first_rss']:.0%} of the first worker's RSS "
                  f"(its USS; target ≤ 25%); the whole server's PSS: {mem['server_pss_mib']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000, 50000],
                        help="generated entries per knowledge base, comma-separated")
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer runs, 5 s server runs")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--gunicorn", action="store_true", help="also run the server figures on gunicorn (the peer)")
    parser.add_argument("--server-only", action="store_true",
                        help="only start-up and server figures (the server section of docs/benchmarks-log.md)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "faqbot-bench")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    if args.quick:
        args.sizes = [s for s in args.sizes if s <= 10000] or [1000]
    if args.server_only:
        args.sizes = []
    runs, duration = (3, 5) if args.quick else (5, 10)

    print(f"machine: {machine()}", flush=True)
    raw: dict[str, Any] = {"machine": machine()}
    scale: dict[int, dict[str, Any]] = {}
    with progress_bar("Knowledge-base sizes") as progress:  # quiet when stderr is not a terminal
        for done, size in enumerate(args.sizes, start=1):
            kb = kb_for(size, args.data, args.seed)
            if not wanted():
                print(f"… router at {size} generated entries", file=sys.stderr, flush=True)
            cmd = [PY, str(HERE / "bench_scale.py"), "--kb", str(kb), "--entries", str(size), "--seed", str(args.seed)]
            if size >= 50000:
                cmd += ["--naive-queries", "100", "--passes", "2"]
            scale[size] = _json_run(cmd)
            progress(done, len(args.sizes))
    raw["scale"] = scale

    if args.sizes:
        print_scale(args.sizes, scale)

    if not args.skip_startup:
        print("\n| `faqbot ask` process | cold cache (s) | warm median (s) | warm max (s) | warm peak RSS (MB) | target |")
        print("|---|---|---|---|---|---|")
        targets = {"shipped": "warm ≤ 0.5 s", "10k": "warm ≤ 2 s"}
        kbs: list[tuple[str, Path | None]] = [("shipped", None)]
        if 10000 in args.sizes or not args.quick:
            kbs.append(("10k", kb_for(10000, args.data, args.seed)))
        raw["startup"] = {}
        for name, startup_kb in kbs:
            print(f"… faqbot ask on {name}", file=sys.stderr, flush=True)
            timed = startup(startup_kb, runs)
            raw["startup"][name] = timed
            print(f"| {name} | {timed['cold_s']:.2f} | {timed['warm_median_s']:.2f} | {timed['warm_max_s']:.2f} | "
                  f"{timed['warm_rss_mb']:.0f} | {targets[name]} |")

    if not args.skip_startup:
        print("… faqbot ask against importing its runtime dependencies", file=sys.stderr, flush=True)
        r = _json_run([PY, str(HERE / "bench_startup.py"), "--runs", str(4 * runs)])
        raw["startup_imports"] = r
        print_startup_imports(r)

    if not args.skip_server:
        kb = kb_for(10000, args.data, args.seed)
        print("… server under wrk (10k entries, 2 workers)", file=sys.stderr, flush=True)
        cmd = [PY, str(HERE / "bench_server.py"), "--kb", str(kb), "--entries", "10000", "--workers", "2",
               "--duration", str(duration)]
        r = _json_run(cmd + (["--gunicorn"] if args.gunicorn else []))
        raw["server"] = r
        print_server(r)
        print("… a knowledge-base reload under wrk load (10k entries, 2 workers)", file=sys.stderr, flush=True)
        r = _json_run([PY, str(HERE / "bench_reload.py"), "--kb", str(kb), "--entries", "10000", "--workers", "2"])
        raw["reload"] = r
        w = r["wrk"]
        print(f"\nreload under load (wrk, {r['connections']} keep-alive connections, load {r['load_average_before']}): "
              f"{'reloaded' if r['reloaded'] else 'NOT reloaded'} in {r['reload_s']:.1f} s (engine build included); "
              f"{w['requests']} requests, {w['errors']} failed, p99 {w['p99_ms']:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
