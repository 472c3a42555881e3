"""keep_heap_pages: a server process keeps freed memory mapped, so a request does not fault it in again."""

from __future__ import annotations

import platform
import resource

import numpy as np
import pytest

from faqbot.web.allocator import keep_heap_pages


def _faults_per_cycle(cycles: int = 200) -> float:
    """Minor page faults per allocation of a chat turn's largest temporary array (51,000 float64, written)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(cycles):
        np.bincount(np.arange(0, 51_000, 7), minlength=51_000).astype(np.float64).sum()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / cycles


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_after_keep_heap_pages_a_turns_arrays_are_not_faulted_in_again() -> None:
    assert keep_heap_pages() is True
    _faults_per_cycle(20)  # the heap grows once
    assert _faults_per_cycle() < 1.0
