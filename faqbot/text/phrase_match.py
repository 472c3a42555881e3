"""Is a phrase in a message?  Width, case, spaces and punctuation ignored; English word-bounded.

The hand-off's phrase lists (``knowledge/handoff.yaml``) are looked for in every question
``faqbot ask`` answers, so this is a module of its own beside the text layer's normalisation:
the dialogue's phrase tables (:mod:`faqbot.dialogue.phrases`) load only with the chat.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass


def _compact(text: str) -> str:
    """NFKC, lower case, without spaces or punctuation: the form handoff phrases are compared in."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum()) if not folded.isascii() else re.sub(r"[^a-z0-9 ]+", " ", folded)


def contains_phrase(message: str, candidates: tuple[str, ...]) -> bool:
    """True when ``message`` contains one of ``candidates`` (width, case, spaces and punctuation ignored).

    English phrases are compared word-bounded, so "refund" does not match inside another word.
    """
    return compacted(message).contains(candidates)


@dataclass(frozen=True)
class Compacted:
    """A message in the form phrases are compared in, made once for several phrase lists."""

    text: str  # :func:`_compact` of the message
    padded: str  # its words, space-separated, with a space either side

    def contains(self, candidates: tuple[str, ...]) -> bool:
        """:func:`contains_phrase` of the message and ``candidates``."""
        words, others = _compacted(candidates)
        return any(word in self.padded for word in words) or any(other in self.text for other in others)


def compacted(message: str) -> Compacted:
    """``message`` compacted once, to look for several phrase lists in it (the handoff reasons)."""
    text = _compact(message)
    return Compacted(text, f" {' '.join(text.split())} ")


@functools.lru_cache(maxsize=64)
def _compacted(candidates: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``candidates`` compacted once, not on every message: English ones space-padded, the others as they are.

    The knowledge base's few handoff phrase lists are the callers' tuples, so the cache
    holds one entry per list (compacting ~100 phrases was a tenth of a chat turn's CPU).
    """
    words: list[str] = []
    others: list[str] = []
    for candidate in candidates:
        wanted = _compact(candidate)
        if wanted.isascii():
            words.append(f" {' '.join(wanted.split())} ")
        elif wanted:
            others.append(wanted)
    return tuple(words), tuple(others)
