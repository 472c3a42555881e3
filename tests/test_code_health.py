"""The README's test command (`./dev test`, which `.ci/run` runs) fails on a lint or type finding.

ruff and mypy are run here on a small file with one finding each, through the
project's own configuration, and must fail; and `./dev test` must run both,
under `set -e`, before pytest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BIN = Path(sys.executable).parent
CONFIG = str(REPO / "pyproject.toml")

# One finding each: B905 (zip without strict=), and an unannotated function under --strict.
FINDINGS = {
    "ruff": ("def pairs(a: list[int], b: list[int]) -> list[tuple[int, int]]:\n    return list(zip(a, b))\n", "B905"),
    "mypy": ("def double(x):\n    return x * 2\n", "no-untyped-def"),
}
CLEAN = "def double(x: int) -> int:\n    return x * 2\n"


def run(tool: str, path: Path) -> subprocess.CompletedProcess[str]:
    if tool == "ruff":
        command = [str(BIN / "ruff"), "check", "--config", CONFIG, str(path)]
    else:
        command = [str(BIN / "mypy"), "--config-file", CONFIG, "--no-incremental", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=path.parent)


@pytest.mark.parametrize("tool", sorted(FINDINGS))
def test_a_finding_fails_the_tool_with_the_projects_configuration(tool: str, tmp_path: Path) -> None:
    source, code = FINDINGS[tool]
    bad = tmp_path / "bad.py"
    bad.write_text(source)
    result = run(tool, bad)
    assert result.returncode != 0 and code in result.stdout, result.stdout + result.stderr
    bad.write_text(CLEAN)
    assert run(tool, bad).returncode == 0


def test_dev_test_runs_ruff_and_mypy_before_pytest_and_stops_on_failure() -> None:
    script = (REPO / "dev").read_text()
    assert "set -euo pipefail" in script
    body = script.split("    test)", 1)[1].split(";;", 1)[0]
    steps = [line.strip() for line in body.splitlines() if line.strip().startswith('"$VENV/bin/')]
    assert [s.split()[0] for s in steps] == ['"$VENV/bin/ruff"', '"$VENV/bin/mypy"']
    assert body.index("mypy") < body.index("exec") and "pytest" in body.split("exec", 1)[1]
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith("exec ./dev test")
