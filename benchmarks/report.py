"""Issue 15's figures in one command: runs the benchmark scripts and writes docs/benchmarks.md.

    .venv/bin/python benchmarks/report.py --localgovfaq /path/to/localgovfaq            # ~5–6 min on two quiet cores
    .venv/bin/python benchmarks/report.py --localgovfaq DIR --quick --out /tmp/b.md     # smoke run, ~2 min
    .venv/bin/python benchmarks/report.py --localgovfaq DIR --vectors ~/.cache/faqbot/vectors/ja-ginza  # + word vectors

Each script runs in its own process (as ``run_all.py`` runs ``bench_scale.py``),
with this checkout's faqbot first on ``PYTHONPATH``; every figure is printed
beside a peer measured in the same run, with the ratio, the load average before
it, and whether the target (the constants below) is met.  Generated knowledge
bases go to ``--data`` (run_all's default), never into the repository; the
LocalgovFAQ folder is only read.  ``--quick`` shrinks sizes and durations and
says so in the report, judging no target.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]  # this checkout's faqbot, whatever the venv installed

from report_table import Row, Section, Target, render_section, summary  # noqa: E402
from run_all import kb_for, machine  # noqa: E402

PY = sys.executable
TIMEOUT_S = 3600
MB_PER_MIB = 2**20 / 10**6  # the scripts report MiB; the targets are in MB

# Issue 15's targets: each figure is compared with one of these, never with a number typed elsewhere.
RECALL_AT_10 = Target(0.62, ">=")
NDCG_AT_10 = Target(0.52, ">=")
ANSWERED_PRECISION = Target(0.70, ">=")
HIT_AT_1_ABOVE_BM25 = Target(1.0, ">", of_peer=True)
ROUTE_P95_10K_MS = Target(3.0, unit=" ms")
ROUTE_P95_50K_MS = Target(8.0, unit=" ms")
BUILD_10K_S = Target(10.0, unit=" s")
ASK_VS_IMPORTS = Target(1.6, of_peer=True)
ASK_S = Target(0.3, unit=" s")
ASK_50K_S = Target(0.5, unit=" s")
ASK_50K_MB = Target(250, unit=" MB")
EDIT_10K_S = Target(3.0, unit=" s")
EDIT_ONE_FILE_10K_S = Target(1.0, unit=" s")
EDIT_50K_S = Target(15.0, unit=" s")
EDIT_50K_MB = Target(400, unit=" MB")
CHAT_VS_HEALTHZ = Target(0.20, ">=", unit="%", of_peer=True)
CHAT_P99_MS = Target(20.0, unit=" ms")
SERVER_ERRORS = Target(0, "==")
SECOND_WORKER_VS_FIRST = Target(0.25, unit="%", of_peer=True)
RELOAD_FAILURES = Target(0, "==")

# What limits each figure when it misses (condensed from docs/benchmarks-log.md).
WHY_GENERALITY = ("LocalgovFAQ has one question per entry and no alternates or out-of-scope examples, so ranking rests "
                  "on the lexical channel's topic terms; the held-back odd half met Recall@10 and nDCG@10 by a thin margin.")
WHY_ROUTE = ("a route is ~1–2.5 ms of CPU at 50k; the tail follows the host's load and speed, since other work "
             "shares the two cores.")
WHY_BUILD = ("the serial part — loading and validating the knowledge base, the veto, lexical-weight and calibration "
             "fits (they route ~550 held-out questions), writing the caches — and, on a busy host, the build's reading "
             "and analysing children competing for the two cores.")
WHY_ASK = ("most of a warm ask is the import floor itself (numpy, MeCab, rapidfuzz…); on a loaded host the floor "
           "alone nears 0.3 s.")
WHY_ASK_BILLING = ("a billing question reads the product hints and the compute entry before the date is worked out; "
                   "missed while the cancel question meets its target, that path reads entries a warm ask should not "
                   "(at 50k it once decoded all of them: 0.75 s, 215 MB).")
WHY_EDIT = ("the whole process is the interpreter and imports (~0.15 s) plus the rebuild (`load_engine`, below): an edit "
            "still reloads the knowledge base (the edited YAML file parsed, the cached entries read back), merges the "
            "character channel's n-gram indexes (~0.1 s at 10k) and writes the engine and text caches again (~0.2 s); at "
            "50k the merges are the memory peak.")
WHY_CHAT_SHARE = ("20 % of `/healthz` needs a turn to cost at most 5× a `/healthz` request in server CPU (both above); "
                  "in one process a never-repeated turn is ~1.5–1.8 ms on a quiet host and the web layer alone ~0.3 ms, "
                  "so the dialogue and routing would have to fit in ~0.15 ms.")
WHY_CHAT_P99 = "the served p99 is queueing: 8 connections on 2 workers, with wrk and any other work on the same two cores."
WHY_WORKER = "the share divides by the first worker's RSS, which moves between runs (220–440 MiB)."
WHY_RELOAD = ("failures are requests sent on a keep-alive connection just as a draining worker closed it; clients that "
              "open a connection per request never fail (`tests/test_web_reload.py`).")


@dataclass(frozen=True)
class Plan:
    """Sizes and durations of one run: the issue's, or a quick smoke run's."""

    small: int = 10_000
    large: int = 50_000
    route_queries: int = 3000
    peer_queries_small: int = 200
    peer_queries_large: int = 50
    startup_runs: int = 20
    edit_rounds: int = 3
    server_seconds: int = 10


FULL = Plan()
QUICK = Plan(small=1000, large=2000, route_queries=500, peer_queries_small=50, peer_queries_large=20,
             startup_runs=3, edit_rounds=1, server_seconds=3)


@dataclass(frozen=True)
class Run:
    """One script's figures (None when it failed, ``error`` saying why) and the load average before it."""

    data: Any
    load: float
    error: str = ""


