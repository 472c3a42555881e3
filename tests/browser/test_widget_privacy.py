"""The widget masks personal data by the server's own rules (issue 14), in Debian's Chromium.

Two checks: the masker served in front of widget.js gives exactly the Python
detector's result on a seeded sample of every format (:mod:`tests.privacy_cases`),
and a customer typing those formats into the widget — whole, split over two
messages, e-mails, phones — leaves none of them in sessionStorage, while every
card message gets the warning.
"""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from faqbot.text.privacy import screen
from tests.privacy_cases import leaked, samples

WIDGET = "faqbot-widget"
# The reply follows the message's language: a typed 'card no. …' is answered in English.
WARNINGS = ("カード情報はチャットに入力しないでください", "please do not type credit card numbers")
AGREEMENT_CASES = 400
TYPED_CONVERSATIONS = 24


def _python_screens(conversation: tuple[str, ...]) -> list[dict[str, object]]:
    out, pending = [], 0
    for message in conversation:
        result = screen(message, pending)
        pending = result.card_tail
        out.append({"text": result.text, "card": result.card, "tail": result.card_tail})
    return out


def test_the_widget_masker_agrees_with_the_server_on_every_format(page: Page, server: str) -> None:
    page.goto(server + "/")
    conversations = [sample.messages for sample in samples(AGREEMENT_CASES)]
    got = page.evaluate(
        """(conversations) => conversations.map((messages) => {
            let pending = 0;
            return messages.map((m) => { const r = window.faqbotPrivacy.screen(m, pending); pending = r.tail; return r; });
        })""",
        [list(c) for c in conversations],
    )
    expected = [_python_screens(c) for c in conversations]
    mismatches = [(c, g, e) for c, g, e in zip(conversations, got, expected, strict=True) if g != e]
    assert mismatches == [], f"{len(mismatches)} of {len(conversations)} differ, e.g. {mismatches[:3]}"


def test_nothing_typed_into_the_widget_is_kept_in_session_storage(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.get_by_role("button", name="チャットで質問する").click()
    box = page.get_by_role("textbox", name="質問を入力")
    bots = page.locator(f"{WIDGET} li.message.bot:not(.typing)")
    cases = samples(TYPED_CONVERSATIONS, seed=1414)
    for case in cases:
        for message in case.messages:
            before = bots.count()
            box.fill(message)
            box.press("Enter")
            expect(bots).to_have_count(before + 1)
            expect(page.locator(f"{WIDGET} button.send")).to_be_enabled()
            if case.card and message is case.messages[-1]:
                assert any(w in bots.last.inner_text() for w in WARNINGS), case.messages
    stored = page.evaluate("() => Object.values(sessionStorage).join('\\n')")
    shown = page.locator(f"{WIDGET} li.message.user").all_inner_texts()
    for case in cases:
        where = json.dumps(case.messages, ensure_ascii=False)
        assert not leaked(case.secret, stored), f"{case.secret!r} kept in sessionStorage: {where}"
        assert not leaked(case.secret, "\n".join(shown)), f"{case.secret!r} shown in the customer's own bubble: {where}"
