"""Synonym canonicalisation: customers' words → the word the questions use.

「クレカ」「カード」 and 「クレジットカード」 must meet, and so must 「引き落とし」
and 「請求」.  The groups come from ``synonyms.yaml``; matching is on
normalised text, longest variant first, so 「クレジットカード」 is not
rewritten through its own part 「カード」.
"""

from __future__ import annotations

from faqbot.text.literals import Literals
from faqbot.text.normalize import normalize_term


class SynonymMap:
    """Rewrites every known variant in a normalised text to its canonical word."""

    def __init__(self, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        table: dict[str, str] = {}
        for canonical, variants in groups:
            # An empty canonical word deletes its variants (used to mask names).
            target = normalize_term(canonical)
            words = (canonical, *variants) if target else variants
            for word in words:
                key = normalize_term(word)
                if key and key not in table:
                    table[key] = target
        self._table = table
        self._variants = Literals(sorted(table, key=len, reverse=True))  # the longest variant first

    def canonicalize(self, normalized: str) -> str:
        """Return ``normalized`` with each variant replaced by its canonical word."""
        return self._variants.replace(normalized, self._table.__getitem__) if normalized else normalized
