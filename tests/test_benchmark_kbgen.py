"""Tests of benchmarks/kbgen.py: the synthetic knowledge bases the scale benchmarks run on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import kbgen  # noqa: E402

from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.kb.loader import load_knowledge_base  # noqa: E402
from faqbot.text.normalize import normalize_term  # noqa: E402


def test_same_seed_same_entries_other_seed_other_entries() -> None:
    assert kbgen.generate_entries(50, seed=3) == kbgen.generate_entries(50, seed=3)
    assert kbgen.generate_entries(50, seed=3) != kbgen.generate_entries(50, seed=4)


@pytest.mark.parametrize("count", [0, 1, 7, 1500])
def test_sizes_and_shape(count: int) -> None:
    entries = kbgen.generate_entries(count)
    assert len(entries) == count
    assert len({e.id for e in entries}) == count
    assert len({(e.product, e.feature, e.topic) for e in entries}) == count
    assert all(len(e.questions) == kbgen.QUESTIONS_PER_ENTRY == 5 for e in entries)
    assert all(len(set(e.questions)) == 5 for e in entries)


def test_too_many_entries_is_refused() -> None:
    limit = len(kbgen.PRODUCTS) * len(kbgen.FEATURES) * len(kbgen.TOPICS)
    assert limit >= 50_000
    with pytest.raises(ValueError, match="at most"):
        kbgen.generate_entries(limit + 1)


def test_vocabulary_avoids_shipped_out_of_scope_subjects_and_product_names() -> None:
    kb = load_knowledge_base()
    subjects = [s for s in (normalize_term(x) for x in kb.out_of_scope_subjects) if s]
    names = [normalize_term(n) for p in kb.products for n in (p.name, *p.aliases)]
    for word in kbgen.PRODUCTS + kbgen.FEATURES:
        norm = normalize_term(word)
        assert not [s for s in subjects if s in norm], word
        assert norm not in names, word


def test_generated_kb_loads_with_shipped_entries_mixed_in(tmp_path: Path) -> None:
    dest = kbgen.generate_kb(tmp_path / "kb", 1200, seed=5)
    files = sorted(p.name for p in (dest / "faq").glob("gen-*.yaml"))
    assert files == ["gen-0000.yaml", "gen-0001.yaml"]  # 1000 entries per file
    kb = load_knowledge_base(dest)
    shipped = load_knowledge_base()
    assert len(kb.entries) == len(shipped.entries) + 1200
    assert {e.id for e in shipped.entries} <= {e.id for e in kb.entries}
    generated = kb.entry("gen-00000")
    assert generated.questions == kbgen.generate_entries(1200, seed=5)[0].questions


def test_generated_kb_states_the_shipped_kb_fitted_cut(tmp_path: Path, engine: Engine) -> None:
    # The shipped entries are decided as the shipped KB decides them, whatever surrounds them: at the
    # cut it states (137th rule).
    cut = engine.kb.settings.score_cut
    assert cut is not None
    kb = load_knowledge_base(kbgen.generate_kb(tmp_path / "kb", 3, seed=5))
    assert kb.settings.threshold == round(cut, 4)
    assert kb.settings.target_precision == engine.kb.settings.target_precision
    own = load_knowledge_base(kbgen.generate_kb(tmp_path / "own", 3, seed=5, inherit_decision=False))
    assert own.settings.threshold is None


def test_generate_kb_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("keep me")
    with pytest.raises(FileExistsError):
        kbgen.generate_kb(tmp_path, 1)


def test_probe_queries_are_labelled_and_not_stored() -> None:
    entries = kbgen.generate_entries(300)
    probes = kbgen.probe_queries(entries, 40)
    assert probes == kbgen.probe_queries(entries, 40)
    stored = {q for e in entries for q in e.questions}
    by_id = {e.id: e for e in entries}
    assert len(probes) == 40
    for text, entry_id in probes:
        assert text not in stored
        assert by_id[entry_id].product in text and by_id[entry_id].feature in text


def test_a_copy_fits_its_own_weight_unless_asked_to_keep_the_shipped_one(tmp_path: Path) -> None:
    # The scale benchmarks' mixtures fit their own weight; the accuracy mixture may state the
    # shipped KB's, so the shipped entries rank as the shipped KB ranks them.  The shipped KB
    # states the weight its own fit chose (ninety-eighth rule); a copy drops the line with its comment.
    assert load_knowledge_base().settings.lexical_weight == 0.1
    own = load_knowledge_base(kbgen.generate_kb(tmp_path / "own", 3, seed=5))
    assert own.settings.lexical_weight is None
    assert "lexical_weight" not in (tmp_path / "own" / "service.yaml").read_text(encoding="utf-8")
    kept = load_knowledge_base(kbgen.generate_kb(tmp_path / "kept", 3, seed=5, state_weight=True))
    shipped = load_engine(kbgen.SHIPPED_KB).router.lexical_weight
    assert shipped == 0.1
    assert kept.settings.lexical_weight == shipped
