"""A knowledge base for a service that sells nothing (a city's waste desk): no products, plans, billing or accounts.

Built from tests/fixtures/kb_other_service with products.yaml removed or emptied.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from faqbot.answers.answering import Engine
from faqbot.cli import main
from faqbot.dialogue import initial_state, step
from faqbot.errors import KnowledgeBaseError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.kb.templating import render_system
from faqbot.quality.lint import untranslated
from faqbot.web.app import create_app
from faqbot.web.config import WebConfig
from tests.conftest import FIXTURES, make_kb, replace_once

OTHER = FIXTURES / "kb_other_service"
NO_ACCOUNT = replace_once("  account: みなとネット会員ページ\n", "  account: null\n")


def no_products_kb(tmp_path: Path, products: str | None = None, **more: object) -> Path:
    """kb_other_service without products.yaml (``products``: the file's text instead)."""
    return make_kb(tmp_path, {"products.yaml": products, **more}, source=OTHER)  # type: ignore[dict-item]


@pytest.mark.parametrize("products", [None, "products: []\n"], ids=["no file", "empty list"])
def test_a_kb_without_products_loads(tmp_path: Path, products: str | None) -> None:
    kb = load_knowledge_base(no_products_kb(tmp_path, products))
    assert kb.products == () and kb.plans == ()


def test_products_must_still_be_a_list(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(no_products_kb(tmp_path, "products: none\n"))
    (problem,) = info.value.problems
    assert problem.path == "products.yaml" and "'products: []'" in problem.message


def test_products_still_need_the_renewal_section(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"products.yaml": lambda text: text.split("products:")[0].replace("renewal:", "x:", 1)
                              .split("x:")[0] + "products:" + text.split("products:", 1)[1]}, source=OTHER)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    assert any("missing 'renewal' section" in p.message for p in info.value.problems)


def test_a_service_without_accounts_says_null(tmp_path: Path) -> None:
    kb = load_knowledge_base(make_kb(tmp_path, {"service.yaml": NO_ACCOUNT}, source=OTHER))
    assert kb.service.account is None
    assert kb.service.in_language("en").account == "Minato Net member page"  # its own translation stays


def test_a_forgotten_account_key_is_still_an_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"service.yaml": replace_once("  account: みなとネット会員ページ\n", "")}, source=OTHER)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    (problem,) = info.value.problems
    assert problem.path == "service.yaml" and "'account: null'" in problem.message


def test_an_answer_printing_the_null_account_fails_check(tmp_path: Path) -> None:
    entry_file = next((OTHER / "faq").glob("*.yaml")).name
    root = make_kb(tmp_path, {
        "service.yaml": NO_ACCOUNT,
        f"faq/{entry_file}": lambda text: text.replace("    answer: |\n", "    answer: |\n      {{ service.account }}\n", 1),
    }, source=OTHER)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    (problem,) = info.value.problems
    assert "does not render" in problem.message and "null" in problem.message


@pytest.fixture
def accountless(tmp_path: Path) -> KnowledgeBase:
    kb = load_knowledge_base(make_kb(tmp_path, {"service.yaml": NO_ACCOUNT, "products.yaml": None}, source=OTHER))
    assert kb.service.english is not None
    return kb


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name, context", [
    ("dialogue_support", {"has_suggestions": False}),
    ("dialogue_card_number", {"answered": False}),
])
def test_the_bots_own_wording_never_says_none(accountless: KnowledgeBase, lang: str, name: str, context: dict[str, object]) -> None:
    service = accountless.service.in_language(lang)
    from dataclasses import replace
    service = replace(service, account=None, support_url=None, support_phone=None, support_form_url=None)
    text = render_system(name, {"service": service, "entries": [], "topics": [], **context}, lang)
    assert "None" not in text and service.support_desk in text


def test_computed_answers_need_products(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"products.yaml": None})  # the shipped KB: its compute.yaml computes billing dates
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    assert (
        "compute.yaml: computed answers need products with renewal rules, and products.yaml lists none; "
        "add them to products.yaml or delete compute.yaml"
    ) in [str(p) for p in info.value.problems]


# ---- everything that reads products copes with none ----

@pytest.fixture(scope="module")
def no_products_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = make_kb(tmp_path_factory.mktemp("noprod"), {"products.yaml": None, "service.yaml": NO_ACCOUNT}, source=OTHER)
    return Engine.build(load_knowledge_base(root))


