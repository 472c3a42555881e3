"""YAML loading that remembers where every value came from.

Knowledge-base maintainers need ``file:line: what is wrong``; PyYAML's plain
``safe_load`` forgets lines.  Here mappings and sequences are loaded as
:class:`YamlMap` / :class:`YamlList`, dict and list subclasses that also know
the line of each key and item, so validators can point at the exact line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from faqbot.errors import KnowledgeBaseError, Problem


class YamlMap(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line where ``key`` is written, or the mapping's own line."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """The line of item ``index``, or the sequence's own line."""
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


# libyaml's parser when PyYAML was built with it (the wheels are): it keeps the
# same node marks, and parses a 50,000-entry knowledge base several times faster.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc]
    """Safe loader that builds :class:`YamlMap` / :class:`YamlList` with lines."""


_STR = "tag:yaml.org,2002:str"


def _construct(loader: _LineLoader, node: Any) -> Any:
    """What ``loader.construct_object(node, deep=True)`` gives.

    A text is its node's value (``construct_yaml_str``), taken here without
    ``construct_object``'s bookkeeping: texts are most of a knowledge base's nodes,
    and that was a third of parsing an entries file (0.02 s of a 10k edit's one file).
    """
    if node.tag == _STR and isinstance(node, ScalarNode):
        return node.value
    return loader.construct_object(node, deep=True)


def _construct_map(loader: _LineLoader, node: MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        line = key_node.start_mark.line + 1
        if key in seen:
            # A duplicate key silently overwrites in PyYAML; in a knowledge base
            # it is almost always a copy-paste mistake, so refuse it.
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key]})", key_node.start_mark
            )
        seen[key] = line
        result[key] = _construct(loader, value_node)
        result.key_lines[key] = line
    return result


def _construct_list(loader: _LineLoader, node: SequenceNode) -> YamlList:
    result = YamlList(_construct(loader, child) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Load one YAML file with line information.

    Raises :class:`KnowledgeBaseError` with a ``file:line`` problem when the
    file is missing, unreadable or not valid YAML.
    """
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeBaseError([Problem(shown, 0, "file not found")]) from None
    except OSError as exc:
        raise KnowledgeBaseError([Problem(shown, 0, f"cannot read the file: {exc}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Excel and older Windows editors save Japanese as Shift_JIS (cp932): name the first bad byte and the fix.
        line = data.count(b"\n", 0, exc.start) + 1
        raise KnowledgeBaseError([Problem(
            shown, line,
            f"the file is not saved as UTF-8 (byte 0x{data[exc.start]:02x} on this line is not UTF-8; "
            "Excel often saves Shift_JIS); save it as UTF-8 and run `faqbot check` again",
        )]) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = exc.problem or exc.context or "invalid YAML"
        raise KnowledgeBaseError([Problem(shown, line, f"invalid YAML: {reason}{_where(text, mark)}")]) from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError([Problem(shown, 0, f"invalid YAML: {exc}")]) from None


def _where(text: str, mark: Any) -> str:
    """`` (column C: 'x')`` for the character a YAML error points at ('' when there is none).

    libyaml's messages do not quote the character (「found character that cannot
    start any token」), and a tab used for indenting is the usual culprit.
    """
    if mark is None:
        return ""
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines) or not 0 <= mark.column < len(lines[mark.line]):
        return ""
    return f" (column {mark.column + 1}: {lines[mark.line][mark.column]!r})"


def line_of(container: Any, key: Any) -> int:
    """The line of ``key`` in a loaded mapping or sequence (0 when unknown)."""
    if isinstance(container, (YamlMap, YamlList)):
        return container.line_of(key)
    return 0
