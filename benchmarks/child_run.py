"""Run one command and measure it: wall seconds, its own peak RSS, and CPU seconds.

``wait4``'s ``ru_maxrss`` of a child is not the child's own peak on Linux: the kernel keeps the
largest RSS a process has had across ``exec``, and a child forked (or vforked) by a large parent
starts with the parent's.  A benchmark that had generated a 50k knowledge base in its own process
(~370 MB) saw every child it timed "peak" at 370 MB, a warm ``faqbot ask`` included (74 MB when
measured from a small parent).  So the command is started by a small launcher process (a fresh
interpreter, ``-S``), whose child inherits only the launcher's few MB; the launcher times it,
waits for it with ``wait4`` and writes the figures to a pipe.  The launcher's own start-up is not
in the wall time.

    from child_run import run_child
    figures = run_child(["python", "-c", "pass"])
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# argv: the pipe's write end, then the command.  Prints [wall s, peak KiB, cpu s, exit code].
_LAUNCHER = r"""
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - started
figures = [wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)]
os.write(int(sys.argv[1]), json.dumps(figures).encode())
"""


@dataclass(frozen=True)
class Child:
    """One finished command: wall seconds, its own peak RSS (MiB), CPU seconds (user + system, with
    the children it waited for) and its exit code."""

    seconds: float
    peak_mib: float
    cpu: float
    code: int


def run_child(
    cmd: list[str], env: Mapping[str, str] | None = None, cwd: Path | str | None = None,
    stdout: int | IO[bytes] | None = subprocess.DEVNULL, stderr: int | IO[bytes] | None = subprocess.DEVNULL,
) -> Child:
    """Run ``cmd`` (in ``cwd`` with ``env``; its output to ``stdout`` / ``stderr``) and measure it."""
    read, write = os.pipe()
    try:
        launcher = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, str(write), *cmd], env=env, cwd=cwd,
            stdout=stdout, stderr=stderr, pass_fds=(write,),
        )
        os.close(write)
        write = -1
        with os.fdopen(read, "rb") as pipe:
            read = -1
            out = pipe.read()
        launcher.wait()
    finally:
        for fd in (read, write):
            if fd >= 0:
                os.close(fd)
    if not out:
        raise RuntimeError(f"the launcher of {cmd!r} wrote no figures (exit {launcher.returncode})")
    wall, peak_kib, cpu, code = json.loads(out)
    return Child(wall, peak_kib / 1024, cpu, code)
