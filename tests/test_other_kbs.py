"""Knowledge bases written by others for other services (user trials) load and label their files.

They are the evaluation data of ``benchmarks/bench_other_kbs.py``: what matters here is that
they stay loadable as the loader grows stricter (the bulky-waste desk has no products.yaml at
all) and that their labels name entries they hold; their figures are measured, not asserted.
Their lint is measured too, not asserted: each passed ``faqbot check`` as its author left it, with
the router of that day, and a router that ranks differently may route some alternates elsewhere
(seventy-fifth rule of ``docs/calibration-floor-rule.md``), which is the lint doing its job.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.evaluation import load_examples
from faqbot.quality.labels import Label, check_labels

FIXTURES = Path(__file__).parent / "fixtures"
OTHER_KBS = [
    ("kb_other_service", "other_service_eval.jsonl"),
    ("kb_bulky_waste", "bulky_waste_eval.jsonl"),
    ("kb_fitness_club", "fitness_club_eval.jsonl"),
    ("kb_library", "library_eval.jsonl"),
]


@pytest.mark.parametrize(("kb_name", "labelled"), OTHER_KBS, ids=[k for k, _ in OTHER_KBS])
def test_another_service_s_kb_loads_and_its_labels_name_its_entries(kb_name: str, labelled: str) -> None:
    engine = Engine.build(load_knowledge_base(FIXTURES / kb_name))  # a load problem raises
    examples = load_examples(FIXTURES / labelled)
    assert len(examples) >= 40
    path = FIXTURES / labelled
    check_labels(engine.kb, [Label(f"{path}:{e.line}", e.intent, e.product) for e in examples], path, "labelled queries")


def test_the_bulky_waste_desk_has_no_products_and_no_calculator() -> None:
    kb = load_knowledge_base(FIXTURES / "kb_bulky_waste")
    assert not (FIXTURES / "kb_bulky_waste" / "products.yaml").exists()
    assert kb.products == () and not kb.computes_billing
