"""The HTTP API fuzzed from its own OpenAPI document (schemathesis), in process.

Schemathesis reads ``/api/v1/openapi.json`` from the ASGI app and generates
requests for every operation, valid and invalid; each response must not be a
5xx and must match the document (status code listed, body schema, content
type, headers), and every schema-violating request must be refused with a 4xx.
Examples are bounded so the whole module stays well under a minute.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from faqbot.answers.engine_cache import load_engine
from faqbot.web import WebConfig, create_app

# Limits as in production, but small enough that the fuzzer reaches them.
CONFIG = WebConfig(secret="fuzz-secret-" + "f" * 40, allow_client_today=True, max_message_chars=200, max_body_bytes=4096)
APP = create_app(CONFIG, load_engine())
FUZZ = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A schema-violating request must get one of the API's documented refusals
            # (413 included: the body limit applies before the fields are read).
            "negative_data_rejection": {"expected-statuses": ["400", "404", "405", "413", "415", "422", "429"]},
            # "A schema-valid request is accepted" cannot hold: a conversation state is a
            # server-signed token and product/entry ids must be ones the knowledge base has,
            # which a schema cannot say; such requests get a documented 400/404/422.
            "positive_data_acceptance": {"enabled": False},
        }
    }
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, config=FUZZ)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
