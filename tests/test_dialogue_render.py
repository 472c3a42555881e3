"""render_reply_html, written out in Python, renders exactly what its jinja2 template renders."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.answers.answering import Engine
from faqbot.dialogue import Choice, Fact, Link, Reply, initial_state, render_reply_html, step
from faqbot.kb.templating import render_system_html

TODAY = date(2026, 11, 26)


def _template(reply: Reply) -> str:
    return str(render_system_html("reply_html.html.j2", {"reply": reply}))


@pytest.mark.parametrize(
    "messages",
    [
        ["解約したい"],
        ["モバイルの自動更新を止めたい", "もっと詳しく"],
        ["次の請求日はいつですか", "ウイルスバスター クラウド", "年額", "2027/3/31"],
        ["返金してほしい"],
        ["オペレーターと話したい", "はい"],
        ["今日の天気は？"],
        ["更新"],
        ["What is the next billing date?"],
        ["カード番号は4111 1111 1111 1111です"],
        ["<script>alert('x')</script> & \"quotes\"\n改行"],
    ],
)
def test_the_replies_of_real_turns_render_as_the_template_renders_them(engine: Engine, messages: list[str]) -> None:
    state = initial_state()
    for message in messages:
        reply, state = step(engine, state, message, TODAY)
        assert str(render_reply_html(reply)) == _template(reply)


_text = st.lists(st.sampled_from([*"ab あ<>&\"'\n\t/:.", "https://", "http://", "{{", "%}"]), max_size=12).map("".join)
_urls = st.one_of(st.none(), st.just(""), _text, _text.map(lambda t: "https://" + t), _text.map(lambda t: "http://" + t))


@given(
    text=_text,
    kind=_text,
    intent=_text,
    prompt=_text,
    choices=st.lists(st.builds(Choice, st.integers(0, 20), _text, _text), max_size=3),
    links=st.lists(st.builds(Link, _text, _urls), max_size=3),
    facts=st.lists(st.builds(Fact, _text, _text), max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_any_reply_renders_as_the_template_renders_it(  # noqa: PLR0913 - one argument per field
    text: str, kind: str, intent: str, prompt: str, choices: list[Choice], links: list[Link], facts: list[Fact]
) -> None:
    reply = Reply(
        text, intent, "answer", 0.5, choices=tuple(choices), links=tuple(links), facts=tuple(facts), kind=kind, prompt=prompt
    )
    assert str(render_reply_html(reply)) == _template(reply)
