"""The OpenAPI 3.1 description of API v1, generated from the API's pydantic models.

Request bodies and parameters are the JSON Schemas of the same pydantic models
the handlers validate with (:mod:`faqbot.web.request_schemas`), so the document
cannot claim a limit the server does not enforce, nor miss one; responses are
those of :mod:`faqbot.web.response_schemas`.  This module only adds what
models do not know: paths, operations and the error responses.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from faqbot.web.config import WebConfig
from faqbot.web.request_schemas import HandoffRequest, RequestModels
from faqbot.web.response_schemas import RESPONSE_MODELS

_JSON = "application/json"
_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _components(models: RequestModels) -> dict[str, Any]:
    """Every model's JSON Schema (nested models included) under its class name."""
    schemas: dict[str, Any] = {}
    bodies = (models.chat, models.billing, models.feedback, HandoffRequest)
    for model, mode in [*((m, "validation") for m in bodies), *((m, "serialization") for m in RESPONSE_MODELS)]:
        schema = model.model_json_schema(ref_template=_REF, mode=mode)  # type: ignore[arg-type]
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def _parameters(model: type[BaseModel], location: str) -> list[dict[str, Any]]:
    """A model's fields as OpenAPI parameters ``in`` ``location``."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k not in ("title", "description")}
        if "anyOf" in prop and {"type": "null"} in prop["anyOf"]:
            # An absent query parameter is the null; there is no way to send null itself.
            (prop,) = [p for p in prop["anyOf"] if p != {"type": "null"}]
        param = {"name": name, "in": location, "required": name in required or location == "path", "schema": prop}
        description = schema["properties"][name].get("description")
        if description:
            param["description"] = description
        params.append(param)
    return params


# Every response names its request (faqbot/web/observe.py).
_REQUEST_ID = {
    "X-Request-ID": {
        "description": "The client's own X-Request-ID when it sent a sane one, else a new id; the server's log line has it.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    }
}


def _error(description: str, retry_after: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {_JSON: {"schema": _ref("Error")}}}
    response["headers"] = dict(_REQUEST_ID)
    if retry_after:
        response["headers"]["Retry-After"] = {
            "description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}
        }
    return response


_ERRORS = {
    "400": _error("Invalid JSON, or a state or turn this server did not issue or that expired."),
    "404": _error("Unknown address or id."),
    "405": _error("Method not allowed."),
    "413": _error("Request body over the size limit."),
    "415": _error("Body not sent as application/json."),
    "422": _error("A field is missing, of the wrong type, too long, or not a known value."),
    "429": _error("Too many requests from this client address (per-minute limit per server worker).", True),
    "500": _error("A bug on the server (never caused by input)."),
    "503": _error("The request took longer than the server's request timeout.", True),
}
_GET_ERRORS = ("404", "405", "422", "429", "500", "503")
_POST_ERRORS = ("400", "404", "405", "413", "415", "422", "429", "500", "503")


def _op(summary: str, ok: str, schema: str, codes: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": ok, "headers": _REQUEST_ID, "content": {_JSON: {"schema": _ref(schema)}}}}
    responses.update({code: {"$ref": f"#/components/responses/E{code}"} for code in codes})
    return {"summary": summary, "responses": responses, **extra}


def _post(summary: str, ok: str, schema: str, body: type[BaseModel], operation_id: str) -> dict[str, Any]:
    request = {"required": True, "content": {_JSON: {"schema": _ref(body.__name__)}}}
    return {"post": _op(summary, ok, schema, _POST_ERRORS, operationId=operation_id, requestBody=request)}


def openapi_schema(
    config: WebConfig, models: RequestModels, billing: bool, service: str
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``models``, with the configured limits in its description.

    ``service``: the name of the service the knowledge base answers for (its ``service.name``).

    ``billing``: whether the knowledge base has a billing calculator; without one the billing
    route answers 404 and is left out of the document.
    """
    rate = f", and each client address to {config.rate_limit} API requests a minute per server worker." if config.rate_limit else "."
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "faqbot API",
            "version": "1.0.0",
            "description": (
                f"Answers questions about {service}. Stateless: each chat response carries a signed "
                "conversation state that the client sends back with its next message. Every error has the "
                f"Error shape. Request bodies are limited to {config.max_body_bytes} bytes, requests to "
                f"{config.request_timeout:g} seconds{rate}"
            ),
        },
        "paths": {
            "/api/v1/chat": _post("One turn of the conversation", "The reply and the new state", "ChatResponse", models.chat, "chat"),
            "/api/v1/search": {
                "get": _op(
                    "Entries ranked for a query (for staff tools)", "Ranked entries", "SearchResponse", _GET_ERRORS,
                    operationId="search", parameters=_parameters(models.search, "query"),
                )
            },
            "/api/v1/faq": {
                "get": _op("Every entry of the knowledge base", "The entries", "FaqList", _GET_ERRORS, operationId="listFaq")
            },
            "/api/v1/faq/{id}": {
                "get": _op(
                    "One entry with its answer", "The entry", "EntryDetail", _GET_ERRORS, operationId="getFaq",
                    parameters=_parameters(models.entry_path, "path") + _parameters(models.entry_query, "query"),
                )
            },
            **({"/api/v1/billing": _post(
                "Next billing and notice dates", "The billing result", "Billing", models.billing, "billing",
            )} if billing else {}),
            "/api/v1/feedback": _post(
                "👍/👎 on an answer (recorded for the maintainers' report)", "Accepted", "FeedbackResponse",
                models.feedback, "feedback",
            ),
            # Served only when a handoff webhook is configured (faqbot/web/handoff.py).
            **({"/api/v1/handoff": _post(
                "Hand the conversation to a person at the support desk", "Delivered or queued", "HandoffResponse",
                HandoffRequest, "handoff",
            )} if config.handoff_url else {}),
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": {_JSON: {"schema": {"type": "object"}}}},
                        **{code: {"$ref": f"#/components/responses/E{code}"} for code in ("429", "503")},
                    },
                }
            },
            "/healthz": {
                "get": _op("Liveness and knowledge-base version", "Up", "Health", ("405", "500", "503"), operationId="health")
            },
        },
        "components": {
            "schemas": _components(models),
            "responses": {f"E{code}": response for code, response in _ERRORS.items()},
        },
    }