def dig(data: Any, *keys: str | int) -> Any:
    """``data[k1][k2]…``, or None where a key is missing."""
    for key in keys:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def first_load(value: Any, fallback: float | None = None) -> float | None:
    """The 1-minute load average from a script's field (a number, a list, or uptime's text)."""
    if isinstance(value, str) and value.split():
        return float(value.split()[0])
    if isinstance(value, list | tuple) and value:
        return float(value[0])
    if isinstance(value, int | float):
        return float(value)
    return fallback


def size_label(entries: int) -> str:
    """``10k`` for 10,000 entries; plain digits under a thousand."""
    return f"{entries // 1000}k" if entries >= 1000 and entries % 1000 == 0 else f"{entries:,}"


def mb(mib: Any) -> float | None:
    """MiB as MB (10⁶ bytes), or None."""
    return float(mib) * MB_PER_MIB if isinstance(mib, int | float) else None


def generality_section(run: Run, shown: str) -> Section:
    """LocalgovFAQ: faqbot's ranking and answers beside BM25 over lemmas, even and odd query halves."""
    d = run.data
    row = partial(Row, load=first_load(dig(d, "load_average_before"), run.load), missing=run.error, why=WHY_GENERALITY)
    rows: list[Row] = []
    for half in ("even", "odd"):
        ours, peer = dig(d, half, "faqbot"), dig(d, half, "bm25")
        rows += [
            row(f"Recall@10, {half} half", dig(ours, "recall_at_10"), dig(peer, "recall_at_10"), target=RECALL_AT_10),
            row(f"nDCG@10, {half} half", dig(ours, "ndcg_at_10"), dig(peer, "ndcg_at_10"), target=NDCG_AT_10),
            row(f"P@10, {half} half", dig(ours, "precision_at_10"), dig(peer, "precision_at_10")),
            row(f"hit@1, {half} half", dig(ours, "hit_at_1"), dig(peer, "hit_at_1"), target=HIT_AT_1_ABOVE_BM25),
            row(f"answered share, {half} half", dig(ours, "answered")),
            row(f"answered precision, {half} half", dig(ours, "answered_precision"), target=ANSWERED_PRECISION),
        ]
        vectored = dig(d, f"{half}_vectors")
        if vectored:  # measured only when the report was given --vectors (an optional channel)
            rows += [
                row(f"with word vectors: Recall@10, {half} half", dig(vectored, "recall_at_10"), dig(peer, "recall_at_10")),
                row(f"with word vectors: nDCG@10, {half} half", dig(vectored, "ndcg_at_10"), dig(peer, "ndcg_at_10")),
                row(f"with word vectors: hit@1, {half} half", dig(vectored, "hit_at_1"), dig(peer, "hit_at_1")),
                row(f"with word vectors: answered precision, {half} half", dig(vectored, "answered_precision")),
            ]
    how = [f"`{shown}` — peer: rank_bm25's `BM25Okapi` over faqbot's content-word lemmas of question + answer, "
           "same queries, same process. Even query ids were looked at while designing, odd ids were not."]
    if d:
        how.append(f"{d['entries']:,} entries, {d['queries']} queries; engine built in {d['build_s']:.1f} s; "
                   f"calibrated threshold P(right) ≥ {d['threshold']:.3f}.")
    if d and "vector_weight" in d:
        how.append(f"With word vectors (the optional channel, `--vectors`): λ {d['vector_weight']:g} fitted on the KB's own "
                   f"questions, engine built in {d['vector_build_s']:.1f} s; not judged against a target.")
    return Section("LocalgovFAQ: a knowledge base faqbot was never tuned for", how, rows)


