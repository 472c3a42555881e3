"""The dialogue manager: one pure step of the conversation (work in progress)."""

from __future__ import annotations

from datetime import date

from faqbot.answering import Engine, answer_query
from faqbot.dialogue.reply import Reply
from faqbot.dialogue.state import DialogueState


def step(engine: Engine, state: DialogueState, message: str, today: date) -> tuple[Reply, DialogueState]:
    """Answer ``message`` given ``state``; returns the reply and the new state (pure)."""
    answer = answer_query(engine, message, today)
    return Reply(answer.text, answer.intent, answer.decision, answer.confidence), state
