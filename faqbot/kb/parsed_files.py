"""Entries files already parsed and validated, remembered between engine builds by content.

Parsing YAML with line marks is most of loading a knowledge base: at 10,000
entries, half a second of every rebuild, although an edit changes one file.  An
entries file's :class:`~faqbot.kb.knowledge.Entry` list depends only on its
bytes, its path (entries remember their source), its kind and the product ids
its ``pages`` may name, so a :class:`ParsedFiles` files each clean result under
a hash of exactly those (:func:`file_key`); faqbot's own version is the on-disk
store's business (``faqbot.answers.build_cache`` keys it by the code hash).

Only files that loaded without a problem are remembered: a broken file is parsed
again every time, so its ``file:line`` problems are reported exactly as before.
Like :class:`~faqbot.text.memo.TextMemo` it keeps exactly what this build used,
so a store saved after each build never grows with files that are gone.  It is a
cache, not a value: mutable, and never part of the knowledge base.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from faqbot.kb.knowledge import Entry

_EMPTY: Mapping[str, tuple[Entry, ...]] = {}


def file_key(rel: str, kind: str, product_ids: set[str], content: bytes) -> str:
    """The key of one entries file's parse: everything its entries depend on."""
    digest = hashlib.sha256("\n".join([rel, kind, *sorted(product_ids), ""]).encode())
    digest.update(content)
    return digest.hexdigest()


def render_key(context: str, answer: str, answer_en: str | None, page_products: tuple[str, ...]) -> str:
    """The key of one answer's render check: its texts, the product ids with pages of their own, and ``context``.

    ``context`` stands for everything else a template reads (the products, the service,
    the renewal terms, in both languages: see the loader's template check).
    """
    digest = hashlib.sha256("\n".join([context, answer, answer_en or "", *page_products, ""]).encode())
    return digest.hexdigest()


class ParsedFiles:
    """Parsed entries files by :func:`file_key`, seeded by an earlier build's."""

    def __init__(self, previous: Mapping[str, tuple[Entry, ...]] = _EMPTY, renders: frozenset[str] = frozenset()) -> None:
        """A cache that finds ``previous`` results and records what this build uses.

        ``renders``: the :func:`render_key` of every answer an earlier load rendered without a problem.
        """
        self._previous = previous
        self.used: dict[str, tuple[Entry, ...]] = {}
        self.parsed = 0  # files this build parsed (not found in ``previous``)
        self._renders = renders
        self.renders: set[str] = set()  # this build's answers known to render, as render_key

    def renders_cleanly(self, key: str) -> bool:
        """Did an earlier load render the answer keyed ``key`` (:func:`render_key`) without a problem?"""
        found = key in self._renders or key in self.renders
        if found:
            self.renders.add(key)
        return found

    def rendered(self, key: str) -> None:
        """Record an answer that rendered without a problem."""
        self.renders.add(key)

    def find(self, key: str) -> tuple[Entry, ...] | None:
        """The remembered entries of the file keyed ``key`` (None when it must be parsed)."""
        found = self.used.get(key)
        if found is None:
            found = self._previous.get(key)
            if found is not None:
                self.used[key] = found
        return found

    def remember(self, key: str, entries: tuple[Entry, ...]) -> None:
        """Record a file parsed without problems."""
        self.parsed += 1
        self.used[key] = entries

    @property
    def changed(self) -> bool:
        """Does this build's set of files differ from the one it started from?"""
        return bool(self.parsed) or len(self.used) != len(self._previous) or self.renders != self._renders