def route_section(runs: dict[int, Run], shown: list[str], plan: Plan) -> Section:
    """Router p50/p95 on never-repeated messages at two sizes, beside the naive scan on the same messages."""
    rows: list[Row] = []
    for size, run in runs.items():
        d, target = run.data, ROUTE_P95_10K_MS if size == plan.small else ROUTE_P95_50K_MS
        row = partial(Row, load=first_load(dig(d, "load_average"), run.load), missing=run.error, digits=2, why=WHY_ROUTE)
        rows += [row(f"p50 at {size_label(size)} entries (ms)", dig(d, "p50_ms"), dig(d, "naive_p50_ms")),
                 row(f"p95 at {size_label(size)} entries (ms)", dig(d, "p95_ms"), dig(d, "naive_p95_ms"), target=target)]
    how = [" · ".join(f"`{s}`" for s in shown),
           "Each message is routed once, in a fresh process with a fresh engine cache (built, then read back mapped "
           "as a server worker reads it). Peer: the naive router (rapidfuzz `extractOne` over every stored question) "
           "on the first messages of the same list. Load: read right after faqbot's routes."]
    return Section("Router latency on never-repeated messages", how, rows)


def build_section(stages: Run, rebuild: Run, plan: Plan, shown: str) -> Section:
    """The cold engine build at the small size, beside rank_bm25 building an index of the same questions."""
    size = str(plan.small)
    this = dig(rebuild.data, "sizes", size, "this")
    rows = [
        Row(f"cold `load_engine` at {size_label(plan.small)} (s)", dig(stages.data, "this", "cold", "seconds", "total load_engine"),
            dig(rebuild.data, "sizes", size, "peer_rank_bm25_build_s"), dig(stages.data, "this", "cold", "load"),
            BUILD_10K_S, digits=2, missing=stages.error, why=WHY_BUILD),
        Row(f"cold first `faqbot ask` at {size_label(plan.small)}, whole process (s)", dig(this, "cold", "s"),
            dig(rebuild.data, "sizes", size, "peer_load_knowledge_base_s"), dig(this, "cold", "load"), digits=2,
            missing=rebuild.error),
    ]
    how = [f"`{shown}` (its one cold build: `load_engine` with an empty cache folder, imports not counted, each stage "
           "timed and RSS sampled every 3 ms) — peer: rank_bm25's `BM25Okapi` built over the character bigrams of the "
           "same stored questions (`bench_rebuild.py`, below). The whole-process row (`bench_rebuild.py`, median of its "
           "rounds) has `load_knowledge_base` alone in its own process as its peer."]
    return Section("Engine build, cold", how, rows)


