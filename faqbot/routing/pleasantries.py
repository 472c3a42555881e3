"""A pleasantry in front of (or after) a question does not answer it.

Small-talk entries are whole-message pleasantries (「こんにちは」, 「ありがとう」).  A
message of several sentences whose best match is small talk — 「こんにちは。解約したい
です」, 「ありがとう。あと料金は？」 — may still ask something in its other sentences:
those are routed without the sentences that small talk answers on their own.  The
router decides what a sentence is; this module only cuts and joins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# A sentence ends after Japanese full stops, question and exclamation marks or a line break, and
# after an ASCII full stop followed by a space ("…will be. I have…"; a date's 「2027.3.31」 has none).
_SENTENCE_END = re.compile(r"(?<=[。．！？!?\n])|(?<=\.)(?=\s)")


def sentences(text: str) -> list[str]:
    """The non-blank sentences of ``text``, each with its end mark (「こんにちは。」, 「解約したいです」)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def without_pleasantries(parts: Sequence[str], is_pleasantry: Callable[[str], bool]) -> str | None:
    """A message's sentences (``parts``, as :func:`sentences` cuts them) less those that ``is_pleasantry``,
    joined, when there are two or more and some but not all are.

    None when nothing would change or nothing would be left: the message is then routed whole.
    """
    if len(parts) < 2:
        return None
    kept = [part for part in parts if not is_pleasantry(part)]
    return "".join(kept) if 0 < len(kept) < len(parts) else None
