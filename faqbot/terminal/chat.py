"""The terminal chat: ``faqbot chat``.

Two modes over the same dialogue manager (:func:`faqbot.dialogue.step`):

* :class:`TerminalChat` — an interactive prompt-toolkit session: Japanese
  input with wide characters, a persistent history file, completion of
  product names, coloured replies, numbered choices answered by number,
  ``/help``, ``/reset``, ``/quit``; Ctrl-C / Ctrl-D say goodbye and leave.
* :func:`run_piped` — when stdin is not a terminal: one message per line,
  replies printed as plain text (or JSON lines), so the chat can be scripted.

History file: ``$FAQBOT_HISTORY``, else ``$XDG_STATE_HOME/faqbot/history``,
else ``~/.local/state/faqbot/history``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from faqbot.analytics import Recorder
from faqbot.answers.answering import Engine
from faqbot.dialogue import DialogueState, Reply, help_reply, initial_state, render_reply_text, reply_json, step
from faqbot.errors import FaqbotError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.text.inert import inert
from faqbot.text.normalize import normalize_term
from faqbot.text.privacy import mask_personal_data

COMMANDS = {
    "/help": "できること・質問の例とコマンドの一覧",
    "/reset": "会話を最初からやり直す",
    "/quit": "終了する (Ctrl-D / Ctrl-C でも終了します)",
}
GOODBYE = "ご利用ありがとうございました。またいつでもお問い合わせください。"
RESET = "会話をリセットしました。最初からどうぞ。"
_MIN_COMPLETION_PREFIX = 2  # characters typed before product names are offered

STYLE = Style.from_dict(
    {
        "prompt": "ansigreen bold",
        "bot": "ansicyan bold",
        "fact-label": "ansiyellow",
        "fact-value": "bold",
        "number": "ansicyan bold",
        "link": "ansiblue underline",
        "note": "ansibrightblack",
        "error": "ansired",
    }
)


def history_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the chat history lives: $FAQBOT_HISTORY, $XDG_STATE_HOME/faqbot/history or ~/.local/state/faqbot/history."""
    env = os.environ if environ is None else environ
    explicit = env.get("FAQBOT_HISTORY")
    if explicit:
        return Path(explicit).expanduser()
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "faqbot" / "history"


class MaskedFileHistory(FileHistory):
    """A FileHistory that writes lines with card numbers, e-mail addresses and phones masked.

    The history file outlives the session; what a customer typed by mistake (a card
    number) must not stay on disk.  Up-arrow recall within the session is unchanged.
    """

    def store_string(self, string: str) -> None:
        super().store_string(mask_personal_data(string))


def open_history(path: Path) -> History:
    """A masking FileHistory at ``path`` (folders created); in memory if the file cannot be used."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only: customers type contract details into the chat.
        path.touch(mode=0o600, exist_ok=True)
    except OSError:
        return InMemoryHistory()  # read-only home, odd permissions: chat without history
    return MaskedFileHistory(str(path))


def completion_words(kb: KnowledgeBase) -> tuple[str, ...]:
    """Product names and aliases, then the chat's commands: what Tab completes.

    Aliases that differ from an earlier word only in spacing, width or
    long-vowel marks (ウイルスバスタークラウド, ウイルスバスタ クラウド) are left
    out: they would only crowd the menu.
    """
    words: list[str] = []
    seen: set[str] = set()
    for product in kb.products:
        for word in (product.name, *product.aliases):
            key = normalize_term(word)
            if key and key not in seen:
                seen.add(key)
                words.append(word)
    return (*words, *COMMANDS)


class SuffixCompleter(Completer):
    """Completes the word being typed even inside unspaced Japanese.

    A WordCompleter needs spaces around words; Japanese has none, so the
    longest tail of the text before the cursor that starts one of the words
    (case-insensitively) is completed: 「次の請求日 ういるすばすたー も」, or
    「モバイ」 right after 「次の請求日は」.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(words)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        seen: set[str] = set()
        for size in range(len(before), _MIN_COMPLETION_PREFIX - 1, -1):
            tail = before[-size:]
            if tail[0].isspace():
                continue
            folded = tail.casefold()
            for word in self.words:
                if word not in seen and word.casefold().startswith(folded) and word != tail:
                    seen.add(word)
                    yield Completion(word, start_position=-size)


def reply_fragments(reply: Reply) -> FormattedText:
    """The reply as coloured fragments, laid out like :func:`render_reply_text`.

    Fragments are (style, text) pairs: text is never parsed as markup, so
    knowledge-base or customer text cannot inject styles.
    """
    parts: list[tuple[str, str]] = [("class:bot", "faqbot: "), ("", reply.text + "\n")]
    if reply.facts:
        parts.append(("", "\n"))
        for fact in reply.facts:
            parts += [("", "  "), ("class:fact-label", fact.label + ": "), ("class:fact-value", fact.value + "\n")]
    if reply.choices:
        parts.append(("", "\n"))
        for choice in reply.choices:
            parts += [("", "  "), ("class:number", f"{choice.number}."), ("", f" {choice.label}\n")]
        parts.append(("class:note", "  (番号で選べます)\n"))
    if reply.links:
        parts.append(("", "\n参考ページ:\n"))
        for link in reply.links:
            target = f" <{link.url}>" if link.url else ""
            parts += [("", "  - "), ("class:link", link.title + target), ("", "\n")]
    return FormattedText(parts)