def startup_section(run: Run, plan: Plan, shown: str) -> Section:
    """`faqbot ask` with a warm engine cache, shipped KB and the large KB, beside importing its libraries alone."""
    d = run.data
    ask, floor = dig(d, "ask"), dig(d, "import_runtime_deps")
    large = next((v for k, v in (d or {}).items() if k.startswith("ask --kb ")), None)
    billing = next((v for k, v in (d or {}).items() if k.startswith("ask billing --kb ")), None)
    row = partial(Row, load=first_load(dig(d, "load_average_before"), run.load), missing=run.error, why=WHY_ASK)
    label = f"`faqbot ask`, {size_label(plan.large)} entries"
    rows = [
        row("`faqbot ask`, shipped KB: median (s), judged ÷ imports", dig(ask, "median_s"), dig(floor, "median_s"), target=ASK_VS_IMPORTS),
        row("`faqbot ask`, shipped KB: median (s)", dig(ask, "median_s"), dig(floor, "median_s"), target=ASK_S),
        row(f"{label}: median (s)", dig(large, "median_s"), dig(floor, "median_s"), target=ASK_50K_S),
        row(f"{label}: peak RSS (MB)", mb(dig(large, "peak_rss_mb")), mb(dig(floor, "peak_rss_mb")), target=ASK_50K_MB,
            digits=0),
        row(f"{label}, a billing question: median (s)", dig(billing, "median_s"), dig(floor, "median_s"), target=ASK_50K_S,
            why=WHY_ASK_BILLING),
        row(f"{label}, a billing question: peak RSS (MB)", mb(dig(billing, "peak_rss_mb")), mb(dig(floor, "peak_rss_mb")),
            target=ASK_50K_MB, digits=0, why=WHY_ASK_BILLING),
    ]
    deps = ", ".join(dig(d, "runtime_deps") or ["…"])
    how = [f"`{shown}` — each command run alternately after a warm-up run each (engine caches warm, faqbot "
           f"byte-compiled as installed); median wall time, each process's peak RSS. Peer: "
           f"`python -c \"import {deps}\"`, the libraries answering needs and nothing of faqbot."]
    return Section("`faqbot ask` start-up, warm engine cache", how, rows)


def edit_section(stages: Run, small: Run, large: Run, plan: Plan, shown: list[str]) -> Section:
    """The first ask after a one-file edit: whole process at both sizes, `load_engine` alone at the small one."""
    s, big = str(plan.small), str(plan.large)
    edit_small, edit_large = dig(small.data, "sizes", s, "this", "edit"), dig(large.data, "sizes", big, "this", "edit")
    stage_edit = dig(stages.data, "this", "edit")
    rows = [
        Row(f"first ask after a one-file edit, {size_label(plan.small)}, whole process (s)", dig(edit_small, "s"),
            dig(small.data, "sizes", s, "peer_load_knowledge_base_s"), dig(edit_small, "load"), EDIT_10K_S, digits=2,
            missing=small.error, why=WHY_EDIT),
        # The "a one-file edit at 10k ≤ 1 s" is read as the first ask after it, the whole process, as the
        # line it stands in measures; the rebuild inside the process is shown beside it, not judged.
        Row(f"the same, against the one-file target, {size_label(plan.small)}, whole process (s)", dig(edit_small, "s"),
            dig(small.data, "sizes", s, "peer_load_knowledge_base_s"), dig(edit_small, "load"), EDIT_ONE_FILE_10K_S,
            digits=2, missing=small.error, why=WHY_EDIT),
        Row(f"one-file edit, {size_label(plan.small)}, `load_engine` alone (s)", dig(stage_edit, "seconds_median", "total load_engine"),
            dig(small.data, "sizes", s, "peer_rank_bm25_build_s"), dig(stage_edit, "load_median"),
            digits=2, missing=stages.error),
        Row(f"first ask after a one-file edit, {size_label(plan.large)}, whole process (s)", dig(edit_large, "s"),
            dig(large.data, "sizes", big, "peer_load_knowledge_base_s"), dig(edit_large, "load"), EDIT_50K_S, digits=2,
            missing=large.error, why=WHY_EDIT),
        Row(f"its peak RSS, {size_label(plan.large)} (MB)", mb(dig(edit_large, "rss_mib")),
            mb(dig(large.data, "sizes", big, "peer_load_knowledge_base_rss_mib")), dig(edit_large, "load"), EDIT_50K_MB,
            digits=0, missing=large.error, why=WHY_EDIT),
    ]
    how = [" · ".join(f"`{c}`" for c in shown),
           "Whole process: `python -m faqbot ask` (a never-asked question) after the first question of one generated "
           "file was changed to a never-written text; peer: `load_knowledge_base` alone in its own process (a floor "
           "every rebuild pays). `load_engine`: the same edit timed inside the process (median of the rounds); peer: "
           "rank_bm25 building an index of the same questions. Medians over the rounds."]
    return Section("First ask after a knowledge-base edit", how, rows)


