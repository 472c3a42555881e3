"""Tests of benchmarks/child_run.py: a child's own peak RSS, not its parent's."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from child_run import run_child  # noqa: E402

GROW = "import sys; b = bytearray(int(sys.argv[1]) * 2**20); b[::4096] = b'x' * len(b[::4096])"


def test_a_childs_peak_is_its_own_though_its_parent_is_larger() -> None:
    held = bytearray(300 * 2**20)
    held[::4096] = b"x" * len(held[::4096])  # this process now holds 300 MiB more
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 > 300
    small = run_child([sys.executable, "-c", "pass"])
    grown = run_child([sys.executable, "-c", GROW, "120"])
    del held
    # A bare interpreter is ~10-20 MiB; one that touched 120 MiB peaks above that and well below
    # this process's 300+ (which wait4 from here would have reported for both).
    assert small.peak_mib < 60
    assert 120 < grown.peak_mib < 200
    assert small.code == grown.code == 0
    assert 0 < small.seconds < grown.seconds + 1


def test_the_exit_code_and_cpu_time_are_the_commands() -> None:
    failed = run_child([sys.executable, "-c", "import sys; sum(range(3_000_000)); sys.exit(3)"])
    assert failed.code == 3
    assert failed.cpu > 0.01


def test_the_command_runs_in_the_folder_and_environment_given(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("wb") as handle:
        child = run_child([sys.executable, "-c", "import os; print(os.getcwd(), os.environ['PROBE'])"],
                          env={**os.environ, "PROBE": "seen"}, cwd=tmp_path, stdout=handle)
    assert child.code == 0
    assert out.read_text().split() == [str(tmp_path), "seen"]