def commands_text() -> str:
    """The chat commands, one a line."""
    return "\n".join(f"  {name:<7} {text}" for name, text in COMMANDS.items())


@dataclass
class Conversation:
    """The chat's side of a dialogue: engine, today and the current state; edge-independent."""

    engine: Engine
    today: date
    state: DialogueState = field(default_factory=initial_state)
    recorder: Recorder | None = None  # analytics (faqbot report); None records nothing

    def send(self, message: str) -> Reply:
        """One customer message through the dialogue manager."""
        reply, self.state = step(self.engine, self.state, message, self.today)
        if self.recorder is not None and reply.decision in ("answer", "clarify", "fallback"):
            self.recorder.record_turn("chat", message, reply.intent, reply.confidence, reply.decision == "fallback",
                                      reply.decision == "clarify", self.state.product, datetime.now())
        return reply

    def help(self) -> Reply:
        """The help reply (its examples become numbered choices)."""
        reply, self.state = help_reply(self.engine, self.state, self.today)
        return reply

    def reset(self) -> None:
        """Forget the conversation."""
        self.state = initial_state()


class TerminalChat:
    """The interactive chat; ``input``/``output`` can be replaced for headless tests."""

    def __init__(
        self,
        conversation: Conversation,
        history: History | None = None,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self.conversation = conversation
        self.output = output
        self.shown: list[Reply] = []  # every reply shown, for tests and transcripts
        self.session: PromptSession[str] = PromptSession(
            history=history or InMemoryHistory(),
            completer=SuffixCompleter(completion_words(conversation.engine.kb)),
            complete_while_typing=False,  # Tab completes; typing kana is not interrupted
            style=STYLE,
            input=input,
            output=output,
        )

    def run(self) -> int:
        """Chat until /quit, Ctrl-D or Ctrl-C; returns the exit status (0)."""
        service = self.conversation.engine.kb.service
        self._print([("class:bot", f"{service.company} {service.name} サポートチャット\n")])
        self._print([("class:note", "ご質問をどうぞ。/help でヘルプ、Tab で製品名を補完、/quit で終了します。\n")])
        while True:
            try:
                message = self.session.prompt([("class:prompt", "あなた> ")])
            except (EOFError, KeyboardInterrupt):
                self._goodbye()
                return 0
            if not self.handle(message):
                return 0

    def handle(self, message: str) -> bool:
        """Act on one line; False when the chat should end."""
        command = message.strip().lower()
        if command in ("/quit", "/exit", "/q"):
            self._goodbye()
            return False
        if command == "/reset":
            self.conversation.reset()
            self._print([("class:note", RESET + "\n")])
            return True
        if command in ("/help", "/?"):
            self._print([("class:note", "コマンド:\n" + commands_text() + "\n\n")])
            self._show(self.conversation.help())
            return True
        if command.startswith("/"):
            self._print([("class:error", f"{message.strip()} というコマンドはありません。\n"), ("", commands_text() + "\n")])
            return True
        try:
            self._show(self.conversation.send(message))
        except FaqbotError as exc:
            self._print([("class:error", f"{exc}\n")])
        return True

    def _show(self, reply: Reply) -> None:
        self.shown.append(reply)
        print_formatted_text(reply_fragments(reply), style=STYLE, output=self.output)
        print_formatted_text("", output=self.output)

    def _print(self, fragments: list[tuple[str, str]]) -> None:
        # Fragments may quote the customer's message (an unknown /command, an error): made inert.
        safe = [(style, inert(text)) for style, text in fragments]
        print_formatted_text(FormattedText(safe), style=STYLE, output=self.output, end="")

    def _goodbye(self) -> None:
        self._print([("class:bot", "faqbot: "), ("", GOODBYE + "\n")])


def run_piped(conversation: Conversation, lines: Iterable[str], out: TextIO, as_json: bool = False) -> int:
    """Scripted mode: one message per line; replies as text blocks (or one JSON object per line).

    Blank lines are skipped; ``/reset`` and ``/quit`` work as in the terminal.
    """
    first = True
    for raw in lines:
        message = raw.rstrip("\r\n")
        command = message.strip().lower()
        if not command:
            continue
        if command in ("/quit", "/exit", "/q"):
            break
        if command == "/reset":
            conversation.reset()
            continue
        try:
            reply = conversation.help() if command in ("/help", "/?") else conversation.send(message)
        except FaqbotError as exc:
            reply = None
            error = str(exc)
        if as_json:
            value = (
                {"message": message, "reply": reply_json(reply), "state": conversation.state.to_json()}
                if reply is not None
                else {"message": message, "error": error}
            )
            out.write(inert(json.dumps(value, ensure_ascii=False)) + "\n")
        else:
            if not first:
                out.write("\n")
            first = False
            out.write(inert(render_reply_text(reply) if reply is not None else f"Error: {error}") + "\n")
        out.flush()
    return 0