def server_section(run: Run, shown: str) -> Section:
    """`faqbot serve` under wrk: never-repeated chat beside `/healthz` on the same server, and worker memory."""
    d = dig(run.data, "faqbot")
    chat, health, cached = dig(d, "chat_unique"), dig(d, "healthz"), dig(d, "chat_cached")
    workers = dig(d, "memory_after_load", "workers") or []
    load = first_load(dig(chat, "load_average_before"), run.load)
    row = partial(Row, load=load, missing=run.error)
    rows = [
        row("never-repeated chat (req/s)", dig(chat, "rps"), dig(health, "rps"), target=CHAT_VS_HEALTHZ, digits=0,
            percent=True, why=WHY_CHAT_SHARE),
        row("never-repeated chat, p99 (ms)", dig(chat, "p99_ms"), dig(health, "p99_ms"), target=CHAT_P99_MS, digits=1,
            why=WHY_CHAT_P99),
        row("never-repeated chat, errors", dig(chat, "errors"), dig(health, "errors"), target=SERVER_ERRORS, digits=0),
        row("second worker's own memory (USS) after the load (MiB); peer: the first worker's RSS",
            dig(workers, 1, "uss_mib"), dig(workers, 0, "rss_mib"), target=SECOND_WORKER_VS_FIRST, digits=1,
            percent=True, why=WHY_WORKER),
    ]
    how = [f"`{shown}` — `faqbot serve --workers 2` on loopback, wrk with 8 connections; every chat request a "
           "message no earlier request sent. Peer: `GET /healthz` on the same server in the same run (the framework "
           "alone). Load: before the chat run."]
    notes = []
    if cached:
        notes.append(f"Turn-cache hits (popular messages over and over; not the headline): {cached['rps']:,.0f} req/s, "
                     f"{cached['rps'] / health['rps'] * 100:.1f} % of `/healthz`, p99 {cached['p99_ms']:.1f} ms, "
                     f"{cached['errors']} errors (load {first_load(cached['load_average_before'])}). Server CPU per "
                     f"request: never-repeated chat {chat['server_cpu_ms_per_request']:.2f} ms, `/healthz` "
                     f"{health['server_cpu_ms_per_request']:.2f} ms.")
    return Section("Server under load", how, rows, notes)


def reload_section(run: Run, shown: str) -> Section:
    """A knowledge-base reload (SIGHUP) while wrk sends never-repeated chat on keep-alive connections."""
    d = run.data
    wrk = dig(d, "wrk")
    reloaded = dig(d, "reloaded")
    failed = dig(wrk, "errors") if reloaded is not False else None
    row = partial(Row, load=first_load(dig(d, "load_average_before"), run.load),
                  missing=run.error or "the workers were not replaced within the timeout")
    rows = [row("failed requests; peer: requests sent", failed, dig(wrk, "requests"), target=RELOAD_FAILURES, digits=0,
                percent=True, why=WHY_RELOAD),
            row("SIGHUP → every worker replaced (s), engine build included", dig(d, "reload_s"), digits=1)]
    how = [f"`{shown}` — a copy of the knowledge base, one entry added and SIGHUP sent 5 s into the load; "
           "wrk stops 5 s after every worker is replaced."]
    return Section("A reload under load", how, rows)


