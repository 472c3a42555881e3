"""Server under load: `faqbot serve --workers N` on 127.0.0.1, driven by wrk.

Starts the server on a free loopback port (engine cache warmed first, analytics
off so nobody's database fills up, per-client rate limit off since one client
sends all the load), runs wrk for a bounded duration against each of these, one
after the other against the same server, and stops it:

* ``healthz``: ``GET /healthz``, the framework alone — the peer every chat
  figure is divided by;
* ``chat_unique`` (the headline): every request a message no earlier request
  sent (20,000 of them for a 10k knowledge base, more than a run sends), so
  every turn is routed, rendered and signed from scratch;
* ``chat_cached``: popular questions — the dev set and 300 probe queries, over
  and over.  Each worker remembers recent turns (``FAQBOT_TURN_CACHE``); after
  an uncounted warm-up run of half the duration these are turn-cache hits,
  reported separately.

The machine's load average is printed before each wrk run (the load generator
and the server share its cores; other work may too).  Memory is read from
``/proc/PID/smaps_rollup`` (RSS, PSS, USS) for the supervisor and every worker
before and after the load: what a second worker adds is its USS.

``--baseline SRC`` measures a second ``faqbot serve`` run from another copy of
faqbot's source (``git archive main | tar -x -C SRC``; same venv, ``SRC`` first on
``PYTHONPATH``) against this one, ``--rounds`` times, alternating which goes
first, for before → after figures from one run; the medians are printed under
``"ab"``.  ``--skip-cached`` leaves out the turn-cache-hit runs.

``--gunicorn`` runs the same measurements against gunicorn with uvicorn workers
and ``--preload`` over the same app, side by side (``pip install gunicorn
uvicorn-worker`` into the venv first; neither is a dependency of faqbot).

Prints one JSON object.

    benchmarks/setup.sh   # installs Debian's wrk when missing
    .venv/bin/python benchmarks/bench_server.py --kb /tmp/kb10k --entries 10000 [--gunicorn]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kbgen import generate_entries, probe_queries  # noqa: E402
from procmem import children, cpu_seconds, descendants, load_average, memory  # noqa: E402

from faqbot.quality.evaluation import load_examples  # noqa: E402
from faqbot.web.localserver import free_port, wait_until_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
HOST = "127.0.0.1"  # loopback only, always

_LUA = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/api/v1/chat", {["Content-Type"] = "application/json"}, bodies[i])
end
"""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, p50/p99 latency (ms), requests and errors from ``wrk --latency`` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sock:
        errors += sum(int(x) for x in sock.groups())
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": requests, "errors": errors}


# Two wordings of every message for the unique run (neither changes what is asked).
_OPENERS = ("", "すみません、")


def chat_script(messages: list[str]) -> str:
    """The wrk Lua script that POSTs ``messages`` to the chat endpoint in turn."""
    # Lua string literals take JSON's \" and \\ escapes, but not \u: keep the text as UTF-8.
    bodies = ",".join(
        json.dumps(json.dumps({"message": m, "today": "2026-11-26"}, ensure_ascii=False), ensure_ascii=False)
        for m in messages
    )
    return _LUA % bodies


def chat_messages(entries: int) -> tuple[list[str], list[str]]:
    """Popular messages (dev set + 300 probes) and never-repeated ones (every dev query and probe, two wordings)."""
    messages = [e.query for e in load_examples(DEV)]
    unique = [f"{opener}{m}" for opener in _OPENERS for m in messages]
    if entries:
        generated = generate_entries(entries)
        messages += [q for q, _ in probe_queries(generated, 300)]
        unique += [f"{opener}{q}" for opener in _OPENERS for q, _ in probe_queries(generated, len(generated))]
    return messages, unique


def _wrk(url: str, duration: int, connections: int, script: Path | None, server: int) -> dict[str, object]:
    """One wrk run; with the CPU time the server's processes (``server`` and its descendants) spent per request.

    CPU per request is what a request costs the server whoever else shares the cores,
    so it compares across runs far better than req/s on a loaded machine.
    """
    load = load_average()
    print(f"… wrk {url} ({'script' if script else 'GET'}), load average {load}", file=sys.stderr, flush=True)
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    processes = [server, *descendants(server)]
    cpu = cpu_seconds(processes)
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True, timeout=duration + 30)
    cpu = cpu_seconds(processes) - cpu
    result = parse_wrk(out.stdout)
    per_request = 1000 * cpu / result["requests"] if result["requests"] else 0.0
    return {**result, "server_cpu_ms_per_request": round(per_request, 3), "load_average_before": load}


