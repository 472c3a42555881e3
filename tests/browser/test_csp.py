"""The demo page and the widget work under the server's Content-Security-Policy.

The page is served with the policy of :mod:`faqbot.web.headers`; Chromium
reports every blocked script, style or request as a ``securitypolicyviolation``
event, which must never fire while the widget loads, answers and fills the
billing form.  A card number typed into the widget is answered with the
warning and is never shown back by the bot.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from faqbot.web.headers import CONTENT_SECURITY_POLICY

WIDGET = "faqbot-widget"


def _bot(page: Page):
    return page.locator(f"{WIDGET} li.message.bot:not(.typing)")


def _ask(page: Page, text: str) -> None:
    before = _bot(page).count()
    box = page.get_by_role("textbox", name="質問を入力")
    box.fill(text)
    box.press("Enter")
    expect(_bot(page)).to_have_count(before + 1)


def test_the_widget_works_under_the_policy_with_no_violation(page: Page, server: str) -> None:
    page.add_init_script(
        """window.__violations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""
    )
    response = page.goto(server + "/")
    assert response is not None and response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page.get_by_role("button", name="チャットで質問する").click()
    _ask(page, "解約したい")
    expect(_bot(page).last).to_contain_text("解約")
    _ask(page, "次の請求日はいつですか？")
    _ask(page, "1")
    # The widget's stylesheet applied (not blocked): the panel is laid out, not an unstyled list.
    assert page.evaluate("getComputedStyle(document.querySelector('faqbot-widget')).visibility") == "visible"
    assert page.evaluate("window.__violations") == []


def test_a_card_number_typed_in_the_widget_is_not_repeated(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.get_by_role("button", name="チャットで質問する").click()
    _ask(page, "4111 1111 1111 1111")
    reply = _bot(page).last
    expect(reply).to_contain_text("カード情報はチャットに入力しないでください")
    expect(reply).to_contain_text("トレンドマイクロアカウント")
    assert "4111" not in reply.inner_text()
    # Nor is it kept in the customer's own bubble or in sessionStorage.
    expect(page.locator("faqbot-widget .message.user").last).to_contain_text("[カード番号]")
    stored = page.evaluate("JSON.stringify(Object.assign({}, window.sessionStorage))")
    assert "4111" not in stored and "[カード番号]" in stored
