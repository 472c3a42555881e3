"""Messages that steer the conversation rather than ask: 「もっと」, 「もう一度」, 「できない」, 「わかりません」, a bare yes or no,
and a bare acknowledgement of the answer just given (「了解しました」: a small-talk entry's ``acknowledgements``).

The dialogue manager (:mod:`faqbot.dialogue.manager`) asks this module with no form open, before it
routes the message: routed, such bare words matched whichever question holds them.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from datetime import date

from faqbot.answers.answering import Engine
from faqbot.dialogue import phrases
from faqbot.dialogue.follow_ups import follow_up
from faqbot.dialogue.remembered import remembered
from faqbot.dialogue.replies import (
    answer_reply,
    cancelled_reply,
    help_reply,
    question_prompt,
    related_reply,
    stuck_reply,
)
from faqbot.dialogue.reply import KIND_CLARIFY, Reply
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KIND_COMPUTE, KIND_FAQ, KIND_SMALLTALK, Entry, KnowledgeBase
from faqbot.routing.pleasantries import sentences_or_clauses, without_connectives

# The entries whose reply is an answer (not small talk or a refusal): what an acknowledgement
# acknowledges, and what a language asked for right after is given again in.
ANSWER_KINDS = (KIND_FAQ, KIND_COMPUTE)


def control_turn(engine: Engine, state: DialogueState, text: str, today: date) -> tuple[Reply, DialogueState] | None:
    """The reply to 「もっと」「もう一度」「わからない」 or a bare yes/no, or None for any other message."""
    kb = engine.kb
    bare = without_connectives(text)  # the phrases after their connectives: 「じゃあ、もう一度」 asks again (166th rule)
    if phrases.is_more(bare):
        if state.last:
            return related_reply(engine, state)
        # Nothing was answered (or the form was cancelled): there is nothing to say more about.
        return question_prompt(engine, "dialogue_more_nothing", replace(state, choices=()), KIND_CLARIFY)
    if phrases.is_again(bare):
        if state.last:
            return follow_up(engine, replace(state, choices=()), today, "")
        return question_prompt(engine, "dialogue_more_nothing", replace(state, choices=()), KIND_CLARIFY)
    # 「わかりません」 asks nothing: routed, 分かる + negation matched the unknown-charge entry.  After an
    # answer it did not help, as 「できない」; with nothing answered, say what can be asked.
    dont_know = phrases.is_dont_know(bare)
    if (dont_know or phrases.is_stuck(bare)) and state.last and kb.entry(state.last).kind == KIND_FAQ:
        return stuck_reply(engine, replace(state, choices=()), text)
    if dont_know:
        return help_reply(engine, replace(state, choices=()), today)
    acknowledging = _acknowledging(kb, state, text, bare)
    if acknowledging is not None:
        return answer_reply(engine, replace(state, choices=()), acknowledging, today, query=text)
    if phrases.is_yes(bare) or phrases.is_no(bare):
        # A bare 「はい」 or 「いいえ」 with no form open answers nothing we asked (「オペレーターと話したい」
        # → the desk's details → 「はい」): acknowledge it.  Routed, its two kana matched whichever
        # question holds 「…はいくら」, and the customer was asked to choose between two of them.
        return cancelled_reply(engine, replace(state, choices=()))
    return None


def after_acknowledgement(kb: KnowledgeBase, text: str) -> str:
    """What ``text`` says after an acknowledgement it opens with, or ``text`` itself (178th rule).

    「承知しました。月額版に切り替えた場合はどうなりますか。」 asks 「月額版に切り替えた場合はどうなりますか。」: the first
    sentence or clause (after its connectives) is one of a small-talk entry's ``acknowledgements``.
    """
    parts = sentences_or_clauses(text)
    if len(parts) < 2 or _acknowledged_by(kb, without_connectives(parts[0])) is None:
        return text
    rest = text.find(parts[1], text.find(parts[0]) + len(parts[0]))
    return text[rest:] if rest >= 0 else text


def _acknowledging(kb: KnowledgeBase, state: DialogueState, text: str, bare: str) -> Entry | None:
    """The small-talk entry that ``text`` stands for when it acknowledges the answer just given
    (「了解しました」「なるほど」, "got it": one of the entry's ``acknowledgements``), else None;
    ``bare``: ``text`` after its connectives (「あっ、そうなんだ」 is one too: 165th rule)."""
    if state.last is None or kb.entry(state.last).kind not in ANSWER_KINDS:
        return None
    return _acknowledged_by(kb, text, bare)


def _acknowledged_by(kb: KnowledgeBase, *said: str) -> Entry | None:
    """The small-talk entry one of whose ``acknowledgements`` one of ``said`` is, else None."""
    return next((e for e in _acknowledging_entries(kb) if any(phrases.is_one_of(t, e.acknowledgements) for t in said)), None)


_ACKNOWLEDGING: dict[Hashable, tuple[Entry, ...]] = {}


def _acknowledging_entries(kb: KnowledgeBase) -> tuple[Entry, ...]:
    """``kb``'s small-talk entries that list acknowledgements, found once per knowledge base and language."""

    def find() -> tuple[Entry, ...]:
        return tuple(e for e in kb.entries_of_kind(KIND_SMALLTALK) if e.acknowledgements)

    return remembered(_ACKNOWLEDGING, (kb.content_hash, kb.lang), find, 8)
