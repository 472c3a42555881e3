"""Properties of routing and the dialogue step over any Unicode and any conversation.

Whatever arrives (see :mod:`tests.strategies`), the router returns a verdict
about known entries, and :func:`faqbot.dialogue.step` returns a reply that every
front end can render and a state that survives JSON — or raises
:class:`~faqbot.errors.InputError` (too long, not text), never anything else.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faqbot.answers.answering import Engine
from faqbot.dialogue import DialogueState, initial_state, render_reply_html, render_reply_text, reply_json, step
from faqbot.dialogue.manager import MAX_MESSAGE
from faqbot.errors import InputError
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK, FALLBACK
from tests.strategies import VOCAB, hostile_text

SETTINGS = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = date(2026, 11, 26)
todays = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))
# What customers send in a conversation: real phrases, control words, picks and garbage.
turn_text = st.one_of(st.sampled_from(VOCAB), hostile_text)


def _check_turn(engine: Engine, reply: Any, state: DialogueState) -> None:
    ids = {e.id for e in engine.kb.entries}
    assert isinstance(reply.text, str) and reply.text.strip()
    assert reply.intent in ids or reply.intent == FALLBACK
    assert 0.0 <= reply.confidence <= 1.0 and math.isfinite(reply.confidence)
    assert [c.number for c in reply.choices] == list(range(1, len(reply.choices) + 1))
    # Every front end can show it and the API can send it as UTF-8 JSON.
    render_reply_text(reply)
    render_reply_html(reply)
    json.dumps(reply_json(reply), ensure_ascii=False).encode("utf-8")
    # The state travels through browsers: it must survive JSON unchanged.
    assert DialogueState.from_json(json.loads(json.dumps(state.to_json()))) == state


@SETTINGS
@given(hostile_text)
def test_router_always_decides_about_known_entries(engine: Engine, text: str) -> None:
    entities = engine.extractor.extract(text, TODAY)
    routing = engine.router.route(text, entities)
    ids = {e.id for e in engine.kb.entries}
    assert routing.decision in (DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK)
    assert 0.0 <= routing.confidence <= 1.0 and math.isfinite(routing.confidence)
    assert all(m.entry_id in ids and 0.0 <= m.confidence <= 1.0 for m in routing.matches)
    assert len(engine.router.rank(text, None, 3)) <= 3


@SETTINGS
@given(hostile_text, todays)
def test_step_replies_to_any_first_message(engine: Engine, text: str, today: date) -> None:
    reply, state = step(engine, initial_state(), text, today)
    _check_turn(engine, reply, state)


@settings(max_examples=60, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(turn_text, min_size=2, max_size=8), todays)
def test_step_survives_any_conversation(engine: Engine, messages: list[str], today: date) -> None:
    state = initial_state()
    for message in messages:
        reply, state = step(engine, state, message, today)
        _check_turn(engine, reply, state)
        state = DialogueState.from_json(state.to_json())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=6),
    max_leaves=20,
)
state_like = st.fixed_dictionaries(
    {
        "v": st.one_of(st.just(1), json_values),
        "form": st.one_of(st.none(), st.sampled_from(["next-billing-date", "nope", "entry:x"]), json_values),
        "asking": st.one_of(st.none(), st.sampled_from(["product", "plan", "expiry", "x"])),
        "product": st.one_of(st.none(), st.sampled_from(["mobile", "virusbuster-cloud", "gone"]), json_values),
        "plan": st.one_of(st.none(), st.sampled_from(["monthly", "annual", "weekly"])),
        "expiry": st.one_of(st.none(), st.sampled_from(["2027-02-30", "2027-03-31", "0000-01-01", "9999-12-31"]), json_values),
        "last": st.one_of(st.none(), st.sampled_from(["cancel-howto", "gone"])),
        "choices": st.one_of(st.lists(st.sampled_from(["entry:cancel-howto", "entry:gone", "resume", "cancel", "plan:annual", "product:x"]), max_size=25), json_values),
        "misses": st.one_of(st.integers(-5, 200), json_values),
    }
)


@SETTINGS
@given(st.one_of(json_values, state_like), turn_text)
def test_any_state_json_is_refused_or_usable(engine: Engine, data: Any, message: str) -> None:
    """A state rebuilt from untrusted JSON either raises InputError or drives a normal turn."""
    try:
        state = DialogueState.from_json(data)
    except InputError:
        return
    reply, new_state = step(engine, state, message, TODAY)
    _check_turn(engine, reply, new_state)


@pytest.mark.parametrize(
    "text",
    ["あ" * 100_000, "\U0001f600" * 100_000, "\ud800" * 100_000, "4111 " * 20_000, "x" * (MAX_MESSAGE + 1)],
    ids=["kana", "emoji", "surrogates", "digits", "just-over"],
)
def test_overlong_messages_are_a_clear_input_error(engine: Engine, text: str) -> None:
    with pytest.raises(InputError, match=f"at most {MAX_MESSAGE}"):
        step(engine, initial_state(), text, TODAY)


@pytest.mark.parametrize("message", [None, 42, b"bytes", ["list"]])
def test_non_text_messages_are_a_clear_input_error(engine: Engine, message: Any) -> None:
    with pytest.raises(InputError):
        step(engine, initial_state(), message, TODAY)


def test_longest_allowed_message_is_answered(engine: Engine) -> None:
    reply, state = step(engine, initial_state(), ("次の請求日はいつ？\u200b\U0001f600" * 100)[:MAX_MESSAGE], TODAY)
    _check_turn(engine, reply, state)
