"""Personal data typed into the bot never comes back, in any width, grouping or split.

Hypothesis writes Luhn-valid 13–19 digit numbers grouped by every separator
customers use (spaces of every kind, zero-width ones, . / , _ - and their
full-width forms), in ASCII or full-width digits, inside arbitrary text, whole
or split over two messages, and e-mail addresses and phone numbers in both
widths (:mod:`tests.privacy_cases`).  The dialogue must warn about every card
message, and nothing the server keeps or answers — replies, signed state,
the analytics database, its log, the turn cache, error messages — may hold
the data.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from faqbot.analytics import Recorder
from faqbot.answers.answering import Engine
from faqbot.dialogue import initial_state, render_reply_html, render_reply_text, reply_json, step
from faqbot.text.privacy import CARD_MASK, EMAIL_MASK, PHONE_MASK, contains_card_number, mask_personal_data, screen
from faqbot.web import WebConfig, create_app
from faqbot.web.turncache import TurnCache
from tests.privacy_cases import Card, cards, emails, leaked, phones, split_cards
from tests.strategies import hostile_text

TODAY = date(2026, 11, 26)
SETTINGS = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
WARNING = "カード情報はチャットに入力しないでください"


# Around the data: text that does not end or start with a digit or letter glued to it.
around = hostile_text.map(lambda t: t.strip("0123456789０１２３４５６７８９") + " ")


def _outputs(engine: Engine, message: str, state=None) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    # Japanese fixed: hostile text around the number may be mostly ASCII letters (→ English).
    reply, new_state = step(engine, state or initial_state(), message, TODAY, "ja")
    text = "\n".join(
        (
            render_reply_text(reply),
            str(render_reply_html(reply)),
            json.dumps(reply_json(reply), ensure_ascii=False),
            json.dumps(new_state.to_json(), ensure_ascii=False),
        )
    )
    return text, new_state


@SETTINGS
@given(cards(), around, around)
def test_a_card_number_is_warned_about_and_never_echoed(engine: Engine, card: Card, before: str, after: str) -> None:
    message = " " + before + card.typed + " " + after
    assert contains_card_number(message)
    out, _ = _outputs(engine, message)
    assert WARNING in out
    assert engine.kb.service.account in out
    assert not leaked(card.digits, out)


@SETTINGS
@given(cards())
def test_masking_removes_the_number(card: Card) -> None:
    assert mask_personal_data(f"カードは{card.typed}です") == f"カードは{CARD_MASK}です"


@SETTINGS
@given(split_cards())
def test_a_card_split_over_two_messages_is_warned_about_twice_and_never_kept(
    engine: Engine, split: tuple[Card, str, str]
) -> None:
    card, first, second = split
    out1, state = _outputs(engine, first)
    out2, _ = _outputs(engine, second, state)
    assert WARNING in out2, second
    # The first half alone is masked (and warned about) once it is long enough to matter.
    if screen(first).card:
        assert WARNING in out1
    assert not leaked(card.digits, out1 + "\n" + out2)
    masked = screen(first).text + "\n" + screen(second, screen(first).card_tail).text
    assert not leaked(card.digits, masked)


@SETTINGS
@given(emails, around)
def test_an_email_in_either_width_is_masked(email: str, before: str) -> None:
    masked = mask_personal_data(before + email + " です")
    assert EMAIL_MASK in masked and not leaked(email, masked)


@SETTINGS
@given(phones, around)
def test_a_phone_number_in_either_width_with_any_separator_is_masked(phone: str, before: str) -> None:
    masked = mask_personal_data("電話 " + phone + " まで")
    assert masked == f"電話 {PHONE_MASK} まで", repr(phone)


def _masking_cost(groups: int) -> float:
    """Seconds to screen ``groups`` short digit groups three ways; the best of three runs."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        mask_personal_data("1 " * groups)
        contains_card_number("1-" * groups)
        mask_personal_data("カード " + "1\u200b" * (groups // 4))
        runs.append(time.perf_counter() - start)
    return min(runs)


def test_masking_is_linear_in_the_number_of_digit_groups() -> None:
    """Thousands of short digit groups once took minutes (every window was tried).

    A ratio, not a wall-clock limit, so a busy machine cannot fail it: eight times the
    groups costs about 8× when the scan is linear and 64× when it is quadratic.
    """
    small, large = _masking_cost(2_500), _masking_cost(20_000)
    assert large < 20 * small, f"{small:.3f} s for 2,500 groups, {large:.3f} s for 20,000"


# ---------------------------------------------------------------- every path of the web app


@pytest.fixture(scope="module")
def web(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, Recorder, TurnCache]:
    recorder = Recorder(tmp_path_factory.mktemp("leaks") / "analytics.sqlite3")
    app = create_app(WebConfig(secret="leak-test-" + "l" * 40, allow_client_today=True), engine, recorder)
    api = next(route.endpoint.__self__ for route in app.routes if getattr(route, "path", "") == "/api/v1/chat")  # type: ignore[attr-defined]
    return TestClient(app), recorder, api.turns


def _stored(recorder: Recorder) -> str:
    turns = [t.query for t in recorder.turns()]
    feedback = [repr(f) for f in recorder.feedback()]
    return "\n".join(turns + feedback)


def _cached(turns: TurnCache) -> str:
    return "\n".join(key.message + json.dumps(turn.payload, ensure_ascii=False) for key, turn in turns._turns.items())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.one_of(split_cards(), cards().map(lambda c: (c, "カードは" + c.typed + "です", None))), emails, phones)
def test_no_path_of_the_web_app_keeps_or_returns_personal_data(
    web: tuple[TestClient, Recorder, TurnCache], caplog: pytest.LogCaptureFixture, case: tuple[Card, str, str | None],
    email: str, phone: str,
) -> None:
    client, recorder, turns = web
    card, first, second = case
    replies = []
    with caplog.at_level(logging.DEBUG):
        r1 = client.post("/api/v1/chat", json={"message": f"{first}", "today": "2026-11-26", "lang": "ja"})
        replies.append(r1.text)
        if second is not None:
            r2 = client.post("/api/v1/chat", json={"message": second, "state": r1.json()["state"], "today": "2026-11-26", "lang": "ja"})
            replies.append(r2.text)
            assert WARNING in r2.json()["reply"]["text"]
        else:
            assert WARNING in r1.json()["reply"]["text"]
        contact = f"解約したい 連絡先 {email} {phone}"
        replies.append(client.post("/api/v1/chat", json={"message": contact, "today": "2026-11-26"}).text)
        for text in (card.typed, email, phone):
            replies.append(client.get("/api/v1/search", params={"q": text}).text)
            replies.append(client.get("/api/v1/faq/" + text.replace("/", "%2F")).text)
            replies.append(client.post("/api/v1/feedback", json={"intent": "cancel-howto", "helpful": False, "message": text}).text)
            replies.append(client.post("/api/v1/billing", json={"product": text, "plan": "annual", "expiry": text}).text)
    # The server's own loggers (the test client's httpx logs its requests as sent, on the client side).
    server_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("faqbot", "uvicorn")))
    places = {"replies": "\n".join(replies), "database": _stored(recorder), "log": server_log, "turn cache": _cached(turns)}
    for place, text in places.items():
        for secret in (card.digits, email, phone):
            assert not leaked(secret, text), f"{secret!r} found in the {place}"
