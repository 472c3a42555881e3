"""A refund demand in a knowledge base for another service: its own words, or its entries' answer.

The shipped wording (「返金については案内ページに記載がなく…」) is the shipped knowledge base's
(knowledge/handoff.yaml ``refund_reply``); the bot's template says nothing particular to one
service.  A trial knowledge base for a city's bulky-waste desk answers refunds in an entry
(「処理券の払い戻しはできません」) and was told its page said nothing about them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.answers.answering import Engine
from faqbot.cli import main
from faqbot.dialogue import Reply, initial_state, step
from faqbot.errors import KnowledgeBaseError
from faqbot.kb.loader import load_knowledge_base
from tests.conftest import KB_MIN, make_kb, replace_once

TODAY = date(2026, 11, 26)

HANDOFF = """\
complaint: [ふざけるな]
refund: [返金して, 返金してほしい, refund]
asked: [担当者と話したい]
"""

OWN_REFUND = HANDOFF + (
    "refund_reply: |\n  {{ service.company }}では返金を承っておりません。{{ service.support_desk }}へご相談ください。\n"
    "refund_reply_en: |\n  {{ service.company }} gives no refunds. Please ask {{ service.support_desk }}.\n"
)

# An entry that answers a refund demand, as the trial's 処理券 entry did.
TICKET = """\
  - id: ticket-refund
    question: チケットの払い戻しはできますか？
    alternates:
      - チケットを返金してほしい
      - チケット代を返金してもらえますか
      - チケットの払い戻し方法
    answer: |
      チケットの払い戻しはできません。
"""


# kb_min's router is never 0.9 sure with three entries; the bar an answer beside a handoff must clear.
SURE_ENOUGH = replace_once("router:\n", "router:\n  target_precision: 0.7\n")


def _engine(tmp_path: Path, overrides: dict[str, object]) -> Engine:
    return Engine.build(load_knowledge_base(make_kb(tmp_path, overrides, source=KB_MIN)))  # type: ignore[arg-type]


def _first(engine: Engine, message: str, lang: str | None = None) -> Reply:
    return step(engine, initial_state(), message, TODAY, lang)[0]


@pytest.fixture(scope="module")
def plain_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """kb_min with handoff phrases and no refund_reply."""
    return _engine(tmp_path_factory.mktemp("plain"), {"handoff.yaml": HANDOFF})


def test_without_refund_reply_a_refund_demand_gets_an_apology_and_the_desk_only(plain_engine: Engine) -> None:
    reply = _first(plain_engine, "返金してほしい")
    assert reply.kind == "handoff" and reply.handoff is not None and reply.handoff.reason == "refund"
    assert "申し訳ありません" in reply.text and "テスト窓口へお問い合わせください" in reply.text
    assert "案内ページに記載がなく" not in reply.text  # the shipped page's silence is not every page's
    english = _first(plain_engine, "I want a refund", "en")
    assert "Please contact" in english.text and "says nothing about refunds" not in english.text


def test_a_refund_demand_gets_the_wording_handoff_yaml_gives(tmp_path: Path) -> None:
    engine = _engine(tmp_path, {"handoff.yaml": OWN_REFUND})
    assert "テスト社では返金を承っておりません。テスト窓口へご相談ください。" in _first(engine, "返金してほしい").text
    assert "テスト社 gives no refunds. Please ask テスト窓口." in _first(engine, "I want a refund", "en").text


def test_a_refund_reply_that_does_not_render_stops_the_load(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"handoff.yaml": HANDOFF + "refund_reply: '{{ service.nope }}'\n"}, source=KB_MIN)
    with pytest.raises(KnowledgeBaseError, match="refund_reply does not render"):
        load_knowledge_base(root)


def test_an_entry_that_answers_the_refund_demand_answers_it_and_the_desk_is_still_offered(tmp_path: Path) -> None:
    engine = _engine(tmp_path, {"handoff.yaml": OWN_REFUND, "faq/basic.yaml": lambda text: text + TICKET, "service.yaml": SURE_ENOUGH})
    reply = _first(engine, "チケットを返金してほしい")
    assert reply.kind == "handoff" and reply.handoff is not None and reply.handoff.reason == "refund"
    assert reply.intent == "ticket-refund"
    assert "チケットの払い戻しはできません。" in reply.text and "テスト窓口へお問い合わせください" in reply.text
    assert "返金を承っておりません" not in reply.text  # the KB's answer, not the words for when none answers


# --- faqbot ask: the same hand-off as the chat's first turn ---------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [("担当者と話したい", "asked"), ("勝手に持っていかれた、ふざけるな", "complaint"), ("チケットを返金してほしい", "refund")],
)
def test_ask_hands_over_as_the_chats_first_turn_does(tmp_path: Path, message: str, reason: str) -> None:
    root = make_kb(tmp_path, {"handoff.yaml": HANDOFF}, source=KB_MIN)
    chat = _first(Engine.build(load_knowledge_base(root)), message)
    assert chat.handoff is not None and chat.handoff.reason == reason
    result = CliRunner().invoke(main, ["ask", "--kb", str(root), "--today", "2026-11-26", message])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == chat.text.strip()
    assert "申し訳ありません" in result.output or reason == "asked"
    printed = CliRunner().invoke(main, ["ask", "--json", "--kb", str(root), "--today", "2026-11-26", message])
    data = json.loads(printed.output)
    assert (data["answer"], data["intent"], data["decision"]) == (chat.text, "fallback", "fallback")


def test_ask_gives_the_shipped_desk_entry_for_a_request_for_a_person() -> None:
    result = CliRunner().invoke(main, ["ask", "--json", "--today", "2026-11-26", "人と話したい"])
    data = json.loads(result.output)
    assert (data["intent"], data["decision"]) == ("contact", "answer")
    assert "担当者へのご相談は、サポート窓口で承ります。" in data["answer"]


# --- a complaint about a case the page does not answer --------------------------------

COMPLAINTS = """\
complaint: [ふざけるな, 解約したのに請求]
asked: [担当者と話したい]
"""


@pytest.mark.parametrize(
    ("handoff", "message", "intent"),
    [
        (COMPLAINTS, "自動更新を解約したのに請求が来た、ふざけるな", "cancel"),
        (COMPLAINTS + "unanswered: [解約したのに請求]\n", "自動更新を解約したのに請求が来た、ふざけるな", "fallback"),
        # an unanswered case is a complaint without being listed as one
        ("asked: [担当者と話したい]\nunanswered: [解約したのに請求]\n", "自動更新を解約したのに請求が来た", "fallback"),
    ],
)
def test_a_complaint_listed_as_unanswered_gets_no_entrys_answer(tmp_path: Path, handoff: str, message: str, intent: str) -> None:
    # 「解約したのに請求が来た」 routes to the cancellation how-to, an answer to what was already done;
    # handoff.yaml's `unanswered` says the page answers no such case: the apology and the desk only.
    sure = replace_once("router:\n", "router:\n  target_precision: 0.35\n")  # kb_min is never surer
    engine = _engine(tmp_path, {"handoff.yaml": handoff, "service.yaml": sure})
    reply = _first(engine, message)
    assert reply.kind == "handoff" and reply.handoff is not None and reply.handoff.reason == "complaint"
    assert reply.intent == intent
    assert "申し訳ありません" in reply.text and "テスト窓口へお問い合わせください" in reply.text
