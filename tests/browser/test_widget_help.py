"""What a help centre needs from the widget, in Debian's Chromium: a person to talk to, links,
failures handled, IME composition, zero axe-core violations, and the README's snippet working
on another origin.

Everything runs on 127.0.0.1: a `faqbot serve` configured with a handoff webhook, a real HTTP
receiver standing in for the desk (:mod:`tests.receiver`), a static page server for the
customer's site on another origin, and a gate in front of faqbot that can stop answering.
Screenshots go to ``artifacts/screenshots/`` (the ones in ``docs/screenshots/`` were taken here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from faqbot.analytics.outbox import Outbox
from tests.browser.conftest import REPO, SCREENSHOTS, running_faqbot
from tests.browser.support import Gate, axe_violations, page_server, silent_gate
from tests.receiver import SILENT, Receiver, running_receiver

WIDGET = "faqbot-widget"
DESK_SECRET = "desk-secret-for-browser-tests-" + "d" * 16
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def desk() -> Iterator[Receiver]:
    with running_receiver(DESK_SECRET) as receiver:
        yield receiver


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The customer's own site: a static server on another loopback port, and its folder."""
    folder = tmp_path_factory.mktemp("site")
    with page_server(folder) as base:
        yield base, folder


@pytest.fixture(scope="module")
def outbox_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox") / "handoff-outbox.sqlite3"


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory, desk: Receiver, site: tuple[str, Path], outbox_path: Path) -> Iterator[str]:
    """`faqbot serve` with a handoff webhook to ``desk`` and the customer's site allowed by CORS."""
    env = {
        "FAQBOT_ANALYTICS": "off",
        "FAQBOT_HANDOFF_URL": desk.url,
        "FAQBOT_HANDOFF_SECRET": DESK_SECRET,
        "FAQBOT_HANDOFF_TIMEOUT": "1",
        "FAQBOT_HANDOFF_OUTBOX": str(outbox_path),
        "FAQBOT_REQUEST_TIMEOUT": "4",
        "FAQBOT_CORS_ORIGINS": site[0],
    }
    with running_faqbot(tmp_path_factory.mktemp("helpdesk") / "serve.log", env) as base:
        yield base


@pytest.fixture()
def gate(helpdesk: str) -> Iterator[tuple[str, Gate]]:
    with silent_gate(helpdesk) as opened:
        yield opened


def new_page(browser: Browser, viewport: dict[str, int] = DESKTOP) -> Page:
    context = browser.new_context(viewport=viewport, locale="ja-JP")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: pytest.fail(f"JavaScript error on the page: {exc}"))
    return page


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "375px"])
def any_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    page = new_page(browser, request.param)
    yield page
    page.context.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser)
    yield page
    page.context.close()


def launcher(page: Page):
    return page.get_by_role("button", name="チャットで質問する")


def composer(page: Page):
    return page.get_by_role("textbox", name="質問を入力")


def bot_messages(page: Page):
    return page.locator(f"{WIDGET} li.message.bot:not(.typing)")


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    launcher(page).click()
    expect(composer(page)).to_be_focused()


def ask(page: Page, text: str) -> None:
    before = bot_messages(page).count()
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(bot_messages(page)).to_have_count(before + 1)


def no_violations(page: Page) -> None:
    assert axe_violations(page) == []


