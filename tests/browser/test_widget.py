"""The help widget in real headless Chromium, on the demo page served by `faqbot serve`.

Covers what issue 4 asks the widget to show: open, ask, answer, quick replies,
the billing form over several turns, history across a reload, clearing it,
an XSS payload shown as text, a composing Enter that does not send, keyboard
only use, 375 px, style isolation, and screenshots for people to look at.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from faqbot.analytics import Recorder

# Not imported from conftest.py: a bare `import conftest` may resolve to tests/conftest.py.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

XSS = "<img src=x onerror=alert(1)>"
CANNED_EN = {
    "text": "To stop automatic renewal, see the support page.", "intent": "cancel-howto", "decision": "answer",
    "confidence": 1.0, "kind": "answer", "choices": [], "links": [], "facts": [], "handoff": None,
}
WIDGET = "faqbot-widget"


def launcher(page: Page):
    return page.get_by_role("button", name="チャットで質問する")


def panel(page: Page):
    return page.locator(f"{WIDGET} #faqbot-panel")


def composer(page: Page):
    return page.get_by_role("textbox", name="質問を入力")


def messages(page: Page, role: str):
    return page.locator(f"{WIDGET} li.message.{role}:not(.typing)")


def open_demo(page: Page, server: str) -> None:
    page.goto(server + "/")
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(composer(page)).to_be_focused()


def ask(page: Page, text: str) -> None:
    """Type ``text``, press Enter and wait until the reply is shown."""
    before = messages(page, "bot").count()
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(messages(page, "bot")).to_have_count(before + 1)
    expect(page.locator(f"{WIDGET} button.send")).to_be_enabled()


def shadow_active(page: Page) -> str:
    """A description of the focused element inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            const el = document.querySelector('faqbot-widget').shadowRoot.activeElement;
            return el ? el.tagName.toLowerCase() + '|' + (el.getAttribute('aria-label') || el.textContent || '') : '';
        }"""
    )


def test_open_ask_and_see_the_answer_announced(page: Page, server: str) -> None:
    open_demo(page, server)
    expect(launcher(page)).to_be_hidden()
    # A labelled region named by its visible title (not a dialog with a second banner).
    expect(page.get_by_role("region", name="あんしん自動更新 サポート")).to_be_visible()
    expect(panel(page)).to_have_attribute("aria-labelledby", "faqbot-title")
    # Record whether the typing indicator ever appears while the reply is on its way.
    page.evaluate(
        """() => {
            const list = document.querySelector('faqbot-widget').shadowRoot.querySelector('.messages');
            window.__sawTyping = false;
            new MutationObserver(() => { if (list.querySelector('.typing')) window.__sawTyping = true; })
                .observe(list, {childList: true});
        }"""
    )
    ask(page, "解約したい")
    expect(messages(page, "user").last).to_have_text("あなた: 解約したい")
    reply = messages(page, "bot").last
    expect(reply).to_contain_text("解約")
    assert page.evaluate("window.__sawTyping") is True
    live = page.locator(f"{WIDGET} [role=status][aria-live=polite]")
    expect(live).to_contain_text("解約")


def test_quick_replies_fill_the_billing_form_over_several_turns(page: Page, server: str) -> None:
    open_demo(page, server)
    ask(page, "次回の請求日を知りたい")
    choices = page.locator(f"{WIDGET} .choices").last
    expect(choices).to_have_attribute("role", "group")
    before = messages(page, "bot").count()
    choices.get_by_role("button", name="ウイルスバスター モバイル", exact=True).click()
    expect(messages(page, "bot")).to_have_count(before + 1)
    expect(messages(page, "user").last).to_contain_text("ウイルスバスター モバイル")  # the label, not the raw value
    expect(messages(page, "bot").last).to_contain_text("月額版・年額版")
    # Older quick replies disappear: they no longer match the conversation.
    expect(page.locator(f"{WIDGET} .choices")).to_have_count(1)
    page.locator(f"{WIDGET} .choices").get_by_role("button", name="月額版", exact=True).click()
    expect(messages(page, "bot")).to_have_count(before + 2)
    expect(messages(page, "bot").last).to_contain_text("有効期限")
    ask(page, "来年3月末")  # relative, so the test stays true whatever the server's date
    answer = messages(page, "bot").last
    expect(answer).to_contain_text("次回の請求日")
    expect(answer.locator("dl.facts dt")).to_contain_text(["製品", "プラン", "有効期限", "次回の請求日"])
    expect(answer.locator("dl.facts")).to_contain_text("ウイルスバスター モバイル")


def test_history_survives_a_reload_and_can_be_cleared(page: Page, server: str) -> None:
    open_demo(page, server)
    ask(page, "解約したい")
    ask(page, "支払い方法を教えて")
    page.reload()
    expect(panel(page)).to_be_visible()  # it was open: it stays open
    expect(messages(page, "user")).to_have_count(2)
    expect(messages(page, "user").first).to_contain_text("解約したい")
    # The signed state came back too: the next turn still works.
    ask(page, "ありがとう")
    page.get_by_role("button", name="メニュー").click()
    page.get_by_role("button", name="会話を消去").click()
    expect(messages(page, "user")).to_have_count(0)
    expect(messages(page, "bot")).to_have_count(1)  # the welcome
    expect(page.locator(f"{WIDGET} [role=status]")).to_have_text("会話を消去しました。")
    page.reload()
    expect(messages(page, "user")).to_have_count(0)
    stored = page.evaluate("() => Object.values(sessionStorage).map(v => JSON.parse(v))")
    assert stored == [{"messages": [], "state": None, "open": True}]


def test_an_xss_payload_is_shown_as_text(page: Page, server: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_demo(page, server)
    ask(page, XSS)
    expect(messages(page, "user").last.locator("p.text")).to_have_text(XSS)
    assert page.evaluate("() => document.querySelector('faqbot-widget').shadowRoot.querySelectorAll('img').length") == 0
    assert page.locator("img").count() == 0
    page.reload()  # and again when the history is rendered from storage
    expect(messages(page, "user").last.locator("p.text")).to_have_text(XSS)
    page.wait_for_timeout(200)
    assert dialogs == []


def test_enter_while_composing_does_not_send(page: Page, server: str) -> None:
    open_demo(page, server)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/api/v1/chat" in request.url else None)
    composer(page).fill("かいやく")
    for init in ("{key: 'Enter', code: 'Enter', isComposing: true}", "{key: 'Enter', code: 'Enter', keyCode: 229}"):
        prevented = page.evaluate(
            f"""() => {{
                const input = document.querySelector('faqbot-widget').shadowRoot.querySelector('textarea');
                const event = new KeyboardEvent('keydown', Object.assign({init}, {{bubbles: true, cancelable: true, composed: true}}));
                return !input.dispatchEvent(event);
            }}"""
        )
        assert prevented is False  # the IME's Enter is left alone to confirm the conversion
    page.wait_for_timeout(300)
    assert sent == []
    expect(messages(page, "user")).to_have_count(0)
    expect(composer(page)).to_have_value("かいやく")
    # Once the conversion is confirmed, Enter sends.
    composer(page).press("Enter")
    expect(messages(page, "user")).to_have_count(1)
    assert len(sent) == 1


def test_keyboard_only_end_to_end(page: Page, server: str) -> None:
    page.goto(server + "/")
    for _ in range(40):  # past the demo page's FAQ questions to the widget at the end of the page
        page.keyboard.press("Tab")
        if "launcher" in page.evaluate("() => document.querySelector('faqbot-widget').shadowRoot.activeElement?.className || ''"):
            break
    expect(launcher(page)).to_be_focused()
    outline = launcher(page).evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    expect(composer(page)).to_be_focused()
    page.keyboard.type("次回の請求日を知りたい")
    page.keyboard.press("Enter")
    expect(messages(page, "bot")).to_have_count(2)
    # Shift+Tab back from the text box into the quick replies, and pick one with Enter.
    for _ in range(15):
        page.keyboard.press("Shift+Tab")
        if shadow_active(page) == "button|ウイルスバスター モバイル":
            break
    assert shadow_active(page) == "button|ウイルスバスター モバイル"
    page.keyboard.press("Enter")
    expect(messages(page, "bot")).to_have_count(3)
    expect(messages(page, "bot").last).to_contain_text("月額版・年額版")
    # Escape closes the panel and gives focus back to the launcher.
    composer(page).focus()
    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()


def test_every_control_has_a_label(page: Page, server: str) -> None:
    open_demo(page, server)
    ask(page, "次回の請求日を知りたい")
    unlabelled = page.evaluate(
        """() => [...document.querySelector('faqbot-widget').shadowRoot.querySelectorAll('button, textarea, a')]
            .filter(el => !(el.getAttribute('aria-label') || el.textContent.trim() || el.labels?.length))
            .map(el => el.outerHTML)"""
    )
    assert unlabelled == []
    page.get_by_role("button", name="チャットを閉じる").click()
    expect(launcher(page)).to_be_visible()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    expect(launcher(page)).to_have_attribute("aria-controls", "faqbot-panel")


def test_page_styles_and_widget_styles_do_not_mix(page: Page, server: str) -> None:
    page.goto(server + "/")
    # demo.css paints every bare <button> magenta in a serif font: the launcher must not care.
    style = launcher(page).evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).fontFamily]")
    assert style[0] != "rgb(255, 0, 255)"
    assert "serif" not in style[1].replace("sans-serif", "")
    # And the widget's classes do not style the page's own elements of the same name.
    page.evaluate("() => { const b = document.createElement('button'); b.className = 'launcher'; b.id = 'mine'; document.body.prepend(b); }")
    assert page.locator("#mine").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 0, 255)"


def test_a_corrupt_stored_state_recovers_as_a_new_conversation(page: Page, server: str) -> None:
    open_demo(page, server)
    ask(page, "こんにちは")
    page.evaluate(
        """() => { for (const k of Object.keys(sessionStorage)) {
            const v = JSON.parse(sessionStorage.getItem(k)); v.state = 'forged.state'; sessionStorage.setItem(k, JSON.stringify(v)); } }"""
    )
    page.reload()
    ask(page, "解約したい")
    expect(messages(page, "bot").last).to_contain_text("解約")
    expect(page.locator(f"{WIDGET} li.message.note")).to_contain_text("新しい会話")


def test_a_server_error_is_shown_not_swallowed(page: Page, server: str) -> None:
    open_demo(page, server)
    page.route("**/api/v1/chat", lambda route: route.fulfill(status=503, body="{}", content_type="application/json"))
    composer(page).fill("解約したい")
    composer(page).press("Enter")
    failed = page.locator(f"{WIDGET} li.message.user.failed")
    expect(failed).to_contain_text("送信できませんでした")
    expect(failed.get_by_role("button", name="もう一度送る")).to_be_visible()
    expect(composer(page)).to_have_value("解約したい")  # the typed text is not lost
    expect(page.locator(f"{WIDGET} button.send")).to_be_enabled()


def test_thumbs_down_is_sent_once_and_recorded(page: Page, server: str, analytics_db: Path) -> None:
    open_demo(page, server)
    posted: list[dict[str, object]] = []
    page.on("request", lambda r: posted.append(r.post_data_json) if r.url.endswith("/api/v1/feedback") else None)
    ask(page, "解約方法を教えて")
    answer = messages(page, "bot").last
    group = answer.get_by_role("group", name="この回答は役に立ちましたか")
    up, down = group.get_by_role("button", name="役に立った"), group.get_by_role("button", name="役に立たなかった")
    expect(up).to_be_enabled()
    # Keyboard reachable: Shift+Tab from the text box lands on the buttons.
    composer(page).focus()
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if shadow_active(page) == "button|役に立たなかった":
            break
    assert shadow_active(page) == "button|役に立たなかった"
    with page.expect_response("**/api/v1/feedback") as response:
        page.keyboard.press("Enter")
    assert response.value.status == 200
    expect(up).to_be_disabled()
    expect(down).to_be_disabled()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(answer.locator(".thanks")).to_have_text("ご意見ありがとうございます")
    expect(answer.locator(".thanks")).to_be_visible()
    assert [{k: v for k, v in p.items() if k != "turn"} for p in posted] == [
        {"intent": "cancel-howto", "helpful": False, "message": "解約方法を教えて"}
    ]
    assert isinstance(posted[0]["turn"], str) and posted[0]["turn"]  # the turn the reply named
    # The server recorded the vote (masked, on the web channel) for `faqbot report`.
    votes = [(f.channel, f.intent, f.helpful, f.query) for f in Recorder(analytics_db).feedback()]
    assert ("web", "cancel-howto", False, "解約方法を教えて") in votes
    # One vote per answer, also after a reload.
    page.reload()
    answer = messages(page, "bot").last
    expect(answer.get_by_role("button", name="役に立った")).to_be_disabled()
    expect(answer.locator(".thanks")).to_be_visible()
    assert len(posted) == 1


def test_no_feedback_buttons_on_fallbacks_or_questions_back(page: Page, server: str) -> None:
    open_demo(page, server)
    ask(page, "ポイントで払えますか")  # fallback
    ask(page, "次回の請求日を知りたい")  # the billing form asks for the product
    expect(page.locator(f"{WIDGET} .feedback")).to_have_count(0)


def welcome_with(page: Page, server: str, billing: bool, language: str = "ja") -> str:
    """The welcome the widget shows when widget-config.json says ``billing`` (the rest is the server's)."""
    def config(route: Route) -> None:
        body = route.fetch().json()
        route.fulfill(status=200, content_type="application/json", body=json.dumps({**body, "billing": billing}))

    page.route("**/widget-config.json", config)
    html = (
        "<!doctype html><html><head><meta charset=utf-8><title>host</title></head><body>"
        f'<script src="/widget.js" data-faqbot-language="{language}" data-faqbot-open="true" defer></script></body></html>'
    )
    page.route(server + "/host.html", lambda route: route.fulfill(status=200, body=html, content_type="text/html"))
    page.goto(server + "/host.html")
    welcome = messages(page, "bot").first
    expect(welcome).to_contain_text("あんしん自動更新")  # the server's names have arrived
    return welcome.inner_text()


def test_the_welcome_offers_billing_dates_only_when_the_knowledge_base_computes_them(page: Page, server: str) -> None:
    assert "請求日" in welcome_with(page, server, billing=True)
    assert "請求日" not in welcome_with(page, server, billing=False)  # e.g. a city's bulky-waste desk
    assert "billing" in welcome_with(page, server, billing=True, language="en")
    assert "billing" not in welcome_with(page, server, billing=False, language="en")


def test_the_real_welcome_follows_the_shipped_knowledge_base(page: Page, server: str) -> None:
    open_demo(page, server)  # the shipped knowledge base has compute.yaml
    expect(messages(page, "bot").first).to_contain_text("次回の請求日の目安もお調べできます")


def test_data_settings_title_position_language_open(page: Page, server: str) -> None:
    # A host page of our own on the server's origin, embedding with every optional setting.
    html = (
        "<!doctype html><html><head><meta charset=utf-8><title>host</title></head><body><p>host page</p>"
        '<script src="/widget.js" data-faqbot-endpoint="/api/v1/chat" data-faqbot-title="テスト窓口"'
        ' data-faqbot-position="left" data-faqbot-language="en" data-faqbot-open="true" defer></script></body></html>'
    )
    page.route(server + "/host.html", lambda route: route.fulfill(status=200, body=html, content_type="text/html"))
    page.goto(server + "/host.html")
    expect(panel(page)).to_be_visible()  # open on load
    expect(page.locator(f"{WIDGET} #faqbot-title")).to_have_text("テスト窓口")
    expect(page.locator(f"{WIDGET} .launcher-text")).to_have_text("テスト窓口")  # the launcher says it too
    expect(page.get_by_role("textbox", name="Type your question")).to_be_visible()
    box = panel(page).bounding_box()
    assert box is not None and box["x"] < 100  # bottom-left
    # data-faqbot-language is sent to the chat API as `lang` (the dialogue answers in it).
    sent: list[dict[str, object]] = []

    def answer(route: Route) -> None:
        sent.append(route.request.post_data_json)
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"reply": CANNED_EN, "state": "s"}))

    page.route("**/api/v1/chat", answer)
    page.get_by_role("textbox", name="Type your question").fill("How do I cancel?")
    page.get_by_role("textbox", name="Type your question").press("Enter")
    expect(page.locator(f"{WIDGET} li.message.bot:not(.typing)")).to_have_count(2)
    assert sent == [{"message": "How do I cancel?", "lang": "en"}]


