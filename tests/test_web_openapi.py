"""The OpenAPI document: valid, complete, and true to what the server really answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from starlette.routing import Route
from starlette.testclient import TestClient

from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.web import WebConfig, create_app
from faqbot.web.signing import TurnSigner

SECRET = "openapi-secret-" + "o" * 40
TURN = TurnSigner(SECRET).issue()


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The shipped knowledge base's engine (through the on-disk cache: fast after the first run)."""
    return load_engine()


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine))


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def conforms(document: dict[str, Any], schema_name: str, value: Any) -> list[str]:
    """Messages of every way ``value`` breaks ``components/schemas/<schema_name>``."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    return [error.message for error in Draft202012Validator(schema).iter_errors(value)]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_description_names_the_knowledge_base_s_service(document: dict[str, Any], min_engine: Engine) -> None:
    assert document["info"]["description"].startswith("Answers questions about あんしん自動更新.")
    other = TestClient(create_app(WebConfig(secret=SECRET), min_engine)).get("/api/v1/openapi.json").json()
    assert other["info"]["description"].startswith("Answers questions about テスト自動更新.")


def test_every_api_route_is_described(client: TestClient, document: dict[str, Any]) -> None:
    app_paths = {
        route.path.replace("{entry_id}", "{id}")
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route) and (route.path.startswith("/api/") or route.path == "/healthz")
    }
    assert app_paths == set(document["paths"])


def test_every_error_status_refers_to_the_error_shape(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["$ref"]
                    target = document["components"]["responses"][ref.rsplit("/", 1)[1]]
                    assert target["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method)


# (method, path, JSON body, expected status, schema of the response)
CASES = [
    ("POST", "/api/v1/chat", {"message": "解約したい", "today": "2026-11-26"}, 200, "ChatResponse"),
    ("POST", "/api/v1/chat", {"message": "請求日はいつ？"}, 200, "ChatResponse"),
    ("GET", "/api/v1/search?q=請求&top=3", None, 200, "SearchResponse"),
    ("GET", "/api/v1/faq", None, 200, "FaqList"),
    ("GET", "/api/v1/faq/cancel-howto?product=mobile", None, 200, "EntryDetail"),
    ("GET", "/api/v1/faq/next-billing-date", None, 200, "EntryDetail"),
    (
        "POST", "/api/v1/billing",
        {"product": "virusbuster-cloud", "plan": "annual", "expiry": "2027-03-31", "today": "2026-11-26"}, 200, "Billing",
    ),
    ("GET", "/healthz", None, 200, "Health"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "helpful": False, "message": "解約したい", "turn": TURN}, 200, "FeedbackResponse"),
    ("POST", "/api/v1/feedback", {"intent": "cancel-howto", "helpful": "yes"}, 422, "Error"),
    ("POST", "/api/v1/chat", {"message": 1}, 422, "Error"),
    ("POST", "/api/v1/chat", {"message": "x", "state": "forged"}, 400, "Error"),
    ("GET", "/api/v1/faq/nope", None, 404, "Error"),
    ("GET", "/api/v1/billing", None, 405, "Error"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "schema"), CASES)
def test_responses_match_their_schema(
    client: TestClient, document: dict[str, Any], method: str, path: str, body: Any, status: int, schema: str
) -> None:
    response = client.request(method, path, json=body) if body is not None else client.request(method, path)
    assert response.status_code == status, response.text
    assert conforms(document, schema, response.json()) == []


def test_the_request_schemas_accept_what_the_server_accepts(document: dict[str, Any]) -> None:
    assert conforms(document, "ChatRequest", {"message": "解約したい", "state": None, "today": "2026-11-26"}) == []
    assert conforms(document, "ChatRequest", {"message": "x", "extra": 1}) != []
    assert conforms(document, "BillingRequest", {"product": "mobile", "plan": "monthly", "expiry": "2027-03-31"}) == []
    assert conforms(document, "BillingRequest", {"product": "mobile"}) != []
    vote = {"intent": "cancel-howto", "helpful": False, "message": None, "product": "mobile", "turn": TURN}
    assert conforms(document, "FeedbackRequest", vote) == []
    assert conforms(document, "FeedbackRequest", {**vote, "turn": None}) != []
    assert conforms(document, "FeedbackRequest", {"intent": "cancel-howto", "helpful": 0, "turn": TURN}) != []
    assert conforms(document, "FeedbackRequest", {"helpful": True}) != []


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an ``anyOf: [X, null]`` property (or the property itself)."""
    branches = [p for p in prop.get("anyOf", [prop]) if p != {"type": "null"}]
    assert len(branches) == 1, prop
    return branches[0]


def test_the_document_states_every_limit_the_server_enforces(document: dict[str, Any], engine: Engine) -> None:
    schemas = document["components"]["schemas"]
    kb = engine.kb
    chat, billing, vote = (schemas[n]["properties"] for n in ("ChatRequest", "BillingRequest", "FeedbackRequest"))
    # Text: the configured length, and not only white space (what the server calls empty).
    assert chat["message"]["maxLength"] == WebConfig(secret=SECRET).max_message_chars
    blank = re.compile(chat["message"]["pattern"])
    assert [bool(blank.search(t)) for t in ("解約", " a", " ", "\u3000\t", "\x85", "\x1c")] == [True, True, False, False, False, False]
    # Ids: exactly the knowledge base's.
    assert billing["product"]["enum"] == [p.id for p in kb.products]
    assert _nullable(vote["product"])["enum"] == [p.id for p in kb.products]
    assert vote["intent"]["enum"] == [e.id for e in kb.entries]
    assert set(billing["plan"]["enum"]) == {"monthly", "annual"}
    # Dates: the form and the range 1900–2999.
    for prop in (billing["expiry"], _nullable(billing["today"]), _nullable(chat["today"])):
        assert prop["format"] == "date"
        date_form = re.compile(prop["pattern"])
        assert [bool(date_form.fullmatch(d)) for d in ("1900-01-01", "2999-12-31", "1899-12-31", "3000-01-01", "2027-3-31")] == [
            True, True, False, False, False]
    # A vote names its turn.
    assert "turn" in schemas["FeedbackRequest"]["required"]
    # Parameters.
    search = {p["name"]: p for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert (search["q"]["required"], search["q"]["schema"]["maxLength"]) == (True, 500)
    assert (search["top"]["schema"]["minimum"], search["top"]["schema"]["maximum"], search["top"]["schema"]["default"]) == (1, 20, 5)
    entry = {p["name"]: p for p in document["paths"]["/api/v1/faq/{id}"]["get"]["parameters"]}
    assert (entry["id"]["in"], entry["id"]["schema"]["maxLength"]) == ("path", 100)
    assert entry["product"]["schema"]["enum"] == [p.id for p in kb.products]
    # Every object refuses fields it does not know, as the server does.
    for name in ("ChatRequest", "BillingRequest", "FeedbackRequest"):
        assert schemas[name]["additionalProperties"] is False
