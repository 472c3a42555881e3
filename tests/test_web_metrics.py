"""Metrics, request ids and the JSON access log: in process, and across two real workers."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.dialogue import initial_state, step
from faqbot.dialogue.reply import HANDOFF_ASKED, Handoff
from faqbot.web import WebConfig, create_app
from faqbot.web.api import _count_turn
from faqbot.web.localserver import free_port, wait_until_healthy

SECRET = "metrics-secret-" + "m" * 40
FAQBOT = Path(sys.executable).parent / "faqbot"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine))


def value(name: str, **labels: str) -> float:
    """The current value of one sample in this process's registry (0 when absent)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_conversation_moves_the_counters(client: TestClient) -> None:
    before = {
        "chat": value("faqbot_http_requests_total", route="/api/v1/chat", method="POST", status="200"),
        "answer": value("faqbot_turns_total", decision="answer"),
        "fallback": value("faqbot_turns_total", decision="fallback"),
        "down": value("faqbot_feedback_total", helpful="false"),
        "faq": value("faqbot_http_requests_total", route="/api/v1/faq/{entry_id}", method="GET", status="404"),
        "latency": value("faqbot_http_request_duration_seconds_count", route="/api/v1/chat", method="POST"),
    }
    reply = client.post("/api/v1/chat", json={"message": "解約したい", "today": "2026-11-26"}).json()
    client.post("/api/v1/chat", json={"message": "ポイントで払えますか", "today": "2026-11-26"})
    client.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": False, "turn": reply["turn"]})
    client.get("/api/v1/faq/no-such-entry")
    client.get("/no/such/page")
    assert value("faqbot_http_requests_total", route="/api/v1/chat", method="POST", status="200") == before["chat"] + 2
    assert value("faqbot_turns_total", decision="answer") == before["answer"] + 1
    assert value("faqbot_turns_total", decision="fallback") == before["fallback"] + 1
    assert value("faqbot_feedback_total", helpful="false") == before["down"] + 1
    assert value("faqbot_http_requests_total", route="/api/v1/faq/{entry_id}", method="GET", status="404") == before["faq"] + 1
    assert value("faqbot_http_request_duration_seconds_count", route="/api/v1/chat", method="POST") == before["latency"] + 2
    # A made-up path is counted under one label, not a series of its own.
    assert value("faqbot_http_requests_total", route="unmatched", method="GET", status="404") >= 1
    assert REGISTRY.get_sample_value("faqbot_http_requests_total", {"route": "/no/such/page", "method": "GET", "status": "404"}) is None


def test_rate_limited_requests_are_counted(engine: Engine) -> None:
    limited = TestClient(create_app(WebConfig(secret=SECRET, rate_limit=1, rate_burst=1), engine))
    before = value("faqbot_rate_limited_requests_total")
    statuses = [limited.get("/api/v1/faq").status_code for _ in range(3)]
    assert statuses.count(429) == 2
    assert value("faqbot_rate_limited_requests_total") == before + 2


def test_handoffs_are_counted_by_reason(client: TestClient, engine: Engine) -> None:
    reply, _ = step(engine, initial_state(), "解約したい", date(2026, 11, 26))
    before = value("faqbot_handoffs_total", reason=HANDOFF_ASKED)
    _count_turn(replace(reply, handoff=Handoff(HANDOFF_ASKED, "サポートセンター", "解約したい")))
    _count_turn(reply)
    assert value("faqbot_handoffs_total", reason=HANDOFF_ASKED) == before + 1


def test_the_knowledge_base_version_is_exported(client: TestClient, engine: Engine) -> None:
    kb = engine.kb
    assert value("faqbot_kb_info", kb_hash=kb.content_hash, entries=str(len(kb.entries))) == 1
    assert value("faqbot_kb_loads_total") >= 1


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("abc-123_X.y", True), ("a" * 64, True), ("a" * 65, False), ("bad id", False), ("<script>", False), ("", False)],
)
def test_the_request_id_is_echoed_when_sane(client: TestClient, sent: str, kept: bool) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    echoed = response.headers["X-Request-ID"]
    assert (echoed == sent) is kept
    assert 1 <= len(echoed) <= 64


def test_every_response_has_a_new_request_id(client: TestClient) -> None:
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    ids.add(client.get("/nowhere").headers["X-Request-ID"])
    assert len(ids) == 4


def test_one_masked_json_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="faqbot.access"):
        response = client.get("/api/v1/search", params={"q": "4111 1111 1111 1111 taro@example.com", "top": "2"},
                              headers={"X-Request-ID": "trace-1"})
    lines = [r.getMessage() for r in caplog.records if r.name == "faqbot.access"]
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert (line["request_id"], line["method"], line["route"], line["status"]) == ("trace-1", "GET", "/api/v1/search", 200)
    assert response.headers["X-Request-ID"] == "trace-1"
    assert line["duration_ms"] >= 0
    assert "1111" not in lines[0] and "example.com" not in lines[0]


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def wait_for(url: str, key: tuple[str, tuple[tuple[str, str], ...]], expected: float, timeout: float = 60) -> float:
    """The sample ``key`` once it reaches ``expected`` (or its value at the timeout)."""
    deadline = time.monotonic() + timeout
    while (value := scrape(url).get(key, 0.0)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def test_two_workers_add_up(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "PROMETHEUS_")) or k.startswith("FAQBOT_CACHE")}
    env.update(FAQBOT_ANALYTICS="off", FAQBOT_RATE_LIMIT="0", FAQBOT_SECRET=SECRET, FAQBOT_ALLOW_CLIENT_TODAY="1",
               FAQBOT_METRICS_PORT=str(metrics_port), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "samples"))
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "counter_1.db").write_bytes(b"stale")  # a previous run's file is cleared
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(FAQBOT), "serve", "--port", str(port), "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, timeout=60, log=log)
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        # The supervisor loads the knowledge base once; the forked workers share it.
        assert wait_for(metrics_url, ("faqbot_kb_loads_total", ()), 1) == 1
        body = json.dumps({"message": "解約したい", "today": "2026-11-26"}).encode()

        def ask(_: int) -> int:
            req = urllib.request.Request(base + "/api/v1/chat", data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as response:  # a new connection each: both workers serve
                return response.status

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(ask, range(40))) == [200] * 40
        chat = (("method", "POST"), ("route", "/api/v1/chat"), ("status", "200"))
        # A request is counted just after its last byte is sent: give the last ones a moment.
        assert wait_for(metrics_url, ("faqbot_http_requests_total", chat), 40) == 40
        samples = scrape(metrics_url)
        assert samples[("faqbot_turns_total", (("decision", "answer"),))] == 40
        assert samples[("faqbot_kb_loads_total", ())] == 1
        # The sum spans both workers: each wrote its own counter file (SO_REUSEPORT spreads 40 connections).
        writers = {f.stem.rsplit("_", 1)[1] for f in (tmp_path / "samples").glob("counter_*.db")}
        assert len(writers) >= 3, writers  # the supervisor (its load) and both workers (their requests)
        assert not (tmp_path / "samples" / "counter_1.db").exists()  # the earlier run's samples were not added in
        # The public port does not serve them.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/metrics", timeout=10)
        assert refused.value.code == 404
        access = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        assert sum(1 for a in access if a["route"] == "/api/v1/chat") == 40
    finally:
        server.terminate()
        server.wait(timeout=30)
