"""Tests of faqbot.kb.templating: answer templates in plain text and escaped HTML."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from faqbot.kb import templating
from faqbot.kb.knowledge import Entry, KnowledgeBase, Service
from faqbot.kb.templating import render_html, render_system, render_text, template_problem


def _entry(answer: str) -> Entry:
    return Entry(id="t", kind="faq", category="c", question="q", alternates=(), answer=answer)


def test_text_render_fills_service_and_product(min_kb: KnowledgeBase) -> None:
    entry = min_kb.entry("change-card")
    assert render_text(min_kb, entry) == "クレジットカードの変更はテストアカウントで行えます。"
    assert render_text(min_kb, entry, min_kb.product("beta")) == "ベータ ガードのクレジットカードの変更はテストアカウントで行えます。"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("{{ renewal.payment_method }}", "クレジットカード決済のみ"),
        ("{{ renewal.notice.months_before }}か月前", "1か月前"),
        ("{{ renewal.statement_descriptors | join('/') }}", "テスト社"),
        ("{% for p in products %}{{ p.id }} {% endfor %}", "alpha beta"),
        ("{{ service.support_desk }}", "テスト窓口"),
        ("  前後の空白は落ちる\n\n", "前後の空白は落ちる"),
    ],
)
def test_template_variables(min_kb: KnowledgeBase, answer: str, expected: str) -> None:
    assert render_text(min_kb, _entry(answer)) == expected


def test_html_render_escapes_values_and_text_does_not(min_kb: KnowledgeBase) -> None:
    kb = dataclasses.replace(min_kb, service=dataclasses.replace(min_kb.service, name="<b>A&B</b>"))
    entry = _entry("{{ service.name }}です")
    html = render_html(kb, entry)
    assert isinstance(html, Markup)
    assert str(html) == "&lt;b&gt;A&amp;B&lt;/b&gt;です"
    assert render_text(kb, entry) == "<b>A&B</b>です"


@pytest.mark.parametrize(
    ("answer", "text", "html"),
    [
        # No jinja delimiters: rendered without compiling, exactly as jinja emits template data
        # (verbatim, autoescaping or not; only values are escaped), stripped like every answer.
        ("a < b & c\n", "a < b & c", "a < b & c"),
        ("  行1\n\n行2  \n", "行1\n\n行2", "行1\n\n行2"),
        ("{ は一つなら区切りではない }", "{ は一つなら区切りではない }", "{ は一つなら区切りではない }"),
        # With a delimiter it is a template: the value is escaped, the data is not.
        ("<i>{{ '<b>' }}</i>", "<i><b></i>", "<i>&lt;b&gt;</i>"),
    ],
)
def test_plain_answers_render_as_themselves(min_kb: KnowledgeBase, answer: str, text: str, html: str) -> None:
    entry = _entry(answer)
    assert render_text(min_kb, entry) == text
    assert str(render_html(min_kb, entry)) == html
    assert template_problem(min_kb, entry) is None


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("{{ customer_name }}", "'customer_name' is undefined"),
        ("{{ service.acount }}", "acount"),
        ("{{ service.name", "unexpected end of template"),
        ("{% if product %}{{ product.nam }}{% endif %}", "for product 'alpha'"),  # fails only with a product
        ("{{ products[5].name }}", "no element 5"),
    ],
)
def test_template_problem_names_what_does_not_render(min_kb: KnowledgeBase, answer: str, words: str) -> None:
    problem = template_problem(min_kb, _entry(answer))
    assert problem is not None and words in problem


def test_template_problem_is_none_for_good_templates(min_kb: KnowledgeBase) -> None:
    for entry in min_kb.entries:
        assert template_problem(min_kb, entry) is None


def test_shipped_answers_all_render_for_every_product(shipped_kb: KnowledgeBase) -> None:
    for entry in shipped_kb.entries:
        assert template_problem(shipped_kb, entry) is None, entry.id
        assert render_text(shipped_kb, entry).strip(), entry.id


def test_system_templates_fill_the_service() -> None:
    service = Service(name="S", company="C", account="A", support_desk="窓口X")
    text = render_system("fallback", {"suggestions": [], "offer_support": True, "service": service})
    assert "窓口X" in text
    text = render_system("clarify", {"choices": [_entry("a"), dataclasses.replace(_entry("b"), question="q2")]})
    assert "1. q" in text and "2. q2" in text


@pytest.fixture
def kept_in(tmp_path: Path) -> Iterator[Path]:
    """Templates' code kept in a fresh folder for one test; the in-process memo cleared on both sides."""
    envs = (templating._TEXT_ENV, templating._HTML_ENV, templating._SYSTEM_ENV, templating._SYSTEM_HTML_ENV)
    templating._compiled.cache_clear()
    templating.keep_compiled_templates(tmp_path / "templates")
    yield tmp_path / "templates"
    for env in envs:
        env.bytecode_cache = None
        env.cache.clear()
    templating._compiled.cache_clear()


