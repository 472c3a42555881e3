"""Pausing Python's cyclic garbage collector over a stretch that makes many long-lived objects.

CPython's collector runs a collection every 700 net allocations of container objects,
and every so often a full one, which walks every object alive.  A stretch that makes
hundreds of thousands of objects that all live on (a knowledge base's entries decoded,
pykakasi's dictionary unpickled) and little garbage in cycles pays for those walks
again and again and collects almost nothing.  Imports nothing heavy: the kana-reading
child uses it before anything else is loaded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off, then restore it as it was.

    Garbage in cycles made meanwhile waits until the block ends (reference counting
    frees everything else as usual).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