def _cli(engine: Engine, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--kb", str(engine.kb.root)])


def test_faqbot_products_says_there_are_none(no_products_engine: Engine) -> None:
    result = _cli(no_products_engine, "products")
    assert result.exit_code == 0 and result.output.strip() == (
        "This knowledge base lists no products (it has no products.yaml, or 'products: []')."
    )
    assert json.loads(_cli(no_products_engine, "products", "--json").output) == []


def test_faqbot_billing_says_there_is_no_calculator(no_products_engine: Engine) -> None:
    result = _cli(no_products_engine, "billing", "--product", "x", "--plan", "monthly", "--expiry", "2027-03-31")
    assert result.exit_code != 0 and "has no billing calculator" in result.output
    assert result.output.count("Error") == 1


def test_faqbot_billing_without_a_compute_entry(min_kb: KnowledgeBase) -> None:
    # kb_min has products but no compute.yaml: no computed answer, so no calculator either.
    result = CliRunner().invoke(main, ["billing", "--product", "alpha", "--plan", "annual", "--expiry", "2027-03-31",
                                       "--kb", str(min_kb.root)])
    assert result.exit_code != 0 and "has no billing calculator" in result.output


def test_show_product_says_there_are_none(no_products_engine: Engine) -> None:
    entry = no_products_engine.kb.ids[0]
    result = _cli(no_products_engine, "show", entry, "--product", "x")
    assert result.exit_code != 0 and "this knowledge base lists no products" in result.output


def test_entities_never_find_a_product(no_products_engine: Engine) -> None:
    assert no_products_engine.extractor.product("みなと光 1ギガ 月額 ウイルスバスター") is None


def test_the_billing_api_is_404_and_absent_from_the_document(no_products_engine: Engine) -> None:
    config = WebConfig(secret="s" * 48, allow_client_today=True)
    client = TestClient(create_app(config, no_products_engine), raise_server_exceptions=False)
    response = client.post("/api/v1/billing", json={"product": "x", "plan": "monthly", "expiry": "2027-03-31"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_billing"
    assert "/api/v1/billing" not in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_shipped_document_keeps_the_billing_route(engine: Engine) -> None:
    client = TestClient(create_app(WebConfig(secret="s" * 48), engine))
    assert "/api/v1/billing" in client.get("/api/v1/openapi.json").json()["paths"]


@pytest.mark.parametrize("message", ["料金はいくら？", "いつ請求されますか", "製品は何ですか", "解約したい"])
def test_the_chat_never_asks_for_a_product(no_products_engine: Engine, message: str) -> None:
    reply, state = step(no_products_engine, initial_state(), message, date(2026, 11, 26))
    assert state.form is None and state.product is None


# ---- a Japanese-only knowledge base ----

def JA_ONLY(text: str) -> str:  # noqa: N802 - an override, named as the other ones
    return text + "languages: [ja]\n"


def _japanese_only(tmp_path: Path) -> KnowledgeBase:
    def strip_english(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if "_en:" not in line) + "\n"

    files = {f"faq/{p.name}": strip_english for p in (OTHER / "faq").glob("*.yaml")}
    return load_knowledge_base(make_kb(tmp_path, {"service.yaml": JA_ONLY, "products.yaml": strip_english, **files},
                                       source=OTHER))


def test_languages_default_to_japanese_and_english(tmp_path: Path) -> None:
    assert load_knowledge_base(make_kb(tmp_path, {}, source=OTHER)).languages == ("ja", "en")


@pytest.mark.parametrize("value", ["[en]", "ja", "[ja, fr]"])
def test_languages_must_include_japanese_and_be_known(tmp_path: Path, value: str) -> None:
    root = make_kb(tmp_path, {"service.yaml": lambda text: text + f"languages: {value}\n"}, source=OTHER)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    (problem,) = info.value.problems
    assert problem.path == "service.yaml" and "'languages' must be [ja] or [ja, en]" in problem.message


def test_a_japanese_only_kb_gets_no_translation_warnings(tmp_path: Path) -> None:
    kb = _japanese_only(tmp_path)
    assert kb.languages == ("ja",) and untranslated(kb) == []
    assert untranslated(load_knowledge_base(make_kb(tmp_path / "both", {"products.yaml": lambda t: t.replace(
        "    name_en: Minato Hikari 1 Gbps\n", "")}, source=OTHER)))  # with English offered, still warned


def test_english_to_a_japanese_only_kb_is_answered_in_japanese(tmp_path: Path) -> None:
    engine = Engine.build(_japanese_only(tmp_path))
    for lang in (None, "en"):
        reply, state = step(engine, initial_state(), "Hello, how do I cancel my contract?", date(2026, 11, 26), lang)
        assert state.lang == "ja"
        assert re.search("[ぁ-んァ-ン]", reply.text), reply.text
