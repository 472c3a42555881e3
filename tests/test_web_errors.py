"""Every error code the API can return is in docs/embedding.md's error table, under its status.

The codes are not kept in one constant: they are written where each refusal is made.  So they
are read from the source of ``faqbot/web`` (the status and code of each ``ApiError(...)`` and
``error_response(...)``, the 422 codes of the request models' own checks and of pydantic's
errors, the framework statuses' codes) and from the core's domain errors, which the API answers
with their own code (:func:`faqbot.web.errors.domain_status`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from faqbot import errors as core_errors
from faqbot.web.errors import domain_status

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "faqbot" / "web"
EMBEDDING = ROOT / "docs" / "embedding.md"
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+|[a-z]+")
# Calls naming a code: the argument that holds it, and the status argument when it has one.
_CODE_ARGS = {"ApiError": (1, 0), "error_response": (1, 0), "_custom": (0, None), "_one_of": (1, None)}
# Dicts of codes: {pydantic type: code} (all 422) and {framework status: code}.
_CODE_TABLES = {"_TYPE_CODES": None, "_HTTP_CODES": "keys"}
_VALIDATION = 422
# Domain errors no request can cause: a bad setting stops the server before it serves.
_AT_START_UP = {"invalid_config"}


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _literal(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _from_calls(tree: ast.AST) -> set[tuple[int, str]]:
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _name(node.func) in _CODE_ARGS):
            continue
        code_at, status_at = _CODE_ARGS[_name(node.func)]
        code = _literal(node.args[code_at]) if len(node.args) > code_at else None
        status = _literal(node.args[status_at]) if status_at is not None else _VALIDATION
        if isinstance(code, str) and _CODE.fullmatch(code):
            # A status the call computes (the CORS refusal passes Starlette's) is the one it wraps: 400.
            found.add((status if isinstance(status, int) else 400, code))
    return found


def _from_tables(tree: ast.AST) -> set[tuple[int, str]]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(_name(t) in _CODE_TABLES for t in node.targets):
            assert isinstance(node.value, ast.Dict)
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                status = _literal(key) if key is not None else None
                found.add((status if isinstance(status, int) else _VALIDATION, str(_literal(value))))
    return found


def _domain_codes() -> set[tuple[int, str]]:
    """The core's input errors (the API's handler answers any of them with its code)."""
    found = set()
    pending: list[type[core_errors.FaqbotError]] = [core_errors.InputError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.code not in _AT_START_UP:
            found.add((domain_status(cls.__new__(cls)), cls.code))
    return found


def api_error_codes() -> set[tuple[int, str]]:
    """(status, code) of every error the API can answer with."""
    found = _domain_codes()
    for path in sorted(WEB.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= _from_calls(tree) | _from_tables(tree)
    return found


def documented_codes() -> set[tuple[int, str]]:
    """(status, code) for each code in the rows of the Errors table of docs/embedding.md."""
    text = EMBEDDING.read_text(encoding="utf-8")
    section = text[text.index("### Errors") :]
    found = set()
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        row = re.match(r"\|\s*(\d{3})\s*\|(.*)\|\s*$", line)
        if row:
            # The codes, not what the notes in brackets name (fields, values, settings).
            for code in re.findall(r"`([a-z_]+)`", re.sub(r"\([^()]*\)", "", row.group(2))):
                found.add((int(row.group(1)), code))
    return found


def test_the_collector_finds_codes_of_every_kind() -> None:
    codes = api_error_codes()
    # One of each way a code is written: a call, a model check, pydantic's, the framework's, the core's.
    expected = {(429, "rate_limited"), (422, "invalid_lang"), (422, "missing_field"), (405, "method_not_allowed"),
                (422, "plan_not_offered"), (404, "unknown_entry"), (503, "timeout"), (400, "cors_refused")}
    assert expected <= codes
    assert len(codes) > 30


def test_every_error_code_the_api_returns_is_documented_under_its_status() -> None:
    missing = sorted(api_error_codes() - documented_codes())
    assert not missing, f"add these (status, code) to the Errors table of docs/embedding.md: {missing}"


def test_the_error_table_documents_no_code_the_api_does_not_return() -> None:
    codes = {code for _, code in api_error_codes()}
    stale = sorted(code for _, code in documented_codes() if code not in codes)
    assert not stale, f"docs/embedding.md's Errors table names codes the API never returns: {stale}"
