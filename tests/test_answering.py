"""Tests of faqbot.answers.answering: one question in, one Answer value out.

Billing dates are derived by hand from the seed rules (annual: end of the month
before expiry; monthly: end of the expiry month; トータルセキュリティ annual: the
25th of the expiry month; notice about one month before billing).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from faqbot.answers.answering import (
    Answer,
    Engine,
    _compute,
    answer_entry,
    answer_query,
    billing_for,
    billing_problem_text,
    missing_slots,
)
from faqbot.errors import (
    ExpiryInPastError,
    InputError,
    PlanNotOfferedError,
    UnknownPlanError,
    UnknownProductError,
)
from faqbot.kb.dates import FoundDate
from faqbot.kb.loader import load_knowledge_base
from faqbot.routing.entities import Entities
from tests.conftest import KB_MIN, TODAY, make_kb, replace_once

EXPIRY = FoundDate(date(2027, 3, 31), "day", "2027/3/31")


def test_answer_renders_the_entry_for_the_named_product(min_engine: Engine) -> None:
    answer = answer_query(min_engine, "アルファの自動更新を解約したい", TODAY)
    assert (answer.intent, answer.decision) == ("cancel", "answer")
    assert answer.text == "テスト自動更新の解約はテストアカウントから行えます。"
    assert answer.entities.product == "alpha"
    assert answer.pages == ("アルファの解約方法", "解約の方法")
    assert [(r.intent, r.question) for r in answer.related] == [("change-card", "登録しているクレジットカードを変更したい")]
    assert all(s.intent != "cancel" for s in answer.suggestions)


def test_product_shapes_the_answer_text(min_engine: Engine) -> None:
    general = answer_query(min_engine, "カードを変えたい", TODAY)
    beta = answer_query(min_engine, "ベータのカードを変えたい", TODAY)
    assert general.text == "クレジットカードの変更はテストアカウントで行えます。"
    assert beta.text == "ベータ ガードのクレジットカードの変更はテストアカウントで行えます。"


def test_fallback_offers_suggestions_and_the_support_desk(engine: Engine) -> None:
    answer = answer_query(engine, "おすすめのラーメン屋さんはどこ", TODAY)
    assert (answer.intent, answer.decision) == ("fallback", "fallback")
    assert engine.kb.service.support_desk in answer.text
    assert 1 <= len(answer.suggestions) <= 3
    assert answer.pages == () and answer.billing is None


def test_clarify_offers_the_two_close_entries(tmp_path: Path) -> None:
    tie = (
        "category: 同じ質問\nentries:\n"
        "  - id: twin-a\n    question: 支払い明細の見方を知りたい\n    answer: A\n"
        "  - id: twin-b\n    question: 支払い明細の見方を知りたい\n    answer: B\n"
    )
    engine = Engine.build(load_knowledge_base(make_kb(tmp_path, {"faq/tie.yaml": tie}, source=KB_MIN)))
    answer = answer_query(engine, "支払い明細の見方を知りたい", TODAY)
    assert answer.decision == "clarify"
    assert {s.intent for s in answer.suggestions} == {"twin-a", "twin-b"}
    assert "1. 支払い明細の見方を知りたい" in answer.text and "2. 支払い明細の見方を知りたい" in answer.text


@pytest.mark.parametrize(
    ("query", "product", "plan", "billing", "notice"),
    [
        ("ウイルスバスター クラウド 年額 期限2027年3月31日 次の請求日は？",
         "virusbuster-cloud", "annual", date(2027, 2, 28), date(2027, 1, 31)),
        ("バスタークラウド 月額 期限2027/4/30 次の引き落とし日",
         "virusbuster-cloud", "monthly", date(2027, 4, 30), date(2027, 3, 31)),
        ("トータルセキュリティ スタンダード 年額で期限2027年6月30日、次の請求日は？",
         "total-security-standard", "annual", date(2027, 6, 25), date(2027, 5, 25)),
    ],
)
def test_next_billing_date_is_computed_from_the_question(
    engine: Engine, query: str, product: str, plan: str, billing: date, notice: date
) -> None:
    answer = answer_query(engine, query, TODAY)
    assert answer.intent == "next-billing-date"
    assert (answer.entities.product, answer.entities.plan) == (product, plan)
    assert answer.billing is not None and answer.missing == ()
    assert (answer.billing.billing_date, answer.billing.notice_date) == (billing, notice)
    assert f"{billing.year}年{billing.month}月{billing.day}日" in answer.text


def test_next_billing_date_asks_for_what_is_missing(engine: Engine) -> None:
    answer = answer_query(engine, "次の請求日はいつになる？", TODAY)
    assert answer.intent == "next-billing-date"
    assert answer.billing is None
    assert answer.missing == ("product", "plan", "expiry")
    assert "有効期限" in answer.text and "ウイルスバスター クラウド" in answer.text


def test_the_missing_slots_prompt_takes_its_example_from_the_knowledge_base(engine: Engine, min_engine: Engine) -> None:
    shipped = answer_query(engine, "次の請求日はいつになる？", TODAY).text
    assert "プラン (月額版 / 年額版)" in shipped
    assert "例: 「ウイルスバスター クラウド 年額版、有効期限は2027年3月31日」" in shipped
    # Another knowledge base's prompt names its own product, not the shipped one's.
    _, missing, other = _compute(min_engine, "", Entities(), TODAY)
    assert missing == ("product", "plan", "expiry")
    assert "例: 「アルファ セキュリティ 年額版、有効期限は2027年3月31日」" in other
    assert "ウイルスバスター" not in other


def test_the_statement_is_named_in_the_knowledge_base_s_words(engine: Engine, tmp_path: Path) -> None:
    # The seed's 「クレジットカード会社のご利用明細書」 comes from products.yaml, not from a template:
    # another service's KB with another payment method names its own statement, or none.
    query = "ウイルスバスター クラウド 年額 期限2027年3月31日 次の請求日は？"
    shipped = answer_query(engine, query, TODAY).text
    assert "クレジットカード会社のご利用明細書には「トレンドマイクロ ウイルスバスター」または「トレンドマイクロ株式会社」と記載されます。" in shipped
    in_english = replace(engine, kb=engine.kb.in_language("en"))
    english = answer_query(in_english, "Virus Buster Cloud, annual, expiry March 31, 2027: next billing date?", TODAY).text
    assert 'Your credit card statement will show "トレンドマイクロ ウイルスバスター"' in english
    root = make_kb(tmp_path, {"products.yaml": replace_once(
        "  statement_label: クレジットカード会社のご利用明細書\n  statement_label_en: credit card statement\n", "",
    )})
    unlabelled = Engine.build(load_knowledge_base(root))
    # Labelled in Japanese only: the English answer says "statement", not the Japanese label.
    ja_only = make_kb(tmp_path / "ja", {"products.yaml": replace_once("  statement_label_en: credit card statement\n", "")})
    ja_only_en = Engine.build(load_knowledge_base(ja_only))
    ja_only_en = replace(ja_only_en, kb=ja_only_en.kb.in_language("en"))
    english_generic = answer_query(ja_only_en, "Virus Buster Cloud, annual, expiry March 31, 2027: next billing date?", TODAY).text
    assert 'Your statement will show "トレンドマイクロ ウイルスバスター"' in english_generic
    assert "\nご利用明細には「トレンドマイクロ ウイルスバスター」または「トレンドマイクロ株式会社」と記載されます。" in answer_query(unlabelled, query, TODAY).text


def test_a_kb_without_statement_descriptors_says_nothing_of_the_statement(engine: Engine, tmp_path: Path) -> None:
    query = "ウイルスバスター クラウド 年額 期限2027年3月31日 次の請求日は？"
    root = make_kb(tmp_path, {"products.yaml": replace_once(
        "  statement_descriptors:\n    - トレンドマイクロ ウイルスバスター\n    - トレンドマイクロ株式会社\n",
        "  statement_descriptors: []\n",
    )})
    text = answer_query(Engine.build(load_knowledge_base(root)), query, TODAY).text
    assert "請求日" in text and "明細" not in text and "「」" not in text


def test_next_billing_date_explains_a_past_expiry(engine: Engine) -> None:
    answer = answer_query(engine, "パスマネ 月額 期限2025年1月31日 次の請求日は？", TODAY)
    assert answer.intent == "next-billing-date"
    assert answer.billing is None and answer.missing == ()
    assert "2025-01-31" in answer.text


def test_answer_entry_answers_a_known_entry(min_engine: Engine) -> None:
    entry = min_engine.kb.entry("change-card")
    answer = answer_entry(min_engine, entry, Entities(product="beta"), TODAY)
    assert isinstance(answer, Answer)
    assert (answer.intent, answer.decision, answer.confidence) == ("change-card", "answer", 1.0)
    assert answer.text.startswith("ベータ ガードの")


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        (Entities(), ("product", "plan", "expiry")),
        (Entities(product="mobile"), ("plan", "expiry")),
        (Entities(plan="annual", expiry=EXPIRY), ("product",)),
        (Entities(product="mobile", plan="annual", expiry=EXPIRY), ()),
    ],
)
def test_missing_slots(entities: Entities, expected: tuple[str, ...]) -> None:
    assert missing_slots(entities) == expected


@pytest.mark.parametrize(
    ("product", "plan", "expiry", "billing", "notice"),
    [
        ("mobile", "monthly", date(2027, 3, 31), date(2027, 3, 31), date(2027, 2, 28)),
        ("mobile", "annual", date(2027, 3, 31), date(2027, 2, 28), date(2027, 1, 31)),
        ("mac", "annual", date(2028, 3, 15), date(2028, 2, 29), date(2028, 1, 31)),  # leap year
        ("total-security-premium", "annual", date(2027, 3, 31), date(2027, 3, 25), date(2027, 2, 25)),
        ("total-security-standard", "monthly", date(2027, 1, 10), date(2027, 1, 31), date(2026, 12, 31)),
    ],
)
def test_billing_for(engine: Engine, product: str, plan: str, expiry: date, billing: date, notice: date) -> None:
    result = billing_for(engine, product, plan, expiry, TODAY)
    assert (result.billing_date, result.notice_date, result.approximate) == (billing, notice, True)


@pytest.mark.parametrize(
    ("product", "plan", "expiry", "error"),
    [
        ("nope", "annual", date(2027, 3, 31), UnknownProductError),
        ("mobile", "weekly", date(2027, 3, 31), UnknownPlanError),
        ("mobile", "annual", date(2025, 3, 31), ExpiryInPastError),
    ],
)
def test_billing_for_errors(engine: Engine, product: str, plan: str, expiry: date, error: type) -> None:
    with pytest.raises(error):
        billing_for(engine, product, plan, expiry, TODAY)


@pytest.mark.parametrize(
    ("product", "plan", "expiry", "today", "mentions"),
    [
        ("total-security-premium", "annual", date(2027, 3, 31), TODAY,
         ["有効期限の当月25日前後", "2027年3月25日前後", "2027年2月25日前後"]),
        ("virusbuster-cloud", "annual", date(2027, 1, 15), TODAY, ["有効期限の前月末頃", "2026年12月31日頃", "2026年11月30日頃"]),
        # The given expiry's charge lies before today: its timing only, never "it was charged".
        (
            "virusbuster-cloud", "annual", date(2027, 3, 31), date(2027, 3, 10),
            ["有効期限 2027年3月31日 の分の請求は、目安では2027年2月28日頃で、すでにその時期を過ぎています。"
             "実際のご請求はトレンドマイクロアカウントでご確認ください。", "2028年3月31日", "2028年2月29日頃"],
        ),
        (
            "mobile", "annual", date(2026, 12, 4), date(2026, 12, 4),
            ["有効期限 2026年12月4日 の分の請求は、目安では2026年11月30日頃で、すでにその時期を過ぎています。"],
        ),
        ("virusbuster-cloud", "monthly", date(2026, 11, 30), TODAY, ["2026年10月31日頃", "すでに届いている"]),
    ],
)
def test_billing_explanation_mentions_rule_and_dates(
    engine: Engine, product: str, plan: str, expiry: date, today: date, mentions: list[str]
) -> None:
    explanation = billing_for(engine, product, plan, expiry, today).explanation
    for text in mentions:
        assert text in explanation
    assert "行われています" not in explanation and "\n" not in explanation


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ja", "目安では2027年2月28日頃で、すでにその時期を過ぎています。実際のご請求はトレンドマイクロアカウントでご確認ください。"),
        ("en", "was due around February 28, 2027, which has passed; please check the actual charge in Trend Micro Account."),
    ],
)
def test_a_passed_charge_is_worded_as_timing_in_the_answers_language(engine: Engine, lang: str, said: str) -> None:
    from faqbot.dialogue.language import in_language

    query = "ウイルスバスター クラウドの年額版で、有効期限は2027年3月31日。次の請求日は？"
    answer = answer_query(in_language(engine, lang), query, date(2027, 3, 10))
    assert answer.billing is not None and said in answer.text, answer.text
    assert "行われています" not in answer.text and "has already been made" not in answer.text


def test_billing_explanation_names_the_knowledge_bases_account(min_engine: Engine) -> None:
    explanation = billing_for(min_engine, "alpha", "annual", date(2027, 3, 31), date(2027, 3, 10)).explanation
    assert "実際のご請求はテストアカウントでご確認ください。" in explanation


def test_billing_explanation_of_a_stated_plan_does_not_ask_to_confirm(engine: Engine) -> None:
    # The customer stated the plan: the explanation does not ask which plans are sold (the CLI adds that caveat).
    result = billing_for(engine, "password-manager", "annual", date(2027, 6, 30), TODAY)
    assert result.plans_confirmed is True
    assert "記載が" not in result.explanation
    assert result.approx in result.explanation and result.rule_text in result.explanation
    unconfirmed = billing_for(engine, "total-security-standard", "annual", date(2027, 3, 31), TODAY)
    assert unconfirmed.plans_confirmed is False and "記載が" not in unconfirmed.explanation


def test_plan_not_offered(min_engine: Engine) -> None:
    with pytest.raises(PlanNotOfferedError):
        billing_for(min_engine, "beta", "monthly", date(2027, 3, 31), TODAY)


def test_query_must_be_text(engine: Engine) -> None:
    with pytest.raises(InputError):
        answer_query(engine, None, TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ja", "有効期限 2026-03-15 は今日 (2026-11-26) より前です。トレンドマイクロアカウントで現在の有効期限を確認して"),
        ("en", "The expiry date 2026-03-15 is before today (2026-11-26). Please check your current expiry date in Trend Micro Account"),
    ],
)
def test_a_past_expiry_is_worded_in_the_answers_language(engine: Engine, lang: str, said: str) -> None:
    # The error's own message is English, for staff and API clients; a customer reads their language.
    from faqbot.dialogue.language import in_language

    answer = answer_query(in_language(engine, lang), "ウイルスバスター クラウドの年額版で、有効期限は2026年3月15日。次の請求日は？", TODAY)
    assert answer.billing is None and said in answer.text, answer.text


def test_a_plan_not_offered_is_worded_for_the_customer(min_engine: Engine) -> None:
    # The error's message is English for staff and API clients; the customer reads the knowledge base's language.
    with pytest.raises(PlanNotOfferedError) as raised:
        billing_for(min_engine, "beta", "monthly", date(2027, 3, 31), TODAY)
    assert str(raised.value).startswith("ベータ ガード (beta) is not sold on the plan 'monthly'")
    text = billing_problem_text(raised.value, min_engine.kb)
    assert text == "ベータ ガード (beta) はプラン 'monthly' では提供されていません。選べるプランは annual です。"
