"""A knowledge base for another service gets none of the shipped service's wording.

The bot's own templates are shared by every knowledge base: what is particular to one
service (the unknown-charge advice, example questions, the billing calculator) must come
from its knowledge base, with a neutral default where that says nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.answers.answering import Engine, answer_query
from faqbot.cli import main
from faqbot.dialogue import Link, Reply, help_reply, initial_state, render_reply_text, step
from faqbot.errors import KnowledgeBaseError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.web.pages import demo_html
from tests.conftest import KB_MIN, make_kb, replace_once

TODAY = date(2026, 11, 26)

HANDOFF = """\
complaint: [勝手に引き落と, 金返せ]
refund: [返金して]
asked: [人と話したい]
"""

# kb_min's desk with a phone and hours, as a support team's own knowledge base would give them.
WITH_PHONE = replace_once(
    "  support_url: null\n",
    "  support_url: null\n  support_phone: 0120-000-111\n  support_hours: 平日 9:00〜18:00\n",
)


def _engine(tmp_path: Path, overrides: dict[str, object]) -> Engine:
    return Engine.build(load_knowledge_base(make_kb(tmp_path, overrides, source=KB_MIN)))  # type: ignore[arg-type]


def _say(engine: Engine, *messages: str) -> Reply:
    state = initial_state()
    reply: Reply | None = None
    for message in messages:
        reply, state = step(engine, state, message, TODAY)
    assert reply is not None
    return reply


@pytest.fixture(scope="module")
def other_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """kb_min (テスト社, テスト窓口) with a phone, hours and a handoff.yaml that words no complaint reply."""
    return _engine(tmp_path_factory.mktemp("other"), {"service.yaml": WITH_PHONE, "handoff.yaml": HANDOFF})


# --- 1. the complaint reply ----------------------------------------------------------


def test_a_complaint_gets_an_apology_and_the_desk_not_the_shipped_unknown_charge_advice(other_engine: Engine) -> None:
    reply = _say(other_engine, "勝手に引き落とされた！金返せ")
    assert reply.kind == "handoff"
    assert "申し訳ありません" in reply.text
    assert "テスト窓口へお問い合わせください" in reply.text
    assert "0120-000-111" in reply.text and "平日 9:00〜18:00" in reply.text
    assert "身に覚え" not in reply.text and "確認事項" not in reply.text


def test_a_complaint_gets_the_wording_handoff_yaml_gives(tmp_path: Path) -> None:
    own = HANDOFF + (
        "complaint_reply: |\n  {{ service.company }}の請求内容は{{ service.account }}でご確認いただけます。\n"
        "complaint_reply_en: |\n  You can check {{ service.company }}'s charges in {{ service.account }}.\n"
    )
    engine = _engine(tmp_path, {"handoff.yaml": own})
    assert "テスト社の請求内容はテストアカウントでご確認いただけます。" in _say(engine, "勝手に引き落とされた").text
    english, _ = step(engine, initial_state(), "I was charged! 金返せ", TODAY, "en")
    assert "You can check テスト社's charges in テストアカウント." in english.text


def test_a_complaint_reply_that_does_not_render_stops_the_load(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"handoff.yaml": HANDOFF + "complaint_reply: '{{ service.nope }}'\n"}, source=KB_MIN)
    with pytest.raises(KnowledgeBaseError, match="complaint_reply does not render"):
        load_knowledge_base(root)


# --- 3. the desk's contact points wherever a fallback points to the desk ----------------


def test_ask_fallback_gives_the_desks_phone_and_hours(tmp_path: Path) -> None:
    engine = _engine(tmp_path, {"service.yaml": WITH_PHONE})
    text = answer_query(engine, "明日の天気を教えて", TODAY).text
    assert "テスト窓口へお問い合わせください" in text
    assert "電話: 0120-000-111 (受付時間: 平日 9:00〜18:00)" in text


def test_without_handoff_yaml_the_second_miss_gives_the_desks_phone(tmp_path: Path) -> None:
    engine = _engine(tmp_path, {"service.yaml": WITH_PHONE})
    reply = _say(engine, "人と話したい", "オペレーターをお願い")
    assert reply.kind == "support"
    assert "0120-000-111" in reply.text and "(お問い合わせ窓口)" not in reply.text


def test_the_desk_offered_after_an_answer_did_not_work_gives_its_phone(other_engine: Engine) -> None:
    reply = _say(other_engine, "自動更新を解約したい", "できない")
    assert reply.kind == "support"
    assert "テスト窓口へお問い合わせください" in reply.text and "0120-000-111" in reply.text


def test_more_on_an_answer_gives_the_desks_phone(other_engine: Engine) -> None:
    reply = _say(other_engine, "自動更新を解約したい", "もっと詳しく")
    assert "テスト窓口へお問い合わせください" in reply.text and "0120-000-111" in reply.text


def test_without_contact_points_the_fallback_reads_as_before(min_engine: Engine) -> None:
    text = answer_query(min_engine, "明日の天気を教えて", TODAY).text
    assert text.endswith("解決しない場合は、テスト窓口へお問い合わせください。")


# --- 4. wording: the desk is named once, and only pages are listed as pages --------------


def test_the_desk_and_the_account_are_not_listed_as_reference_pages(other_engine: Engine) -> None:
    reply = _say(other_engine, "人と話したい")
    assert reply.kind == "handoff"
    assert reply.links == ()
    assert "参考ページ" not in render_reply_text(reply)


def test_the_desks_page_is_listed_when_it_has_a_url(tmp_path: Path) -> None:
    with_url = replace_once("  support_url: null\n", "  support_url: https://example.jp/desk\n")
    engine = _engine(tmp_path, {"service.yaml": with_url, "handoff.yaml": HANDOFF})
    assert _say(engine, "人と話したい").links == (Link("テスト窓口", "https://example.jp/desk"),)


# --- 2. examples, the demo page and the help come from the knowledge base ----------------

KB_MIN_EXAMPLES = "例: 「自動更新を解約したい」「登録しているクレジットカードを変更したい」"


def test_a_request_for_a_question_offers_the_knowledge_bases_first_questions(min_engine: Engine) -> None:
    for messages in (("",), ("もっと詳しく",)):
        text = _say(min_engine, *messages).text
        assert KB_MIN_EXAMPLES in text
        assert "請求日" not in text
    english, _ = step(min_engine, initial_state(), "", TODAY, "en")
    assert "When is my next billing date" not in english.text


def test_chat_help_without_a_help_entry_offers_the_knowledge_bases_questions(min_engine: Engine) -> None:
    reply, _ = help_reply(min_engine, initial_state(), TODAY)
    assert KB_MIN_EXAMPLES in reply.text and "次の請求日" not in reply.text


def test_the_examples_are_the_help_entrys_related_questions_when_it_names_some(tmp_path: Path) -> None:
    smalltalk = """\
