"""API v1 through Starlette's test client: every endpoint, and every kind of bad input.

Bad input must always produce a 4xx with the one error shape
``{"error": {"status", "code", "message"}}`` — never a 500 or a traceback.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.testclient import TestClient

import faqbot.web.api as web_api
from faqbot.analytics import Recorder
from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.cli import main
from faqbot.dialogue import DialogueState, initial_state
from faqbot.web import WebConfig, create_app
from faqbot.web.app import app_from_env
from faqbot.web.signing import StateSigner, TurnSigner

SECRET = "test-secret-" + "s" * 40
TURN = TurnSigner(SECRET).issue()  # a turn this server issued, for votes that fail for another reason


def new_turn() -> str:
    """A turn id as a chat reply would issue it: one vote each counts."""
    return TurnSigner(SECRET).issue()

TODAY = "2026-11-26"


@pytest.fixture(scope="module")
def config() -> WebConfig:
    return WebConfig(secret=SECRET, allow_client_today=True, max_message_chars=50, max_body_bytes=2048)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The shipped knowledge base's engine (through the on-disk cache: fast after the first run)."""
    return load_engine()


@pytest.fixture(scope="module")
def client(engine: Engine, config: WebConfig) -> TestClient:
    # raise_server_exceptions=False: a 500 must show up as a response, so the tests can refuse it.
    return TestClient(create_app(config, engine), raise_server_exceptions=False)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the error shape with ``status`` and ``code``; returns the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message"}
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in response.text
    return error


def chat(client: TestClient, message: str, state: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "today": TODAY}
    if state is not None:
        body["state"] = state
    response = client.post("/api/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- happy paths


def test_chat_answers_and_returns_a_signed_state(client: TestClient) -> None:
    data = chat(client, "解約したい")
    assert set(data) == {"reply", "state", "turn"}
    reply = data["reply"]
    assert set(reply) == {"text", "html", "intent", "decision", "confidence", "kind", "choices", "links", "facts", "handoff", "lang"}
    assert reply["intent"] == "cancel-howto"
    assert "解約" in reply["text"]
    assert "解約" in reply["html"]
    assert isinstance(data["state"], str) and len(data["state"]) > 20


def test_chat_state_round_trips(client: TestClient) -> None:
    first = chat(client, "こんにちは")
    second = chat(client, "解約したい", first["state"])
    assert second["reply"]["intent"] == "cancel-howto"


def test_chat_without_today_uses_the_server_date(client: TestClient) -> None:
    response = client.post("/api/v1/chat", json={"message": "解約したい"})
    assert response.status_code == 200


def test_chat_escapes_markup_in_html_and_keeps_text_verbatim(client: TestClient) -> None:
    payload = "<img src=x onerror=alert(1)>"
    reply = chat(client, payload)["reply"]
    assert "<img" not in reply["html"]


def test_state_from_another_worker_with_the_same_secret_is_accepted(engine: Engine, config: WebConfig) -> None:
    one = TestClient(create_app(config, engine))
    other = TestClient(create_app(config, engine))
    state = chat(one, "こんにちは")["state"]
    assert chat(other, "解約したい", state)["reply"]["intent"] == "cancel-howto"


def test_state_signed_with_another_secret_is_refused(engine: Engine, client: TestClient) -> None:
    stranger = TestClient(create_app(WebConfig(secret="another-secret-" + "x" * 40, allow_client_today=True), engine))
    state = chat(stranger, "こんにちは")["state"]
    response = client.post("/api/v1/chat", json={"message": "解約したい", "state": state})
    assert_error(response, 400, "invalid_state")


def test_expired_state_is_refused(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True, state_max_age=60), engine))
    with monkeypatch.context() as m:
        # Sign the state two minutes in the past; it is then older than max_age.
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 120)
        state = chat(app, "こんにちは")["state"]
    response = app.post("/api/v1/chat", json={"message": "解約したい", "state": state})
    assert_error(response, 400, "state_expired")


