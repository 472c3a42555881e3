"""Golden conversations: every ``tests/conversations/*.yaml`` played turn by turn.

Each file has a ``title`` and ``turns``; a turn is the customer's message
(``say``) and what the reply must show: ``kind``, ``intent``, text it must
(``contains``) or must not (``not_contains``) include, choice labels
(``choices``), link titles (``links`` / ``not_links``) and computed facts
(``facts``: label → value), the handoff reason (``handoff``: null for none) and
text its summary must (not) hold (``summary_contains`` / ``summary_not_contains``),
the language the channel fixes (``lang``, passed to ``step``) and the reply's (``reply_lang``),
and texts that must appear in this order (``in_order``).  ``say: "{choice:TEXT}"`` sends the *number* of the
offered choice whose label contains TEXT, so a golden can answer by number
without depending on the order the router ranks two candidates in.  The
expected dates are written by hand from the seed's rules, with today fixed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from faqbot.answers.answering import Engine
from faqbot.dialogue import DialogueState, Reply, initial_state, render_reply_text, step

TODAY = date(2026, 11, 26)
CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))
_TURN_KEYS = {
    "say", "kind", "intent", "contains", "not_contains", "choices", "links", "not_links", "facts",
    "handoff", "summary_contains", "summary_not_contains", "lang", "reply_lang", "in_order",
}
_CHOICE_REF = re.compile(r"\{choice:(.+)\}")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and set(data) == {"title", "turns"}, f"{path.name}: needs title and turns"
    for i, turn in enumerate(data["turns"], start=1):
        unknown = set(turn) - _TURN_KEYS
        assert not unknown, f"{path.name} turn {i}: unknown keys {sorted(unknown)}"
    return data


def _message(say: str, previous: Reply | None) -> str:
    ref = _CHOICE_REF.fullmatch(say)
    if ref is None:
        return say
    assert previous is not None, "{choice:…} needs a previous reply"
    numbers = [c.number for c in previous.choices if ref.group(1) in c.label]
    assert len(numbers) == 1, f"no single choice contains {ref.group(1)!r}: {previous.choices}"
    return str(numbers[0])


def test_there_are_golden_conversations() -> None:
    assert len(CONVERSATIONS) >= 10


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
def test_golden_conversation(engine: Engine, path: Path) -> None:
    data = _load(path)
    state = initial_state()
    reply: Reply | None = None
    for number, turn in enumerate(data["turns"], start=1):
        message = _message(turn["say"], reply)
        reply, state = step(engine, state, message, TODAY, turn.get("lang"))
        # Every state must survive the trip through JSON (it travels through browsers).
        state = DialogueState.from_json(state.to_json())
        text = render_reply_text(reply)
        where = f"{path.name} turn {number} ({message!r}) → [{reply.kind} {reply.intent}]\n{text}"
        if "kind" in turn:
            assert reply.kind == turn["kind"], where
        if "intent" in turn:
            assert reply.intent == turn["intent"], where
        for needle in turn.get("contains", []):
            assert needle in text, f"missing {needle!r} in {where}"
        positions = [text.find(needle) for needle in turn.get("in_order", [])]
        assert -1 not in positions and positions == sorted(positions), f"not in order {turn['in_order']}: {where}"
        for needle in turn.get("not_contains", []):
            assert needle not in text, f"unexpected {needle!r} in {where}"
        labels = [c.label for c in reply.choices]
        for label in turn.get("choices", []):
            assert label in labels, f"choice {label!r} not offered in {where}"
        titles = [link.title for link in reply.links]
        for title in turn.get("links", []):
            assert title in titles, f"link {title!r} missing in {where}"
        for title in turn.get("not_links", []):
            assert title not in titles, f"link {title!r} unexpected in {where}"
        if "reply_lang" in turn:
            assert reply.lang == turn["reply_lang"], where
        if "handoff" in turn:
            reason = reply.handoff.reason if reply.handoff else None
            assert reason == turn["handoff"], f"handoff {reason!r} != {turn['handoff']!r} in {where}"
        summary = reply.handoff.summary if reply.handoff else ""
        for needle in turn.get("summary_contains", []):
            assert needle in summary, f"summary lacks {needle!r}: {summary!r} in {where}"
        for needle in turn.get("summary_not_contains", []):
            assert needle not in summary, f"summary holds {needle!r}: {summary!r} in {where}"
        facts = {f.label: f.value for f in reply.facts}
        for label, value in (turn.get("facts") or {}).items():
            assert facts.get(label) == value, f"fact {label}: {facts.get(label)!r} != {value!r} in {where}"
