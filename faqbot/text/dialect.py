"""Regional forms read as standard Japanese: 「どうしたらええ？」 asks 「どうしたらいい？」.

The knowledge base is written in standard Japanese and customers write as they
speak.  A Kansai negation (「延長せんでほしい」「わからへん」), copula (「なんやけど」) or
word (「おおきに」) shares none of its letters with the standard form, so the
character channel finds nothing and the message falls back.  :func:`standard_japanese`
replaces the forms of ``data/dialect.yaml`` before the router reads a message.

Each form is applied in the table's order (longer forms first).  The router reads
every message through this, so it must cost next to nothing on standard text: each
form has a *key*, the longest run of plain letters every match contains
(「んかった」 of 「(?:でけ|でき)[へひ]んかった」), and its pattern is compiled and run only
on a text that holds the key — most texts hold none, and one search of all the keys at
once returns them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from faqbot.text.literals import Literals
from faqbot.text.shipped import shipped_table

_TABLE = "dialect.yaml"
# What a form's key is read from: the pattern less its lookarounds, cut at groups and classes.
_LOOKAROUND = re.compile(r"\(\?<?[=!](?:[^()]|\([^()]*\))*\)")
_NOT_LETTERS = re.compile(r"\(\?:[^()]*\)|\[[^\]]*\]|[\\.^$*+?{}()|]")


@dataclass(frozen=True)
class Form:
    """One regional form: its pattern (with the context it needs), its standard form, and its key."""

    pattern: str
    standard: str
    key: str

    def replace_in(self, text: str) -> str:
        """``text`` with this form replaced (the pattern compiled on first use)."""
        return _compiled(self.pattern).sub(self.standard, text) if self.key in text else text


def key_of(pattern: str) -> str:
    """The longest run of plain letters every match of ``pattern`` contains ("" when it has none)."""
    runs = _NOT_LETTERS.split(_LOOKAROUND.sub("\0", pattern).replace("\0", "|"))
    return max(runs, key=len, default="")


@cache
def forms() -> tuple[Form, ...]:
    """The shipped table (``data/dialect.yaml``), in its order."""
    table = shipped_table(__file__, _TABLE)  # every `faqbot ask` reads it: see faqbot.text.shipped
    return tuple(Form(str(pattern), str(standard), key_of(str(pattern))) for pattern, standard in table["forms"])


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def _any_key() -> Literals:
    """Every form's key in one Aho–Corasick automaton: most texts hold none, and one search says so.

    Built in well under a millisecond; the same keys as one regular-expression alternation
    took ~5 ms of every `faqbot ask` to compile.
    """
    return Literals(sorted({form.key for form in forms()}, key=len, reverse=True))


def standard_japanese(text: str) -> str:
    """``text`` with the regional forms of ``data/dialect.yaml`` replaced by standard Japanese."""
    if not _any_key().found(text):
        return text  # 95 % of the evaluation sets' messages: ~2 us, against 6 us testing each key
    for form in forms():
        text = form.replace_in(text)
    return text
