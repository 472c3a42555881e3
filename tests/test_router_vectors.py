"""The word-vector channel in the router, its fitted weight, and a knowledge base that names a table.

The tables are small and written by hand (tests/vector_tables.py): 退会 shares 解約's vector,
引き落とし shares 請求's, so what the channel adds is visible by itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.answers.cache_folder import code_hash
from faqbot.errors import KnowledgeBaseError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.fit_summary import FitSummary
from faqbot.quality.lint import missing_vectors
from faqbot.routing.router import Router
from faqbot.routing.training import VECTOR_GRID, WEIGHT_GRID, fit_vector_weight, held_out_scores, vector_scores
from faqbot.text.word_vectors import WordVectors
from tests.conftest import FIXTURES, make_kb, replace_once
from tests.vector_tables import synonym_table

KB_MIN = FIXTURES / "kb_min"


@pytest.fixture(scope="module")
def kb_min() -> KnowledgeBase:
    return load_knowledge_base(KB_MIN)


@pytest.fixture(scope="module")
def with_vectors(kb_min: KnowledgeBase) -> Router:
    return Router.build(kb_min, vectors=synonym_table())


def test_a_router_without_a_table_has_no_channel(kb_min: KnowledgeBase) -> None:
    router = Router.build(kb_min)
    assert router.vectors is None and router.vector_weight == 0.0
    assert router.candidates("退会の変更方法").cosine is None


def test_candidates_carry_each_first_entry_s_cosine(with_vectors: Router) -> None:
    found = with_vectors.candidates("退会の変更方法")
    assert found.cosine is not None and len(found.cosine) == len(found.owners)
    by_entry = dict(zip((with_vectors.kb.entries[i].id for i in found.owners.tolist()), found.cosine.tolist(), strict=True))
    assert by_entry == pytest.approx({"cancel": 1.0, "change-card": 0.0})  # 退会 is 解約's row; 変更/方法 have none


def test_the_weight_re_ranks_a_synonym_s_entry_first(with_vectors: Router) -> None:
    assert with_vectors.vector_weight == 0.0  # kb_min is too small to fit on: the channel is measured, not weighed
    assert [m.entry_id for m in with_vectors.rank("退会の変更方法")] == ["change-card", "cancel"]
    with_vectors.vector_weight = 1.0
    try:
        ranked = with_vectors.rank("退会の変更方法")
        assert [m.entry_id for m in ranked] == ["cancel", "change-card"]
        assert with_vectors.scale == pytest.approx((1.0 + with_vectors.lexical_weight) * 2.0)
        assert all(0.0 <= m.confidence <= 1.0 for m in ranked)
    finally:
        with_vectors.vector_weight = 0.0


def test_a_stated_exclusion_leaves_the_question_out_of_its_entry_s_vector(kb_min: KnowledgeBase) -> None:
    # 止める has a direction of its own here, and 自動更新を止める手順 is the only text of cancel that uses it.
    router = Router.build(kb_min, vectors=WordVectors.from_words("own", "test", ["止める", "解約"], [0, 1], np.eye(2)))
    cancel = list(router.kb.ids).index("cancel")

    def cosine(exclude: str | None) -> float:
        found = router.candidates("自動更新を止める", exclude=exclude)
        assert found.cosine is not None and cancel in found.owners.tolist()
        return float(found.cosine[found.owners == cancel][0])

    assert cosine(None) > 0.1
    assert cosine("自動更新を止める手順") == pytest.approx(0.0)


def test_a_knowledge_base_too_small_to_fit_gets_no_weight(with_vectors: Router) -> None:
    assert vector_scores(Router.build(load_knowledge_base(KB_MIN))) is None  # no channel
    assert fit_vector_weight(with_vectors) == 0.0  # too few questions


def test_the_weight_is_fitted_on_the_lexical_weight_s_held_out_questions() -> None:
    # The smallest fixture with enough alternates to fit on (68 of 21 entries; docs/testing.md).
    router = Router.build(load_knowledge_base(FIXTURES / "kb_other_service"), vectors=synonym_table())
    scores = vector_scores(router)
    lexical = held_out_scores(router)
    assert scores is not None and lexical is not None
    assert len(scores.scores) == len(VECTOR_GRID) and scores.questions == lexical.questions
    # At λ = 0 the channels' own order: the lexical fit's score at the weight in force.
    assert scores.scores[0] == lexical.scores[WEIGHT_GRID.index(router.lexical_weight)]
    assert router.vector_weight == VECTOR_GRID[scores.chosen]


def test_a_knowledge_base_names_a_table_by_a_plain_name(tmp_path: Path) -> None:
    named = make_kb(tmp_path / "a", {"service.yaml": replace_once("  clarify_margin: 0.03", "  clarify_margin: 0.03\n  word_vectors: ja-ginza")},
                    source=KB_MIN)
    assert load_knowledge_base(named).settings.word_vectors == "ja-ginza"
    assert load_knowledge_base(KB_MIN).settings.word_vectors is None
    bad = make_kb(tmp_path / "b", {"service.yaml": replace_once("  clarify_margin: 0.03", "  clarify_margin: 0.03\n  word_vectors: ../elsewhere")},
                  source=KB_MIN)
    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(bad)
    assert "router 'word_vectors' must name an installed table such as ja-ginza" in str(raised.value.problems[0])
    assert "'../elsewhere'" in str(raised.value.problems[0])


def _naming(tmp_path: Path) -> KnowledgeBase:
    root = make_kb(tmp_path, {"service.yaml": replace_once("  clarify_margin: 0.03", "  clarify_margin: 0.03\n  word_vectors: test")},
                   source=KB_MIN)
    return load_knowledge_base(root)


def test_an_engine_uses_the_table_its_knowledge_base_names_once_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    kb = _naming(tmp_path)
    without = Engine.build(kb)
    assert without.router.vectors is None
    assert "which is not installed" in missing_vectors(kb, without.router)[0].message
    assert "; word vectors none: test is named in service.yaml but not installed ('faqbot vectors install test');" in (
        FitSummary.of(without).line())
    before = code_hash()
    synonym_table().save(tmp_path / "cache" / "vectors" / "test")
    assert code_hash() != before  # every cached engine is looked up afresh
    built = Engine.build(kb)
    assert built.router.vectors is not None and built.router.vectors.words.name == "test"
    assert missing_vectors(kb, built.router) == []
    assert "; word vectors test at λ 0 (fitted on the knowledge base's own questions);" in FitSummary.of(built).line()
    assert FitSummary.of(built).as_json()["word_vectors"] == {"table": "test", "weight": 0.0}


def test_an_unreadable_table_is_built_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "vectors" / "test"
    synonym_table().save(folder)
    (folder / "vectors.npy").write_bytes(b"broken")
    assert Engine.build(_naming(tmp_path)).router.vectors is None


def test_the_engine_file_keeps_the_channel(tmp_path: Path, with_vectors: Router) -> None:
    from faqbot.answers.engine_file import read_engine_file, write_engine_file

    write_engine_file(with_vectors, tmp_path / "router.engine")
    read = read_engine_file(tmp_path / "router.engine")
    assert isinstance(read, Router) and read.vectors is not None
    assert np.array_equal(read.vectors.sums, with_vectors.vectors.sums if with_vectors.vectors else None)
    found = read.candidates("退会の変更方法")
    assert found.cosine is not None and sorted(found.cosine.tolist()) == pytest.approx([0.0, 1.0])


def test_a_cached_engine_follows_the_table_being_installed_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from faqbot.answers.engine_cache import load_engine

    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    root = _naming(tmp_path).root
    assert load_engine(root).router.vectors is None
    synonym_table().save(tmp_path / "cache" / "vectors" / "test")
    assert load_engine(root).router.vectors is not None  # a new cache key: rebuilt with the table
    again = load_engine(root).router.vectors  # read back from the engine file
    assert again is not None and not again.sums.flags.owndata and not again.sums.flags.writeable  # mapped
    shutil.rmtree(tmp_path / "cache" / "vectors" / "test")
    assert load_engine(root).router.vectors is None


def test_an_engine_without_its_vectors_routes_as_one_naming_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    synonym_table().save(tmp_path / "cache" / "vectors" / "test")
    named = Engine.build(_naming(tmp_path / "named"))
    assert named.router.vectors is not None
    without = named.without_vectors()
    plain = Engine.build(load_knowledge_base(KB_MIN))
    assert without.router.vectors is None and without.router.vector_weight == 0.0
    for text in ("退会の変更方法", "自動更新を解約したい", "カードを変えたい"):
        assert without.router.route(text) == plain.router.route(text)
    assert plain.without_vectors() is plain  # nothing to take away
