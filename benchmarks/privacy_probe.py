"""Personal-data probe of a real `faqbot serve`: does any format get through? (issue 14)

Starts `faqbot serve` on a free 127.0.0.1 port (its own secret, analytics database
and log file), then sends seeded samples of every format customers type
(``tests/privacy_cases.py``: card numbers with every separator and width, whole
or split over two messages, e-mail addresses and phones in both widths) through
every path that takes customer text: chat (with the returned state, so a split
card is one conversation), search, FAQ lookup, feedback and billing.  Then it
looks for each number, address and phone — separators and width ignored — in the
API replies, the server log (uvicorn's access log included) and the analytics
database, and counts card conversations whose last reply lacks the warning.

Prints the figures; exit status 0 only when nothing leaked and every card
message was warned about.

    .venv/bin/python benchmarks/privacy_probe.py --samples 400
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from faqbot.web.localserver import LOOPBACK, free_port, wait_until_healthy  # noqa: E402
from tests.privacy_cases import GROUPINGS, SEPARATORS, Sample, leaked, samples  # noqa: E402

FAQBOT = Path(sys.executable).parent / "faqbot"
WARNING = "カード情報はチャットに入力しないでください"
TODAY = "2026-11-26"


@dataclass(frozen=True)
class ProbeResult:
    """What the probe sent and found."""

    samples: int
    messages: int  # chat messages
    requests: int  # every request that carried personal data
    formats: int  # separators × widths × groupings of the card numbers
    leaks: list[str]  # "secret in place" for every leak found
    unwarned: list[tuple[str, ...]]  # card conversations whose reply lacked the warning
    leaked_bytes: int  # UTF-8 bytes of the leaked secrets


def _call(base: str, method: str, path: str, body: dict[str, object] | None = None) -> str:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - loopback
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return str(exc.read().decode("utf-8"))


def _send(base: str, sample: Sample) -> tuple[list[str], int, bool]:
    """Every reply to ``sample``'s requests, how many requests, and whether the card was warned about."""
    replies, state = [], None
    for message in sample.messages:
        body: dict[str, object] = {"message": message, "today": TODAY, "lang": "ja"}  # the warning is matched in Japanese
        if state is not None:
            body["state"] = state
        reply = _call(base, "POST", "/api/v1/chat", body)
        replies.append(reply)
        state = json.loads(reply).get("state")
    warned = WARNING in json.loads(replies[-1]).get("reply", {}).get("text", "")
    text = "".join(sample.messages)
    quoted = urllib.parse.quote(text, safe="")
    replies.append(_call(base, "GET", "/api/v1/search?q=" + quoted))
    replies.append(_call(base, "GET", "/api/v1/faq/" + quoted))
    replies.append(_call(base, "POST", "/api/v1/feedback", {"intent": "cancel-howto", "helpful": False, "message": text}))
    replies.append(_call(base, "POST", "/api/v1/billing", {"product": text, "plan": "annual", "expiry": text}))
    return replies, len(sample.messages) + 4, warned


def _database_text(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        rows = [str(row) for table in ("turns", "feedback") for row in conn.execute(f"SELECT * FROM {table}")]  # noqa: S608
    return "\n".join(rows)


def probe(count: int, workdir: Path) -> ProbeResult:
    """Run the probe with ``count`` samples against a fresh server writing into ``workdir``."""
    port = free_port()
    db, log_path = workdir / "analytics.sqlite3", workdir / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    env.update({"FAQBOT_SECRET": secrets.token_urlsafe(32), "FAQBOT_ANALYTICS_DB": str(db), "FAQBOT_RATE_LIMIT": "0",
                "FAQBOT_ALLOW_CLIENT_TODAY": "1"})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(FAQBOT), "serve", "--host", LOOPBACK, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://{LOOPBACK}:{port}"
    cases = samples(count)
    replies: list[str] = []
    requests, unwarned = 0, []
    try:
        wait_until_healthy(base, process, timeout=60, log=log_path)
        for sample in cases:
            got, sent, warned = _send(base, sample)
            replies += got
            requests += sent
            if sample.card and not warned:
                unwarned.append(sample.messages)
    finally:
        process.terminate()
        process.wait(timeout=30)
    # The access log quotes request lines percent-encoded: decoded, or a full-width number would hide.
    log_text = urllib.parse.unquote(log_path.read_text("utf-8", "replace"))
    places = {"API replies": "\n".join(replies), "server log": log_text, "database": _database_text(db)}
    leaks = [f"{s.secret!r} in the {place}" for s in cases for place, text in places.items() if leaked(s.secret, text)]
    leaked_bytes = sum(len(s.secret.encode()) for s in cases for text in places.values() if leaked(s.secret, text))
    return ProbeResult(
        samples=len(cases), messages=sum(len(s.messages) for s in cases), requests=requests,
        formats=len(SEPARATORS) * 2 * len(GROUPINGS), leaks=leaks, unwarned=unwarned, leaked_bytes=leaked_bytes,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = probe(args.samples, Path(tmp))
    print(f"card formats (separators × widths × groupings): {result.formats}")
    print(f"samples: {result.samples} (whole cards, split cards, e-mails, phones, a quarter each)")
    print(f"chat messages sent: {result.messages}; requests carrying personal data: {result.requests}")
    print(f"leaks found: {len(result.leaks)} ({result.leaked_bytes} bytes)")
    print(f"card conversations without the warning: {len(result.unwarned)}")
    for line in result.leaks[:10]:
        print("  leak:", line)
    return 0 if not result.leaks and not result.unwarned else 1


if __name__ == "__main__":
    sys.exit(main())
