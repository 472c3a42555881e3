"""Load-and-soak test of `faqbot serve`: loopback only, bounded, stops by itself.

Starts `faqbot serve --workers 2` on a free 127.0.0.1 port (its own secret, its
own analytics database in a temporary folder, default limits), then for
``--duration`` seconds runs ``--conversations`` concurrent customers, each holding
multi-turn conversations (questions, the billing form over several turns, numbered
picks, card numbers typed in), plus clients sending bad requests (broken JSON,
wrong content type, oversized bodies, forged states, overlong or non-text
messages, lone surrogates, unknown fields and addresses) and one client hammering
from a single address (it must be rate limited).  Every customer conversation
comes from its own address (``X-Forwarded-For``, believed because the run
sets ``FAQBOT_TRUSTED_PROXIES=127.0.0.1``, as a proxy in front would), as real
customers would.

Reports requests served, errors on good requests (must be 0), bad requests
answered with something other than their documented 4xx (must be 0), 429s seen by
the hammering client (must be > 0), latency percentiles, the server's memory
(RSS of the master and its workers) after warm-up and at the end (must stay
flat), and whether a card number or a traceback reached the server log.
Exit status 0 only when every check holds.

    .venv/bin/python benchmarks/soak.py                 # 4 minutes
    .venv/bin/python benchmarks/soak.py --duration 30   # a quick look
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faqbot.web.localserver import free_port, wait_until_healthy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procmem import descendants, memory  # noqa: E402

HOST = "127.0.0.1"  # loopback only, never configurable
FAQBOT = Path(sys.executable).parent / "faqbot"
CARD = "4111 1111 1111 1111"
CARD_DIGITS = "4111111111111111"
# Allowed growth of the server's memory between warm-up and the end.
RSS_TOLERANCE = 0.10

SCRIPTS: list[list[str]] = [
    ["解約したい", "もっと詳しく", "1"],
    ["次の請求日はいつですか？", "ウイルスバスター クラウド", "年額版です", "2027年3月31日です"],
    ["モバイルの月額版で有効期限は2027年5月31日、次の請求日は？", "年額だったら？"],
    ["クレジットカード以外で払えますか？", "ありがとうございました"],
    ["こんにちは", "何ができますか？", "1"],
    [f"カード番号は{CARD}です。変更したい", "登録しているクレジットカードを変更したい"],
    ["次の請求日は？", "トータルセキュリティ", CARD, "年額", "2027年4月30日"],
    ["お知らせメールはいつ届く？", "メールアドレスを変えたい", "さようなら"],
    ["天気はどう？", "ｶｲﾔｸ ｼﾀｲ", "\U0001f600\u200b解約\u202e"],
    ["自動更新を止めたい", "モバイルの場合は？", "やめます"],
]


@dataclass
class Stats:
    """Counters shared by every client thread (guarded by ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    good: int = 0
    good_errors: list[str] = field(default_factory=list)
    bad: int = 0
    bad_unexpected: list[str] = field(default_factory=list)
    hammer: int = 0
    hammer_429: int = 0
    hammer_other: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    conversations: int = 0

    def add_good(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.good += 1
            self.latencies.append(seconds)
            if error is not None and len(self.good_errors) < 50:
                self.good_errors.append(error)
            elif error is not None:
                self.good_errors.append("…")


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data, {k.lower(): v for k, v in response.getheaders()}
            except (http.client.HTTPException, ConnectionError, OSError):
                # The server may close an idle or refused keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _address(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def customer(port: int, stop: threading.Event, stats: Stats, seed: int) -> None:
    """Hold conversations until ``stop``: each from a new address, with a short think time."""
    rng = random.Random(seed)
    client = Client(port)
    while not stop.is_set():
        headers = {"Content-Type": "application/json", "X-Forwarded-For": _address(rng)}
        state: str | None = None
        for message in rng.choice(SCRIPTS):
            if stop.is_set():
                break
            body: dict[str, Any] = {"message": message, "today": "2026-11-26"}
            if state is not None:
                body["state"] = state
            start = time.perf_counter()
            error = None
            try:
                status, data, _ = client.send("POST", "/api/v1/chat", json.dumps(body).encode(), headers)
                elapsed = time.perf_counter() - start
                if status != 200:
                    error = f"{status} for {message!r}: {data[:200]!r}"
                else:
                    payload = json.loads(data)
                    state = payload["state"]
                    if not payload["reply"]["text"]:
                        error = f"empty reply to {message!r}"
                    if CARD_DIGITS in data.decode().replace(" ", "") or "4111 1111" in data.decode():
                        error = f"card number echoed for {message!r}"
            except Exception as exc:  # a connection failure on a good request is an error too
                elapsed = time.perf_counter() - start
                error = f"{type(exc).__name__}: {exc} for {message!r}"
            stats.add_good(elapsed, error)
            time.sleep(rng.uniform(0.02, 0.2))
        with stats.lock:
            stats.conversations += 1


def _bad_requests(rng: random.Random) -> list[tuple[str, str, bytes | None, dict[str, str], set[int]]]:
    json_headers = {"Content-Type": "application/json"}
    return [
        ("POST", "/api/v1/chat", b"{not json", json_headers, {400}),
        ("POST", "/api/v1/chat", b'{"message": "hi"}', {"Content-Type": "text/plain"}, {415}),
        ("POST", "/api/v1/chat", b'{"message": "' + b"a" * 40_000 + b'"}', json_headers, {413}),
        ("POST", "/api/v1/chat", json.dumps({"message": "解約", "state": "forged.token.x"}).encode(), json_headers, {400}),
        ("POST", "/api/v1/chat", json.dumps({"message": "あ" * 501}).encode(), json_headers, {422}),
        ("POST", "/api/v1/chat", json.dumps({"message": 12}).encode(), json_headers, {422}),
        ("POST", "/api/v1/chat", b'{"message": "\\ud800\\udfff\\ud800"}', json_headers, {422}),
        ("POST", "/api/v1/chat", json.dumps({"message": "解約", "admin": True}).encode(), json_headers, {422}),
        ("POST", "/api/v1/chat", b"[1, 2, 3]", json_headers, {422}),
        ("POST", "/api/v1/chat", b'{"message": "x", "today": "2027-02-30"}', json_headers, {422}),
        ("POST", "/api/v1/billing", json.dumps({"product": "nope", "plan": "annual", "expiry": "2027-01-01"}).encode(), json_headers, {404, 422}),
        ("GET", "/api/v1/search?q=" + "%E2%80%8B" * 10 + "&top=999", None, {}, {422}),
        ("GET", "/api/v1/faq/../../etc/passwd", None, {}, {404}),
        ("DELETE", "/api/v1/chat", None, {}, {405}),
        ("GET", "/api/v1/nothing-here", None, {}, {404}),
        ("POST", "/api/v1/feedback", json.dumps({"intent": "nope", "helpful": "yes"}).encode(), json_headers, {422}),
        # Not bad, but a card number in a query string: answered, and masked in the access log.
        ("GET", "/api/v1/search?q=" + CARD.replace(" ", "%20") + "%E3%81%AE%E5%A4%89%E6%9B%B4", None, {}, {200}),
    ]


def bad_client(port: int, stop: threading.Event, stats: Stats, seed: int) -> None:
    """Send bad requests from changing addresses; each must get its documented 4xx."""
    rng = random.Random(seed)
    client = Client(port)
    while not stop.is_set():
        method, path, body, headers, expected = rng.choice(_bad_requests(rng))
        headers = {**headers, "X-Forwarded-For": _address(rng)}
        try:
            status, data, _ = client.send(method, path, body, headers)
            ok = status in expected and (status == 200 or json.loads(data).get("error", {}).get("status") == status)
            if status == 200 and CARD_DIGITS in data.decode().replace(" ", ""):
                ok = False
            problem = None if ok else f"{method} {path[:60]} → {status} (expected {sorted(expected)}): {data[:160]!r}"
        except Exception as exc:
            problem = f"{method} {path[:60]} → {type(exc).__name__}: {exc}"
        with stats.lock:
            stats.bad += 1
            if problem and len(stats.bad_unexpected) < 50:
                stats.bad_unexpected.append(problem)
        time.sleep(rng.uniform(0.01, 0.1))


def hammer(port: int, stop: threading.Event, stats: Stats) -> None:
    """One address, no pause: the rate limit must answer 429 with Retry-After."""
    client = Client(port)
    headers = {"X-Forwarded-For": "192.0.2.66"}
    while not stop.is_set():
        try:
            status, data, response_headers = client.send("GET", "/api/v1/faq", None, headers)
            problem = None
            if status == 429 and not response_headers.get("retry-after", "").isdigit():
                problem = "429 without Retry-After"
            elif status not in (200, 429):
                problem = f"{status}: {data[:120]!r}"
        except Exception as exc:
            status, problem = 0, f"{type(exc).__name__}: {exc}"
        with stats.lock:
            stats.hammer += 1
            stats.hammer_429 += status == 429
            if problem and len(stats.hammer_other) < 20:
                stats.hammer_other.append(problem)
        if status == 429:
            time.sleep(0.01)


def server_rss(pid: int) -> tuple[int, list[int]]:
    """RSS (KiB) of the server: the master plus every descendant, and the workers' own RSS."""
    per = [round(memory(p).rss * 1024) for p in [pid, *descendants(pid)]]
    return sum(per), per[1:]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def _machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    mem = 0
    with contextlib.suppress(OSError, StopIteration):
        mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), {mem // 1024} MiB RAM, Python {platform.python_version()}"


def start_server(port: int, workers: int, tmp: Path) -> tuple[subprocess.Popen[bytes], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    env["FAQBOT_SECRET"] = secrets.token_urlsafe(32)
    env["FAQBOT_TRUSTED_PROXIES"] = "127.0.0.1"  # the load generator plays the proxy in front of the server
    env["FAQBOT_ANALYTICS_DB"] = str(tmp / "analytics.sqlite3")  # recording is part of the load; never the real one
    # Each customer's address arrives in X-Forwarded-For from this script on loopback, which
    # the server believes only from a trusted proxy.
    env["FAQBOT_TRUSTED_PROXIES"] = HOST
    log = tmp / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FAQBOT), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    try:
        wait_until_healthy(f"http://{HOST}:{port}", process, timeout=90, log=log)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    # Every worker must be up, not just the first to answer.
    while len(server_rss(process.pid)[1]) < workers and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    return process, log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=240, help="seconds of load after warm-up (default 240)")
    parser.add_argument("--warmup", type=float, default=20, help="seconds of load before memory is first measured")
    parser.add_argument("--conversations", type=int, default=24, help="concurrent customer conversations")
    parser.add_argument("--bad-clients", type=int, default=4, help="concurrent clients sending bad requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    port = free_port(HOST)
    with tempfile.TemporaryDirectory(prefix="faqbot-soak-") as folder:
        process, log = start_server(port, args.workers, Path(folder))
        rss_idle, _ = server_rss(process.pid)
        stats, stop = Stats(), threading.Event()
        threads = [threading.Thread(target=customer, args=(port, stop, stats, i), daemon=True) for i in range(args.conversations)]
        threads += [threading.Thread(target=bad_client, args=(port, stop, stats, 1000 + i), daemon=True) for i in range(args.bad_clients)]
        threads.append(threading.Thread(target=hammer, args=(port, stop, stats), daemon=True))
        started = time.monotonic()
        try:
            for thread in threads:
                thread.start()
            time.sleep(args.warmup)
            rss_warm, workers_warm = server_rss(process.pid)
            samples = [(0.0, rss_warm)]
            end = time.monotonic() + args.duration
            while time.monotonic() < end:
                time.sleep(min(15.0, max(0.0, end - time.monotonic())))
                samples.append((time.monotonic() - started - args.warmup, server_rss(process.pid)[0]))
                with stats.lock:
                    print(f"  t={samples[-1][0]:5.0f}s  good={stats.good}  bad={stats.bad}  429s={stats.hammer_429}  rss={samples[-1][1] / 1024:.1f} MiB", flush=True)
            rss_end, workers_end = server_rss(process.pid)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=35)
            elapsed = time.monotonic() - started
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log_text = log.read_text(errors="replace")

    lat = stats.latencies
    growth = (rss_end - rss_warm) / rss_warm if rss_warm else 0.0
    card_in_log = CARD_DIGITS in log_text.replace(" ", "").replace("%20", "").replace("+", "")
    tracebacks = log_text.count("Traceback")
    served = stats.good + stats.bad + stats.hammer
    result = {
        "machine": _machine(),
        "workers": args.workers,
        "conversations": args.conversations,
        "bad_clients": args.bad_clients,
        "seconds": round(elapsed, 1),
        "requests_served": served,
        "requests_per_second": round(served / elapsed, 1),
        "good_requests": stats.good,
        "good_request_errors": len(stats.good_errors),
        "conversations_completed": stats.conversations,
        "bad_requests": stats.bad,
        "bad_requests_unexpected": len(stats.bad_unexpected),
        "hammer_requests": stats.hammer,
        "hammer_429": stats.hammer_429,
        "hammer_unexpected": len(stats.hammer_other),
        "latency_ms": {
            "p50": round(_percentile(lat, 50) * 1000, 1) if lat else None,
            "p95": round(_percentile(lat, 95) * 1000, 1) if lat else None,
            "p99": round(_percentile(lat, 99) * 1000, 1) if lat else None,
            "max": round(max(lat) * 1000, 1) if lat else None,
            "mean": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        },
        "rss_mib": {
            "idle": round(rss_idle / 1024, 1),
            "after_warmup": round(rss_warm / 1024, 1),
            "end": round(rss_end / 1024, 1),
            "growth_pct": round(growth * 100, 1),
            "workers_after_warmup": [round(w / 1024, 1) for w in workers_warm],
            "workers_end": [round(w / 1024, 1) for w in workers_end],
            "samples": [(round(t), round(r / 1024, 1)) for t, r in samples],
        },
        "card_number_in_server_log": card_in_log,
        "tracebacks_in_server_log": tracebacks,
        "server_log_lines": log_text.count("\n"),
    }
    checks = {
        "good requests all answered": not stats.good_errors,
        "bad requests all got their documented 4xx": not stats.bad_unexpected,
        "the hammering client was rate limited (429 + Retry-After)": stats.hammer_429 > 0 and not stats.hammer_other,
        f"memory flat (growth ≤ {RSS_TOLERANCE:.0%} after warm-up)": growth <= RSS_TOLERANCE,
        "no card number in the server log": not card_in_log,
        "no traceback in the server log": tracebacks == 0,
    }
    result["checks"] = checks
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for problem in (stats.good_errors + stats.bad_unexpected + stats.hammer_other)[:20]:
        print("  problem:", problem)
    for name, ok in checks.items():
        print(("PASS " if ok else "FAIL ") + name)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
