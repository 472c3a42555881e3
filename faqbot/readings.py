"""Kana readings of kanji text, so that 「せいきゅうび」 can meet 「請求日」.

pykakasi's dictionary takes about a third of a second to load, so the
converter is created on first use only: routing a kanji query never needs it,
and the knowledge base's readings are computed once per index build.
"""

from __future__ import annotations

from functools import lru_cache

import pykakasi


@lru_cache(maxsize=1)
def _converter() -> pykakasi.kakasi:
    return pykakasi.kakasi()


def reading(text: str) -> str:
    """The hiragana reading of ``text`` (kanji converted, everything else kept)."""
    if not text:
        return ""
    return "".join(part["hira"] for part in _converter().convert(text))
