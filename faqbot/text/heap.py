"""Giving the memory a build has freed back to the system, so that the next stage's peak does not stand on it.

A build frees large arrays and many small objects as it goes (the n-gram segments of
every run once the indexes are merged from them, the lexical index's term lists), but
glibc's allocator keeps most of it: it raises its mmap threshold as large blocks are
freed, so later blocks of that size come from the heap, and a freed heap block is
returned to the system only from its top.  The process's resident size then only ever
grows, and the peak of a 50,000-entry rebuild is the sum of every stage's leftovers.
``malloc_trim(0)`` returns every free heap page (by madvise, wherever it lies); it costs
a few milliseconds.  Elsewhere than glibc (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def libc_function(name: str) -> Any | None:
    """The C library's function ``name`` (glibc's ``malloc_trim``, ``mallopt``), or None where it has none.

    Looked up among the symbols already loaded into the process: no library search, which
    would run ldconfig in a subprocess.
    """
    try:
        process = ctypes.CDLL(None)  # the C library the interpreter is linked with, among the rest
    except OSError:
        return None
    return getattr(process, name, None)


@cache
def _trim() -> Callable[[int], int] | None:
    trim: Callable[[int], int] | None = libc_function("malloc_trim")
    return trim


def give_back() -> None:
    """Return the allocator's free pages to the system (glibc), after a build stage freed a lot."""
    trim = _trim()
    if trim is not None:
        trim(0)
