"""Customer text made inert for a terminal.

A chat message may carry terminal control sequences (``ESC[2J`` clears the
screen, an OSC 8 sequence plants a hyperlink, ``\\r`` overwrites a line, a
bidi override reorders what follows).  :func:`inert` makes every such control
character visible instead of letting the terminal obey it: C0 controls become
their Unicode control pictures (ESC → ␛), DEL becomes ␡, and C1 controls and
bidi overrides become ``<U+XXXX>``.  With no ESC or C1 byte left, no CSI or OSC
sequence can start; the rest of the sequence stays as plain, readable text.
Line breaks and tabs are kept.
"""

from __future__ import annotations

import re

_KEPT = "\n\t"
# C0 except the kept ones, DEL, C1, and the bidi embedding/override/isolate controls.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Lone UTF-16 halves: a JSON "\\ud800" escape decodes to one, and no UTF-8 encoder takes it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_C0_PICTURES = 0x2400  # U+2400 SYMBOL FOR NULL … U+241F SYMBOL FOR UNIT SEPARATOR


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(_C0_PICTURES + code)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def inert(text: str) -> str:
    """``text`` with every terminal control character made visible (newlines and tabs kept)."""
    return _UNSAFE.sub(_visible, text)


def encodable(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, so it can be written as UTF-8."""
    return LONE_SURROGATE.sub("\ufffd", text)