def header(when: str, commit: str, machine_line: str, command: str, minutes: float, plan: Plan) -> str:
    """The report's title, provenance table, and how to read it; a quick run says so first."""
    lines = ["# Benchmarks", "",
             "<!-- Generated by benchmarks/report.py: change the script and run it again, do not edit by hand. -->", ""]
    if plan != FULL:
        lines += [f"**Quick smoke run (`--quick`)**: {size_label(plan.small)} and {size_label(plan.large)} entries "
                  f"instead of {size_label(FULL.small)} and {size_label(FULL.large)}, {plan.route_queries} routed "
                  f"messages, {plan.startup_runs} start-up runs, {plan.server_seconds}-second server runs; "
                  "no figure is judged against its target.", ""]
    lines += ["Issue 15's figures from one command, each beside a peer measured in the same run. The full history of "
              "earlier runs — every session's figures, how each was measured and what was tried — is in "
              "[`docs/benchmarks-log.md`](benchmarks-log.md).", "",
              "| run | |", "|---|---|", f"| command | `{command}` |", f"| date | {when} ({minutes:.1f} minutes) |",
              f"| commit | `{commit}` |", f"| machine | {machine_line} |", "",
              "Latencies are on messages the measured process never saw before, with fresh caches unless a row says "
              "warm. *load* is the machine's 1-minute load average around the measurement (other work shares it); "
              "MB are 10⁶ bytes (the scripts' MiB × 1.048576); a target written \"× peer\" or \"% of peer\" is judged "
              "on *faqbot ÷ peer*."]
    return "\n".join(lines)


