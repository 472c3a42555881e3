"""Labels of an evaluation file checked against the knowledge base before anything is scored.

A typo'd label (「cancel-hwto」, 「mobil」) matches no prediction, so it silently lowers the
figures; an empty file scores zeros. Both are input errors, named with where they are and
what would be right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from faqbot.errors import InputError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.verdict import FALLBACK
from faqbot.text.suggest import did_you_mean

__all__ = ["Label", "check_labels"]


@dataclass(frozen=True)
class Label:
    """One labelled line (or turn) of an evaluation file: where it is, its intent and its product."""

    where: str  # "file:line", or "file: conversation c7, turn 2"
    intent: str
    product: str | None
    relevant: tuple[str, ...] = ()  # the entry ids of a line's graded "relevance", if it gives one


def check_labels(kb: KnowledgeBase, labels: Sequence[Label], path: Path, what: str) -> None:
    """Raise :class:`InputError` when ``labels`` is empty or names an intent or product ``kb`` lacks.

    ``what``: what the file should hold, for the message ("labelled queries", "labelled conversations").
    """
    if not labels:
        raise InputError(f"{path} holds no {what}; pass a JSONL file with one per line.")
    intents = [*kb.ids, FALLBACK]
    products = [p.id for p in kb.products]
    for label in labels:
        if label.intent not in intents:
            raise InputError(f"{label.where}: unknown intent {label.intent!r}{did_you_mean(label.intent, intents)}; "
                             "label with an entry id of the knowledge base or 'fallback'.")
        unknown = next((entry for entry in label.relevant if entry not in intents), None)
        if unknown is not None:
            raise InputError(f"{label.where}: unknown entry {unknown!r} in \"relevance\"{did_you_mean(unknown, intents)}; "
                             "grade entry ids of the knowledge base.")
        if label.product is not None and label.product not in products:
            raise InputError(f"{label.where}: unknown product {label.product!r}{did_you_mean(label.product, products)}; "
                             "label with a product id of the knowledge base (faqbot products) or null.")