def _memory(pid: int) -> dict[str, object]:
    """RSS/PSS/USS of the supervisor (or master) and of each worker; what the second worker adds."""
    workers = [memory(p) for p in children(pid)]
    result: dict[str, object] = {"supervisor": memory(pid).as_json(), "workers": [w.as_json() for w in workers]}
    if len(workers) >= 2 and workers[0].rss:
        # The second worker's own pages (USS) against the first worker's whole RSS.
        result["second_worker_adds_vs_first_rss"] = workers[1].uss / workers[0].rss
    result["server_pss_mib"] = round(sum(m.pss for m in [memory(pid), *workers]), 1)
    return result


def _wait_for_workers(pid: int, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(children(pid)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(children(pid))} of {count} workers started")
        time.sleep(0.2)
    time.sleep(2)  # every worker answering, not just started


def _check_chat(base: str) -> None:
    """One chat request must succeed before any is counted (a refused one is fast, and flatters)."""
    body = json.dumps({"message": "解約したい", "today": "2026-11-26"}, ensure_ascii=False).encode()
    request = urllib.request.Request(f"{base}/api/v1/chat", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"the server refuses the benchmark's chat request: {exc.code} {exc.read()[:300]!r}") from None


def measure(cmd: list[str], env: dict[str, str], port: int, args: argparse.Namespace, scripts: dict[str, Path]) -> dict[str, object]:
    """Start one server, run wrk against /healthz and both chats, read its memory, stop it."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    cached: dict[str, object] = {}
    try:
        base = f"http://{HOST}:{port}"
        wait_until_healthy(base, proc, timeout=180)
        _wait_for_workers(proc.pid, args.workers)
        _check_chat(base)
        memory_idle = _memory(proc.pid)
        health = _wrk(f"{base}/healthz", args.duration, args.connections, None, proc.pid)
        unique = _wrk(f"{base}/api/v1/chat", args.duration, args.connections, scripts["unique"], proc.pid)
        if not args.skip_cached:
            # Each worker has its own turn cache and computes each popular message once: a warm-up
            # round (not counted) fills them, so the measured run is hits, not first-time turns.
            _wrk(f"{base}/api/v1/chat", max(1, args.duration // 2), args.connections, scripts["cached"], proc.pid)
            cached = _wrk(f"{base}/api/v1/chat", args.duration, args.connections, scripts["cached"], proc.pid)
        memory_loaded = _memory(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    rps = float(health["rps"])  # type: ignore[arg-type]
    return {
        "healthz": health, "chat_unique": unique, "chat_cached": cached,
        "chat_unique_vs_healthz": float(unique["rps"]) / rps if rps else 0.0,  # type: ignore[arg-type]
        "chat_cached_vs_healthz": float(cached.get("rps", 0.0)) / rps if rps else 0.0,  # type: ignore[arg-type]
        # The same ratio from the server's CPU per request: what the cores allow, whoever shares them.
        "chat_unique_vs_healthz_cpu": _cpu_ratio(health, unique),
        "memory_idle": memory_idle, "memory_after_load": memory_loaded,
    }


def _cpu_ratio(health: dict[str, object], chat: dict[str, object]) -> float:
    chat_ms = float(chat["server_cpu_ms_per_request"])  # type: ignore[arg-type]
    return float(health["server_cpu_ms_per_request"]) / chat_ms if chat_ms else 0.0  # type: ignore[arg-type]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def ab_summary(rounds: list[dict[str, dict[str, object]]]) -> dict[str, dict[str, float]]:
    """Per server, the medians over the rounds: healthz and never-repeated chat req/s and p99, and their ratio."""
    summary: dict[str, dict[str, float]] = {}
    for name in rounds[0]:
        runs = [r[name] for r in rounds]
        summary[name] = {
            "healthz_rps": _median([float(r["healthz"]["rps"]) for r in runs]),  # type: ignore[index]
            "healthz_p99_ms": _median([float(r["healthz"]["p99_ms"]) for r in runs]),  # type: ignore[index]
            "chat_unique_rps": _median([float(r["chat_unique"]["rps"]) for r in runs]),  # type: ignore[index]
            "chat_unique_p50_ms": _median([float(r["chat_unique"]["p50_ms"]) for r in runs]),  # type: ignore[index]
            "chat_unique_p99_ms": _median([float(r["chat_unique"]["p99_ms"]) for r in runs]),  # type: ignore[index]
            "chat_unique_vs_healthz": _median([float(r["chat_unique_vs_healthz"]) for r in runs]),  # type: ignore[arg-type]
            "healthz_cpu_ms": _median([float(r["healthz"]["server_cpu_ms_per_request"]) for r in runs]),  # type: ignore[index]
            "chat_unique_cpu_ms": _median([float(r["chat_unique"]["server_cpu_ms_per_request"]) for r in runs]),  # type: ignore[index]
            "chat_unique_vs_healthz_cpu": _median([float(r["chat_unique_vs_healthz_cpu"]) for r in runs]),  # type: ignore[arg-type]
            "errors": sum(float(r["chat_unique"]["errors"]) + float(r["healthz"]["errors"]) for r in runs),  # type: ignore[index,misc]
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (for probe messages)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--gunicorn", action="store_true", help="also measure gunicorn + uvicorn workers, --preload")
    parser.add_argument("--peer-first", action="store_true", help="measure gunicorn before faqbot serve")
    parser.add_argument("--baseline", type=Path, help="another copy of faqbot's source, measured side by side")
    parser.add_argument("--rounds", type=int, default=1, help="with --baseline: rounds, alternating which runs first")
    parser.add_argument("--skip-cached", action="store_true", help="leave out the turn-cache-hit runs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed; run benchmarks/setup.sh first")

    messages, unique = chat_messages(args.entries)
    bindir = Path(sys.executable).parent
    result: dict[str, object] = {
        "workers": args.workers, "connections": args.connections, "duration_s": args.duration,
        "messages": len(messages), "unique_messages": len(unique), "load_average_at_start": load_average(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {"cached": Path(tmp) / "chat.lua", "unique": Path(tmp) / "chat-unique.lua"}
        scripts["cached"].write_text(chat_script(messages), encoding="utf-8")
        scripts["unique"].write_text(chat_script(unique), encoding="utf-8")
        env = {
            **os.environ,
            "FAQBOT_CACHE_DIR": str(Path(tmp) / "cache"),
            "FAQBOT_SECRET": secrets.token_urlsafe(32),
            "FAQBOT_ANALYTICS": "off",
            # One loopback client sends everything: a per-client limit would measure the limiter.
            "FAQBOT_RATE_LIMIT": "0",
            # Every request names the same day, so that answers do not change with the date the run is on.
            "FAQBOT_ALLOW_CLIENT_TODAY": "1",
        }
        # Warm the engine cache, as a deployment would before taking traffic.
        subprocess.run([str(bindir / "faqbot"), "ask", "--kb", str(args.kb), "解約したい", "--today", "2026-11-26"],
                       env=env, check=True, capture_output=True)
        port = free_port(HOST)
        serve = [str(bindir / "faqbot"), "serve", "--kb", str(args.kb), "--host", HOST, "--port", str(port),
                 "--workers", str(args.workers)]
        runs = [("faqbot", serve, env, port)]
        if args.gunicorn:
            peer_port = free_port(HOST)
            # An access log as faqbot serve writes one (gunicorn writes none unless asked, and
            # formatting and masking each line is part of what a request costs).
            gunicorn = [str(bindir / "gunicorn"), "--pythonpath", str(HERE), "-k", "gunicorn_peer.NoDelayUvicornWorker",
                        "--preload", "-w", str(args.workers), "-b", f"{HOST}:{peer_port}", "--access-logfile", "-",
                        "faqbot.web.app:app_from_env()"]
            runs.append(("gunicorn", gunicorn, {**env, "FAQBOT_KB": str(args.kb)}, peer_port))
            if args.peer_first:
                runs.reverse()
        if args.baseline is not None:
            baseline_env = {**env, "PYTHONPATH": str(args.baseline.resolve())}
            runs.append(("baseline", serve, baseline_env, port))
        rounds: list[dict[str, dict[str, object]]] = []
        for number in range(max(1, args.rounds)):
            ordered = runs if number % 2 == 0 else list(reversed(runs))
            rounds.append({name: measure(cmd, run_env, run_port, args, scripts) for name, cmd, run_env, run_port in ordered})
        for name, *_ in runs:
            result[name] = rounds[0][name]
        if len(rounds) > 1 or args.baseline is not None:
            result["rounds"] = rounds
            result["ab"] = ab_summary(rounds)
    result["load_average_at_end"] = load_average()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
