"""axe-core in the browser tests: inject it into a page and return the violations.

axe.min.js comes from the ``axe-playwright-python`` package, which ``./dev test``
installs with the test extras (``pyproject.toml``); it ships axe-core's own
build, so nothing is fetched at test time.  The script is added with
``page.add_script_tag(content=...)`` rather than a URL, so a page under test
that forbids network requests (or a strict CSP page) still gets it.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from playwright.sync_api import Page

AXE_JS = files("axe_playwright_python").joinpath("axe.min.js")


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; every violation (empty when the page passes)."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}" for v in violations for node in v["nodes"]
    )
