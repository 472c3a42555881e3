"""Tests of faqbot.routing.training: the lexical weight a knowledge base's own material chooses."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

from faqbot.kb import SHIPPED_KB
from faqbot.kb.loader import MAX_LEXICAL_WEIGHT, load_knowledge_base
from faqbot.routing.router import Router
from faqbot.routing.training import DEFAULT_WEIGHT, MIN_HELD_OUT, WEIGHT_GRID, HeldOutScores, held_out_scores

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import kbgen  # noqa: E402


def _one_question_kb(dest: Path, count: int) -> Router:
    """A knowledge base of ``count`` generated entries, each with one question and its answer."""
    for name in ("service.yaml", "products.yaml"):
        shutil.copy(SHIPPED_KB / name, dest / name)
    kbgen.unstate_the_weight(dest / "service.yaml")  # the shipped KB states its weight; these KBs fit theirs
    entries = [
        {"id": e.id, "question": e.questions[1], "answer": e.answer} for e in kbgen.generate_entries(count, seed=5)
    ]
    (dest / "faq").mkdir()
    (dest / "faq" / "generated.yaml").write_text(
        yaml.safe_dump({"category": "generated", "entries": entries}, allow_unicode=True), encoding="utf-8"
    )
    return Router.build(load_knowledge_base(dest))


def test_one_question_per_entry_fits_on_pseudo_queries(tmp_path: Path) -> None:
    # No alternates: each left-out question must be found through its answer, which the
    # character channel cannot read, so the fit leans on the lexical channel, beyond the default
    # such knowledge bases used to get (measured: 32).
    router = _one_question_kb(tmp_path, 3 * MIN_HELD_OUT)
    assert router.lexical_weight in WEIGHT_GRID
    assert router.lexical_weight > DEFAULT_WEIGHT


def test_too_few_questions_to_fit_get_the_default(tmp_path: Path) -> None:
    router = _one_question_kb(tmp_path, MIN_HELD_OUT - 1)
    assert router.lexical_weight == DEFAULT_WEIGHT


def test_the_smallest_weight_within_one_standard_error_of_the_best_is_chosen() -> None:
    # Best 0.62 of 100: one standard error is sqrt(0.62 * 0.38 / 100) = 0.0485, so the band starts at
    # 0.5715: 0.5 is outside it, 0.6 inside.
    held = HeldOutScores((0.5, 0.6, 0.62), 100)
    assert held.standard_error == pytest.approx(0.0485, abs=1e-4)
    assert (held.best, held.chosen) == (2, 1)


def test_refitting_a_built_router_gives_the_weight_it_was_built_with(tmp_path: Path) -> None:
    # `faqbot check` refits on the router as built (at the fitted weight, not the fit's own):
    # both channels run either way, so the same questions give the same choice.
    source = Path(__file__).resolve().parent / "fixtures" / "kb_other_service"
    router = Router.build(load_knowledge_base(source))
    held = held_out_scores(router)
    assert held is not None and WEIGHT_GRID[held.chosen] == router.lexical_weight


def test_a_stated_weight_is_used_not_fitted(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parent / "fixtures" / "kb_other_service"
    shutil.copytree(source, tmp_path / "kb")
    service = tmp_path / "kb" / "service.yaml"
    service.write_text(service.read_text(encoding="utf-8") + "router:\n  lexical_weight: 0.25\n", encoding="utf-8")
    router = Router.build(load_knowledge_base(tmp_path / "kb"))
    assert router.lexical_weight == 0.25
    assert "lexical weight" not in {origin.kind for origin in router.fit_origins}


def test_a_held_out_question_does_not_vouch_for_itself() -> None:
    # Another team's KB (an internet provider's): its alternates share nouns (光回線, 料金) more than
    # phrasing, which the lemmas read and the character channel does not.  Routed with its own words
    # left in its entry's vocabulary, each sampled question found itself by characters and the fit
    # chose 0; held out as a customer's paraphrase, the lemmas earn a weight (measured: 2.0).
    router = Router.build(load_knowledge_base(Path(__file__).resolve().parent / "fixtures" / "kb_other_service"))
    assert router.lexical_weight == 2.0


def test_the_loader_accepts_every_weight_the_fit_can_choose() -> None:
    # The kb layer cannot import the routing layer's grid; its bound must stay the grid's top.
    assert WEIGHT_GRID[-1] == MAX_LEXICAL_WEIGHT
