"""The core never imports a front end (docs/architecture.md, layer 6).

Every module under faqbot/ except the edges is imported in a fresh Python
process, and none of the front-end libraries may appear in ``sys.modules``.
Modules are discovered by walking the package folder, so a new core module is
covered without editing this file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import faqbot

PACKAGE = Path(faqbot.__file__).resolve().parent
FRONT_ENDS = ("click", "prompt_toolkit", "starlette", "uvicorn", "rich")


def _is_edge(module: str) -> bool:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ("cli", "web"):
        return True  # faqbot/cli/…, faqbot/web/…
    return module == "faqbot.__main__" or module == "faqbot.lookup_tui" or (
        len(parts) >= 2 and parts[1].startswith("chat")
    )


def core_modules() -> list[str]:
    """Dotted names of every module and package under faqbot/, edges left out."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if "__pycache__" not in path.parts and not _is_edge(name):
            names.append(name)
    return names


PROBE = """
import importlib, json, sys
forbidden = {forbidden!r}
culprits = {{}}
for name in {modules!r}:
    before = {{m.split('.')[0] for m in sys.modules}}
    importlib.import_module(name)
    new = {{m.split('.')[0] for m in sys.modules}} - before
    hit = sorted(new & set(forbidden))
    if hit:
        culprits[name] = hit
print(json.dumps({{"loaded": sorted({{m.split('.')[0] for m in sys.modules}} & set(forbidden)), "culprits": culprits}}))
"""


def test_edges_are_recognised() -> None:
    edges = ["faqbot.cli", "faqbot.cli.core_commands", "faqbot.web", "faqbot.web.app", "faqbot.chat",
             "faqbot.chat_render", "faqbot.lookup_tui", "faqbot.__main__"]
    core = ["faqbot", "faqbot.normalize", "faqbot.router", "faqbot.dialogue.state", "faqbot.checker", "faqbot.website"]
    assert all(_is_edge(m) for m in edges)
    assert not any(_is_edge(m) for m in core)


def test_discovery_finds_the_core_modules() -> None:
    modules = core_modules()
    for expected in ("faqbot", "faqbot.normalize", "faqbot.kb_loader", "faqbot.router", "faqbot.answering",
                     "faqbot.evaluation", "faqbot.kb_lint", "faqbot.dialogue.state"):
        assert expected in modules
    assert not any(m.startswith(("faqbot.cli", "faqbot.web")) for m in modules)


def test_core_imports_no_front_end() -> None:
    modules = core_modules()
    probe = PROBE.format(forbidden=FRONT_ENDS, modules=modules)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"loaded": [], "culprits": {}}, f"core modules import front ends: {report['culprits']}"


def test_the_probe_would_catch_a_front_end() -> None:
    # The same probe on an edge module must see click: the test above can fail.
    probe = PROBE.format(forbidden=FRONT_ENDS, modules=["faqbot.cli"])
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "click" in report["loaded"] and "click" in report["culprits"]["faqbot.cli"]
