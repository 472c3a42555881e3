"""What the dialogue computes once per knowledge base, kept in bounded module-level stores.

Name indexes, the longest small-talk question, what short opening clauses route to: each is
keyed by the knowledge base's content hash and language (the English view has its own names),
built on first use or by :func:`faqbot.dialogue.manager.prepare` before serving.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")


def remembered(store: dict[Hashable, V], key: Hashable, make: Callable[[], V], bound: int) -> V:
    """``store[key]``, made by ``make`` the first time; the store is emptied when it reaches ``bound``.

    A bound, not an LRU: a server holds one or two knowledge bases, and what is kept per message
    part (opening clauses) is few and repeats.
    """
    if key not in store:
        if len(store) >= bound:
            store.clear()
        store[key] = make()
    return store[key]
