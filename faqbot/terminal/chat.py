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
from dataclasses import dataclass, field, replace
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
from faqbot.dialogue import (
    LANGUAGES,
    DialogueState,
    Link,
    Reply,
    help_reply,
    initial_state,
    render_reply_text,
    reply_json,
    step,
)
from faqbot.errors import FaqbotError, MessageTooLongError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.templating import words
from faqbot.terminal.typography import osc8, wrap
from faqbot.text.inert import inert
from faqbot.text.normalize import normalize_term
from faqbot.text.privacy import mask_personal_data

#: The chat's commands and the key of their description in ``templates/words.yaml``.
COMMANDS = {"/help": "command_help", "/reset": "command_reset", "/quit": "command_quit"}
_MIN_COMPLETION_PREFIX = 2  # characters typed before product names are offered
_BOT = "faqbot: "

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


def reply_fragments(reply: Reply, width: int | None = None, hyperlinks: bool = False) -> FormattedText:
    """The reply as coloured fragments, laid out like :func:`render_reply_text`.

    Fragments are (style, text) pairs: text is never parsed as markup, so
    knowledge-base or customer text cannot inject styles.  With ``width`` the
    text is wrapped with Japanese line-breaking rules (:mod:`~faqbot.terminal.typography`);
    with ``hyperlinks`` a link with a URL is an OSC 8 hyperlink on its title.
    """
    said = words(reply.lang)

    def fit(text: str, indent: int = 0) -> str:
        return wrap(text, width - indent) if width else text

    parts: list[tuple[str, str]] = [("class:bot", _BOT), ("", fit(reply.text, len(_BOT)) + "\n")]
    if reply.facts:
        parts.append(("", "\n"))
        for fact in reply.facts:
            parts += [("", "  "), ("class:fact-label", fact.label + ": "), ("class:fact-value", fact.value + "\n")]
    choices: list[tuple[str, str]] = []
    if reply.choices:
        choices.append(("", "\n"))
        for choice in reply.choices:
            choices += [("", "  "), ("class:number", f"{choice.number}."), ("", " " + fit(choice.label, 6) + "\n")]
        choices.append(("class:note", f"  {said['chat_numbers']}\n"))
    links: list[tuple[str, str]] = []
    if reply.links:
        links.append(("", f"\n{said['pages']}:\n"))
        for link in reply.links:
            links += [("", "  - "), *_link_fragments(link, hyperlinks), ("", "\n")]
    if reply.prompt:
        # Mid-form: the answer's pages stay with it; the offer to go on and its choices come last.
        parts += [*links, ("", "\n---\n"), ("class:bot", fit(reply.prompt) + "\n"), *choices]
    else:
        parts += [*choices, *links]
    return FormattedText(parts)


def _link_fragments(link: Link, hyperlinks: bool) -> list[tuple[str, str]]:
    """A link's title, clickable (OSC 8) where the terminal supports it, else followed by its URL."""
    if link.url and hyperlinks:
        return [("[ZeroWidthEscape]", osc8(link.url)), ("class:link", link.title), ("[ZeroWidthEscape]", osc8(""))]
    return [("class:link", link.title + (f" <{link.url}>" if link.url else ""))]


def commands_text(lang: str = "ja") -> str:
    """The chat commands, one a line, described in ``lang``."""
    said = words(lang)
    return "\n".join(f"  {name:<7} {said[key]}" for name, key in COMMANDS.items())


@dataclass
class Conversation:
    """The chat's side of a dialogue: engine, today and the current state; edge-independent."""

    engine: Engine
    today: date
    state: DialogueState = field(default_factory=initial_state)
    recorder: Recorder | None = None  # analytics (faqbot report); None records nothing
    lang: str | None = None  # --lang: every reply in this language; None follows each message

    @property
    def language(self) -> str:
        """The language the chat speaks now: the fixed one, else the conversation's."""
        return self.lang or self.state.lang

    def send(self, message: str) -> Reply:
        """One customer message through the dialogue manager."""
        pending_card_digits = self.state.card_digits
        reply, self.state = step(self.engine, self.state, message, self.today, self.lang)
        if self.recorder is not None and reply.decision in ("answer", "clarify", "fallback"):
            self.recorder.record_turn("chat", message, reply.intent, reply.confidence, reply.decision == "fallback",
                                      reply.decision == "clarify", self.state.product, datetime.now(),
                                      pending_card_digits)
        return reply

    def help(self) -> Reply:
        """The help reply (its examples become numbered choices)."""
        reply, self.state = help_reply(self.engine, replace(self.state, lang=self.language), self.today)
        return reply

    def reset(self) -> None:
        """Forget the conversation (its language stays)."""
        self.state = replace(initial_state(), lang=self.language)


class TerminalChat:
    """The interactive chat; ``input``/``output`` can be replaced for headless tests."""

    def __init__(
        self,
        conversation: Conversation,
        history: History | None = None,
        input: Input | None = None,
        output: Output | None = None,
        hyperlinks: bool = False,
    ) -> None:
        self.conversation = conversation
        self.output = output
        self.hyperlinks = hyperlinks  # OSC 8 links (see typography.hyperlinks_supported)
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
        # A fixed language greets in it; otherwise in both, since the first message decides.
        for lang in (self.conversation.lang,) if self.conversation.lang else LANGUAGES:
            said = words(lang)
            service = self.conversation.engine.kb.in_language(lang).service
            self._print([("class:bot", said["chat_title"].format(company=service.company, name=service.name) + "\n")])
            self._print([("class:note", said["chat_intro"] + "\n")])
        while True:
            try:
                message = self.session.prompt([("class:prompt", words(self.conversation.language)["chat_prompt"])])
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
        lang = self.conversation.language
        said = words(lang)
        if command == "/reset":
            self.conversation.reset()
            self._print([("class:note", said["chat_reset"] + "\n")])
            return True
        if command in ("/help", "/?"):
            self._print([("class:note", f"{said['chat_commands']}:\n" + commands_text(lang) + "\n\n")])
            self._show(self.conversation.help())
            return True
        if command.startswith("/"):
            unknown = said["chat_unknown_command"].format(command=message.strip())
            self._print([("class:error", unknown + "\n"), ("", commands_text(lang) + "\n")])
            return True
        try:
            self._show(self.conversation.send(message))
        except MessageTooLongError as exc:
            # The dialogue's error is for programs, in English; a person typing is told in the
            # conversation's language what to send instead (a pasted e-mail, a log).
            too_long = said["chat_too_long"].format(length=exc.length, limit=exc.limit)
            self._print([("class:error", too_long + "\n")])
        except FaqbotError as exc:
            self._print([("class:error", f"{exc}\n")])
        return True

    def _show(self, reply: Reply) -> None:
        self.shown.append(reply)
        # One column short of the edge: a line filling the last column makes some terminals wrap twice.
        width = self.session.output.get_size().columns - 1
        print_formatted_text(reply_fragments(reply, width, self.hyperlinks), style=STYLE, output=self.output)
        print_formatted_text("", output=self.output)

    def _print(self, fragments: list[tuple[str, str]]) -> None:
        # Fragments may quote the customer's message (an unknown /command, an error): made inert.
        safe = [(style, inert(text)) for style, text in fragments]
        print_formatted_text(FormattedText(safe), style=STYLE, output=self.output, end="")

    def _goodbye(self) -> None:
        self._print([("class:bot", _BOT), ("", words(self.conversation.language)["chat_goodbye"] + "\n")])


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