def _fresh_process_renders(kb: KnowledgeBase, entry: Entry, monkeypatch: pytest.MonkeyPatch) -> str:
    """Render as a new process would (nothing compiled in memory), with compiling forbidden."""
    templating._compiled.cache_clear()
    templating._TEXT_ENV.cache.clear()

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again instead of loading the kept code")

    monkeypatch.setattr(templating._TEXT_ENV, "compile", no_compiling)
    return render_text(kb, entry)


def test_a_kept_answer_template_is_loaded_not_compiled_again(
    min_kb: KnowledgeBase, kept_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _entry("{{ service.support_desk }}へどうぞ")
    assert render_text(min_kb, entry) == "テスト窓口へどうぞ"
    assert len(list(kept_in.iterdir())) == 1
    assert _fresh_process_renders(min_kb, entry, monkeypatch) == "テスト窓口へどうぞ"


def test_each_answer_keeps_its_own_code(min_kb: KnowledgeBase, kept_in: Path) -> None:
    first, second = _entry("{{ service.support_desk }}"), _entry("{{ renewal.payment_method }}")
    assert (render_text(min_kb, first), render_text(min_kb, second)) == ("テスト窓口", "クレジットカード決済のみ")
    templating._compiled.cache_clear()
    assert (render_text(min_kb, first), render_text(min_kb, second)) == ("テスト窓口", "クレジットカード決済のみ")
    assert len(list(kept_in.iterdir())) == 2


def test_a_folder_that_cannot_be_written_still_renders(min_kb: KnowledgeBase, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    templating._compiled.cache_clear()
    try:
        templating.keep_compiled_templates(blocked / "templates")  # cannot be made: nothing kept
        assert templating._TEXT_ENV.bytecode_cache is None
        assert render_text(min_kb, _entry("{{ service.support_desk }}")) == "テスト窓口"
    finally:
        templating._compiled.cache_clear()


def test_text_and_html_keep_their_own_code_for_the_same_source(min_kb: KnowledgeBase, kept_in: Path) -> None:
    # jinja2 keys kept code by source; with autoescaping on, the same source compiles otherwise.
    kb = dataclasses.replace(min_kb, service=dataclasses.replace(min_kb.service, name="<b>A&B</b>"))
    entry = _entry("{{ service.name }}です")
    assert str(render_html(kb, entry)) == "&lt;b&gt;A&amp;B&lt;/b&gt;です"
    templating._compiled.cache_clear()
    assert render_text(kb, entry) == "<b>A&B</b>です"
    templating._compiled.cache_clear()
    assert (render_text(kb, entry), str(render_html(kb, entry))) == ("<b>A&B</b>です", "&lt;b&gt;A&amp;B&lt;/b&gt;です")
    assert len(list(kept_in.iterdir())) == 2


def test_another_jinja2_version_does_not_load_the_kept_code(
    min_kb: KnowledgeBase, kept_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _entry("{{ service.support_desk }}へどうぞ")
    render_text(min_kb, entry)
    monkeypatch.setattr(jinja2, "__version__", "99.0.0")
    templating.keep_compiled_templates(kept_in)
    templating._compiled.cache_clear()
    assert render_text(min_kb, entry) == "テスト窓口へどうぞ"
    assert len(list(kept_in.iterdir())) == 2  # compiled again, kept under the new version's name