def shot(page: Page, name: str) -> None:
    """A screenshot for people: at desktop size only the widget's corner, so the file stays small."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    clip = {"x": width - 440, "y": 120, "width": 440, "height": 680} if width > 480 else None
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), clip=clip)
    assert path.stat().st_size > 5_000


def canned(text: str, **extra: Any) -> str:
    reply = {"text": text, "intent": "fallback", "decision": "dialogue", "confidence": 1.0, "kind": "answer",
             "choices": [], "links": [], "facts": [], "handoff": None, **extra}
    return json.dumps({"reply": reply, "state": None})


# ---- handoff ----

def test_handoff_from_the_menu_reaches_the_desk_signed_and_masked(any_page: Page, helpdesk: str, desk: Receiver) -> None:
    page, phone = any_page, any_page.viewport_size == PHONE
    desk.arrivals.clear()
    open_widget(page, helpdesk + "/")
    ask(page, "解約したい")
    ask(page, "連絡は taro@example.jp か 090-1234-5678 へ")
    page.get_by_role("button", name="メニュー").click()
    expect(page.get_by_role("button", name="メニュー")).to_have_attribute("aria-expanded", "true")
    no_violations(page)  # the open menu
    page.locator("#faqbot-menu").get_by_role("button", name="担当者に相談する").click()
    card = page.locator(f"{WIDGET} li.desk").last
    # The shipped knowledge base has no phone, hours or URL: the card says where to look, invents none.
    expect(card).to_contain_text("担当者に相談する — サポート窓口")
    expect(card).to_contain_text("電話番号や受付時間は、このチャットではご案内できません")
    send = card.get_by_role("button", name="この会話を担当者に送る")
    expect(send).to_be_focused()  # focus follows the customer to the new card
    no_violations(page)
    send.click()
    result = card.locator(".desk-result")
    expect(result).to_contain_text("担当者に会話の内容を送りました（受付番号 ")
    expect(result).to_be_focused()
    expect(page.locator(f"{WIDGET} [role=status]")).to_contain_text("担当者に会話の内容を送りました")
    [arrival] = desk.arrivals
    assert arrival.signature_ok
    reference = re.search(r"受付番号 ([0-9A-F]{8})", result.inner_text())
    assert reference and arrival.headers["Idempotency-Key"].upper().startswith(reference.group(1))
    transcript = arrival.json["transcript"]
    assert [line["role"] for line in transcript] == ["customer", "bot", "customer", "bot"]
    assert transcript[2]["text"] == "連絡は [メールアドレス] か [電話番号] へ"
    assert "taro@example.jp" not in arrival.body.decode() and "090-1234-5678" not in arrival.body.decode()
    no_violations(page)
    shot(page, f"handoff-{'375' if phone else 'desktop'}")


def test_a_desk_answering_500_first_gets_the_conversation_on_the_retry(page: Page, helpdesk: str, desk: Receiver) -> None:
    desk.arrivals.clear()
    desk.script = [500]
    open_widget(page, helpdesk + "/")
    ask(page, "解約したい")
    page.get_by_role("button", name="メニュー").click()
    page.locator("#faqbot-menu").get_by_role("button", name="担当者に相談する").click()
    page.get_by_role("button", name="この会話を担当者に送る").click()
    expect(page.locator(f"{WIDGET} .desk-result")).to_contain_text("担当者に会話の内容を送りました")
    assert len(desk.arrivals) == 2
    assert desk.arrivals[0].headers["Idempotency-Key"] == desk.arrivals[1].headers["Idempotency-Key"]
    assert all(a.signature_ok for a in desk.arrivals)


def test_a_desk_that_never_answers_gets_a_plain_message_and_the_handoff_is_kept(
    any_page: Page, helpdesk: str, desk: Receiver, outbox_path: Path
) -> None:
    page, phone = any_page, any_page.viewport_size == PHONE
    desk.arrivals.clear()
    desk.script = [SILENT] * 3
    desk.silence = 4.0
    open_widget(page, helpdesk + "/")
    ask(page, "返金してほしい")
    page.get_by_role("button", name="メニュー").click()
    page.locator("#faqbot-menu").get_by_role("button", name="担当者に相談する").click()
    page.get_by_role("button", name="この会話を担当者に送る").click()
    result = page.locator(f"{WIDGET} .desk-result")
    expect(result).to_contain_text("担当者への送信はまだ完了していません", timeout=15_000)
    expect(result).to_contain_text("お急ぎの場合はサポート窓口へ直接お問い合わせください")
    expect(result).to_be_focused()
    key = desk.arrivals[0].headers["Idempotency-Key"]
    kept = Outbox(outbox_path).get(key)
    assert kept is not None and kept.status == "pending"  # retried in the background, listed by faqbot report
    no_violations(page)
    shot(page, f"handoff-queued-{'375' if phone else 'desktop'}")
    desk.script = []


def test_a_reply_that_offers_a_person_has_the_action(page: Page, helpdesk: str) -> None:
    handoff = {"reason": "complaint", "desk": "サポート窓口", "phone": None, "hours": None, "form_url": None,
               "url": "https://support.example.jp/contact", "summary": "…"}
    page.route("**/api/v1/chat", lambda route: route.fulfill(
        status=200, content_type="application/json", body=canned("ご迷惑をおかけして申し訳ありません。", kind="handoff", handoff=handoff)))
    open_widget(page, helpdesk + "/")
    ask(page, "勝手に引き落とされた")
    bot_messages(page).last.get_by_role("button", name="担当者に相談する").click()
    card = page.locator(f"{WIDGET} li.desk").last
    expect(card.get_by_role("button", name="この会話を担当者に送る")).to_be_focused()
    contact = card.get_by_role("link", name="https://support.example.jp/contact")
    expect(contact).to_have_attribute("href", "https://support.example.jp/contact")
    expect(contact).to_have_attribute("target", "_blank")
    no_violations(page)


# ---- links ----

def test_urls_in_replies_are_links_and_only_http_s(page: Page, helpdesk: str) -> None:
    links = [{"title": "解約手続きのページ", "url": "https://help.example.jp/cancel"},
             {"title": "悪いリンク", "url": "javascript:alert(1)"}, {"title": "題名だけのページ", "url": None}]
    page.route("**/api/v1/chat", lambda route: route.fulfill(status=200, content_type="application/json", body=canned(
        "詳しくは https://help.example.jp/faq をご覧ください。javascript:alert(2) は開きません。", links=links)))
    open_widget(page, helpdesk + "/")
    ask(page, "解約したい")
    reply = bot_messages(page).last
    anchors = reply.locator("a")
    expect(anchors).to_have_count(2)
    assert [anchors.nth(i).get_attribute("href") for i in range(2)] == ["https://help.example.jp/faq", "https://help.example.jp/cancel"]
    for i in range(2):
        expect(anchors.nth(i)).to_have_attribute("target", "_blank")
        expect(anchors.nth(i)).to_have_attribute("rel", "noopener noreferrer")
    expect(reply).to_contain_text("悪いリンク")  # shown as a title, never as a javascript: link
    expect(reply).to_contain_text("javascript:alert(2) は開きません")
    no_violations(page)


def test_a_page_without_a_url_is_plain_text_not_dressed_as_a_link(page: Page, helpdesk: str) -> None:
    links = [{"title": "開けるページ", "url": "https://help.example.jp/open"}, {"title": "題名だけのページ", "url": None}]
    page.route("**/api/v1/chat", lambda route: route.fulfill(status=200, content_type="application/json", body=canned(
        "参考ページをご覧ください。", links=links)))
    open_widget(page, helpdesk + "/")
    ask(page, "解約したい")
    reply = bot_messages(page).last
    title = reply.locator(".links li").nth(1)
    expect(title).to_have_text("題名だけのページ")  # no icon in front of it
    expect(title.locator("a")).to_have_count(0)
    looks = title.locator(".page-title").evaluate(
        """el => ({before: getComputedStyle(el, '::before').content, color: getComputedStyle(el).color,
                   text: getComputedStyle(el.closest('.bubble')).color,
                   link: getComputedStyle(el.closest('.links').querySelector('a')).color})"""
    )
    assert looks["before"] in ("none", "normal")
    assert looks["color"] == looks["text"] != looks["link"]


def test_urls_written_in_an_answers_text_are_links_that_end_where_the_url_ends(page: Page, helpdesk: str) -> None:
    # An answer of a city's bulky-waste desk: URLs in its text, no `links`, Japanese or a full stop right after them.
    text = ("申込は https://city.example/sodai から。フォーム（https://city.example/sodai/formからも可）。"
            "Apply at https://city.example/sodai/en. (see https://city.example/a?b=1&c=2) <b>太字</b>")
    page.route("**/api/v1/chat", lambda route: route.fulfill(
        status=200, content_type="application/json", body=canned(text, links=[])))
    open_widget(page, helpdesk + "/")
    ask(page, "粗大ごみを出したい")
    reply = bot_messages(page).last
    anchors = reply.locator("a")
    expect(anchors).to_have_count(4)
    hrefs = [anchors.nth(i).get_attribute("href") for i in range(4)]
    assert hrefs == ["https://city.example/sodai", "https://city.example/sodai/form",
                     "https://city.example/sodai/en", "https://city.example/a?b=1&c=2"]
    assert [anchors.nth(i).inner_text() for i in range(4)] == hrefs  # the link reads as the URL written
    for i in range(4):
        expect(anchors.nth(i)).to_have_attribute("target", "_blank")
        expect(anchors.nth(i)).to_have_attribute("rel", "noopener noreferrer")
    expect(reply).to_contain_text("からも可）。Apply at")
    expect(reply).to_contain_text("<b>太字</b>")  # markup in the text stays text
    expect(reply.locator("b")).to_have_count(0)
    no_violations(page)


def test_the_demo_pages_questions_open_the_chat_with_that_question(page: Page, helpdesk: str) -> None:
    page.goto(helpdesk + "/")
    page.get_by_role("button", name="あんしん自動更新を解約（停止）したい").click()
    expect(composer(page)).to_be_visible()
    asked = page.locator(f"{WIDGET} li.message.user")
    expect(asked).to_have_count(1)
    expect(asked).to_contain_text("あんしん自動更新を解約")
    expect(bot_messages(page)).to_have_count(2)
    expect(bot_messages(page).last).to_contain_text("解約")
    assert page.request.get(helpdesk + "/favicon.ico").status == 200


# ---- failures ----

def site_page(folder: Path, name: str, script_tag: str) -> str:
    (folder / name).write_text(
        "<!doctype html><html lang=ja><head><meta charset=utf-8><title>お客さまのサイト</title></head>"
        f"<body><main><h1>お客さまのサイト</h1><p>ヘルプ</p></main>{script_tag}</body></html>",
        encoding="utf-8",
    )
    return name


def test_a_server_that_never_answers_times_out_and_the_message_can_be_retried(
    browser: Browser, gate: tuple[str, Gate], site: tuple[str, Path]
) -> None:
    base, silent = gate
    # A page on the gate's origin, with a 2-second client timeout.
    html = (site[1] / site_page(site[1], "slow.html", '<script src="/widget.js" data-faqbot-timeout="2" defer></script>')).read_text()

    def host_page(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=html)

    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "375")):
        page = new_page(browser, viewport)
        page.route(base + "/host.html", host_page)
        silent.silent.set()
        open_widget(page, base + "/host.html")
        composer(page).fill("解約したい")
        composer(page).press("Enter")
        # While the reply is pending, a further Enter is refused visibly and the text stays.
        composer(page).fill("もう一つ質問")
        composer(page).press("Enter")
        expect(page.locator(f"{WIDGET} .hint")).to_be_visible()
        expect(page.locator(f"{WIDGET} .hint")).to_have_text("前の質問への回答を待っています。届いてからもう一度送信してください。")
        expect(composer(page)).to_have_value("もう一つ質問")
        failed = page.locator(f"{WIDGET} li.message.user.failed")
        expect(failed).to_contain_text("送信できませんでした。 応答がありませんでした。", timeout=6_000)
        expect(page.locator(f"{WIDGET} .typing")).to_have_count(0)
        expect(page.locator(f"{WIDGET} button.send")).to_be_enabled()
        no_violations(page)
        shot(page, f"failure-{label}")
        silent.silent.clear()
        failed.get_by_role("button", name="もう一度送る").click()
        expect(composer(page)).to_be_focused()  # the retry button is gone: focus stays in the conversation
        expect(bot_messages(page)).to_have_count(2)
        expect(bot_messages(page).last).to_contain_text("解約")
        expect(page.locator(f"{WIDGET} li.message.user.failed")).to_have_count(0)
        expect(page.locator(f"{WIDGET} li.message.user")).to_have_count(1)  # retried in place, not duplicated
        assert silent.held == 1
        silent.held = 0
        page.context.close()


def test_the_typed_text_is_kept_when_sending_fails(page: Page, helpdesk: str) -> None:
    page.route("**/api/v1/chat", lambda route: route.abort("connectionrefused"))
    open_widget(page, helpdesk + "/")
    composer(page).fill("請求日を知りたい")
    composer(page).press("Enter")
    expect(page.locator(f"{WIDGET} li.message.user.failed")).to_contain_text("送信できませんでした。")
    expect(composer(page)).to_have_value("請求日を知りたい")
    # Sending the kept text again is the retry of the marked message, not a second copy.
    page.unroute("**/api/v1/chat")
    composer(page).press("Enter")
    expect(bot_messages(page)).to_have_count(2)
    expect(page.locator(f"{WIDGET} li.message.user")).to_have_count(1)


# ---- IME ----

COMPOSE = """(steps) => {
    const input = document.querySelector('faqbot-widget').shadowRoot.querySelector('textarea');
    for (const step of steps) {
        const [type, init] = step;
        const options = Object.assign({bubbles: true, cancelable: true, composed: true}, init);
        const event = type.startsWith('composition') ? new CompositionEvent(type, options) : new KeyboardEvent(type, options);
        input.dispatchEvent(event);
    }
}"""
ENTER = {"key": "Enter", "code": "Enter"}


@pytest.mark.parametrize(
    "steps",
    [
        # Chrome: the confirming keydown is flagged, compositionend follows.
        [["compositionstart", {}], ["keydown", {**ENTER, "isComposing": True, "keyCode": 229}], ["compositionend", {"data": "解約"}], ["keyup", ENTER]],
        # Firefox: flagged keydown without keyCode 229, then compositionend.
        [["compositionstart", {}], ["keydown", {**ENTER, "isComposing": True}], ["compositionend", {"data": "解約"}], ["keyup", ENTER]],
        # Safari: compositionend first, then a keydown that is not flagged as composing.
        [["compositionstart", {}], ["compositionend", {"data": "解約"}], ["keydown", {**ENTER, "keyCode": 13}], ["keyup", ENTER]],
        # An unflagged Enter between compositionstart and compositionend (the bug that was seen).
        [["compositionstart", {}], ["keydown", {**ENTER, "keyCode": 13}], ["compositionend", {"data": "解約"}]],
    ],
    ids=["chrome", "firefox", "safari", "unflagged"],
)
def test_enter_that_confirms_a_conversion_does_not_send(page: Page, helpdesk: str, steps: list[Any]) -> None:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/api/v1/chat") else None)
    open_widget(page, helpdesk + "/")
    composer(page).fill("かいやく")
    page.evaluate(COMPOSE, steps)
    page.wait_for_timeout(300)
    assert sent == []
    expect(composer(page)).to_have_value("かいやく")
    page.wait_for_timeout(150)  # a moment later, Enter sends
    composer(page).press("Enter")
    expect(page.locator(f"{WIDGET} li.message.user")).to_have_count(1)
    assert len(sent) == 1


# ---- embedding and accessibility ----

def readme_snippet() -> str:
    """The one-line embed snippet exactly as README.md shows it."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```html\n(<script [^\n]*widget\.js[^\n]*</script>)\n```", text)
    assert match, "README.md has no ```html block with the widget's <script> tag"
    return match.group(1)


