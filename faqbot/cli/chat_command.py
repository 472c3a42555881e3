"""``faqbot chat``: the terminal chat (interactive, or scripted through a pipe)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from faqbot.analytics import Recorder
from faqbot.cli.common import kb_option, lang_option, load_engine, resolve_today, today_option, translate_errors
from faqbot.terminal.chat import Conversation, TerminalChat, history_path, open_history, run_piped
from faqbot.terminal.typography import hyperlinks_supported


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Piped mode: print one JSON object (reply and state) per message.")
@lang_option
@kb_option
@today_option
@translate_errors
def chat(as_json: bool, lang: str | None, kb_dir: Path | None, today_text: str | None) -> None:
    """Talk with faqbot in the terminal; with a pipe, one message per line.

    \b
    Commands: /help, /reset, /quit (Ctrl-D and Ctrl-C also leave).
    History: $FAQBOT_HISTORY, else $XDG_STATE_HOME/faqbot/history,
    else ~/.local/state/faqbot/history.
    Analytics: see `faqbot report` (FAQBOT_ANALYTICS=off to stop recording).

    \b
    Examples:
      faqbot chat
      faqbot chat --today 2026-11-26
      faqbot chat --lang en
      printf '次の請求日はいつ？\\n1\\n年額\\n2027年3月31日\\n' | faqbot chat
    """
    today = resolve_today(today_text)
    conversation = Conversation(load_engine(kb_dir), today, recorder=Recorder.from_env(), lang=lang)
    if lang is not None:
        conversation.reset()  # the conversation starts in the chosen language
    if not sys.stdin.isatty():
        sys.exit(run_piped(conversation, sys.stdin, sys.stdout, as_json=as_json))
    chat_ui = TerminalChat(conversation, history=open_history(history_path()), hyperlinks=hyperlinks_supported(os.environ))
    sys.exit(chat_ui.run())