def test_usable_at_375px_with_the_keyboard_up(page: Page, server: str) -> None:
    page.set_viewport_size({"width": 375, "height": 667})
    open_demo(page, server)
    ask(page, "次回の請求日を知りたい")
    box = panel(page).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    # An on-screen keyboard leaves about 350 px: the text box and send button must stay on screen.
    page.set_viewport_size({"width": 375, "height": 350})
    for control in (composer(page), page.get_by_role("button", name="送信", exact=True)):
        # The layout settles a frame or two after the resize: poll, bounded.
        deadline = time.monotonic() + 3.0
        while True:
            control_box = control.bounding_box()
            fits = control_box is not None and control_box["y"] + control_box["height"] <= 350
            if fits or time.monotonic() > deadline:
                break
            page.wait_for_timeout(50)
        assert fits, control_box
    page.get_by_role("button", name="送信", exact=True).click()  # clicking an empty box sends nothing
    expect(messages(page, "user")).to_have_count(1)


def test_screenshots_of_the_demo_page(page: Page, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    page.goto(server + "/")
    expect(launcher(page)).to_be_visible()
    shots.append(SCREENSHOTS / "demo-desktop.png")
    page.screenshot(path=str(shots[-1]))
    open_demo(page, server)
    ask(page, "次回の請求日を知りたい")
    shots.append(SCREENSHOTS / "demo-desktop-chat.png")
    page.screenshot(path=str(shots[-1]))
    page.set_viewport_size({"width": 375, "height": 812})
    page.get_by_role("button", name="チャットを閉じる").click()
    shots.append(SCREENSHOTS / "demo-375.png")
    page.screenshot(path=str(shots[-1]))
    launcher(page).click()
    page.locator(f"{WIDGET} .choices").get_by_role("button", name="ウイルスバスター モバイル", exact=True).click()
    expect(messages(page, "bot").last).to_contain_text("月額版・年額版")
    shots.append(SCREENSHOTS / "demo-375-chat.png")
    page.screenshot(path=str(shots[-1]))
    page.locator(f"{WIDGET} .choices").get_by_role("button", name="月額版", exact=True).click()
    expect(messages(page, "bot").last).to_contain_text("有効期限")
    ask(page, "来年3月末")
    expect(messages(page, "bot").last.locator("dl.facts")).to_be_visible()
    shots.append(SCREENSHOTS / "demo-375-billing.png")
    page.screenshot(path=str(shots[-1]))
    for shot in shots:
        assert shot.stat().st_size > 10_000, shot
