"""What a server's processes cost in memory, from /proc (Linux), and how busy the machine is.

RSS counts every page a process maps, shared or not, so forked workers that
share one engine copy-on-write each look as big as the first.  What a second
worker really adds is its *unique* set (USS: pages only it maps, private clean
plus private dirty); PSS splits each shared page among the processes sharing it,
so the PSS of a server's processes adds up to what the server costs.  All three
come from ``/proc/PID/smaps_rollup``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Memory:
    """One process's memory in MiB."""

    pid: int
    rss: float
    pss: float
    uss: float

    def as_json(self) -> dict[str, float]:
        return {"pid": self.pid, "rss_mib": round(self.rss, 1), "pss_mib": round(self.pss, 1), "uss_mib": round(self.uss, 1)}


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``, sorted."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def descendants(pid: int) -> list[int]:
    """``pid``'s children, their children, and so on."""
    tree, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        tree.extend(kids)
        todo.extend(kids)
    return tree


def memory(pid: int) -> Memory:
    """RSS, PSS and USS of ``pid`` (zeros once it is gone)."""
    kib: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, rest = line.partition(":")
            kib[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    uss = kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)
    return Memory(pid, kib.get("Rss", 0) / 1024, kib.get("Pss", 0) / 1024, uss / 1024)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes ``pids`` have used so far (seconds; a gone one counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return total / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
