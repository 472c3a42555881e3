"""Keeping freed memory in the heap of a server process, so that a request does not fault it in again.

Each never-repeated chat turn allocates a few short-lived arrays of a few hundred
kilobytes (the character channel's per-question masses: 51,000 float64 at 10k
entries).  glibc's malloc gives such blocks back to the kernel when they are freed
(the heap's top is trimmed past ``M_TRIM_THRESHOLD``), so the next turn maps them
again and takes a page fault for every 4 KiB it writes: ~46 minor faults and
~0.14 ms of system time a turn at 10k entries (``benchmarks/profile_chat.py``,
``/usr/bin/time``).  ``M_TOP_PAD`` keeps that much free memory at the heap's top
instead, so the pages stay mapped and are reused.  The cost is resident memory up
to the padding that a request really touched (a few megabytes), never the whole pad.

Only glibc has ``mallopt``; elsewhere (musl, macOS) nothing is changed.
"""

from __future__ import annotations

import ctypes
import logging

from faqbot.text.heap import libc_function

log = logging.getLogger("faqbot.web")

_M_TOP_PAD = -2  # glibc's malloc.h
#: Free memory kept at the top of the heap; more than a turn's temporary arrays at 50k entries.
TOP_PAD_BYTES = 64 * 1024 * 1024


def keep_heap_pages(top_pad: int = TOP_PAD_BYTES) -> bool:
    """Ask glibc's malloc to keep ``top_pad`` bytes of freed memory mapped; True when it was set."""
    mallopt = libc_function("mallopt")
    if mallopt is None:  # not glibc: no mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_TOP_PAD, top_pad))
    if not done:
        log.debug("mallopt(M_TOP_PAD) refused; the heap is trimmed as usual")
    return done