def test_the_readme_snippet_works_on_another_origin(any_page: Page, helpdesk: str, site: tuple[str, Path]) -> None:
    page, phone = any_page, any_page.viewport_size == PHONE
    snippet = readme_snippet()
    assert "https://HOST" in snippet
    base, folder = site
    site_page(folder, "help.html", snippet.replace("https://HOST", helpdesk))
    assert base != helpdesk
    page.goto(base + "/help.html")
    # The names come from the server's knowledge base, not from the script.
    expect(launcher(page)).to_have_text("?あんしん自動更新 サポート チャットで質問する")
    no_violations(page)  # closed
    launcher(page).click()
    no_violations(page)  # open, empty
    ask(page, "次回の請求日を知りたい")
    expect(bot_messages(page).last).to_contain_text("製品")
    page.locator(f"{WIDGET} .choices").get_by_role("button", name="ウイルスバスター モバイル", exact=True).click()
    expect(bot_messages(page)).to_have_count(3)
    expect(bot_messages(page).first).to_contain_text("あんしん自動更新についてご質問ください")
    no_violations(page)  # a conversation with quick replies
    shot(page, f"conversation-{'375' if phone else 'desktop'}")


def test_the_launcher_and_panel_have_honest_names(page: Page, helpdesk: str) -> None:
    page.goto(helpdesk + "/")
    name = launcher(page).evaluate("el => el.textContent")
    visible = page.locator(f"{WIDGET} .launcher-text").inner_text()
    assert visible == "あんしん自動更新 サポート" and visible in name  # label-content-name-mismatch
    launcher(page).click()
    region = page.get_by_role("region", name="あんしん自動更新 サポート")
    expect(region).to_be_visible()
    assert page.locator(f"{WIDGET} header, {WIDGET} [role=banner], {WIDGET} [role=dialog]").count() == 0
    expect(page.locator(f"{WIDGET} [aria-live=polite]")).to_have_count(1)


def test_without_a_handoff_webhook_the_menu_still_shows_where_to_reach_a_person(page: Page, server: str) -> None:
    open_widget(page, server + "/")  # the session's server has no FAQBOT_HANDOFF_URL
    page.get_by_role("button", name="メニュー").click()
    page.locator("#faqbot-menu").get_by_role("button", name="担当者に相談する").click()
    card = page.locator(f"{WIDGET} li.desk").last
    expect(card).to_contain_text("トレンドマイクロのサポートページでサポート窓口の案内をご確認ください")
    expect(card.get_by_role("button")).to_have_count(0)  # nothing to send to: no button that cannot work
    expect(card.locator(".desk-title")).to_be_focused()
    expect(page.get_by_role("button", name="メニュー")).to_have_attribute("aria-expanded", "false")
    no_violations(page)
