"""A broken knowledge base stops `faqbot serve` and `faqbot chat` at start-up.

Each case copies the shipped knowledge base into ``tmp_path``, breaks one file
(bad YAML, a wrong type, a missing file, a template that fails to render) and
runs the installed console script in a subprocess: it must exit 1 with a
``file:line: what is wrong`` line and the summary sentence, print no traceback,
and never start serving or chatting (no half-loaded bot).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from faqbot.web.localserver import free_port
from tests.conftest import Override, make_kb, replace_once

FAQBOT = Path(sys.executable).parent / "faqbot"
# ``file:line: …``; a problem without a line (a missing file, the faq/ folder) is ``file: …``.
PROBLEM_LINE = re.compile(r"^(?P<file>[\w./-]+\.yaml|[\w./-]+/)(?::(?P<line>\d+))?: \S", re.MULTILINE)

BROKEN: list[tuple[str, dict[str, Override], str]] = [
    (
        "bad YAML",
        {"faq/cancel.yaml": replace_once("    question: あんしん自動更新を解約（停止）したい", "    question: [あんしん自動更新を解約")},
        "faq/cancel.yaml",
    ),
    ("wrong type", {"service.yaml": replace_once("target_precision: 0.9", "target_precision: high")}, "service.yaml"),
    ("missing file", {"service.yaml": None}, "service.yaml"),  # products.yaml is optional
    (
        "template that fails",
        {"faq/about.yaml": replace_once("{{ service.name }}とは、", "{{ service.nickname }}とは、")},
        "faq/about.yaml",
    ),
    (
        "template syntax error",
        {"faq/about.yaml": replace_once("{{ service.name }}とは、", "{% if %}とは、")},
        "faq/about.yaml",
    ),
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_")}
    env["FAQBOT_CACHE_DIR"] = str(tmp_path / "cache")  # a broken KB must fail on a cold cache too
    env["FAQBOT_ANALYTICS"] = "off"
    env["FAQBOT_HISTORY"] = str(tmp_path / "history")
    return env


def _run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [str(FAQBOT), *args], input=stdin, capture_output=True, text=True, env=_env(tmp_path), timeout=60
        )
    except subprocess.TimeoutExpired as exc:  # it started serving: the broken KB was not refused
        pytest.fail(f"faqbot {' '.join(args)} did not stop on a broken knowledge base: {exc.stderr!r}")


def _assert_refused(result: subprocess.CompletedProcess[str], file: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    problems = [m for m in PROBLEM_LINE.finditer(result.stderr)]
    assert problems, result.stderr
    assert any(m["file"].endswith(file) for m in problems), result.stderr
    assert "Error: the knowledge base has" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(("overrides", "file"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_serve_refuses_a_broken_knowledge_base(tmp_path: Path, overrides: dict[str, Override], file: str) -> None:
    kb = make_kb(tmp_path, overrides)
    result = _run(["serve", "--kb", str(kb), "--host", "127.0.0.1", "--port", str(free_port())], tmp_path)
    _assert_refused(result, file)
    assert "serving" not in result.stderr


@pytest.mark.parametrize(("overrides", "file"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_chat_refuses_a_broken_knowledge_base(tmp_path: Path, overrides: dict[str, Override], file: str) -> None:
    kb = make_kb(tmp_path, overrides)
    result = _run(["chat", "--kb", str(kb), "--today", "2026-11-26"], tmp_path, stdin="解約したい\n")
    _assert_refused(result, file)
    assert result.stdout == ""  # not a single reply from a half-loaded bot


def test_a_missing_knowledge_base_folder_is_refused(tmp_path: Path) -> None:
    for args in (["serve", "--port", str(free_port())], ["chat"]):
        result = _run([*args, "--kb", str(tmp_path / "nowhere")], tmp_path, stdin="解約したい\n")
        assert result.returncode != 0
        assert "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_the_intact_copy_starts(tmp_path: Path) -> None:
    """The same copy, unbroken, answers: the failures above come from the breakage."""
    kb = make_kb(tmp_path)
    result = _run(["chat", "--kb", str(kb), "--today", "2026-11-26"], tmp_path, stdin="解約したい\n")
    assert result.returncode == 0, result.stderr
    assert "解約" in result.stdout
