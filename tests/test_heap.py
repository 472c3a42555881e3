"""Tests of faqbot.text.heap: freed heap pages go back to the system after a build stage."""

from __future__ import annotations

from pathlib import Path

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


def _resident_kib(path: Path) -> int:
    """This process's resident KiB of its mappings of ``path`` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
            inside = len(head) >= 6 and head[5] == str(path)
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux only")
def test_release_gives_back_a_mapped_arrays_pages_and_keeps_its_bytes(tmp_path: Path) -> None:
    from faqbot.answers.engine_file import read_engine_file, write_engine_file
    from faqbot.text.heap import release

    path = tmp_path / "run.engine"
    data = np.arange(4_000_000, dtype=np.int64)  # 32 MB
    write_engine_file({"docs": data}, path)
    mapped = read_engine_file(path)["docs"]
    assert int(mapped.sum()) == int(data.sum())  # every page read
    assert _resident_kib(path) > 25_000
    release(mapped)
    assert _resident_kib(path) < 1_000
    assert np.array_equal(mapped, data)  # read again from the page cache: the same bytes


def test_release_leaves_memory_that_is_not_a_read_only_file_mapping_alone() -> None:
    from faqbot.text.heap import release

    heap = np.arange(2_000_000, dtype=np.int64)
    frozen = np.arange(2_000_000, dtype=np.int64)
    frozen.setflags(write=False)  # read-only, but the process's own memory: dropping it would zero it
    from_bytes = np.frombuffer(np.arange(2_000_000, dtype=np.int64).tobytes(), dtype=np.int64)
    release(heap, frozen, from_bytes, "not an array")
    expected = np.arange(2_000_000, dtype=np.int64)
    assert np.array_equal(heap, expected) and np.array_equal(frozen, expected) and np.array_equal(from_bytes, expected)


def test_a_spilled_array_has_the_same_values_from_a_read_only_file_mapping(tmp_path: Path) -> None:
    from faqbot.text.heap import _mapped, spilled

    for data in (np.arange(1_000_000, dtype=np.int64) * 7, np.arange(300_000) % 3 == 0, np.linspace(0, 1, 99_999).astype(np.float32)):
        moved = spilled(data, tmp_path)
        assert moved is not data and _mapped(moved) is not None and not moved.flags.writeable
        assert moved.dtype == data.dtype and moved.shape == data.shape and np.array_equal(moved, data)
    assert list(tmp_path.iterdir()) == []  # unnamed files: nothing left in the folder
    data = np.arange(10, dtype=np.int64)
    assert spilled(data, None) is data  # no folder: the array itself
    assert spilled(np.zeros(0, dtype=np.int64), tmp_path).nbytes == 0
    moved = spilled(np.arange(5000, dtype=np.int64), tmp_path)
    assert spilled(moved, tmp_path) is moved  # mapped already
    assert spilled(data, tmp_path / "missing") is data  # the file cannot be made: the heap array stays