def test_search_ranks_entries(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "解約したい", "top": "3"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "解約したい"
    assert len(data["results"]) == 3
    first = data["results"][0]
    assert first["id"] == "cancel-howto"
    assert set(first) == {"id", "kind", "category", "question", "matched_question", "confidence"}
    confidences = [r["confidence"] for r in data["results"]]
    assert confidences == sorted(confidences, reverse=True)


def test_search_defaults_to_five_results(client: TestClient) -> None:
    assert len(client.get("/api/v1/search", params={"q": "請求"}).json()["results"]) == 5


def test_faq_lists_every_entry(client: TestClient, engine: Engine) -> None:
    entries = client.get("/api/v1/faq").json()["entries"]
    assert [e["id"] for e in entries] == [e.id for e in engine.kb.entries]
    assert {"id": "cancel-howto", "kind": "faq", "category": "あんしん自動更新の解約について",
            "question": "あんしん自動更新を解約（停止）したい"} in entries


def test_faq_entry_renders_the_answer(client: TestClient) -> None:
    data = client.get("/api/v1/faq/cancel-howto").json()
    assert data["id"] == "cancel-howto"
    assert data["product"] is None
    assert "あんしん自動更新をやめたい" in data["alternates"]
    assert "サポートページ" in data["answer"]
    assert isinstance(data["pages"], list)
    assert "<" not in data["answer"]


def test_faq_entry_for_a_product(client: TestClient) -> None:
    data = client.get("/api/v1/faq/cancel-howto", params={"product": "mobile"}).json()
    assert data["product"] == "mobile"


def test_billing_computes_the_contract_dates(client: TestClient) -> None:
    body = {"product": "mobile", "plan": "monthly", "expiry": "2027-03-31", "today": TODAY}
    data = client.post("/api/v1/billing", json=body).json()
    assert data["product"] == "mobile"
    assert data["plan"] == "monthly"
    assert data["expiry"] == "2027-03-31"
    assert data["billing_date"] == "2027-03-31"
    assert data["notice_date"] == "2027-02-28"
    assert data["approximate"] is True


@pytest.mark.parametrize(
    ("expiry", "code", "message"),
    [
        # Beyond the schema's dates: the range the field states (was "must be at most None").
        ("9999-12-31", "out_of_range", "The field 'expiry' must lie between 1900-01-01 and 2999-12-31, not 9999-12-31."),
        # English, as every API message is (it was Japanese).
        ("2020-01-31", "expiry_in_past", "The expiry 2020-01-31 is before today (2026-11-26); look up the current expiry"),
    ],
)
def test_billing_says_which_dates_it_takes(client: TestClient, expiry: str, code: str, message: str) -> None:
    body = {"product": "mobile", "plan": "annual", "expiry": expiry, "today": TODAY}
    error = assert_error(client.post("/api/v1/billing", json=body), 422, code)
    assert error["message"].startswith(message), error["message"]


def test_json_nested_too_deeply_is_named_as_such(client: TestClient, config: WebConfig) -> None:
    # Valid JSON that the parser cannot descend (RecursionError), within the size limit: not "invalid UTF-8 JSON".
    depth = min(100_000, config.max_body_bytes // 2 - 20)
    body = ('{"message": ' + "[" * depth + "]" * depth + "}").encode()
    error = assert_error(client.post("/api/v1/chat", content=body, headers={"content-type": "application/json"}), 400,
                         "invalid_json")
    assert error["message"] == "The request body is JSON nested too deeply; send a flat JSON object."


def test_healthz(client: TestClient, engine: Engine) -> None:
    data = client.get("/healthz").json()
    assert data == {"status": "ok", "entries": len(engine.kb.entries), "kb_hash": engine.kb.content_hash}


def test_demo_page_embeds_the_widget_with_one_tag(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js" defer></script>' in response.text  # the server it came from is the endpoint
    assert "<style" not in response.text and "onclick" not in response.text  # CSP-friendly: nothing inline


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/widget.js", "text/javascript"), ("/widget.css", "text/css"), ("/demo.css", "text/css")],
)
def test_static_files_are_served_with_an_etag(client: TestClient, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_widget_never_uses_innerhtml(client: TestClient) -> None:
    script = client.get("/widget.js").text
    assert "innerHTML" not in script.replace("never innerHTML", "")
    assert "insertAdjacentHTML" not in script and "document.write" not in script


# ---------------------------------------------------------------- bad input

LONG = "あ" * 51  # the module config allows 50 characters
STATE_ERR = "invalid_state"

# (method, path, JSON body or raw bytes, headers, status, code)
BAD_REQUESTS: list[tuple[str, str, Any, dict[str, str], int, str]] = [
    ("POST", "/api/v1/chat", b"{not json", {}, 400, "invalid_json"),
    ("POST", "/api/v1/chat", b"", {}, 400, "invalid_json"),
    ("POST", "/api/v1/chat", b"\xff\xfe", {}, 400, "invalid_json"),
    ("POST", "/api/v1/chat", b'{"message": NaN}', {}, 400, "invalid_json"),
    ("POST", "/api/v1/chat", b"[" * 5000 + b"]" * 5000, {"content-type": "application/json"}, 413, "body_too_large"),
    ("POST", "/api/v1/chat", b'{"message": "hi"}', {"content-type": "text/plain"}, 415, "unsupported_media_type"),
    ("POST", "/api/v1/chat", [1, 2], {}, 422, "invalid_body"),
    ("POST", "/api/v1/chat", "hello", {}, 422, "invalid_body"),
    ("POST", "/api/v1/chat", None, {}, 422, "invalid_body"),
    ("POST", "/api/v1/chat", {}, {}, 422, "missing_field"),
    ("POST", "/api/v1/chat", {"state": None}, {}, 422, "missing_field"),
    ("POST", "/api/v1/chat", {"message": None}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": 42}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": True}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": ["解約"]}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": {"text": "解約"}}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": "   "}, {}, 422, "empty_field"),
    ("POST", "/api/v1/chat", {"message": LONG}, {}, 422, "too_long"),
    ("POST", "/api/v1/chat", b'{"message": "\\ud800"}', {}, 422, "invalid_text"),
    ("POST", "/api/v1/chat", {"message": "hi", "extra": 1}, {}, 422, "unknown_field"),
    ("POST", "/api/v1/chat", {"message": "hi", "today": "2026-02-30"}, {}, 422, "invalid_date"),
    ("POST", "/api/v1/chat", {"message": "hi", "today": "tomorrow"}, {}, 422, "invalid_date"),
    ("POST", "/api/v1/chat", {"message": "hi", "today": 20261126}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": "hi", "state": 12}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": "hi", "state": {"form": None}}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/chat", {"message": "hi", "state": "garbage"}, {}, 400, STATE_ERR),
    ("POST", "/api/v1/chat", {"message": "hi", "state": ""}, {}, 400, STATE_ERR),
    ("POST", "/api/v1/chat", {"message": "hi", "state": "x" * 1500}, {}, 400, STATE_ERR),
    ("GET", "/api/v1/search", None, {}, 422, "missing_field"),
    ("GET", "/api/v1/search?q=", None, {}, 422, "empty_field"),
    ("GET", "/api/v1/search?q=" + "a" * 51, None, {}, 422, "too_long"),
    ("GET", "/api/v1/search?q=a&top=abc", None, {}, 422, "invalid_type"),
    ("GET", "/api/v1/search?q=a&top=1.5", None, {}, 422, "invalid_type"),
    ("GET", "/api/v1/search?q=a&top=%EF%BC%93", None, {}, 422, "invalid_type"),  # full-width ３
    ("GET", "/api/v1/search?q=a&top=0", None, {}, 422, "out_of_range"),
    ("GET", "/api/v1/search?q=a&top=21", None, {}, 422, "out_of_range"),
    ("GET", "/api/v1/search?q=a&top=-1", None, {}, 422, "out_of_range"),
    ("GET", "/api/v1/faq/no-such-entry", None, {}, 404, "unknown_entry"),
    ("GET", "/api/v1/faq/" + "a" * 101, None, {}, 422, "too_long"),
    ("GET", "/api/v1/faq/cancel-howto?product=no-such-product", None, {}, 422, "unknown_product"),
    ("POST", "/api/v1/billing", {}, {}, 422, "missing_field"),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "monthly"}, {}, 422, "missing_field"),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "monthly", "expiry": None}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/billing", {"product": 1, "plan": "monthly", "expiry": "2027-03-31"}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "monthly", "expiry": "2027-3-31x"}, {}, 422, "invalid_date"),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "monthly", "expiry": "2027-02-29"}, {}, 422, "invalid_date"),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "annual", "expiry": "9999-12-31"}, {}, 422, "out_of_range"),
    (
        "POST", "/api/v1/billing",
        {"product": "mobile", "plan": "annual", "expiry": "2027-03-31", "today": "0001-01-01"}, {}, 422, "out_of_range",
    ),
    ("POST", "/api/v1/chat", {"message": "hi", "today": "9999-12-31"}, {}, 422, "out_of_range"),
    ("POST", "/api/v1/billing", {"product": "nope", "plan": "monthly", "expiry": "2027-03-31"}, {}, 422, "unknown_product"),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "weekly", "expiry": "2027-03-31"}, {}, 422, "unknown_plan"),
    (
        "POST", "/api/v1/billing",
        {"product": "mobile", "plan": "monthly", "expiry": "2020-01-31", "today": TODAY}, {}, 422, "expiry_in_past",
    ),
    ("POST", "/api/v1/billing", {"product": "mobile", "plan": "monthly", "expiry": "2027-03-31", "x": 1}, {}, 422, "unknown_field"),
    ("POST", "/api/v1/feedback", {}, {}, 422, "missing_field"),
    ("POST", "/api/v1/feedback", {"helpful": False}, {}, 422, "missing_field"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto"}, {}, 422, "missing_field"),
    ("POST", "/api/v1/feedback", {"intent": "no-such-entry", "turn": TURN, "helpful": False}, {}, 422, "unknown_entry"),
    ("POST", "/api/v1/feedback", {"intent": "fallback", "turn": TURN, "helpful": False}, {}, 422, "unknown_entry"),
    ("POST", "/api/v1/feedback", {"intent": 7, "turn": TURN, "helpful": False}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/feedback", {"intent": "", "turn": TURN, "helpful": False}, {}, 422, "empty_field"),
    ("POST", "/api/v1/feedback", {"intent": "a" * 101, "turn": TURN, "helpful": False}, {}, 422, "too_long"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": None}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": "false"}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": 0}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": True, "message": LONG}, {}, 422, "too_long"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": True, "message": 5}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/feedback", b'{"intent": "cancel-howto", "helpful": true, "message": "\\udc00", "turn": "' + TURN.encode() + b'"}', {}, 422, "invalid_text"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": True, "product": "nope"}, {}, 422, "unknown_product"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": True, "product": ["mobile"]}, {}, 422, "invalid_type"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "turn": TURN, "helpful": True, "stars": 5}, {}, 422, "unknown_field"),
    ("POST", "/api/v1/feedback", [{"intent": "cancel-howto", "helpful": True}], {}, 422, "invalid_body"),
    ("POST", "/api/v1/feedback", b"{oops", {}, 400, "invalid_json"),
    ("POST", "/api/v1/feedback", b'{"intent": "cancel-howto", "helpful": true}', {"content-type": "text/plain"}, 415, "unsupported_media_type"),
    ("POST", "/api/v1/feedback", b"[" * 3000, {"content-type": "application/json"}, 413, "body_too_large"),
    ("GET", "/api/v1/feedback", None, {}, 405, "method_not_allowed"),
    ("GET", "/api/v2/chat", None, {}, 404, "not_found"),
    ("GET", "/nowhere", None, {}, 404, "not_found"),
    ("GET", "/widget.jsx", None, {}, 404, "not_found"),
    ("GET", "/api/v1/chat", None, {}, 405, "method_not_allowed"),
    ("PUT", "/api/v1/billing", {"product": "mobile"}, {}, 405, "method_not_allowed"),
    ("DELETE", "/api/v1/faq", None, {}, 405, "method_not_allowed"),
    ("POST", "/healthz", {}, {}, 405, "method_not_allowed"),
    ("OPTIONS", "/api/v1/chat", None, {"origin": "https://evil.example", "access-control-request-method": "POST"}, 400, "cors_refused"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    BAD_REQUESTS,
    ids=[f"{m} {p[:40]} {c}" for m, p, _, _, _, c in BAD_REQUESTS],
)
def test_bad_input_gets_a_4xx_error_shape(
    client: TestClient, method: str, path: str, body: Any, headers: dict[str, str], status: int, code: str
) -> None:
    if isinstance(body, bytes):
        headers = {"content-type": "application/json", **headers}
        response = client.request(method, path, content=body, headers=headers)
    elif body is None and method in ("GET", "DELETE", "OPTIONS"):
        response = client.request(method, path, headers=headers)
    else:
        response = client.request(method, path, content=json.dumps(body).encode(), headers={"content-type": "application/json", **headers})
    assert_error(response, status, code)


