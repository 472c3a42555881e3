"""Tests of faqbot.kb.products_file: ``products.yaml`` parsed on its own, problems with their lines.

The fixture is ``tests/fixtures/kb_min/products.yaml`` (its line numbers are fixed by
tests/test_kb_loader.py); each case changes one line and names the problem expected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from faqbot.errors import Problem
from faqbot.kb.products_file import ProductsFile, load_products
from faqbot.kb.rules import NoticeRule
from tests.conftest import KB_MIN, make_kb, replace_once


def _load(tmp_path: Path, change: Callable[[str], str] | None = None) -> tuple[list[str], ProductsFile]:
    overrides = {} if change is None else {"products.yaml": change}
    root = make_kb(tmp_path, overrides, source=KB_MIN)
    problems: list[Problem] = []
    parsed = load_products(root, problems)
    return [str(p) for p in problems], parsed


def test_the_fixture_loads_its_renewal_plans_and_products(tmp_path: Path) -> None:
    problems, parsed = _load(tmp_path)
    assert problems == []
    assert parsed.renewal.payment_method == "クレジットカード決済のみ"
    assert parsed.renewal.notice == NoticeRule(1, "請求日の約1か月前にお知らせ")
    assert parsed.renewal.statement_descriptors == ("テスト社",)
    assert [(p.id, p.name, p.aliases) for p in parsed.plans] == [
        ("monthly", "月額版 (1か月間)", ("月額", "monthly")),
        ("annual", "年額版 (1年間)", ("年額", "annual")),
    ]
    alpha, beta = parsed.products
    assert (alpha.id, alpha.name, alpha.aliases, alpha.keywords, alpha.plans) == (
        "alpha", "アルファ セキュリティ", ("アルファ",), (("alpha", "security"),), None,
    )
    assert (beta.id, beta.plans, beta.keywords, beta.price, beta.url) == ("beta", ("annual",), (), None, None)


CASES = [
    ("keywords not a list", replace_once("    keywords:\n      - [alpha, security]", "    keywords: alpha"),
     ["products.yaml:24: 'keywords' must be a list of word lists"]),
    ("an empty keyword group", replace_once("      - [alpha, security]", "      - []"),
     ["products.yaml:25: each 'keywords' item must be a non-empty list of words"]),
    ("billing not a mapping", replace_once(
        "    billing:\n      annual: {month: expiry, day: 25, approx: 前後, text: 有効期限の当月25日前後}",
        "    billing: monthly"),
     ["products.yaml:35: 'billing' must map plan ids to billing rules"]),
    ("products not a list", lambda text: text.split("products:")[0] + "products: none\n",
     ["products.yaml:20: 'products' must be a list, not 'none'; write 'products: []' (or delete products.yaml) "
      "for a service without products"]),
    ("a product that is no mapping", replace_once("  - id: beta\n", "  - beta\n  - id: beta\n"),
     ["products.yaml:30: a product must be a mapping with id, name, aliases…"]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_problem_is_reported_at_its_line(tmp_path: Path, change: Callable[[str], str], expected: list[str]) -> None:
    problems, _ = _load(tmp_path, change)
    assert problems == expected


def test_a_bad_product_does_not_stop_the_others(tmp_path: Path) -> None:
    problems, parsed = _load(tmp_path, replace_once("    name: ベータ ガード", "    name: 42"))
    assert [p.id for p in parsed.products] == ["alpha"]
    assert len(problems) == 1 and problems[0].startswith("products.yaml:31: ")


def test_a_missing_renewal_section_is_reported_and_leaves_no_products(tmp_path: Path) -> None:
    problems, parsed = _load(tmp_path, lambda text: "products:" + text.split("products:")[1])
    assert parsed.plans == () and parsed.products == ()
    assert parsed.renewal.payment_method == ""
    assert any("renewal" in p for p in problems), problems


def test_mention_suffixes_are_read_from_the_top_of_the_file(tmp_path: Path) -> None:
    problems, parsed = _load(tmp_path, replace_once("products:\n", "mention_suffixes: [version, 版]\nproducts:\n"))
    assert problems == []
    assert parsed.mention_suffixes == ("version", "版")


def test_mention_suffixes_default_to_none(tmp_path: Path) -> None:
    assert _load(tmp_path)[1].mention_suffixes == ()


def test_mention_suffixes_that_are_no_list_are_reported_at_their_line(tmp_path: Path) -> None:
    problems, _ = _load(tmp_path, replace_once("products:\n", "mention_suffixes: version\nproducts:\n"))
    assert problems == ["products.yaml:20: 'mention_suffixes' must be a list of texts"]


def test_other_expiries_are_read_from_the_top_of_the_file(tmp_path: Path) -> None:
    problems, parsed = _load(tmp_path, replace_once("products:\n", "other_expiries: [カード, card]\nproducts:\n"))
    assert problems == []
    assert parsed.other_expiries == ("カード", "card")