entries:
  - id: help
    question: 何ができますか？
    alternates: [使い方を教えて, ヘルプ]
    answer: |
      テスト自動更新についてお答えします。
    related: [change-card]
"""
    engine = _engine(tmp_path, {"smalltalk.yaml": smalltalk})
    assert "例: 「登録しているクレジットカードを変更したい」" in _say(engine, "もっと詳しく").text


def test_the_demo_page_mentions_the_billing_calculator_only_with_a_compute_entry(min_kb: KnowledgeBase,
                                                                                 shipped_kb: KnowledgeBase) -> None:
    assert "請求日の目安" not in demo_html(min_kb)
    assert "次回の請求日の目安も、製品・プラン・有効期限から計算できます。" in demo_html(shipped_kb)


def test_the_demo_page_lists_categories_in_file_name_order_so_numbered_files_set_it(tmp_path: Path) -> None:
    # docs/knowledge-format.md: the FAQ files are read in file-name order, which orders the demo page's
    # categories; a team that wants its own order numbers the files (01-sodai.yaml before 02-shigen.yaml).
    other = Path(__file__).parent / "fixtures" / "kb_other_service"
    root = make_kb(tmp_path, source=other)
    (root / "faq" / "contract.yaml").rename(root / "faq" / "01-contract.yaml")
    page = demo_html(load_knowledge_base(root))
    headings = [page.index(f"<h2>{name}</h2>") for name in ("ご契約・お手続き", "会員情報・オプション", "料金・お支払い")]
    assert headings == sorted(headings)


def test_the_top_level_help_names_no_service() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "answers questions from a knowledge base" in result.output
    assert "computes billing dates" not in result.output
