"""The maintainers' HTML pages (``faqbot report --html``, ``faqbot eval --html``) in Debian's chromium.

Each page is written by the real command from fixture data, opened from
disk, and must draw every chart (an ``<svg role="img">`` with a title and
drawn shapes), log no console error, make no network request, pass axe-core
with zero violations, and fit a 375 px phone without horizontal scrolling.
Screenshots at desktop width and at 375 px go to artifacts/screenshots/ (ignored
by git, so a test run leaves the checkout clean); the maintainers' guide shows the
copies in docs/screenshots/, taken from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from faqbot.cli import main
from tests.browser.conftest import SCREENSHOTS
from tests.browser.support import axe_violations
from tests.test_analytics_report import record_fixture

REPO = Path(__file__).resolve().parents[2]
EVAL_SET = REPO / "eval" / "hard.jsonl"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 812}}


def _write(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    db = folder / "analytics.sqlite3"
    record_fixture(db)
    _write(["report", "--db", str(db), "--html", str(folder / "report.html")])
    _write(["eval", str(EVAL_SET), "--html", str(folder / "eval.html"), "--today", "2026-12-02"])
    return {"report": folder / "report.html", "eval": folder / "eval.html"}


class Opened:
    """A page opened from disk, with every console error and network request it made."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", lambda req: self.requests.append(req.url))


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def context_page(browser: Browser, viewport: str) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP")  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


CHARTS = {"report": ("days", "groups", "intents", "votes"), "eval": ("confusion", "coverage")}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_page_draws_its_charts_offline_and_accessibly(
    name: str, pages: dict[str, Path], context_page: Page, viewport: str
) -> None:
    opened = Opened(context_page)
    url = pages[name].as_uri()
    context_page.goto(url)
    for chart in CHARTS[name]:
        svg = context_page.locator(f'svg[role="img"][aria-labelledby="{chart}-title"]')
        assert svg.count() == 1, f"chart {chart} missing"
        assert context_page.locator(f"#{chart}-title").text_content(), f"chart {chart} has no title"
        box = svg.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        assert svg.locator("path").count() > 10, f"chart {chart} drew nothing"
    # Every chart has its data table behind it.
    assert context_page.locator("section table").count() == len(CHARTS[name])
    # Nothing but the page itself was requested: no CDN, no font, no image.
    assert opened.requests == [url]
    assert opened.errors == []
    # No horizontal scrolling of the page (wide tables scroll in their own box).
    assert context_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context_page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)
    violations = axe_violations(context_page)
    assert violations == [], "\n".join(violations)
