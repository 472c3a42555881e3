"""Tests of faqbot.web.turncache and its use by POST /api/v1/chat.

A remembered turn must be indistinguishable from a computed one (same reply,
a valid freshly signed state), must depend on state, message and date, and
must never hold a message with personal data in it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

import faqbot.web.api as web_api
from faqbot.answers.answering import Engine
from faqbot.dialogue import DialogueState, initial_state, step
from faqbot.web import WebConfig, create_app
from faqbot.web.config import ConfigError
from faqbot.web.turncache import CachedTurn, TurnCache, TurnKey

SECRET = "turn-cache-secret-" + "t" * 40
TODAY = date(2026, 11, 26)


def _turn(engine: Engine, key: TurnKey) -> CachedTurn:
    reply, state = step(engine, key.state, key.message, key.today)
    return CachedTurn(reply, {"text": reply.text}, state)


def test_a_remembered_turn_comes_back_and_becomes_most_recent(engine: Engine) -> None:
    cache = TurnCache(2)
    first, second, third = (TurnKey(initial_state(), m, TODAY) for m in ("解約したい", "請求日はいつ", "支払い方法"))
    turn = _turn(engine, first)
    assert cache.put(first, turn) and cache.put(second, _turn(engine, second))
    assert cache.get(first) is turn  # first is now the most recently used …
    cache.put(third, _turn(engine, third))
    assert first in cache and third in cache and second not in cache  # … so second went out
    assert len(cache) == 2 and (cache.hits, cache.misses) == (1, 0)
    assert cache.get(second) is None and cache.misses == 1


@pytest.mark.parametrize(
    "other",
    [
        TurnKey(initial_state(), "解約したい？", TODAY),  # another message
        TurnKey(DialogueState(product="mobile"), "解約したい", TODAY),  # another state
        TurnKey(initial_state(), "解約したい", date(2026, 11, 27)),  # another day
    ],
)
def test_a_turn_depends_on_state_message_and_date(engine: Engine, other: TurnKey) -> None:
    cache = TurnCache(8)
    key = TurnKey(initial_state(), "解約したい", TODAY)
    cache.put(key, _turn(engine, key))
    assert cache.get(other) is None
    assert cache.get(TurnKey(initial_state(), "解約したい", TODAY)) is not None  # equal keys are one key


@pytest.mark.parametrize(
    "message",
    ["カード 4111 1111 1111 1111 の請求日は？", "連絡先は taro@example.jp です", "電話 090-1234-5678 まで"],
)
def test_messages_with_personal_data_are_never_kept(engine: Engine, message: str) -> None:
    cache = TurnCache(8)
    key = TurnKey(initial_state(), message, TODAY)
    assert cache.put(key, _turn(engine, key)) is False
    assert len(cache) == 0


def test_size_zero_keeps_nothing_and_negative_is_refused(engine: Engine) -> None:
    cache = TurnCache(0)
    key = TurnKey(initial_state(), "解約したい", TODAY)
    assert cache.put(key, _turn(engine, key)) is False and len(cache) == 0
    with pytest.raises(ValueError, match="-1"):
        TurnCache(-1)


def test_config_reads_the_cache_size() -> None:
    assert WebConfig.from_env({"FAQBOT_SECRET": SECRET, "FAQBOT_TURN_CACHE": "0"}).turn_cache == 0
    assert WebConfig.from_env({"FAQBOT_SECRET": SECRET}).turn_cache > 0  # on by default
    with pytest.raises(ConfigError, match="FAQBOT_TURN_CACHE"):
        WebConfig.from_env({"FAQBOT_SECRET": SECRET, "FAQBOT_TURN_CACHE": "many"})
    with pytest.raises(ConfigError, match="-5"):
        WebConfig(secret=SECRET, allow_client_today=True, turn_cache=-5)


# ---------------------------------------------------------------- through the API


@pytest.fixture
def counted(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages the API really computed a turn for."""
    calls: list[str] = []

    def counting_step(*args: Any) -> Any:
        calls.append(args[2])
        return step(*args)

    monkeypatch.setattr(web_api, "step", counting_step)
    return calls


def _chat(client: TestClient, message: str, state: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "today": TODAY.isoformat()}
    if state is not None:
        body["state"] = state
    response = client.post("/api/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_repeated_question_is_computed_once_and_answered_the_same(engine: Engine, counted: list[str]) -> None:
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine))
    first = _chat(client, "次の請求日を知りたい")
    again = _chat(client, "次の請求日を知りたい")
    assert counted == ["次の請求日を知りたい"]
    assert again["reply"] == first["reply"]
    # The remembered turn's state is signed afresh and carries the conversation on.
    follow = _chat(client, "1", again["state"])
    assert counted == ["次の請求日を知りたい", "1"]
    assert follow["reply"]["intent"] == first["reply"]["intent"]


def test_with_the_cache_off_every_turn_is_computed(engine: Engine, counted: list[str]) -> None:
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True, turn_cache=0), engine))
    _chat(client, "解約したい")
    _chat(client, "解約したい")
    assert counted == ["解約したい", "解約したい"]


def test_a_card_number_message_is_computed_every_time(engine: Engine, counted: list[str]) -> None:
    client = TestClient(create_app(WebConfig(secret=SECRET, allow_client_today=True), engine))
    message = "カード 4111 1111 1111 1111 を変えたい"
    first = _chat(client, message)
    second = _chat(client, message)
    assert counted == [message, message]
    assert first["reply"] == second["reply"]
    assert "1111 1111" not in str(second)