def test_405_names_the_allowed_methods(client: TestClient) -> None:
    response = client.get("/api/v1/chat")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


def test_oversized_body_is_refused_from_its_content_length(client: TestClient) -> None:
    response = client.post("/api/v1/chat", content=b"x" * 5000, headers={"content-type": "application/json"})
    assert_error(response, 413, "body_too_large")


def test_oversized_chunked_body_is_refused_while_streaming(client: TestClient) -> None:
    def chunks():  # no Content-Length: the server must count as it reads
        for _ in range(10):
            yield b" " * 500

    response = client.post("/api/v1/chat", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413, "body_too_large")


# Not -1: the last base64 character of the signature also carries padding bits,
# so some changes to it decode to the same bytes (that is base64, not a forgery).
@pytest.mark.parametrize("position", [0, 10, 40, -5, -2])
def test_a_state_altered_anywhere_is_refused(client: TestClient, position: int) -> None:
    state = chat(client, "こんにちは")["state"]
    flipped = "A" if state[position] != "A" else "B"
    forged = state[:position] + flipped + state[position + 1 :]
    response = client.post("/api/v1/chat", json={"message": "解約したい", "state": forged})
    assert_error(response, 400, "invalid_state")


def test_a_state_from_another_knowledge_base_is_refused(engine: Engine) -> None:
    # Same secret, other knowledge-base version (e.g. signed before a deploy): its ids may be gone.
    old = StateSigner(SECRET, "another-kb-hash", 3600).dumps(initial_state())
    response = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine)).post(
        "/api/v1/chat", json={"message": "解約したい", "state": old}
    )
    assert_error(response, 400, "state_expired")


