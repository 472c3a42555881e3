"""Scoring the dialogue on labelled conversations: each turn's intent, and the product it keeps.

A conversation file is JSONL, one conversation a line::

    {"id": "c001", "turns": [{"say": "更新料はいくら？", "intent": "fee-and-period", "product": null},
                             {"say": "Macだと？", "intent": "fee-and-period", "product": "mac"}]}

Each turn's ``intent`` is what the bot should answer that turn with, given the conversation so
far: an entry id (a billing form's turns are the compute entry's) or ``fallback``; ``product``
is the product the conversation should be holding after the turn.  Every conversation is played
from a fresh state through :func:`faqbot.dialogue.manager.step`, as a front end would.  A turn
is right when the reply's intent is the label (a clarification counts as its best guess, a
hand-over to a person as the entry it carries), and its product is right when the state holds
the labelled one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.dialogue.manager import step
from faqbot.dialogue.state import initial_state
from faqbot.errors import InputError


@dataclass(frozen=True)
class LabelledTurn:
    """One customer message and what the bot should make of it."""

    say: str
    intent: str
    product: str | None


@dataclass(frozen=True)
class Conversation:
    """A labelled conversation."""

    id: str
    turns: tuple[LabelledTurn, ...]


@dataclass(frozen=True)
class TurnResult:
    """What the bot made of one labelled turn."""

    conversation: str
    index: int  # 0-based turn number
    turn: LabelledTurn
    intent: str  # the reply's
    product: str | None  # the state's after the turn
    kind: str  # the reply's kind (answer, form, handoff…)

    @property
    def right(self) -> bool:
        """Are both the intent and the product the labelled ones?"""
        return self.intent == self.turn.intent and self.product == self.turn.product


@dataclass(frozen=True)
class ConversationReport:
    """Every figure of a conversation evaluation."""

    conversations: int
    turns: int
    intent_accuracy: float  # turns whose reply intent is the label
    product_accuracy: float  # turns after which the state holds the labelled product
    all_right: int  # conversations whose every turn is right on both
    confusions: tuple[tuple[str, str, int], ...]  # (expected, predicted, count), most first
    errors: tuple[TurnResult, ...]


def is_conversation_file(path: Path) -> bool:
    """Does ``path`` hold conversations (its first line has ``turns``) rather than single queries?"""
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
    except OSError:
        return False  # the query loader names the problem
    try:
        row = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(row, dict) and "turns" in row


def load_conversations(path: Path) -> list[Conversation]:
    """Read a JSONL file of labelled conversations; raises InputError naming the bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}; pass an existing JSONL file.") from None
    conversations: list[Conversation] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            turns = tuple(
                LabelledTurn(str(t["say"]), str(t["intent"]), t.get("product") or None) for t in row["turns"]
            )
            conversations.append(Conversation(str(row.get("id", number)), turns))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise InputError(
                f"{path}:{number}: not a labelled conversation; each line must be JSON with \"turns\": "
                "[{\"say\", \"intent\", \"product\"}, …]."
            ) from None
    return conversations


def play(engine: Engine, conversations: Iterable[Conversation], today: date) -> list[TurnResult]:
    """Play every conversation from a fresh state and record each turn's reply."""
    results: list[TurnResult] = []
    for conversation in conversations:
        state = initial_state()
        for index, turn in enumerate(conversation.turns):
            reply, state = step(engine, state, turn.say, today)
            results.append(TurnResult(conversation.id, index, turn, reply.intent, state.product, reply.kind))
    return results


def first_turn_product(engine: Engine, today: date, message: str) -> str | None:
    """The product a conversation holds after ``message`` as its first turn: what the reply is about.

    Single labelled messages are scored on it by ``faqbot eval`` (a conversation's turns already
    are): 「クラウドの月額で使ってます。次の請求日は？」 is answered for ウイルスバスター クラウド, which the
    extractor alone, wanting a name given outright, does not find.
    """
    _, state = step(engine, initial_state(), message, today)
    return state.product


def score(results: list[TurnResult]) -> ConversationReport:
    """The figures of ``results`` (from :func:`play`)."""
    turns = len(results)
    by_conversation: dict[str, bool] = {}
    for result in results:
        by_conversation[result.conversation] = by_conversation.get(result.conversation, True) and result.right
    confused = Counter((r.turn.intent, r.intent) for r in results if r.intent != r.turn.intent)
    return ConversationReport(
        conversations=len(by_conversation),
        turns=turns,
        intent_accuracy=sum(r.intent == r.turn.intent for r in results) / turns if turns else 0.0,
        product_accuracy=sum(r.product == r.turn.product for r in results) / turns if turns else 0.0,
        all_right=sum(by_conversation.values()),
        confusions=tuple((a, b, n) for (a, b), n in confused.most_common()),
        errors=tuple(r for r in results if not r.right),
    )


def report_figures(report: ConversationReport) -> dict[str, object]:
    """The report's figures as plain JSON values (no per-turn lists)."""
    return {
        "conversations": report.conversations,
        "turns": report.turns,
        "intent_accuracy": report.intent_accuracy,
        "product_accuracy": report.product_accuracy,
        "conversations_all_right": report.all_right,
        "confusions": [{"expected": a, "predicted": b, "count": n} for a, b, n in report.confusions],
    }
