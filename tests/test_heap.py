"""Tests of faqbot.text.heap: freed heap pages go back to the system after a build stage."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.text import heap


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(heap._trim() is None, reason="the C library has no malloc_trim (not glibc)")
def test_pages_freed_below_a_live_block_are_given_back() -> None:
    # 160 MB in 64 KB arrays (below glibc's mmap threshold: heap blocks), then one small array
    # after them that stays alive: freeing the rest leaves a hole below it that glibc keeps.
    blocks = [np.ones(8192, dtype=np.float64) for _ in range(2500)]
    pin = np.ones(8192, dtype=np.float64)
    held = _rss_mib()
    del blocks
    kept = _rss_mib()
    heap.give_back()
    after = _rss_mib()
    assert pin.sum() == 8192
    assert held - kept < 40  # the allocator kept the hole: what give_back is for
    assert kept - after > 100


def test_without_malloc_trim_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_trim", lambda: None)
    heap.give_back()  # no error: musl and macOS have no malloc_trim
