"""Synonym canonicalisation: customers' words → the word the questions use.

「クレカ」「カード」 and 「クレジットカード」 must meet, and so must 「引き落とし」
and 「請求」.  The groups come from ``synonyms.yaml``; matching is on
normalised text, longest variant first, so 「クレジットカード」 is not
rewritten through its own part 「カード」.
"""

from __future__ import annotations

import re

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
        alternatives = sorted(table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def canonicalize(self, normalized: str) -> str:
        """Return ``normalized`` with each variant replaced by its canonical word."""
        if self._pattern is None or not normalized:
            return normalized
        return self._pattern.sub(lambda m: self._table[m.group(0)], normalized)

    def variants_found(self, normalized: str) -> set[str]:
        """The variants (normalised) that occur in ``normalized``; for KB lint."""
        if self._pattern is None:
            return set()
        return {m.group(0) for m in self._pattern.finditer(normalized)}
