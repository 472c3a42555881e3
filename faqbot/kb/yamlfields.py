"""Reading typed fields out of the knowledge base's YAML, collecting located problems.

Shared by :mod:`faqbot.kb.loader` and :mod:`faqbot.kb.entries`: every problem is
recorded as ``file:line: what is wrong`` instead of raised, so a maintainer sees
them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from faqbot.errors import KnowledgeBaseError, Problem
from faqbot.kb.yamlsource import YamlMap, line_of, load_yaml
from faqbot.text.suggest import suggestion


class Collector:
    """Accumulates problems for one file."""

    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, message))


def check_keys(c: Collector, mapping: Any, allowed: Sequence[str], where: str) -> bool:
    """An error for each key of ``mapping`` that is not in ``allowed``, at the key's own line; False when there was one.

    A misspelt key (``relatd:``) would otherwise be read as no key at all, silently;
    the message offers the closest allowed key. ``where`` names the mapping ("in entry 'x'").
    Anything but a mapping passes (its reader reports the wrong shape).
    """
    if not isinstance(mapping, dict):
        return True
    unknown = [key for key in mapping if key not in allowed]
    for key in unknown:
        hint = suggestion(str(key), allowed, f"use one of {', '.join(allowed)}")
        c.error(line_of(mapping, key), f"unknown key {key!r} {where}; {hint}")
    return not unknown


def text_field(c: Collector, mapping: Any, key: str, *, required: bool = True) -> str | None:
    """``mapping[key]`` as a non-empty text, or None (a problem recorded when missing and required, or wrong)."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None:
        if required:
            c.error(line_of(mapping, key), f"missing '{key}'")
        return None
    if not isinstance(value, str) or not value.strip():
        c.error(line_of(mapping, key), f"'{key}' must be a non-empty text, not {value!r}")
        return None
    return value


def text_list(c: Collector, mapping: Any, key: str) -> tuple[str, ...]:
    """``mapping[key]`` as a tuple of non-empty texts (numbers read as text); () when absent."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None:
        return ()
    if not isinstance(value, list):
        c.error(line_of(mapping, key), f"'{key}' must be a list of texts")
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)  # an alias like 2027 or a keyword like 365 reads as a number
        if not isinstance(item, str) or not item.strip():
            c.error(line_of(value, i), f"'{key}' item {i + 1} must be a non-empty text, not {item!r}")
            continue
        out.append(item)
    return tuple(out)


def mapping_field(c: Collector, data: Any, key: str, *, required: bool = True) -> YamlMap | None:
    """``data[key]`` as a mapping, or None (a problem recorded when missing and required, or not a mapping)."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        if required:
            c.error(line_of(data, key), f"missing '{key}' section")
        return None
    if not isinstance(value, dict):
        c.error(line_of(data, key), f"'{key}' must be a mapping")
        return None
    return value  # type: ignore[return-value]


def guard(c: Collector, line: int, parse: Callable[[], Any]) -> Any:
    """Run a rules parser, turning its ValueError into a located problem."""
    try:
        return parse()
    except ValueError as exc:
        c.error(line, str(exc))
        return None


def load_file(root: Path, rel: str, problems: list[Problem]) -> tuple[Any, Collector]:
    """The YAML file ``root/rel`` (None when missing, unreadable or not a mapping) and its problem collector.

    Callers ask for an optional file only when it exists, so a missing one is reported as required.
    """
    c = Collector(rel, problems)
    if not (root / rel).exists():
        # Optional files are read only when present: a file asked for here is one every knowledge base needs.
        c.error(0, "file not found; every knowledge base needs it (see docs/knowledge-format.md)")
        return None, c
    try:
        data = load_yaml(root / rel, display=rel)
    except KnowledgeBaseError as exc:
        problems.extend(exc.problems)
        return None, c
    if not isinstance(data, dict):
        c.error(1, "the file must hold a mapping at the top level")
        return None, c
    return data, c
