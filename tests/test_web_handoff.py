"""Handing a conversation to a person: the webhook the desk receives, retries, the outbox.

The desk is a real HTTP receiver on 127.0.0.1 (:mod:`tests.receiver`); the app runs
in Starlette's test client.  What must hold: the signature checks out, personal data
is masked, a 500 is retried, a desk that never answers gets a clear "queued" and the
delivery stays in the outbox until the background retry brings it over.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient

from faqbot.analytics.outbox import STATUS_DELIVERED, STATUS_PENDING, Outbox
from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.web import WebConfig, create_app
from faqbot.web.config import ConfigError
from faqbot.web.handoff import HandoffDesk
from faqbot.web.signing import StateSigner
from faqbot.web.webhook import MAX_ATTEMPTS, RETRY_BASE, RETRY_MAX, Redelivery, Webhook, next_retry
from tests.conftest import make_kb
from tests.receiver import SILENT, Receiver, running_receiver

SECRET = "test-secret-" + "s" * 40
DESK_SECRET = "desk-secret-" + "d" * 40
KEY = "k" * 20
OTHER_SERVICE = Path(__file__).parent / "fixtures" / "kb_other_service"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    with running_receiver(DESK_SECRET) as desk:
        yield desk


def desk_client(engine: Engine, receiver: Receiver, outbox: Path, timeout: float = 2.0) -> TestClient:
    config = WebConfig(
        secret=SECRET, handoff_url=receiver.url, handoff_secret=DESK_SECRET, handoff_timeout=timeout,
        handoff_outbox=outbox, request_timeout=4.0, allow_client_today=True,
    )
    return TestClient(create_app(config, engine), raise_server_exceptions=False)


def chat_state(client: TestClient, *messages: str) -> str:
    state: str | None = None
    for message in messages:
        body: dict[str, Any] = {"message": message, "today": "2026-11-26"}
        if state:
            body["state"] = state
        response = client.post("/api/v1/chat", json=body)
        assert response.status_code == 200, response.text
        state = response.json()["state"]
    assert state is not None
    return state


TRANSCRIPT = [
    {"role": "user", "text": "カード 4111 1111 1111 1111 で払った、連絡は taro@example.jp か 090-1234-5678 へ"},
    {"role": "bot", "text": "カード情報はチャットに入力しないでください。"},
]


def test_a_handoff_arrives_signed_masked_and_with_the_facts(engine: Engine, receiver: Receiver, tmp_path: Path) -> None:
    client = desk_client(engine, receiver, tmp_path / "outbox.sqlite3")
    state = chat_state(client, "次回の請求日を知りたい", "ウイルスバスター モバイル")
    response = client.post("/api/v1/handoff", json={"key": KEY, "reason": "refund", "state": state, "transcript": TRANSCRIPT})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "delivered"
    assert answer["reference"] == "KKKKKKKK"
    assert answer["desk"] == {"name": "サポート窓口", "phone": None, "hours": None, "form_url": None, "url": None}
    [arrival] = receiver.arrivals
    assert arrival.signature_ok
    assert arrival.headers["Idempotency-Key"] == KEY
    payload = arrival.json
    assert payload["reason"] == "refund" and payload["key"] == KEY and payload["event"] == "handoff"
    assert payload["facts"]["product"]["name"] == "ウイルスバスター モバイル"
    text = " ".join(line["text"] for line in payload["transcript"])
    for secret in ("4111", "taro@example.jp", "090-1234-5678"):
        assert secret not in text
    assert "[カード番号]" in text and "[メールアドレス]" in text and "[電話番号]" in text
    assert [line["role"] for line in payload["transcript"]] == ["customer", "bot"]
    kept = Outbox(tmp_path / "outbox.sqlite3").get(KEY)
    assert kept is not None and kept.status == STATUS_DELIVERED and kept.attempts == 1


def test_a_500_is_retried_with_the_same_key(engine: Engine, receiver: Receiver, tmp_path: Path) -> None:
    receiver.script = [500]
    client = desk_client(engine, receiver, tmp_path / "outbox.sqlite3")
    response = client.post("/api/v1/handoff", json={"key": KEY, "transcript": TRANSCRIPT})
    assert response.json()["status"] == "delivered"
    assert len(receiver.arrivals) == 2
    assert {a.headers["Idempotency-Key"] for a in receiver.arrivals} == {KEY}
    assert all(a.signature_ok for a in receiver.arrivals)
    assert receiver.arrivals[0].body == receiver.arrivals[1].body
    kept = Outbox(tmp_path / "outbox.sqlite3").get(KEY)
    assert kept is not None and kept.attempts == 2


def test_a_repeat_of_a_delivered_handoff_is_not_sent_twice(engine: Engine, receiver: Receiver, tmp_path: Path) -> None:
    client = desk_client(engine, receiver, tmp_path / "outbox.sqlite3")
    for _ in range(2):
        assert client.post("/api/v1/handoff", json={"key": KEY, "transcript": TRANSCRIPT}).json()["status"] == "delivered"
    assert len(receiver.arrivals) == 1


def test_a_repeat_while_another_request_sends_it_is_queued_not_sent(
    engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    path = tmp_path / "outbox.sqlite3"
    Outbox(path).add(KEY, '{"event": "handoff"}', now=time.time(), hold=60.0)  # the first request, still sending
    client = desk_client(engine, receiver, path)
    response = client.post("/api/v1/handoff", json={"key": KEY, "transcript": TRANSCRIPT})
    assert response.json()["status"] == "queued"
    assert receiver.arrivals == []


def test_a_desk_that_never_answers_is_queued_then_retried_in_the_background(
    engine: Engine, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [SILENT, SILENT, SILENT]
    receiver.silence = 2.0
    path = tmp_path / "outbox.sqlite3"
    client = desk_client(engine, receiver, path, timeout=0.5)
    response = client.post("/api/v1/handoff", json={"key": KEY, "transcript": TRANSCRIPT})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "queued"
    outbox = Outbox(path)
    [waiting] = outbox.undelivered()
    assert waiting.status == STATUS_PENDING and waiting.attempts >= 2 and "no answer" in waiting.last_error
    # Not due yet: the background retry leaves it alone; once due, it brings it over.  The desk
    # answers from now on: under load the request may have given up after two attempts, and a
    # third silence left in the script would make the retry's outcome a race with its timeout.
    receiver.script.clear()
    webhook = Webhook(receiver.url, DESK_SECRET, 2.0)
    early = Redelivery(outbox, webhook, clock=lambda: waiting.created + 1)
    assert anyio.run(early.run_once) == 0
    late = Redelivery(outbox, webhook, clock=lambda: waiting.next_attempt + 1)
    assert anyio.run(late.run_once) == 1
    assert outbox.undelivered() == []
    assert receiver.arrivals[-1].signature_ok and receiver.arrivals[-1].body == waiting.body.encode()


@pytest.mark.parametrize(
    ("attempts", "pause"),
    [(1, RETRY_BASE), (2, 2 * RETRY_BASE), (3, 4 * RETRY_BASE), (MAX_ATTEMPTS - 1, RETRY_MAX), (MAX_ATTEMPTS, None)],
)
def test_background_retries_back_off(attempts: int, pause: float | None) -> None:
    when = next_retry(attempts, 1000.0)
    assert (None if when is None else when - 1000.0) == pause


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_field"),
        ({"transcript": []}, "too_short"),
        ({"transcript": [{"role": "admin", "text": "x"}]}, "invalid_value"),
        ({"transcript": [{"role": "user", "text": 3}]}, "invalid_type"),
        ({"transcript": TRANSCRIPT, "key": "short"}, "invalid_key"),
        ({"transcript": TRANSCRIPT, "reason": "bored"}, "invalid_value"),
        ({"transcript": TRANSCRIPT, "lang": "fr"}, "invalid_value"),
        ({"transcript": TRANSCRIPT, "state": "forged"}, "invalid_state"),
        ({"transcript": TRANSCRIPT, "extra": 1}, "unknown_field"),
        ({"transcript": [{"role": "user", "text": "x"}] * 101}, "too_long"),
    ],
)
def test_bad_handoff_requests_are_refused(
    engine: Engine, receiver: Receiver, tmp_path: Path, body: dict[str, Any], code: str
) -> None:
    response = desk_client(engine, receiver, tmp_path / "o.sqlite3").post("/api/v1/handoff", json=body)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code
    assert receiver.arrivals == []


def test_without_a_handoff_url_there_is_no_handoff_endpoint_but_the_widget_gets_contact_points(engine: Engine) -> None:
    client = TestClient(create_app(WebConfig(secret=SECRET), engine), raise_server_exceptions=False)
    assert client.post("/api/v1/handoff", json={"transcript": TRANSCRIPT}).status_code == 404
    config = client.get("/widget-config.json").json()
    assert config == {
        "service": {"name": "あんしん自動更新", "company": "トレンドマイクロ"},
        "desk": {"name": "サポート窓口", "phone": None, "hours": None, "form_url": None, "url": None},
        "billing": True,  # the shipped knowledge base has compute.yaml
        "handoff": {"enabled": False},
    }


def test_the_widget_config_has_no_billing_for_a_knowledge_base_without_a_calculator() -> None:
    # Another service's knowledge base without compute.yaml: the widget must not offer billing dates.
    engine = load_engine(OTHER_SERVICE)
    config = TestClient(create_app(WebConfig(secret=SECRET), engine)).get("/widget-config.json").json()
    assert config["service"]["name"] == "みなと光"
    assert config["billing"] is False


def test_the_desks_page_and_form_are_listed_under_distinct_titles(tmp_path: Path) -> None:
    # A desk with both a page and a form: the reference pages must not read as one title twice.
    def urls(text: str) -> str:
        return text.replace("support_url: null", "support_url: https://city.example/sodai").replace(
            "support_form_url: null", "support_form_url: https://city.example/sodai/form"
        )

    engine = load_engine(make_kb(tmp_path, {"service.yaml": urls}, source=OTHER_SERVICE))
    client = TestClient(create_app(WebConfig(secret=SECRET), engine))
    for lang, form in (("ja", "みなとネット カスタマーセンター (お問い合わせフォーム)"),
                       ("en", "the Minato Net customer center (contact form)")):
        links = client.post("/api/v1/chat", json={"message": "人と話したい", "lang": lang}).json()["reply"]["links"]
        assert [link["url"] for link in links] == ["https://city.example/sodai", "https://city.example/sodai/form"]
        assert links[1]["title"] == form
        assert len({link["title"] for link in links}) == 2


def test_the_widget_config_says_when_the_handoff_is_on(engine: Engine, receiver: Receiver, tmp_path: Path) -> None:
    config = desk_client(engine, receiver, tmp_path / "o.sqlite3").get("/widget-config.json").json()
    assert config["handoff"] == {"enabled": True}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FAQBOT_HANDOFF_URL": "ftp://desk.example.jp/hook", "FAQBOT_HANDOFF_SECRET": DESK_SECRET}, "http(s) URL"),
        ({"FAQBOT_HANDOFF_URL": "https://desk.example.jp/hook"}, "FAQBOT_HANDOFF_SECRET must be set"),
        ({"FAQBOT_HANDOFF_URL": "https://desk.example.jp/hook", "FAQBOT_HANDOFF_SECRET": DESK_SECRET,
          "FAQBOT_HANDOFF_TIMEOUT": "0"}, "FAQBOT_HANDOFF_TIMEOUT"),
    ],
)
def test_handoff_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        WebConfig.from_env({"FAQBOT_SECRET": SECRET, **env})


def test_handoff_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    config = WebConfig.from_env({
        "FAQBOT_SECRET": SECRET, "FAQBOT_HANDOFF_URL": "https://desk.example.jp/hook", "FAQBOT_HANDOFF_SECRET": DESK_SECRET,
        "FAQBOT_HANDOFF_TIMEOUT": "1.5", "FAQBOT_HANDOFF_OUTBOX": str(tmp_path / "o.sqlite3"),
    })
    assert (config.handoff_url, config.handoff_timeout, config.handoff_outbox) == (
        "https://desk.example.jp/hook", 1.5, tmp_path / "o.sqlite3")


def test_the_favicon_is_served(engine: Engine) -> None:
    client = TestClient(create_app(WebConfig(secret=SECRET), engine))
    for path in ("/favicon.ico", "/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert response.text.startswith("<svg")


def test_the_customers_language_reaches_the_desk(engine: Engine, receiver: Receiver, tmp_path: Path) -> None:
    client = desk_client(engine, receiver, tmp_path / "o.sqlite3")
    client.post("/api/v1/handoff", json={"key": KEY, "transcript": TRANSCRIPT, "lang": "en"})
    assert json.loads(receiver.arrivals[0].body)["lang"] == "en"


def test_without_an_outbox_a_failed_handoff_is_refused_not_dropped(engine: Engine, receiver: Receiver) -> None:
    receiver.script = [500, 500, 500]
    config = WebConfig(secret=SECRET, handoff_url=receiver.url, handoff_secret=DESK_SECRET, handoff_timeout=1.0)
    client = TestClient(create_app(config, engine), raise_server_exceptions=False)
    response = client.post("/api/v1/handoff", json={"transcript": TRANSCRIPT})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "handoff_failed"
    assert len(receiver.arrivals) == 3


def test_the_app_retries_the_outbox_in_the_background_while_it_runs(engine: Engine, receiver: Receiver, tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.add(KEY, '{"event": "handoff"}', now=100.0)
    outbox.record_attempt(KEY, "HTTP 500", retry_at=130.0)
    config = WebConfig(secret=SECRET, handoff_url=receiver.url, handoff_secret=DESK_SECRET, handoff_outbox=outbox.path)
    desk = HandoffDesk(engine.kb, config, StateSigner(SECRET, engine.kb.content_hash, 60),
                       Webhook(receiver.url, DESK_SECRET, 2.0), outbox, clock=lambda: 200.0)

    async def run_app_briefly() -> None:
        async with desk.lifespan(create_app(config, engine)):
            with anyio.move_on_after(5):
                while outbox.undelivered():
                    await anyio.sleep(0.05)

    anyio.run(run_app_briefly)
    assert outbox.undelivered() == []
    assert [a.body for a in receiver.arrivals] == [b'{"event": "handoff"}']
