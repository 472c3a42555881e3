"""The web edge under abuse: security headers, rate limit, timeout, signing secret, personal data.

Every refusal uses the API's one error shape; a card number sent in any field
never comes back in a response body, in the signed state, or in the logs.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer
from starlette.testclient import TestClient

import faqbot.web.api as web_api
from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.web import WebConfig, create_app
from faqbot.web.headers import CONTENT_SECURITY_POLICY
from faqbot.web.limits import TokenBuckets
from faqbot.web.logmask import MaskPersonalData, mask_log_value

SECRET = "hardening-secret-" + "h" * 40
TODAY = "2026-11-26"
CARDS = ["4111 1111 1111 1111", "4111-1111-1111-1111", "４１１１ １１１１ １１１１ １１１１", "5555555555554444", "378282246310005"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine), raise_server_exceptions=False)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    return body["error"]


def assert_security_headers(response: Any) -> None:
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def _digits(text: str) -> str:
    return "".join(ch for ch in text.translate(str.maketrans("０１２３４５６７８９", "0123456789")) if ch.isdigit())


# ---------------------------------------------------------------- security headers


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/", None, 200),
        ("GET", "/widget.js", None, 200),
        ("GET", "/widget.css", None, 200),
        ("GET", "/healthz", None, 200),
        ("GET", "/api/v1/faq", None, 200),
        ("POST", "/api/v1/chat", {"message": "解約したい", "today": TODAY}, 200),
        ("GET", "/nowhere", None, 404),
        ("DELETE", "/api/v1/chat", None, 405),
        ("POST", "/api/v1/chat", {"message": 1}, 422),
        ("POST", "/api/v1/chat", {"message": "x", "state": "forged"}, 400),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, body: Any, status: int
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status
    assert_security_headers(response)


def test_a_server_bug_still_carries_the_security_headers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(web_api, "step", broken)
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine), raise_server_exceptions=False)
    response = client.post("/api/v1/chat", json={"message": "解約したい"})
    assert_error(response, 500, "internal_error")
    assert_security_headers(response)


def test_the_policy_allows_only_this_servers_scripts_styles_and_api() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["default-src"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_the_demo_page_has_no_inline_script_or_style(client: TestClient) -> None:
    html = client.get("/").text
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in html.split("<script")[1:])


# ---------------------------------------------------------------- rate limit


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)  # one token a second
    assert buckets.take("b") == 0.0  # another client has its own bucket
    now[0] = 1.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    now[0] = 100.0
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]  # refilled up to the burst, not beyond
    assert buckets.take("a") > 0


def test_token_buckets_forget_the_oldest_clients_beyond_the_cap() -> None:
    buckets = TokenBuckets(per_minute=60, burst=1, clock=lambda: 0.0, max_clients=100)
    for i in range(1000):
        buckets.take(f"10.0.{i // 256}.{i % 256}")
    assert len(buckets) == 100


def test_a_client_over_the_limit_gets_429_with_retry_after(engine: Engine) -> None:
    app = create_app(WebConfig(secret=SECRET, allow_client_today=True, rate_limit=60, rate_burst=3), engine)
    noisy = TestClient(app, client=("203.0.113.7", 4000))
    other = TestClient(app, client=("203.0.113.8", 4000))
    for _ in range(3):
        assert noisy.get("/api/v1/faq").status_code == 200
    response = noisy.post("/api/v1/chat", json={"message": "解約したい"})
    assert_error(response, 429, "rate_limited")
    assert response.headers["retry-after"] == "1"
    assert_security_headers(response)
    assert other.get("/api/v1/faq").status_code == 200  # per client address
    # The page, the widget and the health check are not API calls: never limited.
    assert noisy.get("/").status_code == 200
    assert noisy.get("/widget.js").status_code == 200
    assert noisy.get("/healthz").status_code == 200


def test_the_server_defaults_limit_the_rate() -> None:
    config = WebConfig.from_env({"FAQBOT_SECRET": SECRET})
    assert (config.rate_limit, config.rate_burst, config.request_timeout) == (300, 60, 10.0)


def test_a_refused_cross_origin_client_can_still_read_the_429(engine: Engine) -> None:
    config = WebConfig(secret=SECRET, allow_client_today=True, rate_limit=60, rate_burst=1, cors_origins=("https://help.example.jp",))
    client = TestClient(create_app(config, engine), client=("198.51.100.1", 1))
    headers = {"Origin": "https://help.example.jp"}
    client.get("/api/v1/faq", headers=headers)
    response = client.get("/api/v1/faq", headers=headers)
    assert_error(response, 429, "rate_limited")
    assert response.headers["access-control-allow-origin"] == "https://help.example.jp"


# ---------------------------------------------------------------- timeout


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """The heap so far kept out of garbage collection while a deadline is timed.

    A served process freezes its start-up objects (:func:`faqbot.web.app.freeze_startup_objects`);
    late in the test session the heap holds every engine the suite built, and a full collection
    during the timed request once measured the collector, not the deadline (0.63 s in CI).
    """
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("frozen_heap")
def test_a_request_over_the_timeout_gets_503(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_step(*args: Any) -> Any:
        time.sleep(0.5)
        raise AssertionError("the timeout should have answered first")

    monkeypatch.setattr(web_api, "step", slow_step)
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True, request_timeout=0.1), engine), raise_server_exceptions=False)
    start = time.monotonic()
    response = client.post("/api/v1/chat", json={"message": "解約したい"})
    assert_error(response, 503, "timeout")
    assert response.headers["retry-after"] == "1"
    assert time.monotonic() - start < 0.45
    assert_security_headers(response)


@pytest.mark.usefixtures("frozen_heap")
def test_a_timed_out_turn_does_not_hold_up_the_next(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Turns run one at a time per worker; the stuck one gives its place back at the deadline.
    real_step = web_api.step

    def step_stuck_on_one_message(*args: Any) -> Any:
        if args[2] == "固まる質問":
            time.sleep(1.5)
        return real_step(*args)

    monkeypatch.setattr(web_api, "step", step_stuck_on_one_message)
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True, request_timeout=0.3), engine), raise_server_exceptions=False)
    assert_error(client.post("/api/v1/chat", json={"message": "固まる質問"}), 503, "timeout")
    start = time.monotonic()
    response = client.post("/api/v1/chat", json={"message": "解約したい"})
    assert response.status_code == 200 and response.json()["reply"]["intent"] == "cancel-howto"
    assert time.monotonic() - start < 1.0  # did not wait for the stuck turn's thread


def test_turns_of_one_worker_run_one_at_a_time(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    running: list[int] = []
    most = 0
    real_step = web_api.step

    def counting_step(*args: Any) -> Any:
        nonlocal most
        running.append(1)
        most = max(most, len(running))
        time.sleep(0.05)  # long enough for the other requests to arrive meanwhile
        running.pop()
        return real_step(*args)

    monkeypatch.setattr(web_api, "step", counting_step)
    app = create_app(WebConfig(secret=SECRET, allow_client_today=True), engine)

    async def three_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            replies = await asyncio.gather(
                *(http.post("/api/v1/chat", json={"message": m}) for m in ("解約したい", "請求日はいつ", "支払い方法"))
            )
        return [r.status_code for r in replies]

    assert asyncio.run(three_at_once()) == [200, 200, 200]
    assert most == 1


def test_a_body_that_never_finishes_arriving_times_out(engine: Engine) -> None:
    """A slow-loris upload: the body's first bytes arrive, the rest never does."""
    app = create_app(WebConfig(secret=SECRET, allow_client_today=True, request_timeout=0.2), engine)
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": b'{"message": "', "more_body": True}]

    async def receive() -> dict[str, Any]:
        if chunks:
            return chunks.pop()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/chat", "raw_path": b"/api/v1/chat", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": ("192.0.2.1", 1), "server": ("testserver", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["error"]["code"] == "timeout"


# ---------------------------------------------------------------- signing secret


def test_the_secret_comes_from_the_environment_and_is_shared_by_workers(engine: Engine) -> None:
    env = {"FAQBOT_SECRET": SECRET}
    first = TestClient(create_app(WebConfig.from_env(env), engine))
    second = TestClient(create_app(WebConfig.from_env(env), engine))  # another worker, same setting
    state = first.post("/api/v1/chat", json={"message": "次の請求日はいつですか？"}).json()["state"]
    response = second.post("/api/v1/chat", json={"message": "モバイル", "state": state})
    assert response.status_code == 200, response.text
    stranger = TestClient(create_app(WebConfig.from_env({"FAQBOT_SECRET": "another-" + "x" * 40}), engine))
    assert_error(stranger.post("/api/v1/chat", json={"message": "モバイル", "state": state}), 400, "invalid_state")


# ---------------------------------------------------------------- personal data


def _decoded_state(token: str) -> str:
    payload = URLSafeTimedSerializer(SECRET, salt="faqbot.dialogue-state.v1").loads(token)
    return json.dumps(payload, ensure_ascii=False)


@pytest.mark.parametrize("card", CARDS)
@pytest.mark.parametrize("template", ["{card}", "カード番号は{card}です。解約したい", "{card}\n次の請求日はいつ？"])
def test_a_card_number_never_comes_back_from_chat(client: TestClient, card: str, template: str) -> None:
    response = client.post("/api/v1/chat", json={"message": template.format(card=card), "today": TODAY})
    assert response.status_code == 200
    data = response.json()
    assert "カード情報はチャットに入力しないでください" in data["reply"]["text"]
    assert "トレンドマイクロアカウント" in [link["title"] for link in data["reply"]["links"]]
    digits = _digits(card)
    assert digits not in _digits(response.text)
    assert card not in response.text
    assert digits not in _digits(_decoded_state(data["state"]))


def test_a_card_number_mid_form_keeps_the_form_and_leaves_no_trace(client: TestClient) -> None:
    state = client.post("/api/v1/chat", json={"message": "次の請求日はいつですか？", "today": TODAY}).json()["state"]
    data = client.post("/api/v1/chat", json={"message": "4111 1111 1111 1111", "state": state, "today": TODAY}).json()
    assert data["reply"]["kind"] == "privacy"
    assert "4111111111111111" not in _digits(_decoded_state(data["state"]))
    assert json.loads(_decoded_state(data["state"]))["state"]["form"] == "next-billing-date"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/search?q=4111%201111%201111%201111", None),
        ("GET", "/api/v1/faq/4111111111111111", None),
        ("POST", "/api/v1/chat", {"message": "解約", "today": "4111 1111 1111 1111"}),
        ("POST", "/api/v1/billing", {"product": "4111111111111111", "plan": "annual", "expiry": "2027-03-31"}),
        ("POST", "/api/v1/chat", {"message": "解約", "4111 1111 1111 1111": 1}),
    ],
)
def test_a_card_number_in_any_field_is_not_echoed(client: TestClient, method: str, path: str, body: Any) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code < 500
    assert "4111111111111111" not in _digits(response.text)


def test_access_log_lines_are_masked() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/search?q=%EF%BC%94111%201111-1111%201111&top=3", "1.1", 200), None,
    )
    assert MaskPersonalData().filter(record)
    line = record.getMessage()
    assert "1111" not in line and "[カード番号]" in line
    assert mask_log_value("/api/v1/search?q=解約") == "/api/v1/search?q=解約"
    assert mask_log_value(200) == 200


def test_the_apps_loggers_mask_what_they_log(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("uvicorn.access").info('%s - "%s %s"', "127.0.0.1", "GET", "/api/v1/search?q=4111+1111+1111+1111")
        logging.getLogger("faqbot.web").info("message was %s", "4111-1111-1111-1111")
    assert "1111" not in caplog.text


# ---------------------------------------------------------------- found by the schema fuzzer


def test_an_empty_top_is_refused_like_any_other_non_number(client: TestClient) -> None:
    assert_error(client.get("/api/v1/search?q=解約&top="), 422, "invalid_type")


def test_a_null_today_means_the_servers_date_as_documented(client: TestClient) -> None:
    assert client.post("/api/v1/chat", json={"message": "解約したい", "today": None}).status_code == 200
