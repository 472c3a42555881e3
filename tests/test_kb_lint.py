"""Knowledge-base lint: near-duplicates, too few alternates, unused synonyms, seed products, --strict."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.cli import main
from faqbot.errors import Problem
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.lint import (
    alternate_problems,
    duplicate_questions,
    few_alternates,
    missing_optional_files,
    near_duplicate_entries,
    seed_products_without_rules,
    seed_table_products,
    untranslated,
    unused_synonyms,
)
from faqbot.routing.router import Router
from tests.conftest import line_number, make_kb, replace_once

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_SHIPPED = FIXTURES / "seed_table.txt"  # the product table of shared/seed, verbatim
SEED_MIN = FIXTURES / "seed_table_min.txt"
# A two-entry knowledge base of this test's own (two alternates per entry, so it warns).
KB_MIN = FIXTURES / "kb_lint"


@pytest.fixture(scope="module")
def min_kb() -> KnowledgeBase:
    return load_knowledge_base(KB_MIN)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- the shipped knowledge base --------------------------------------------------


def test_shipped_kb_has_no_lint_warnings(shipped_kb: KnowledgeBase) -> None:
    assert near_duplicate_entries(shipped_kb) == []
    assert few_alternates(shipped_kb) == []
    assert unused_synonyms(shipped_kb) == []
    assert seed_products_without_rules(shipped_kb, SEED_SHIPPED.read_text(encoding="utf-8"), "seed") == []


def test_seed_table_is_read_with_lines() -> None:
    names = seed_table_products(SEED_SHIPPED.read_text(encoding="utf-8"))
    assert names == (
        ("ウイルスバスター クラウド", 5),
        ("ウイルスバスター クラウド+ デジタルライフサポート プレミアム", 7),
        ("ウイルスバスター トータルセキュリティ スタンダード", 9),
        ("ウイルスバスター トータルセキュリティ プレミアム", 11),
        ("ウイルスバスター モバイル", 13),
        ("ウイルスバスター for Mac", 15),
        ("パスワードマネージャー", 17),
        ("フリーWi-Fiプロテクション", 19),
        ("ウイルスバスター for Home Network", 21),
        ("ホームネットワークセキュリティ", 23),
    )


# --- each warning on the tiny fixture knowledge base ------------------------------


def test_few_alternates(min_kb: KnowledgeBase) -> None:
    assert few_alternates(min_kb) == [
        Problem("faq/basic.yaml", 3, "entry 'cancel' has 2 alternate question(s); add at least 3 in customers' own words", "warning"),
        Problem("faq/basic.yaml", 17, "entry 'change-card' has 2 alternate question(s); add at least 3 in customers' own words", "warning"),
    ]
    assert few_alternates(min_kb, 2) == []


def test_near_duplicate_questions_in_two_entries(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {"faq/basic.yaml": replace_once("      - 支払いに使うカードを新しくしたい\n",
                                        "      - 支払いに使うカードを新しくしたい\n      - 自動更新を解約したいんだ\n")},
        source=KB_MIN,
    )
    kb = load_knowledge_base(root)
    line = line_number(root / "faq/basic.yaml", "自動更新を解約したいんだ")
    (problem,) = near_duplicate_entries(kb)
    assert duplicate_questions(kb) == []  # alike, not the same: a warning only
    assert (problem.path, problem.line, problem.severity) == ("faq/basic.yaml", line, "warning")
    assert problem.message.startswith("entries 'cancel' and 'change-card' have near-duplicate questions (91% alike)")
    # The canonical question is located at its entry's first line.
    assert "'自動更新を解約したい' (faq/basic.yaml:3) and '自動更新を解約したいんだ'" in problem.message


# (an alternate added to change-card at line 22, the question of 'cancel' it is once normalised, that question's line)
SAME_QUESTIONS = [
    ("自動更新を解約したい", "自動更新を解約したい", 3),
    ("自動更新を解約したいのですが", "自動更新を解約したい", 3),  # a polite ending
    ("自動更新を 解約したいです！", "自動更新を解約したい", 3),  # spaces, punctuation
    ("自動更新の解約方法", "自動更新の解約方法", 6),  # an alternate of 'cancel'
]


@pytest.mark.parametrize(("alternate", "question", "line"), SAME_QUESTIONS, ids=[c[0] for c in SAME_QUESTIONS])
def test_the_same_question_in_two_entries_is_an_error(tmp_path: Path, alternate: str, question: str, line: int) -> None:
    added = f"      - 支払いに使うカードを新しくしたい\n      - {alternate}\n"
    root = make_kb(tmp_path, {"faq/basic.yaml": replace_once("      - 支払いに使うカードを新しくしたい\n", added)}, source=KB_MIN)
    kb = load_knowledge_base(root)
    assert duplicate_questions(kb) == [
        Problem("faq/basic.yaml", 22, f"question {alternate!r} of 'change-card' is, normalised, the question "
                f"{question!r} of 'cancel' (faq/basic.yaml:{line}); keep it in one entry and reword or remove the other")
    ]
    assert near_duplicate_entries(kb) == []  # not also a warning


def test_check_fails_on_the_same_question_in_two_entries(tmp_path: Path) -> None:
    added = "      - 支払いに使うカードを新しくしたい\n      - 自動更新を解約したいのですが\n"
    root = make_kb(tmp_path, {"faq/basic.yaml": replace_once("      - 支払いに使うカードを新しくしたい\n", added)}, source=KB_MIN)
    code, out, _ = run("check", "--kb", str(root), "--min-alternates", "0")
    assert code == 1
    assert "faq/basic.yaml:22: error: question '自動更新を解約したいのですが' of 'change-card' is, normalised, the question" in out


def test_unused_synonym_group(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {"synonyms.yaml": "synonyms:\n  解約: [やめたい, キャンセル]\n  返金: [払い戻し, refund]\n"},
        source=KB_MIN,
    )
    assert unused_synonyms(load_knowledge_base(root)) == [
        Problem(
            "synonyms.yaml", 3,
            "synonym group '返金' is unused: no question contains '返金'; use the word in a question or remove the group",
            "warning",
        )
    ]


def test_seed_products_without_renewal_rules(min_kb: KnowledgeBase) -> None:
    # ベータガード matches ベータ ガード (spaces do not count); ガンマ バックアップ is missing.
    assert seed_products_without_rules(min_kb, SEED_MIN.read_text(encoding="utf-8"), "seed.txt") == [
        Problem(
            "seed.txt", 8,
            "product 'ガンマ バックアップ' is named in the seed's table but has no renewal rules; "
            "add it to products.yaml (id, name, aliases, plans)",
            "warning",
        )
    ]


def _lint_kb(tmp_path: Path, old: str, new: str) -> KnowledgeBase:
    return load_knowledge_base(make_kb(tmp_path, {"out_of_scope.yaml": replace_once(old, new)}, source=KB_MIN))


def test_alternate_problems_names_the_example_that_refuses_them(tmp_path: Path) -> None:
    # An out-of-scope example worded like an alternate of 'change-card' steals it when it is left out.
    kb = _lint_kb(tmp_path, "  - おすすめのラーメン屋\n", "  - おすすめのラーメン屋\n  - 支払いに使うカードを新しくしたい犬\n")
    problems = alternate_problems(kb, Router.build(kb))
    alternate = "支払いに使うカードを新しくしたい"
    assert [(p.path, p.line, p.severity) for p in problems] == [
        ("faq/basic.yaml", line_number(KB_MIN / "faq" / "basic.yaml", alternate), "warning")
    ]
    assert problems[0].message == (
        f"alternate question {alternate!r} of 'change-card' is refused when left out: the out-of-scope example "
        "'支払いに使うカードを新しくしたい犬' matches it better; reword or remove the example, or add alternates worded like it"
    )


def test_alternate_problems_names_the_subject_that_refuses_them(tmp_path: Path) -> None:
    kb = _lint_kb(tmp_path, "  - ネットフリックス\n", "  - ネットフリックス\n  - 止める手順\n")
    problems = alternate_problems(kb, Router.build(kb))
    assert [p.message for p in problems] == [
        "alternate question '自動更新を止める手順' of 'cancel' is refused: it names the out-of-scope subject '止める手順'; "
        "remove the subject or reword the alternate"
    ]


def test_alternate_problems_is_quiet_without_a_culprit(min_kb: KnowledgeBase) -> None:
    assert alternate_problems(min_kb, Router.build(min_kb)) == []


# --- faqbot check ----------------------------------------------------------------------

# What the build fitted, printed before the summary: an edit anywhere may move it (kb_min states
# its threshold; the weight is fitted on its eight questions).
KB_MIN_FIT = "fit: lexical weight 4 (fitted on the knowledge base's own questions); decision: best character score ≥ 0.3 (hand-set router.threshold)"


def test_check_prints_warnings_and_passes_without_strict() -> None:
    code, out, _ = run("check", "--kb", str(KB_MIN), "--seed", str(SEED_MIN))
    assert code == 0
    assert out.splitlines() == [
        "faq/basic.yaml:3: warning: entry 'cancel' has 2 alternate question(s); add at least 3 in customers' own words",
        "faq/basic.yaml:17: warning: entry 'change-card' has 2 alternate question(s); add at least 3 in customers' own words",
        f"{SEED_MIN}:8: warning: product 'ガンマ バックアップ' is named in the seed's table but has no renewal rules; "
        "add it to products.yaml (id, name, aliases, plans)",
        KB_MIN_FIT,
        f"OK: 3 entries, 10 questions, 2 products in {KB_MIN}, 3 warning(s) (fail on them with --strict)",
    ]


def test_a_missing_smalltalk_or_handoff_file_is_warned_with_what_the_bot_will_not_do(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"smalltalk.yaml": None, "handoff.yaml": None}, source=KB_MIN)
    warnings = missing_optional_files(load_knowledge_base(root))
    assert [(w.path, w.severity) for w in warnings] == [("smalltalk.yaml", "warning"), ("handoff.yaml", "warning")]
    assert "greetings" in warnings[0].message and "fallback" in warnings[0].message
    assert "request for a person" in warnings[1].message
    code, out, _ = run("check", "--kb", str(root), "--min-alternates", "2")
    assert code == 0  # a warning, not an error
    assert "handoff.yaml: warning: handoff.yaml is missing" in out


def test_check_strict_fails_on_warnings() -> None:
    code, _, err = run("check", "--kb", str(KB_MIN), "--strict")
    assert code == 1
    assert err == f"0 error(s), 2 warning(s) in {KB_MIN} (--strict: warnings count)\n"


def test_check_strict_passes_with_a_lower_minimum() -> None:
    code, out, _ = run("check", "--kb", str(KB_MIN), "--strict", "--min-alternates", "2")
    assert code == 0
    assert out == f"{KB_MIN_FIT}\nOK: 3 entries, 10 questions, 2 products in {KB_MIN}\n"


def test_check_keeps_reporting_misrouted_alternates(tmp_path: Path) -> None:
    # An alternate of 'cancel' that is really about the card routes to 'change-card'.
    root = make_kb(
        tmp_path,
        {"faq/basic.yaml": replace_once("      - 自動更新を止める手順\n", "      - 自動更新を止める手順\n      - クレカを新しいのに変更したい\n")},
        source=KB_MIN,
    )
    code, out, _ = run("check", "--kb", str(root), "--min-alternates", "2")
    line = line_number(root / "faq/basic.yaml", "クレカを新しいのに変更したい")
    assert code == 1
    assert f"faq/basic.yaml:{line}: error: alternate question 'クレカを新しいのに変更したい' of 'cancel' routes to 'change-card'" in out


def test_check_names_an_unreadable_seed(tmp_path: Path) -> None:
    code, _, err = run("check", "--kb", str(KB_MIN), "--seed", str(tmp_path / "none.txt"))
    assert code == 1
    assert err.startswith(f"Error: Cannot read the seed page {tmp_path / 'none.txt'} (")
    assert err.endswith("; pass an existing UTF-8 file to --seed.\n")


def test_untranslated_entries_and_names_are_warned(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {
            "faq/basic.yaml": replace_once("    question_en: I want to cancel automatic renewal\n", ""),
            "products.yaml": lambda text: text.replace("    name_en: Beta Guard\n", "").replace("      name_en: monthly plan\n", ""),
        },
        source=KB_MIN,
    )
    assert untranslated(load_knowledge_base(root)) == [  # at the line of the product's id and of the plan's
        Problem("faq/basic.yaml", 3, "entry 'cancel' lacks question_en (English translation)", "warning"),
        Problem("products.yaml", 32, "product 'beta' lacks name_en (English translation)", "warning"),
        Problem("products.yaml", 9, "plan 'monthly' lacks name_en (English translation)", "warning"),
    ]


def test_the_shipped_knowledge_base_is_fully_translated() -> None:
    assert untranslated(load_knowledge_base(None)) == []
