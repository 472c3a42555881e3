"""Server under load: `faqbot serve --workers N` on 127.0.0.1, driven by wrk.

Starts the server on a free loopback port (engine cache warmed first, analytics
off so nobody's database fills up, per-client rate limit off since one
client sends all the load), then runs wrk for a bounded duration
against ``GET /healthz`` and ``POST /api/v1/chat`` in the same run, and stops
the server.  Chat runs twice:

* ``chat``: popular questions — the dev set and 300 probe queries, over and
  over, as a help page hears them.  Each worker remembers recent turns
  (``FAQBOT_TURN_CACHE``), so after the first round these are repeats;
* ``chat_unique``: every request a message no earlier request sent (20,000 of
  them for a 10k knowledge base, more than a run sends), so every turn is
  routed, rendered and signed from scratch.

Prints one JSON object.

    benchmarks/setup.sh   # installs Debian's wrk when missing
    .venv/bin/python benchmarks/bench_server.py --kb /tmp/kb10k --entries 10000
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kbgen import generate_entries, probe_queries  # noqa: E402

from faqbot.quality.evaluation import load_examples  # noqa: E402
from faqbot.web.localserver import free_port, wait_until_healthy

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


def _chat_script(messages: list[str]) -> str:
    """The wrk Lua script that POSTs ``messages`` to the chat endpoint in turn."""
    # Lua string literals take JSON's \" and \\ escapes, but not \u: keep the text as UTF-8.
    bodies = ",".join(
        json.dumps(json.dumps({"message": m, "today": "2026-11-26"}, ensure_ascii=False), ensure_ascii=False)
        for m in messages
    )
    return _LUA % bodies


def _wrk(url: str, duration: int, connections: int, script: Path | None) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True, timeout=duration + 30)
    return parse_wrk(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (for probe messages)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed; run benchmarks/setup.sh first")

    messages = [e.query for e in load_examples(DEV)]
    unique = [f"{opener}{m}" for opener in _OPENERS for m in messages]
    if args.entries:
        entries = generate_entries(args.entries)
        messages += [q for q, _ in probe_queries(entries, 300)]
        unique += [f"{opener}{q}" for opener in _OPENERS for q, _ in probe_queries(entries, len(entries))]
    exe = str(Path(sys.executable).parent / "faqbot")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "chat.lua"
        script.write_text(_chat_script(messages), encoding="utf-8")
        unique_script = Path(tmp) / "chat-unique.lua"
        unique_script.write_text(_chat_script(unique), encoding="utf-8")
        env = {
            **os.environ,
            "FAQBOT_CACHE_DIR": str(Path(tmp) / "cache"),
            "FAQBOT_SECRET": secrets.token_urlsafe(32),
            "FAQBOT_ANALYTICS": "off",
            # One loopback client sends everything: a per-client limit would measure the limiter.
            "FAQBOT_RATE_LIMIT": "0",
        }
        # Warm the engine cache, as a deployment would before taking traffic.
        subprocess.run([exe, "ask", "--kb", str(args.kb), "解約したい", "--today", "2026-11-26"],
                       env=env, check=True, capture_output=True)
        port = free_port(HOST)
        proc = subprocess.Popen(
            [exe, "serve", "--kb", str(args.kb), "--host", HOST, "--port", str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            base = f"http://{HOST}:{port}"
            wait_until_healthy(base, proc, timeout=120)
            time.sleep(2)  # every worker up, not just the first
            health = _wrk(f"{base}/healthz", args.duration, args.connections, None)
            chat = _wrk(f"{base}/api/v1/chat", args.duration, args.connections, script)
            chat_unique = _wrk(f"{base}/api/v1/chat", args.duration, args.connections, unique_script)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    print(json.dumps({"workers": args.workers, "connections": args.connections, "duration_s": args.duration,
                      "messages": len(messages), "unique_messages": len(unique),
                      "healthz": health, "chat": chat, "chat_unique": chat_unique,
                      "chat_vs_healthz": chat["rps"] / health["rps"] if health["rps"] else 0.0,
                      "chat_unique_vs_healthz": chat_unique["rps"] / health["rps"] if health["rps"] else 0.0}))


if __name__ == "__main__":
    main()
