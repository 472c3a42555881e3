"""The ids an intents spec promises, checked against a knowledge base (``faqbot check --spec``).

Labelled query sets name intents, products and plans by id, so a knowledge base may
add entries but must not rename or drop the ids its spec lists (the shipped one:
``shared/spec/intents.yaml``). The spec is YAML: the keys of its ``faq``, ``compute``
and ``smalltalk`` mappings are intent ids, those of ``products`` and ``plans`` product
and plan ids; other top-level keys are ignored. An id the knowledge base lacks is an
error located at the spec's line, so a rename is caught before any evaluation runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from faqbot.errors import InputError, Problem
from faqbot.kb.knowledge import KnowledgeBase

__all__ = ["SpecId", "missing_spec_ids", "spec_ids"]

#: Top-level keys of a spec whose mapping keys are ids, and the kind of id each holds.
_SECTIONS = {"faq": "intent", "compute": "intent", "smalltalk": "intent", "products": "product", "plans": "plan"}


@dataclass(frozen=True)
class SpecId:
    """One id a spec lists: its kind ("intent", "product" or "plan") and 1-based line."""

    kind: str
    id: str
    line: int


def spec_ids(text: str, name: str) -> tuple[SpecId, ...]:
    """Every id the spec ``text`` (read from ``name``) lists, in the order written.

    Raises :class:`InputError` when the text is not YAML or not a mapping at the top.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"{name} is not valid YAML ({exc.__class__.__name__}); pass an intents spec to --spec.") from None
    if not isinstance(root, yaml.MappingNode):
        raise InputError(f"{name} holds no mapping of sections (faq, compute, smalltalk, products, plans); pass an intents spec to --spec.")
    found: list[SpecId] = []
    for key, section in root.value:
        kind = _SECTIONS.get(str(key.value))
        if kind is None or not isinstance(section, yaml.MappingNode):
            continue
        found += [SpecId(kind, str(item.value), item.start_mark.line + 1) for item, _ in section.value]
    return tuple(found)


def missing_spec_ids(kb: KnowledgeBase, spec_text: str, spec_name: str) -> list[Problem]:
    """An error for each id of the spec that ``kb`` has no entry, product or plan for."""
    known = {"intent": set(kb.ids), "product": {p.id for p in kb.products}, "plan": {p.id for p in kb.plans}}
    return [
        Problem(
            spec_name,
            listed.line,
            f"{listed.kind} {listed.id!r} is listed in the spec but the knowledge base has no such id; "
            f"labelled data refers to it, so restore the id (rename your {listed.kind} back)",
        )
        for listed in spec_ids(spec_text, spec_name)
        if listed.id not in known[listed.kind]
    ]
