"""Regional forms read as standard Japanese: 「どうしたらええ？」 asks 「どうしたらいい？」.

The knowledge base is written in standard Japanese and customers write as they
speak.  A Kansai negation (「延長せんでほしい」「わからへん」), copula (「なんやけど」) or
word (「おおきに」) shares none of its letters with the standard form, so the
character channel finds nothing and the message falls back.  :func:`standard_japanese`
replaces the forms of ``data/dialect.yaml`` (patterns with their context, first
match at a position wins) before the router reads a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_TABLE = "dialect.yaml"


@dataclass(frozen=True)
class _Forms:
    pattern: re.Pattern[str]  # every form as a named group, in the table's order
    standard: dict[str, str]  # group name → the standard form


@cache
def _forms() -> _Forms:
    """The shipped table, compiled once, on first use."""
    text = resources.files("faqbot.text").joinpath("data", _TABLE).read_text(encoding="utf-8")
    pairs = [(str(form), str(standard)) for form, standard in yaml.safe_load(text)["forms"]]
    pattern = re.compile("|".join(f"(?P<f{i}>{form})" for i, (form, _) in enumerate(pairs)))
    return _Forms(pattern, {f"f{i}": standard for i, (_, standard) in enumerate(pairs)})


def standard_japanese(text: str) -> str:
    """``text`` with the regional forms of ``data/dialect.yaml`` replaced by standard Japanese."""
    forms = _forms()
    return forms.pattern.sub(lambda match: forms.standard[str(match.lastgroup)], text)
