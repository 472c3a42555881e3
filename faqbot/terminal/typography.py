"""Line breaking for the terminal: Japanese phrases kept whole, kinsoku rules kept.

A terminal wraps at the last column, whatever is there: mid-word, and with 「、」
or 「。」 at the start of the next line.  :func:`wrap` breaks each line itself
before it reaches the edge: between BudouX phrases (Google's phrase segmenter
for Japanese, a small pure-Python model), between words for English, and
never so that a line starts with closing punctuation (行頭禁則: 、。」）…) or
ends with an opening bracket (行末禁則: 「（…).  Widths are display columns, so
a kanji counts two.

OSC 8 hyperlinks (:func:`hyperlinks_supported`) make a link title clickable in
terminals that understand them; elsewhere the URL is printed after the title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import budoux
from prompt_toolkit.utils import get_cwidth

# Characters a line must not start with (行頭禁則) and must not end with (行末禁則).
NO_LINE_START = frozenset("、。，．,.!?！？」』）)】〕〉》]}ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・：；:;…‥")
NO_LINE_END = frozenset("「『（(【〔〈《[{")
# Lines keep at least this many columns; narrower terminals wrap anyway.
_MIN_WIDTH = 20
_INDENT = re.compile(r"^(\s*(?:[-*・]|\d+\.)?\s*)")
# Terminals known to show OSC 8 hyperlinks (TERM_PROGRAM values); FAQBOT_HYPERLINKS=1/0 decides first.
_OSC8_PROGRAMS = ("iTerm.app", "WezTerm", "vscode", "Hyper", "ghostty")


@lru_cache(maxsize=1)
def _parser() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


def _phrases(text: str) -> list[str]:
    """Unbreakable pieces: BudouX phrases for Japanese, words with their space for the rest."""
    pieces: list[str] = []
    for token in re.split(r"(\s+)", text):
        if not token:
            continue
        if token.isspace() or token.isascii():
            pieces.append(token)
        else:
            pieces.extend(_join_kana_fragments(_parser().parse(token)))
    return pieces


_HIRAGANA = re.compile(r"[ぁ-ゖー]+")
_SHORT_KANA = 2  # a hiragana-only phrase this short is a word BudouX cut in two (いく|つか)


def _join_kana_fragments(phrases: list[str]) -> list[str]:
    """Glue a very short hiragana phrase to the hiragana phrase after it: いく + つか → いくつか."""
    joined: list[str] = []
    for phrase in phrases:
        previous = joined[-1] if joined else ""
        if previous and len(previous) <= _SHORT_KANA and _HIRAGANA.fullmatch(previous) and _HIRAGANA.match(phrase):
            joined[-1] = previous + phrase
        else:
            joined.append(phrase)
    return joined


def _width(text: str) -> int:
    return sum(get_cwidth(ch) for ch in text)


def _split_long(piece: str, width: int) -> list[str]:
    """A piece wider than a line, cut by characters (keeping kinsoku at each cut)."""
    parts: list[str] = []
    current = ""
    for ch in piece:
        if current and _width(current + ch) > width and ch not in NO_LINE_START:
            parts.append(current)
            current = ""
        current += ch
    return [*parts, current] if current else parts


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` broken into lines of at most ``width`` columns, continuation lines indented like a list item."""
    width = max(width, _MIN_WIDTH)
    if _width(line) <= width:
        return [line]
    indent = " " * _width(_INDENT.match(line).group(1))  # type: ignore[union-attr]  # the pattern always matches
    lines: list[str] = []
    current = ""
    for piece in _phrases(line):
        limit = width - (_width(indent) if lines else 0)
        if piece.isspace():
            if current and _width(current + piece) <= limit:
                current += piece
            continue  # a space where the line breaks is dropped, never carried to the next line
        if current and _width(current + piece.rstrip()) > limit:
            # Kinsoku: closing punctuation stays on this line (it may hang one column over);
            # an opening bracket moves down with what it opens.
            while piece and piece[0] in NO_LINE_START:
                current, piece = current + piece[0], piece[1:]
            while current and current[-1] in NO_LINE_END:
                current, piece = current[:-1], current[-1] + piece
            lines.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
        while _width(current) > limit:
            head, *rest = _split_long(current, limit)
            lines.append(head)
            current = "".join(rest)
            limit = width - _width(indent)
    if current.strip():
        lines.append(current.rstrip())
    return [lines[0], *(indent + rest for rest in lines[1:])] if lines else [line]


def wrap(text: str, width: int) -> str:
    """Every line of ``text`` wrapped to ``width`` columns (see :func:`wrap_line`)."""
    return "\n".join(wrapped for line in text.split("\n") for wrapped in wrap_line(line, width))


def hyperlinks_supported(environ: Mapping[str, str]) -> bool:
    """Does the terminal show OSC 8 hyperlinks?  ``FAQBOT_HYPERLINKS=1``/``0`` overrides the guess."""
    explicit = environ.get("FAQBOT_HYPERLINKS", "").strip()
    if explicit:
        return explicit not in ("0", "no", "off", "false")
    if environ.get("TERM_PROGRAM") in _OSC8_PROGRAMS or "kitty" in environ.get("TERM", ""):
        return True
    vte = environ.get("VTE_VERSION", "")
    return vte.isdigit() and int(vte) >= 5000  # GNOME Terminal and other VTE terminals


def osc8(url: str) -> str:
    """The escape sequence that opens (``url``) or, with "", closes an OSC 8 hyperlink."""
    return f"\x1b]8;;{url}\x1b\\"
