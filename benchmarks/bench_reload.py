"""A knowledge-base reload under wrk load: what keep-alive clients see while the workers are replaced.

Copies ``--kb`` to a temporary folder, starts ``faqbot serve --workers N`` on it
(loopback, engine cache warmed), runs wrk with never-repeated chat messages on
keep-alive connections, and after ``--before`` seconds adds one entry to the copy
and sends SIGHUP; wrk stops ``--before`` seconds after every worker is replaced.  Prints one JSON object: wrk's
requests, latency and errors over the whole run, how long the reload took (from
SIGHUP to every worker replaced, the engine build included), and the load
average.  ``tests/test_web_reload.py`` proves zero failures for clients that open
a connection per request; this shows what the idle keep-alive connections a
draining worker closes cost a client that does not retry.

    .venv/bin/python benchmarks/bench_reload.py --kb /tmp/faqbot-bench/kb-10000-… --entries 10000
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import HOST, _check_chat, chat_messages, chat_script, parse_wrk  # noqa: E402
from procmem import load_average  # noqa: E402

from faqbot.web.localserver import free_port, wait_until_healthy  # noqa: E402

NEW_ENTRY = """\
category: ベンチマーク
entries:
  - id: bench-reload-probe
    question: 金魚の水槽はどこで洗えばいいですか？
    answer: |
      水槽の洗い方はご案内していません。
"""
DONE = "reload: serving"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (for probe messages)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=float, default=5, help="seconds of load before SIGHUP, and after the reload")
    parser.add_argument("--timeout", type=int, default=300, help="seconds the reload may take")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed; run benchmarks/setup.sh first")
    _, unique = chat_messages(args.entries)
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "kb"
        shutil.copytree(args.kb, kb)
        script = Path(tmp) / "chat.lua"
        script.write_text(chat_script(unique), encoding="utf-8")
        env = {**os.environ, "FAQBOT_CACHE_DIR": str(Path(tmp) / "cache"), "FAQBOT_SECRET": secrets.token_urlsafe(32),
               "FAQBOT_ANALYTICS": "off", "FAQBOT_RATE_LIMIT": "0",
               # Every message names the same day (chat_script), which only a test server honours.
               "FAQBOT_ALLOW_CLIENT_TODAY": "1"}
        faqbot = str(Path(sys.executable).parent / "faqbot")
        subprocess.run([faqbot, "ask", "--kb", str(kb), "解約したい", "--today", "2026-11-26"], env=env, check=True,
                       capture_output=True)
        port = free_port(HOST)
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen([faqbot, "serve", "--kb", str(kb), "--host", HOST, "--port", str(port),
                                       "--workers", str(args.workers)], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(f"http://{HOST}:{port}", server, timeout=180, log=log)
            _check_chat(f"http://{HOST}:{port}")
            time.sleep(2)
            load = load_average()
            wrk = subprocess.Popen(["wrk", "-t1", f"-c{args.connections}", f"-d{args.timeout * 2}s", "--timeout", "5s",
                                    "--latency", "-s", str(script), f"http://{HOST}:{port}/api/v1/chat"],
                                   stdout=subprocess.PIPE, text=True)
            time.sleep(args.before)
            (kb / "faq" / "bench-reload.yaml").write_text(NEW_ENTRY, encoding="utf-8")
            asked = time.monotonic()
            server.send_signal(signal.SIGHUP)
            while DONE not in log.read_text(errors="replace") and time.monotonic() - asked < args.timeout:
                time.sleep(0.05)
            reloaded = DONE in log.read_text(errors="replace")
            reload_s = time.monotonic() - asked
            time.sleep(args.before)  # the new workers under load too
            wrk.send_signal(signal.SIGINT)  # wrk stops and prints what it measured
            output, _ = wrk.communicate(timeout=60)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    print(json.dumps({"workers": args.workers, "connections": args.connections, "load_average_before": load,
                      "load_average_after": load_average(), "reloaded": reloaded, "reload_s": reload_s,
                      "wrk": parse_wrk(output)}))


if __name__ == "__main__":
    main()