def child_env() -> dict[str, str]:
    """The environment of every script: this checkout's faqbot first on the path, analytics off."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(REPO) + (os.pathsep + path if path else ""), "FAQBOT_ANALYTICS": "off"}


def run_script(script: str, args: list[str], json_file: bool = False) -> Run:
    """Run ``benchmarks/SCRIPT ARGS`` in its own process; its figures from ``--json FILE`` or its last stdout line."""
    load = os.getloadavg()[0]
    print(f"… {script} {' '.join(args)} (load {load:.2f})", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="faqbot-report-") as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [PY, str(HERE / script), *args, *(["--json", str(out)] if json_file else [])]
        try:
            proc = subprocess.run(cmd, env=child_env(), cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return Run(None, load, f"{script} took over {TIMEOUT_S} s")
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1].replace("|", "/")[:200]
            return Run(None, load, f"{script} exited with {proc.returncode} ({last})")
        try:
            data = json.loads(out.read_text(encoding="utf-8") if json_file else proc.stdout.strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            return Run(None, load, f"{script} wrote no JSON figures")
    return Run(data, load)


def shown(script: str, args: list[str], names: dict[str, str]) -> str:
    """The command line as the report prints it, generated folders named by what they hold."""
    return shlex.join([f"benchmarks/{script}", *(names.get(a, a) for a in args)])


def git(*args: str) -> str:
    """The output of ``git ARGS`` in this checkout."""
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def check_checkout() -> None:
    """Stop unless the scripts' processes import this checkout's faqbot."""
    found = subprocess.run([PY, "-c", "import faqbot; print(faqbot.__file__)"], env=child_env(), cwd="/",
                           capture_output=True, text=True).stdout.strip()
    if not found.startswith(str(REPO)):
        raise SystemExit(f"the benchmark processes would import faqbot from {found or 'nowhere'}, not from {REPO}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--localgovfaq", type=Path, help="LocalgovFAQ folder (corpus.json, queries.json, qrels.json)")
    parser.add_argument("--vectors", type=Path, metavar="FOLDER",
                        help="an installed word-vector table: LocalgovFAQ is measured with the optional channel too")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs, short server runs; judges nothing")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md", help="the Markdown report")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "faqbot-bench",
                        help="folder for generated knowledge bases (kept between runs)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write every script's raw figures here")
    args = parser.parse_args()
    if args.data.resolve().is_relative_to(REPO):
        raise SystemExit(f"--data {args.data} is inside the repository; generated knowledge bases go elsewhere.")
    check_checkout()
    plan = QUICK if args.quick else FULL
    command = (f"nice -n {os.nice(0)} " if os.nice(0) else "") + shlex.join(sys.orig_argv)
    started, when = time.perf_counter(), datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    commit = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no", "--", "faqbot", "knowledge", "benchmarks"):
        commit += " with uncommitted changes to faqbot/, knowledge/ or benchmarks/"
    machine_line = machine()
    kbs = {size: kb_for(size, args.data, args.seed) for size in (plan.small, plan.large)}
    names = {str(kb): f"KB{size_label(size).upper()}" for size, kb in kbs.items()}
    raw: dict[str, Any] = {}

    def measure(key: str, script: str, script_args: list[str], json_file: bool = False) -> tuple[Run, str]:
        run = run_script(script, script_args, json_file)
        raw[key] = {"data": run.data, "load_before": run.load, "error": run.error}
        return run, shown(script, script_args + (["--json", "FILE"] if json_file else []), names)

    if args.localgovfaq:
        vectors = ["--vectors", str(args.vectors)] if args.vectors else []
        generality, generality_cmd = measure("generality", "bench_generality.py", [str(args.localgovfaq), *vectors], json_file=True)
    else:
        generality, generality_cmd = Run(None, 0.0, "no --localgovfaq folder given"), "benchmarks/bench_generality.py DIR"
    routes: dict[int, Run] = {}
    route_cmds: list[str] = []
    for size, peers in ((plan.small, plan.peer_queries_small), (plan.large, plan.peer_queries_large)):
        routes[size], cmd = measure(f"route_{size}", "bench_route.py", [
            "--kb", str(kbs[size]), "--entries", str(size), "--queries", str(plan.route_queries),
            "--peer-queries", str(peers)])
        route_cmds.append(cmd)
    startup, startup_cmd = measure("startup", "bench_startup.py", ["--runs", str(plan.startup_runs), "--kb", str(kbs[plan.large])])
    stages, stages_cmd = measure("edit_stages", "edit_stages.py", ["--entries", str(plan.small), "--rounds", str(plan.edit_rounds)],
                                 json_file=True)
    rebuild_small, rebuild_small_cmd = measure("rebuild_small", "bench_rebuild.py", [
        "--entries", str(plan.small), "--rounds", str(plan.edit_rounds)], json_file=True)
    rebuild_large, rebuild_large_cmd = measure("rebuild_large", "bench_rebuild.py", ["--entries", str(plan.large)], json_file=True)
    server, server_cmd = measure("server", "bench_server.py", [
        "--kb", str(kbs[plan.small]), "--entries", str(plan.small), "--workers", "2", "--duration", str(plan.server_seconds)])
    reload, reload_cmd = measure("reload", "bench_reload.py", ["--kb", str(kbs[plan.small]), "--entries", str(plan.small)])

    sections = [
        generality_section(generality, generality_cmd),
        route_section(routes, route_cmds, plan),
        build_section(stages, rebuild_small, plan, stages_cmd),
        startup_section(startup, plan, startup_cmd),
        edit_section(stages, rebuild_small, rebuild_large, plan, [stages_cmd, rebuild_small_cmd, rebuild_large_cmd]),
        server_section(server, server_cmd),
        reload_section(reload, reload_cmd),
    ]
    minutes = (time.perf_counter() - started) / 60
    text = "\n\n".join([header(when, commit, machine_line, command, minutes, plan), summary(sections, args.quick),
                        *(render_section(s, args.quick) for s in sections)])
    args.out.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({minutes:.1f} minutes)", file=sys.stderr)


if __name__ == "__main__":
    main()
