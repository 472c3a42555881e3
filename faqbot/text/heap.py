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
import mmap
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np


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


def release(*arrays: object) -> None:
    """Drop this process's pages of each array that is a view of a read-only file mapping.

    The pages stay in the page cache and the arrays stay readable: a later read faults them
    back in from there, with the same bytes (a mapping opened read-only cannot differ from
    its file, and faqbot never rewrites a mapped file in place).  A build that reads a mapped
    cache file once (each run's n-gram postings, merged into the indexes) calls this after the
    read, so the file's pages do not add up in its resident size.  Anything else (an array in
    the process's own memory, a writable mapping) is left alone: dropping those pages would
    lose their contents.
    """
    for array in arrays:
        found = _mapped(array)
        if found is None:
            continue
        mapping, view = found
        start = view.__array_interface__["data"][0]
        base = np.frombuffer(mapping, dtype=np.uint8).__array_interface__["data"][0]
        first = -(-(start - base) // mmap.PAGESIZE) * mmap.PAGESIZE  # whole pages inside the array only
        end = (start - base + view.nbytes) // mmap.PAGESIZE * mmap.PAGESIZE
        if end > first:
            mapping.madvise(mmap.MADV_DONTNEED, first, end - first)


def _mapped(array: object) -> tuple[mmap.mmap, np.ndarray] | None:
    """The read-only mapping ``array`` views (with it as an ndarray), or None."""
    if not isinstance(array, np.ndarray) or array.flags.writeable or not array.flags.c_contiguous:
        return None
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview) and base.readonly and isinstance(base.obj, mmap.mmap):
        return base.obj, array
    return None


def spilled(array: np.ndarray, folder: Path | None) -> np.ndarray:
    """``array``'s contents in an unnamed file in ``folder``, mapped read-only, its pages given back.

    For a large array a build has made and will only read again when it writes the engine
    file (a merged n-gram index at 50,000 entries: tens of megabytes each): its bytes wait in
    the page cache instead of the heap, so the build's next stages do not stand on them, and a
    later read faults them in from there (:func:`release` may drop them again).  The file goes
    when the mapping does.  ``array`` itself when ``folder`` is None, the array is empty or
    already such a view, or the file cannot be written (a full disk): the same values either way.
    """
    if folder is None or not array.nbytes or _mapped(array) is not None:
        return array
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".spill-") as handle:
            handle.write(np.ascontiguousarray(array).reshape(-1).view(np.uint8).data)
            handle.flush()
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError:
        return array
    view = np.frombuffer(memoryview(mapped), dtype=array.dtype).reshape(array.shape)
    release(view)  # written through the page cache: nothing of it need stay resident here
    return view
