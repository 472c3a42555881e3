"""The HTTP API fuzzed from its own OpenAPI document (schemathesis), in process.

Schemathesis reads ``/api/v1/openapi.json`` from the ASGI app and generates
requests for every operation, valid and invalid, and runs every check: no 5xx;
each response matches the document (status code listed, body schema, content
type, headers); every schema-violating request is refused with a 4xx; and every
schema-valid request is accepted (positive-data acceptance).

Two things a JSON Schema cannot say are supplied here, as a client would:
``state`` and ``turn`` are tokens only the server can sign (the fuzzer gets
real ones, like credentials), a vote's ``intent`` is its turn's, and a billing
request relates two fields (the expiry is not before ``today``, the plan is one
the product is sold on; the document says so in prose).  Examples are bounded so the module stays well
under a minute.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from starlette.testclient import TestClient

from faqbot.answers.engine_cache import load_engine
from faqbot.errors import PlanNotOfferedError
from faqbot.web import WebConfig, create_app

# Limits as in production, but small enough that the fuzzer reaches them.
CONFIG = WebConfig(secret="fuzz-secret-" + "f" * 40, allow_client_today=True, max_message_chars=200, max_body_bytes=4096)
ENGINE = load_engine()
APP = create_app(CONFIG, ENGINE)
FUZZ = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A schema-violating request must get one of the API's documented refusals
            # (413 included: the body limit applies before the fields are read).
            "negative_data_rejection": {"expected-statuses": ["400", "404", "405", "413", "415", "422", "429"]},
            # A schema-valid request is accepted: 2xx, or 404 for an entry id that does not
            # exist (schemathesis' default list; no 400 or 422 allowed).
            "positive_data_acceptance": {"enabled": True},
        }
    }
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, config=FUZZ)
_FIRST = TestClient(APP).post("/api/v1/chat", json={"message": "解約したい", "today": "2026-11-26"}).json()
PRODUCTS = {p.id for p in ENGINE.kb.products}
TOKENS = {"state": _FIRST["state"], "turn": _FIRST["turn"]}


def _offered(product: str, plan: str) -> bool:
    try:
        ENGINE.kb.product(product).terms.plan(plan)
    except PlanNotOfferedError:
        return False
    return True


def supply_what_a_schema_cannot_say(body: dict[str, Any]) -> None:
    """Real signed tokens for string tokens; billing fields made consistent with each other."""
    for name, token in TOKENS.items():
        if isinstance(body.get(name), str):
            body[name] = token
    if isinstance(body.get("turn"), str) and isinstance(body.get("intent"), str):
        body["intent"] = _FIRST["reply"]["intent"]  # the turn's own (else 422 intent_mismatch)
    expiry = body.get("expiry")
    if isinstance(expiry, str):
        if body.get("today") is None:
            body["today"] = "1900-01-01"  # the server's own date would make the outcome depend on the clock
        today = body["today"]
        if isinstance(today, str) and today > expiry:
            body["today"], body["expiry"] = expiry, today
    product, plan = body.get("product"), body.get("plan")
    if isinstance(product, str) and isinstance(plan, str) and product in PRODUCTS and not _offered(product, plan):
        body["plan"] = ENGINE.kb.product(product).terms.plan_ids[0]


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # Only schema-valid cases: a negative case must keep the violation it was made with.
    if isinstance(case.body, dict) and case.meta is not None and case.meta.generation.mode.is_positive:
        supply_what_a_schema_cannot_say(case.body)
    case.call_and_validate()


def test_the_fuzz_tokens_are_real() -> None:
    # Guards the supplier above: with a forged state every chat case would be a 400.
    response = TestClient(APP).post("/api/v1/chat", json={"message": "はい", "state": TOKENS["state"], "today": "2026-11-26"})
    assert response.status_code == 200