def test_a_compressed_state_token_from_before_still_continues_the_conversation(engine: Engine) -> None:
    # Tokens were zlib-compressed (itsdangerous' default) until the signer stopped trying;
    # one issued then must still verify, as long as it is in date and for this knowledge base.
    state = DialogueState(product="mobile", last="cancel-howto")
    payload = {"kb": engine.kb.content_hash, "state": state.to_json()}
    old = URLSafeTimedSerializer(SECRET, salt="faqbot.dialogue-state.v1").dumps(payload)
    assert old.startswith(".")  # compressed
    signer = StateSigner(SECRET, engine.kb.content_hash, 3600)
    assert signer.loads(old) == state
    assert not signer.dumps(state).startswith(".")  # new tokens are not compressed


def test_an_unexpected_bug_is_a_500_error_shape_without_details(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web_api, "step", broken)
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine), raise_server_exceptions=False)
    response = client.post("/api/v1/chat", json={"message": "hi"}, headers={"X-Request-ID": "bug-report-1"})
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in error["message"]
    assert response.headers["X-Request-ID"] == "bug-report-1"  # matches the logged traceback


# ---------------------------------------------------------------- CORS


def test_cors_is_same_origin_only_by_default(client: TestClient) -> None:
    response = client.post("/api/v1/chat", json={"message": "hi"}, headers={"origin": "https://help.example.jp"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_configured_origins(engine: Engine) -> None:
    config = WebConfig(secret=SECRET, allow_client_today=True, cors_origins=("https://help.example.jp",))
    client = TestClient(create_app(config, engine))
    preflight = client.options(
        "/api/v1/chat",
        headers={"origin": "https://help.example.jp", "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://help.example.jp"
    response = client.post("/api/v1/chat", json={"message": "hi"}, headers={"origin": "https://help.example.jp"})
    assert response.headers["access-control-allow-origin"] == "https://help.example.jp"


def _preflight(client: TestClient, origin: str, method: str = "POST", headers: str = "") -> Any:
    asked = {"origin": origin, "access-control-request-method": method}
    if headers:
        asked["access-control-request-headers"] = headers
    return client.options("/api/v1/chat", headers=asked)


def test_a_preflight_without_configured_origins_is_refused_naming_the_origin_and_the_setting(client: TestClient) -> None:
    # It was the router's 405 method_not_allowed, which says nothing of CORS.
    error = assert_error(_preflight(client, "https://help.example.jp"), 400, "cors_refused")
    assert "'https://help.example.jp'" in error["message"] and "FAQBOT_CORS_ORIGINS" in error["message"]


def test_cors_lets_a_cross_origin_caller_send_and_read_its_request_id(engine: Engine) -> None:
    config = WebConfig(secret=SECRET, allow_client_today=True, cors_origins=("https://help.example.jp",))
    client = TestClient(create_app(config, engine))
    preflight = _preflight(client, "https://help.example.jp", headers="content-type, x-request-id")
    assert preflight.status_code == 200
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
    response = client.post(
        "/api/v1/chat", json={"message": "hi"}, headers={"origin": "https://help.example.jp", "x-request-id": "trace-1"}
    )
    assert response.headers["x-request-id"] == "trace-1"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "retry-after"} <= exposed


@pytest.mark.parametrize(
    ("origin", "method", "headers", "named"),
    [
        ("https://evil.example", "POST", "", "'https://evil.example'"),
        ("https://help.example.jp", "PUT", "", "'PUT'"),
        ("https://help.example.jp", "POST", "content-type, x-secret", "'x-secret'"),
    ],
)
def test_cors_refuses_other_origins_with_the_error_shape(engine: Engine, origin: str, method: str, headers: str, named: str) -> None:
    config = WebConfig(secret=SECRET, allow_client_today=True, cors_origins=("https://help.example.jp",))
    client = TestClient(create_app(config, engine))
    error = assert_error(_preflight(client, origin, method, headers), 400, "cors_refused")
    assert named in error["message"]
    assert "Disallowed" not in error["message"]
    response = client.post("/api/v1/chat", json={"message": "hi"}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


# ---------------------------------------------------------------- analytics (issue 5)

CARD = "4111 1111 1111 1111"  # Luhn-valid test card number


def rows(db: Path, table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` in the analytics database, oldest first."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "analytics.sqlite3"


@pytest.fixture()
def recorded(engine: Engine, config: WebConfig, db: Path) -> TestClient:
    """A client whose app records into ``db``."""
    return TestClient(create_app(config, engine, recorder=Recorder(db)), raise_server_exceptions=False)


def test_chat_turns_are_recorded_with_their_outcome(recorded: TestClient, db: Path) -> None:
    chat(recorded, "モバイルの解約方法を教えて")
    chat(recorded, "ポイントで払えますか")
    chat(recorded, "変更したい")
    got = [(r["channel"], r["query"], r["intent"], r["fallback"], r["clarified"], r["product"]) for r in rows(db, "turns")]
    assert got == [
        ("web", "モバイルの解約方法を教えて", "cancel-howto", 0, 0, "mobile"),
        ("web", "ポイントで払えますか", "fallback", 1, 0, None),
        ("web", "変更したい", "change-card", 0, 1, None),
    ]
    first = rows(db, "turns")[0]
    assert 0 < first["confidence"] <= 1
    assert first["at"][:4].isdigit() and "T" in first["at"]


def test_recorded_turns_never_hold_card_numbers_or_addresses(recorded: TestClient, db: Path) -> None:
    chat(recorded, f"カード{CARD}とtaro@example.jpを変更したい")
    (row,) = rows(db, "turns")
    assert row["query"] == "カード[カード番号]と[メールアドレス]を変更したい"
    assert "4111" not in db.read_bytes().decode("latin-1")


def test_dialogue_turns_are_not_recorded(recorded: TestClient, db: Path) -> None:
    data = chat(recorded, "次回の請求日を知りたい")  # opens the billing form: recorded
    chat(recorded, "ウイルスバスター モバイル", data["state"])  # fills a slot: a dialogue turn, not a question
    assert [r["intent"] for r in rows(db, "turns")] == ["next-billing-date"]


def test_feedback_counts_once_per_turn_the_last_vote_wins(recorded: TestClient, db: Path) -> None:
    first, second = chat(recorded, "解約したい"), chat(recorded, "解約したい")
    votes = [(first["turn"], True), (first["turn"], False), (first["turn"], False), (second["turn"], True)]
    for turn, helpful in votes:
        response = recorded.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": helpful, "turn": turn})
        assert response.status_code == 200, response.text
    assert [(r["helpful"]) for r in rows(db, "feedback")] == [0, 1]


def test_feedback_must_rate_the_intent_its_turn_was_answered_with(recorded: TestClient, db: Path) -> None:
    turn = chat(recorded, "解約したい")["turn"]
    wrong = recorded.post("/api/v1/feedback", json={"intent": "change-card", "helpful": False, "turn": turn})
    error = assert_error(wrong, 422, "intent_mismatch")
    assert "'change-card'" in error["message"] and "'cancel-howto'" in error["message"]
    right = recorded.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": False, "turn": turn})
    assert right.status_code == 200, right.text
    assert [(r["intent"], r["helpful"]) for r in rows(db, "feedback")] == [("cancel-howto", 0)]


def test_a_turn_token_with_its_intent_altered_is_refused(recorded: TestClient) -> None:
    turn = chat(recorded, "解約したい")["turn"]
    forged = turn.replace(".cancel-howto.", ".change-card.")
    assert forged != turn
    response = recorded.post("/api/v1/feedback", json={"intent": "change-card", "helpful": False, "turn": forged})
    assert_error(response, 400, "invalid_turn")


def test_every_chat_response_names_a_new_turn(client: TestClient) -> None:
    turns = {chat(client, "解約したい")["turn"] for _ in range(3)}
    assert len(turns) == 3


OTHER_SERVERS_TURN = TurnSigner("another-secret-" + "a" * 40).issue()


@pytest.mark.parametrize(
    "turn",
    ["", "made-up", "x" * 200, OTHER_SERVERS_TURN, ("1" if TURN[0] == "0" else "0") + TURN[1:], TURN + "0", TURN.replace(".", ""), "é" + TURN[1:]],
    # Named, not shown: the signed turns are random, and test ids must be the same in every process.
    ids=["empty", "made-up", "too-long", "other-servers", "first-char-changed", "one-more-char", "no-dot", "non-ascii"],
)
def test_feedback_for_a_turn_this_server_did_not_issue_is_refused(recorded: TestClient, db: Path, turn: str) -> None:
    response = recorded.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": True, "turn": turn})
    assert_error(response, 400, "invalid_turn")
    assert not db.exists() or rows(db, "feedback") == []


def test_create_app_records_nothing_by_default(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setenv("FAQBOT_ANALYTICS_DB", str(tmp_path / "should-not-exist.sqlite3"))
    chat(client, "解約したい")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_recorder_never_fails_the_chat(engine: Engine, config: WebConfig, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    unwritable = Recorder(tmp_path / "a-file" / "analytics.sqlite3")  # its folder is a file
    client = TestClient(create_app(config, engine, recorder=unwritable), raise_server_exceptions=False)
    assert chat(client, "解約したい")["reply"]["intent"] == "cancel-howto"
    assert unwritable.last_error is not None
    response = client.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": False, "turn": TURN})
    assert response.status_code == 200


def test_a_switched_off_recorder_costs_no_thread(engine: Engine, config: WebConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    # FAQBOT_ANALYTICS=off gives a Recorder with no path: nothing to write, so no hand-off to a thread.
    def no_thread(*args: Any) -> None:
        raise AssertionError("a disabled recorder must not be called in a thread")

    monkeypatch.setattr(web_api, "run_in_threadpool", no_thread)
    client = TestClient(create_app(config, engine, recorder=Recorder(None)), raise_server_exceptions=False)
    assert chat(client, "解約したい")["reply"]["intent"] == "cancel-howto"
    response = client.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": True, "turn": TURN})
    assert response.status_code == 200


def test_a_recorder_bug_never_fails_the_chat(engine: Engine, config: WebConfig, db: Path) -> None:
    class Broken(Recorder):
        def record_turn(self, *args: Any, **kwargs: Any) -> bool:
            raise RuntimeError("bug")

    client = TestClient(create_app(config, engine, recorder=Broken(db)), raise_server_exceptions=False)
    assert chat(client, "解約したい")["reply"]["intent"] == "cancel-howto"


@pytest.fixture()
def unfreeze_after() -> Iterator[None]:
    """app_from_env freezes the process's objects, as a server should; give them back to the collector."""
    yield
    gc.unfreeze()


def test_app_from_env_keeps_the_loaded_engine_out_of_garbage_collection(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, unfreeze_after: None
) -> None:
    monkeypatch.setenv("FAQBOT_SECRET", SECRET)
    monkeypatch.setenv("FAQBOT_ANALYTICS", "off")
    monkeypatch.setattr("faqbot.web.app.load_engine", lambda kb_dir: engine)
    gc.unfreeze()
    app_from_env()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the engine's objects, not a handful
    assert not any(obj is engine for obj in gc.get_objects())  # no longer walked by collections


def test_app_from_env_records_where_the_environment_says(
    engine: Engine, db: Path, monkeypatch: pytest.MonkeyPatch, unfreeze_after: None
) -> None:
    monkeypatch.setenv("FAQBOT_SECRET", SECRET)
    monkeypatch.setenv("FAQBOT_ANALYTICS_DB", str(db))
    monkeypatch.setenv("FAQBOT_ALLOW_CLIENT_TODAY", "1")  # the helper sends a fixed today
    monkeypatch.setattr("faqbot.web.app.load_engine", lambda kb_dir: engine)
    chat(TestClient(app_from_env()), "解約したい")
    assert [r["intent"] for r in rows(db, "turns")] == ["cancel-howto"]
    monkeypatch.setenv("FAQBOT_ANALYTICS", "off")
    chat(TestClient(app_from_env()), "解約したい")
    assert len(rows(db, "turns")) == 1


def test_feedback_is_recorded_masked(recorded: TestClient, db: Path) -> None:
    response = recorded.post(
        "/api/v1/feedback",
        json={"intent": "cancel-howto", "helpful": False, "message": f"解約 {CARD} 090-1234-5678", "product": "mobile",
              "turn": new_turn()},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    recorded.post("/api/v1/feedback", json={"intent": "change-card", "helpful": True, "turn": new_turn()})
    got = [(r["channel"], r["intent"], r["helpful"], r["query"], r["product"]) for r in rows(db, "feedback")]
    assert got == [
        ("web", "cancel-howto", 0, "解約 [カード番号] [電話番号]", "mobile"),
        ("web", "change-card", 1, "", None),
    ]


def test_feedback_without_a_recorder_is_accepted(client: TestClient) -> None:
    body = {"intent": "cancel-howto", "helpful": True, "message": None, "product": None, "turn": TURN}
    response = client.post("/api/v1/feedback", json=body)
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_web_thumbs_down_shows_in_faqbot_report(recorded: TestClient, db: Path) -> None:
    for helpful in (False, False, True):
        recorded.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": helpful, "turn": new_turn()})
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["disliked"] == [{"intent": "cancel-howto", "down": 2, "up": 1}]


def test_a_production_server_refuses_a_clients_today(engine: Engine) -> None:
    # Only a test server (faqbot serve --allow-client-today) lets a request move "today".
    strict = TestClient(create_app(WebConfig(secret=SECRET), engine))
    for path, body in (
        ("/api/v1/chat", {"message": "解約したい", "today": TODAY}),
        ("/api/v1/billing", {"product": "mobile", "plan": "monthly", "expiry": "2099-03-31", "today": TODAY}),
    ):
        response = strict.post(path, json=body)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "today_not_allowed"
    assert strict.post("/api/v1/chat", json={"message": "解約したい"}).status_code == 200
    assert strict.post("/api/v1/chat", json={"message": "解約したい", "today": None}).status_code == 200


def test_chat_lang_fixes_the_reply_language(client: TestClient) -> None:
    # The widget sends data-faqbot-language; a Japanese message is then answered in English.
    response = client.post("/api/v1/chat", json={"message": "解約したい", "today": TODAY, "lang": "en"})
    reply = response.json()["reply"]
    assert (reply["lang"], reply["intent"]) == ("en", "cancel-howto")
    assert "please see the support page" in reply["text"]
    unfixed = client.post("/api/v1/chat", json={"message": "I want to cancel", "today": TODAY}).json()["reply"]
    assert unfixed["lang"] == "en"
    bad = client.post("/api/v1/chat", json={"message": "解約したい", "today": TODAY, "lang": "fr"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_lang"


def test_web_replies_never_mention_numbers_the_buttons_do_not_show(client: TestClient) -> None:
    # The hint that a number answers a choice belongs to the terminal; the widget's buttons have none.
    first = chat(client, "次回の請求日を知りたい")
    second = chat(client, "モバイル", first["state"])
    for reply in (first["reply"], second["reply"]):
        assert reply["choices"], reply
        assert "番号" not in reply["text"] and "番号" not in reply["html"], reply["text"]


def test_state_tokens_are_itsdangerous_tokens_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    # The signer made once, its key derived once, the MAC by hmac.digest: the very tokens of
    # itsdangerous' URL-safe timed serializer (without zlib), and those verify as ever.
    from itsdangerous import Serializer, URLSafeTimedSerializer
    from itsdangerous.encoding import base64_encode

    class Plain(URLSafeTimedSerializer):
        def dump_payload(self, obj: object) -> bytes:
            return base64_encode(Serializer.dump_payload(self, obj))

    signer = StateSigner(SECRET, "kb-hash", 3600)
    plain = Plain(SECRET, salt="faqbot.dialogue-state.v1")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    states = [initial_state(), DialogueState(product="mobile", last="cancel-howto")]
    for state in states:
        ours = signer.dumps(state)
        theirs = plain.dumps({"kb": "kb-hash", "state": state.to_json()})
        assert ours == theirs
        assert signer.loads(theirs) == signer.loads(ours) == state
    assert StateSigner(SECRET + "x", "kb-hash", 3600).dumps(states[0]) != signer.dumps(states[0])

