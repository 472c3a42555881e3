"""The interactive lookup, driven headlessly through a pipe (prompt-toolkit pipe input + DummyOutput)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from faqbot.answers.answering import Engine
from faqbot.terminal.lookup_tui import LookupApp

TODAY = date(2026, 11, 26)
DOWN, UP, ENTER, ESC, CTRL_C = "\x1b[B", "\x1b[A", "\r", "\x1b", "\x03"


async def _settle() -> None:
    await asyncio.sleep(0.15)


def drive(engine: Engine, script, product: str | None = None) -> LookupApp:
    """Run the app, call ``script(app, send)`` (a coroutine), then make sure it exited."""

    async def main() -> LookupApp:
        with create_pipe_input() as pipe:
            tui = LookupApp(engine, TODAY, product=product, top=5, input=pipe, output=DummyOutput())
            tui.app.ttimeoutlen = 0.05  # a lone Esc is recognised after this pause

            async def send(keys: str) -> None:
                pipe.send_text(keys)
                await _settle()

            task = asyncio.create_task(tui.app.run_async())
            await _settle()
            await script(tui, send)
            if not task.done():
                await send(CTRL_C)
            await asyncio.wait_for(task, timeout=5)
            return tui

    return asyncio.run(main())


def test_ranking_updates_as_the_agent_types(engine: Engine) -> None:
    seen: dict[str, object] = {}

    async def script(tui: LookupApp, send) -> None:
        seen["empty"] = tui.screen_text()
        await send("クレカ")
        seen["partial"] = tui.result.query
        await send("を変えたい")
        seen["full"] = (tui.result.query, tui.result.rows[0].entry_id)
        seen["screen"] = tui.screen_text()

    drive(engine, script)
    assert seen["empty"] == "お客さまの質問の言葉を入力してください (例: 解約したい)"
    assert seen["partial"] == "クレカ"
    assert seen["full"] == ("クレカを変えたい", "change-card")
    assert str(seen["screen"]).startswith("▶ 1 ")
    assert "change-card" in str(seen["screen"]).splitlines()[0]


def test_arrows_pick_enter_shows_escape_goes_back(engine: Engine) -> None:
    seen: dict[str, object] = {}

    async def script(tui: LookupApp, send) -> None:
        await send("解約したい")
        first, second = tui.result.rows[0].entry_id, tui.result.rows[1].entry_id
        await send(DOWN)
        seen["selected_after_down"] = tui.selected
        await send(DOWN + UP)
        seen["selected_after_down_up"] = tui.selected
        await send(ENTER)
        seen["viewing"] = tui.viewing.entry_id if tui.viewing else None
        seen["screen"] = tui.screen_text()
        seen["expected"] = (first, second)
        await send(ESC)
        seen["after_esc"] = (tui.viewing, tui.search.text, tui.app.is_running)

    drive(engine, script)
    first, second = seen["expected"]
    assert first == "cancel-howto"
    assert seen["selected_after_down"] == 1
    assert seen["selected_after_down_up"] == 1
    assert seen["viewing"] == second
    assert str(seen["screen"]).startswith(f"[{second}] ")
    assert seen["after_esc"] == (None, "解約したい", True)


def test_enter_shows_the_answer_for_the_product(engine: Engine) -> None:
    seen: dict[str, object] = {}

    async def script(tui: LookupApp, send) -> None:
        await send("申し込み方法")
        await send(ENTER)
        seen["screen"] = tui.screen_text()

    drive(engine, script, product="mobile")
    lines = str(seen["screen"]).splitlines()
    assert lines[0] == "[apply-howto] あんしん自動更新の申し込み方法を教えてください"
    assert lines[1] == "分類: あんしん自動更新の申請・決済について / 製品: ウイルスバスター モバイル (mobile)"
    assert "  - ウイルスバスター モバイル あんしん自動更新の申し込み方法" in lines


def test_escape_on_the_list_quits(engine: Engine) -> None:
    seen: dict[str, object] = {}

    async def script(tui: LookupApp, send) -> None:
        await send("解約")
        await send(ESC)
        seen["running"] = tui.app.is_running

    drive(engine, script)
    assert seen["running"] is False


def test_no_match_says_so(engine: Engine) -> None:
    seen: dict[str, object] = {}

    async def script(tui: LookupApp, send) -> None:
        await send("!!!")
        seen["screen"] = tui.screen_text()
        await send(ENTER)  # nothing to open
        seen["viewing"] = tui.viewing

    drive(engine, script)
    assert seen["screen"] == "該当する質問がありません。言い換えてみてください。"
    assert seen["viewing"] is None


def test_labels_follow_the_knowledge_base_language(engine: Engine) -> None:
    """An English knowledge base gets English labels (templates/words.yaml), not the Japanese ones."""
    english = replace(engine, kb=engine.kb.in_language("en"))
    seen: dict[str, object] = {}

    async def script(tui: LookupApp, send) -> None:
        seen["empty"] = tui.screen_text()
        seen["status"] = tui._status()[0][1]
        await send("zzzz qqqq")
        seen["nothing"] = tui.screen_text()

    drive(english, script)
    assert seen["empty"] == "Type the customer's words (e.g. cancel my subscription)"
    assert seen["status"] == " ↑↓: select  Enter: show  Esc / Ctrl-C: quit "
    assert seen["nothing"] == "No question matches. Try other words."


def test_error_message_quoting_the_query_is_inert(engine: Engine) -> None:
    """A bidi override typed into the search line cannot reorder the screen: it is shown as <U+202E>."""
    tui = LookupApp(engine, TODAY, top=5, input=None, output=DummyOutput())
    tui.message = "bad query \u202eevil"
    assert tui.screen_text() == "bad query <U+202E>evil"
