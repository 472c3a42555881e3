"""Fixtures of the widget tests: a real `faqbot serve` on a loopback port and Debian's chromium.

The server is the real command (uvicorn, one worker, a fixed secret); the
browser is ``/usr/bin/chromium`` driven by Playwright's Python package (its
driver comes from PyPI; no browser is downloaded).  One server serves the session and one
browser each test module; each test gets a fresh context, so its
sessionStorage starts empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from faqbot.web.localserver import free_port, wait_until_healthy

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAQBOT = Path(sys.executable).parent / "faqbot"
MISSING = f"{CHROMIUM} is missing: install Debian's chromium (./dev test does) to run the widget tests"


@pytest.fixture(scope="session")
def analytics_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The analytics database the test server records into (never the maintainers' own)."""
    return tmp_path_factory.mktemp("analytics") / "analytics.sqlite3"


@contextmanager
def running_faqbot(log_path: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """A real `faqbot serve` on a free loopback port, with the ``FAQBOT_*`` settings given; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}
    env["FAQBOT_SECRET"] = "browser-tests-secret-" + "b" * 32
    env["FAQBOT_RATE_LIMIT"] = "0"  # every test browses from 127.0.0.1: one client for the rate limit
    env.update(extra_env)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(FAQBOT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(base, process, timeout=60, log=log_path)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, analytics_db: Path) -> Iterator[str]:
    """Base URL of a `faqbot serve` running for the whole session."""
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    with running_faqbot(log_path, {"FAQBOT_ANALYTICS_DB": str(analytics_db)}) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless.

    Module scope, not session: Playwright's sync API keeps an asyncio loop running
    while it is started, which would break later tests that call asyncio.run().
    """
    if not CHROMIUM.exists():
        pytest.fail(MISSING)  # a missing browser is a broken set-up, not a reason to skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh desktop-sized page (own context: empty sessionStorage) that fails on page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
