"""The terminal chat: history location, completion, the headless prompt-toolkit session,
and the piped mode end to end through the installed ``faqbot`` console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from faqbot.answers.answering import Engine
from faqbot.dialogue import Choice, Link, Reply
from faqbot.dialogue.manager import MAX_MESSAGE
from faqbot.kb import SHIPPED_KB
from faqbot.terminal.chat import (
    Conversation,
    SuffixCompleter,
    TerminalChat,
    completion_words,
    history_path,
    open_history,
    reply_fragments,
    run_piped,
)

TODAY = date(2026, 11, 26)
FAQBOT = Path(sys.executable).parent / "faqbot"


# --- history and completion ---------------------------------------------------


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"FAQBOT_HISTORY": "/tmp/h/faq.txt", "XDG_STATE_HOME": "/x"}, Path("/tmp/h/faq.txt")),
        ({"XDG_STATE_HOME": "/var/state"}, Path("/var/state/faqbot/history")),
        ({}, Path.home() / ".local" / "state" / "faqbot" / "history"),
        ({"FAQBOT_HISTORY": "", "XDG_STATE_HOME": ""}, Path.home() / ".local" / "state" / "faqbot" / "history"),
    ],
)
def test_history_path(env: dict[str, str], expected: Path) -> None:
    assert history_path(env) == expected


def test_open_history_creates_the_folder(tmp_path: Path) -> None:
    history = open_history(tmp_path / "a" / "b" / "history")
    assert isinstance(history, FileHistory)
    assert (tmp_path / "a" / "b" / "history").exists()


def test_completion_words_are_the_kbs_product_names_and_the_commands(engine: Engine) -> None:
    words = completion_words(engine.kb)
    assert "ウイルスバスター モバイル" in words and "パスマネ" in words and "/quit" in words


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("次の請求日はモバ", "モバイル版"),  # inside unspaced Japanese
        ("ウイルスバスター モ", "ウイルスバスター モバイル"),
        ("パスワードマ", "パスワードマネージャー"),
        ("virus buster m", "Virus Buster Mobile"),  # case-insensitive
        ("/qu", "/quit"),
    ],
)
def test_suffix_completer(engine: Engine, typed: str, expected: str) -> None:
    completer = SuffixCompleter(completion_words(engine.kb))
    found = {c.text for c in completer.get_completions(Document(typed), CompleteEvent(completion_requested=True))}
    assert expected in found


def test_reply_fragments_never_parse_markup() -> None:
    reply = Reply("<b>text</b>", "about", "answer", 1.0, choices=(Choice(1, "<ansired>x</ansired>", "entry:about"),))
    text = "".join(fragment[1] for fragment in reply_fragments(reply))
    assert "<b>text</b>" in text and "1. <ansired>x</ansired>" in text


def test_reply_fragments_wrap_with_kinsoku_and_link_with_osc8() -> None:
    text = "お手数ですが、サポート窓口へお問い合わせください。担当者が個別にご案内します。" * 2
    reply = Reply(text, "contact", "answer", 1.0, links=(Link("窓口", "https://example.com/desk"),))
    fragments = reply_fragments(reply, width=40, hyperlinks=True)
    body = fragments[1][1]
    assert "\n" in body and not any(line.startswith(("、", "。")) for line in body.split("\n"))
    assert ("[ZeroWidthEscape]", "\x1b]8;;https://example.com/desk\x1b\\") in fragments
    plain = "".join(f[1] for f in reply_fragments(reply))
    assert "窓口 <https://example.com/desk>" in plain and "\x1b" not in plain


def test_reply_fragments_put_the_pages_before_the_offer_to_go_on() -> None:
    reply = Reply("答え", "payment-methods", "answer", 1.0, choices=(Choice(1, "はい、続けます", "resume"),),
                  links=(Link("参考のページ"),), prompt="確認を続けますか？")
    text = "".join(fragment[1] for fragment in reply_fragments(reply))
    assert text.index("答え") < text.index("参考のページ") < text.index("確認を続けますか？") < text.index("はい、続けます")


def test_reply_fragments_speak_the_replys_language() -> None:
    reply = Reply("Hello.", "greeting", "answer", 1.0, choices=(Choice(1, "Help", "entry:help"),), lang="en")
    text = "".join(fragment[1] for fragment in reply_fragments(reply))
    assert "(reply with a number)" in text and "番号" not in text


# --- the interactive session, headless ----------------------------------------


def _run_headless(
    engine: Engine, keys: str, history_file: Path | None = None, lang: str | None = None
) -> TerminalChat:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        history = FileHistory(str(history_file)) if history_file else None
        conversation = Conversation(engine, TODAY, lang=lang)
        chat = TerminalChat(conversation, history=history, input=pipe, output=DummyOutput())
        assert chat.run() == 0
    return chat


def test_headless_billing_form_then_ctrl_d(engine: Engine, tmp_path: Path) -> None:
    history = tmp_path / "history"
    # Ctrl-D (\x04) on the empty prompt leaves.
    chat = _run_headless(engine, "次の請求日はいつですか？\rウイルスバスター クラウド\r年額\r2027年3月31日\r\x04", history)
    assert [r.kind for r in chat.shown] == ["form", "form", "form", "billing"]
    facts = {f.label: f.value for f in chat.shown[-1].facts}
    assert facts["次回の請求日"] == "2027年2月28日頃"
    assert "2027年3月31日" in history.read_text(encoding="utf-8")


def test_headless_numbered_choice(engine: Engine) -> None:
    chat = _run_headless(engine, "変更したい\r1\r\x04")
    assert chat.shown[0].kind == "clarify"
    first = chat.shown[0].choices[0].value.removeprefix("entry:")
    assert chat.shown[1].intent == first


def test_headless_ctrl_c_leaves_cleanly(engine: Engine) -> None:
    chat = _run_headless(engine, "こんにちは\r\x03")
    assert [r.intent for r in chat.shown] == ["greeting"]


def test_headless_commands(engine: Engine) -> None:
    chat = _run_headless(engine, "次の請求日はいつですか？\r/reset\r/help\r/nope\r/quit\r次の請求日\r")
    assert chat.conversation.state.form is None  # /reset forgot the form
    assert [r.intent for r in chat.shown] == ["next-billing-date", "help"]  # nothing after /quit


def test_headless_english_conversation(engine: Engine) -> None:
    chat = _run_headless(engine, "When is my next billing date?\rVirus Buster Mobile\rannual\rMarch 31, 2027\r\x04")
    assert [r.lang for r in chat.shown] == ["en"] * 4
    facts = {f.label: f.value for f in chat.shown[-1].facts}
    assert facts["Next billing date"] == "around February 28, 2027"


def test_headless_lang_option_fixes_the_language(engine: Engine) -> None:
    chat = _run_headless(engine, "解約したい\r/help\r\x04", lang="en")
    assert [r.lang for r in chat.shown] == ["en", "en"]
    assert "please see the support page" in chat.shown[0].text


# --- piped mode ---------------------------------------------------------------


def test_run_piped_prints_one_reply_block_per_message(engine: Engine) -> None:
    out = StringIO()
    lines = ["次の請求日はいつですか？\n", "\n", "ウイルスバスター クラウド\n", "年額\n", "2027年3月31日\n", "/quit\n", "こんにちは\n"]
    assert run_piped(Conversation(engine, TODAY), lines, out) == 0
    text = out.getvalue()
    assert "次回の請求日: 2027年2月28日頃" in text
    assert "ご質問にお答えします" not in text  # the greeting's reply: nothing after /quit is answered


def _env(tmp_path: Path) -> dict[str, str]:
    # The session's engine cache (tests/conftest.py) comes along: the shipped engine is not rebuilt.
    env = dict(os.environ)
    env.update(
        FAQBOT_HISTORY=str(tmp_path / "history"),
        PYTHONIOENCODING="utf-8",
        FAQBOT_ANALYTICS="off",  # end-to-end runs must not add to the maintainers' analytics
    )
    return env


@pytest.mark.skipif(not FAQBOT.exists(), reason="the faqbot console script is not installed in this venv")
def test_installed_command_piped_end_to_end(tmp_path: Path) -> None:
    script = "ウイルスバスター クラウドの年額版で、有効期限は2027年3月31日です。次の請求日はいつですか\n月額だったら？\n"
    done = subprocess.run(
        [str(FAQBOT), "chat", "--today", "2026-11-26"],
        input=script, capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    annual = done.stdout.index("次回の請求日: 2027年2月28日頃")
    monthly = done.stdout.index("次回の請求日: 2027年3月31日頃")
    assert annual < monthly  # the follow-up recomputed after the first answer
    assert not (tmp_path / "history").exists()  # piped mode keeps no history


@pytest.mark.skipif(not FAQBOT.exists(), reason="the faqbot console script is not installed in this venv")
def test_installed_command_piped_json(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(FAQBOT), "chat", "--json", "--today", "2026-11-26"],
        input="変更したい\n1\n", capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["reply"]["kind"] for row in rows] == ["clarify", "answer"]
    assert rows[0]["state"]["choices"] and rows[1]["reply"]["decision"] == "dialogue"


@pytest.mark.skipif(not FAQBOT.exists(), reason="the faqbot console script is not installed in this venv")
def test_installed_command_broken_kb_says_file_and_line(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(SHIPPED_KB, kb)
    (kb / "service.yaml").write_text("service: [unclosed\n", encoding="utf-8")
    done = subprocess.run(
        [str(FAQBOT), "chat", "--kb", str(kb)],
        input="こんにちは\n", capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=120,
    )
    assert done.returncode == 1
    assert "service.yaml:" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("lang", "follow_up", "intent", "said"),
    [(None, "解約したい", "cancel-howto", "メッセージが長すぎます"), ("en", "I want to cancel", "cancel-howto", "Please send just your question")],
)
def test_headless_an_overlong_message_is_declined_in_the_chats_language(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, lang: str | None, follow_up: str, intent: str, said: str
) -> None:
    printed: list[str] = []
    monkeypatch.setattr(TerminalChat, "_print", lambda self, fragments: printed.extend(t for _, t in fragments))
    chat = _run_headless(engine, "あ" * (MAX_MESSAGE + 1) + f"\r{follow_up}\r\x04", lang=lang)
    assert [r.intent for r in chat.shown] == [intent]  # declined, not answered, and the chat goes on
    assert any(said in text and str(MAX_MESSAGE) in text for text in printed), printed
