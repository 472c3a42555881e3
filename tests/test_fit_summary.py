"""Tests of faqbot.quality.fit_summary: what a build fitted, and how firmly, in words."""

from __future__ import annotations

import shutil
from pathlib import Path

from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.fit_summary import WeightMargin
from faqbot.routing.router import Router

OTHER_SERVICE = Path(__file__).resolve().parent / "fixtures" / "kb_other_service"


def test_a_weight_inside_the_band_by_one_question_says_an_edit_may_move_it() -> None:
    margin = WeightMargin(0.1, 0.1, 213, 0.25, 217, 250, 5.4, 1)
    line = margin.line()
    assert line.startswith("  held out, 213 of 250 questions rank first at 0.1 and 217 at 0.25, the best; ")
    assert "within one standard error (5.4 questions) of it, with 1 to spare: " in line
    assert "stating router.lexical_weight in service.yaml holds it" in line
    assert "(the build kept" not in line  # the weight in force is the one fitted now


def test_the_best_weight_says_only_another_overtaking_it_moves_it() -> None:
    line = WeightMargin(2.0, 2.0, 45, 2.0, 45, 89, 4.7, 4).line()
    assert line == "  held out, 45 of 89 questions rank first at 2, the best of the grid; an edit moves it only if another weight overtakes it"


def test_a_weight_kept_from_an_earlier_build_is_named_beside_the_refit() -> None:
    line = WeightMargin(0.25, 0.1, 217, 0.25, 217, 250, 5.4, 5).line()
    assert "(the build kept 0.1 from an earlier one, as faqbot.routing.fit_reuse allows; fitted now it is 0.25)" in line


def test_a_stated_weight_is_held_and_the_fit_says_what_it_would_choose(tmp_path: Path) -> None:
    shutil.copytree(OTHER_SERVICE, tmp_path / "kb")
    fitted = WeightMargin.of(Router.build(load_knowledge_base(tmp_path / "kb")))
    service = tmp_path / "kb" / "service.yaml"
    service.write_text(service.read_text(encoding="utf-8") + "router:\n  lexical_weight: 0.25\n", encoding="utf-8")
    margin = WeightMargin.of(Router.build(load_knowledge_base(tmp_path / "kb")))
    assert fitted is not None and margin is not None and margin.stated and not fitted.stated
    # The same held-out questions refitted: the fit's choice does not depend on the weight in force.
    assert (margin.weight, margin.right, margin.best_weight, margin.best_right) == (
        fitted.weight, fitted.right, fitted.best_weight, fitted.best_right)
    assert margin.in_force == 0.25


def test_a_stated_weight_s_line_names_it_and_the_fit_s_choice() -> None:
    same = WeightMargin(0.1, 0.1, 213, 0.25, 217, 250, 5.4, 1, stated=True).line()
    assert same == ("  service.yaml states 0.1, which holds it; fitted now the weight would be 0.1 (the same): held out, "
                    "213 of 250 questions rank first at it and 217 at 0.25, the best, 1 to spare inside one standard error")
    other = WeightMargin(2.0, 0.25, 45, 2.0, 45, 89, 4.7, 4, stated=True).line()
    assert "service.yaml states 0.25, which holds it; fitted now the weight would be 2 (not the stated 0.25)" in other
