"""Routing quality on labelled query sets, held to the core issue's targets.

``eval/internal.jsonl`` and ``eval/hard.jsonl`` (typos, kana, half-width,
emoji, long stories, mixed and casual English, near misses) were written by
people who never saw the knowledge base's wording; ``../shared/eval/dev.jsonl`` is the public development set.
A change that makes customers' questions land worse fails here, not in
production.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.quality.evaluation import load_examples, predict, score

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "internal": ROOT / "eval" / "internal.jsonl",
    "hard": ROOT / "eval" / "hard.jsonl",
    "dev": ROOT.parent / "shared" / "eval" / "dev.jsonl",
}
TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("name", sorted(SETS))
def test_routing_meets_the_targets(engine: Engine, name: str) -> None:
    path = SETS[name]
    if not path.exists():
        pytest.skip(f"{path} is not here (the dev set lives in ../shared beside the checkout)")
    report = score(predict(engine, load_examples(path), TODAY))
    assert report.in_scope_accuracy >= 0.95, report.confusions[:5]
    assert report.fallback_precision >= 0.90, report.confusions[:5]
    assert report.fallback_recall >= 0.85, report.confusions[:5]
    assert report.product_accuracy >= 0.95
