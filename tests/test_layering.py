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
EDGES = ("cli", "web", "terminal")


def _is_edge(module: str) -> bool:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in EDGES:
        return True  # faqbot/cli/…, faqbot/web/…, faqbot/terminal/…
    return module == "faqbot.__main__"


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
    edges = ["faqbot.cli", "faqbot.cli.ask_command", "faqbot.web", "faqbot.web.app", "faqbot.terminal.chat",
             "faqbot.terminal.lookup_tui", "faqbot.__main__"]
    core = ["faqbot", "faqbot.text.normalize", "faqbot.routing.router", "faqbot.dialogue.state", "faqbot.checker",
            "faqbot.website", "faqbot.terminals"]
    assert all(_is_edge(m) for m in edges)
    assert not any(_is_edge(m) for m in core)


def test_discovery_finds_the_core_modules() -> None:
    modules = core_modules()
    for expected in ("faqbot", "faqbot.text.normalize", "faqbot.kb.loader", "faqbot.routing.router", "faqbot.answers.answering",
                     "faqbot.quality.evaluation", "faqbot.quality.lint", "faqbot.dialogue.state"):
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


# One-way layering between subpackages (docs/architecture.md): a module may import
# its own subpackage and any lower layer, never a higher one nor a sibling of its rank.
LAYERS = {
    "": 0,  # faqbot/__init__.py
    "errors": 0,
    "text": 1,
    "kb": 2,
    "routing": 3,
    "answers": 4,
    "quality": 5,
    "dialogue": 5,
    "analytics": 5,
    "web": 6,
    "terminal": 6,
    "cli": 7,  # the command line starts the server and the terminal front ends
    "__main__": 8,
}


def _layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 else ""


def _faqbot_imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("faqbot."):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("faqbot."))
    return found


def layering_violations(package: Path) -> list[str]:
    """Every import under ``package`` that points up, or sideways into another subpackage."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        module = ".".join(p for p in rel.parts if p != "__init__")
        own = _layer_of(module)
        if own not in LAYERS:
            problems.append(f"{module}: not in any layer; add its subpackage to LAYERS")
            continue
        for target in sorted(_faqbot_imports(path)):
            other = _layer_of(target)
            if other == own:
                continue
            if other not in LAYERS or LAYERS[other] >= LAYERS[own]:
                problems.append(f"{module} imports {target}")
    return problems


def test_every_subpackage_imports_only_lower_layers() -> None:
    assert layering_violations(PACKAGE) == []


def test_the_layer_check_would_catch_an_upward_import(tmp_path: Path) -> None:
    pkg = tmp_path / "faqbot"
    (pkg / "text").mkdir(parents=True)
    (pkg / "routing").mkdir()
    (pkg / "text" / "normalize.py").write_text("from faqbot.routing.router import Router\n")
    (pkg / "routing" / "router.py").write_text("from faqbot.text.normalize import normalize\n")
    (pkg / "stray.py").write_text("")
    assert layering_violations(pkg) == [
        "faqbot.stray: not in any layer; add its subpackage to LAYERS",
        "faqbot.text.normalize imports faqbot.routing.router",
    ]
