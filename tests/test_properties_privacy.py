"""A card number typed into the chat never comes back, in any width or grouping.

Hypothesis writes Luhn-valid 13–19 digit numbers grouped by spaces or hyphens,
in ASCII or full-width digits, inside arbitrary text; the dialogue must answer
with the warning (pointing to the account), answering at most what is left of
the message once the number is masked, and neither the reply (text, HTML,
JSON) nor the returned state may contain the number.
"""

from __future__ import annotations

import json
import time
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faqbot.answers.answering import Engine
from faqbot.dialogue import initial_state, render_reply_html, render_reply_text, reply_json, step
from faqbot.text.privacy import CARD_MASK, contains_card_number, luhn_valid, mask_personal_data
from tests.strategies import hostile_text

TODAY = date(2026, 11, 26)
SETTINGS = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")


def _luhn_complete(body: str) -> str:
    """``body`` plus the check digit that makes it Luhn-valid."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


@st.composite
def card_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(the digits, the number as typed: grouped, separated, maybe full-width)."""
    length = draw(st.integers(13, 19))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    digits = _luhn_complete(body)
    sizes = draw(st.sampled_from([(4,), (4, 6, 5), (3,), (length,)]))
    groups, i = [], 0
    while i < length:
        size = sizes[len(groups) % len(sizes)]
        groups.append(digits[i : i + size])
        i += size
    separator = draw(st.sampled_from([" ", "-", "\u3000", "－", "ー", "‐", ""]))
    typed = separator.join(groups)
    if draw(st.booleans()):
        typed = typed.translate(_WIDE)
    return digits, typed


# Around the number: text that does not end or start with a digit or letter glued to it.
around = hostile_text.map(lambda t: t.strip("0123456789０１２３４５６７８９") + " ")


def _outputs(engine: Engine, message: str) -> str:
    # Japanese fixed: hostile text around the number may be mostly ASCII letters (→ English).
    reply, state = step(engine, initial_state(), message, TODAY, "ja")
    assert "カード情報はチャットに入力しないでください" in reply.text, render_reply_text(reply)
    assert engine.kb.service.account in [link.title for link in reply.links]
    return "\n".join(
        (
            render_reply_text(reply),
            str(render_reply_html(reply)),
            json.dumps(reply_json(reply), ensure_ascii=False),
            json.dumps(state.to_json(), ensure_ascii=False),
        )
    )


@SETTINGS
@given(card_numbers(), around, around)
def test_a_card_number_is_warned_about_and_never_echoed(engine: Engine, card: tuple[str, str], before: str, after: str) -> None:
    digits, typed = card
    message = " " + before + typed + " " + after
    assert contains_card_number(message)
    out = _outputs(engine, message)
    assert typed not in out
    assert digits not in out.translate(_ASCII)


@SETTINGS
@given(card_numbers())
def test_masking_removes_the_number(card: tuple[str, str]) -> None:
    digits, typed = card
    masked = mask_personal_data(f"カードは{typed}です")
    assert masked == f"カードは{CARD_MASK}です"


def test_masking_is_linear_in_the_number_of_digit_groups() -> None:
    """Thousands of short digit groups once took minutes (every window was tried)."""
    start = time.perf_counter()
    mask_personal_data("1 " * 20_000)
    contains_card_number("1-" * 20_000)
    assert time.perf_counter() - start < 2.0
