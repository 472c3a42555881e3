"""Tests of faqbot.routing.fit_reuse: when a fitted value is kept across an edit, and when it is refitted."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import kbgen  # noqa: E402

from faqbot.kb import SHIPPED_KB  # noqa: E402
from faqbot.kb.knowledge import KnowledgeBase  # noqa: E402
from faqbot.kb.loader import load_knowledge_base  # noqa: E402
from faqbot.routing.analysis_runs import AnalysisRun  # noqa: E402
from faqbot.routing.calibration import Calibration  # noqa: E402
from faqbot.routing.earlier_build import EarlierBuild
from faqbot.routing.fit_reuse import (  # noqa: E402
    CALIBRATION,
    LEXICAL_WEIGHT,
    VETO,
    FitHistory,
    FitRecord,
    KbPrint,
    change,
    fingerprint,
)
from faqbot.routing.router import Router  # noqa: E402
from faqbot.routing.segments import SegmentStore  # noqa: E402
from faqbot.text.memo import TextMemo  # noqa: E402

# 400 generated entries (one file) beside the shipped ones: more questions than the fits
# sample, so most entries are in no sample.
_ENTRIES = 400


def _print(checksums: list[int], frame: str = "f", counts: list[int] | None = None) -> KbPrint:
    return KbPrint("hash", frame, np.array(checksums, dtype=np.uint32), np.array(counts or [2] * len(checksums)))


@pytest.mark.parametrize(
    ("old", "new", "entries", "questions"),
    [
        (_print([1, 2, 3]), _print([1, 2, 3]), [], 0),
        (_print([1, 2, 3]), _print([1, 9, 3]), [1], 2),
        (_print([1, 2, 3]), _print([7, 2, 9], counts=[1, 2, 5]), [0, 2], 6),
    ],
)
def test_change_counts_the_entries_and_their_questions(old: KbPrint, new: KbPrint, entries: list[int], questions: int) -> None:
    found = change(old, new)
    assert found is not None
    assert found.entries.tolist() == entries
    assert found.questions == questions


@pytest.mark.parametrize("new", [_print([1, 2, 3], frame="other"), _print([1, 2])])
def test_another_shape_is_no_change_but_a_refit(new: KbPrint) -> None:
    assert change(_print([1, 2, 3]), new) is None


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kbgen.generate_kb(tmp_path_factory.mktemp("fits") / "kb", _ENTRIES)


@pytest.fixture(scope="module")
def memo() -> TextMemo:
    return TextMemo()  # shared by the builds: only the analyses are saved, not the fits


def _build(kb: KnowledgeBase, memo: TextMemo, previous: dict[str, FitRecord]) -> tuple[Router, FitHistory]:
    history = FitHistory(kb, previous)
    return Router.build(kb, EarlierBuild(memo, fits=history)), history


def _edit_questions(root: Path, entry_ids: list[str], suffix: str) -> KnowledgeBase:
    """Append ``suffix`` to the first question of each of the given generated entries."""
    path = root / "faq" / "gen-0000.yaml"
    text = path.read_text(encoding="utf-8")
    for entry_id in entry_ids:
        text, count = re.subn(rf'(  - id: {re.escape(entry_id)}\n    question: "[^"]*)"', rf'\1{suffix}"', text)
        assert count == 1, entry_id
    path.write_text(text, encoding="utf-8")
    return load_knowledge_base(root)


def _reused(history: FitHistory) -> dict[str, bool]:
    return {origin.kind: origin.reused for origin in history.origins}


def test_fits_are_kept_for_an_edit_outside_their_samples_and_refitted_for_one_inside(generated: Path, memo: TextMemo) -> None:
    kb0 = load_knowledge_base(generated)
    router0, history0 = _build(kb0, memo, {})
    assert _reused(history0) == {VETO: False, LEXICAL_WEIGHT: False, CALIBRATION: False}
    ids = kb0.ids
    sampled = set(history0.records[LEXICAL_WEIGHT].sample.tolist()) | set(history0.records[CALIBRATION].sample.tolist())
    outside = next(pos for pos in range(len(ids)) if ids[pos].startswith("gen-") and pos not in sampled)

    # 1. One question of an entry no fit routed: every value is kept, with its origin.  (Built
    # from the memo as stored, as after an edit: the kept veto's vocabulary is read packed.)
    kb1 = _edit_questions(generated, [ids[outside]], "（一）")
    router1, history1 = _build(kb1, TextMemo(memo.stored()), history0.records)
    assert _reused(history1) == {VETO: True, LEXICAL_WEIGHT: True, CALIBRATION: True}
    assert {o.made_on for o in history1.origins} == {kb0.content_hash} != {kb1.content_hash}
    assert router1.lexical_weight == router0.lexical_weight
    assert router1.calibration == router0.calibration
    assert router1.novelty.threshold == router0.novelty.threshold
    assert router1.fit_origins == tuple(history1.origins)
    # The kept veto knows exactly the words a veto fitted afresh on the edited knowledge base knows.
    fresh = Router.build(kb1).novelty
    assert router1.novelty.known_terms == fresh.known_terms and router1.novelty.known_readings == fresh.known_readings
    assert dict(router1.novelty.rarity) == dict(fresh.rarity)

    # 2. One question of an entry the calibration routed: calibration is fitted again.
    inside = next(p for p in history0.records[CALIBRATION].sample.tolist() if ids[p].startswith("gen-"))
    kb2 = _edit_questions(generated, [ids[inside]], "（二）")
    router2, history2 = _build(kb2, memo, history1.records)
    assert _reused(history2)[CALIBRATION] is False
    assert isinstance(router2.calibration, Calibration)
    assert next(o for o in history2.origins if o.kind == CALIBRATION).made_on == kb2.content_hash

    # 3. One question of an entry only the lexical-weight fit routed: it is fitted again, and
    # so is the calibration, whose examples' scores depend on the weight (rule 4).
    weight_only = set(history0.records[LEXICAL_WEIGHT].sample.tolist()) - set(history0.records[CALIBRATION].sample.tolist())
    lexical = next(p for p in sorted(weight_only) if ids[p].startswith("gen-"))
    kb_w = _edit_questions(generated, [ids[lexical]], "（三）")
    _, history_w = _build(kb_w, memo, history2.records)
    assert ids[lexical] not in {ids[p] for p in history2.records[CALIBRATION].sample.tolist()}
    assert _reused(history_w)[LEXICAL_WEIGHT] is False
    assert _reused(history_w)[CALIBRATION] is False

    # 4. More entries changed since each value's origin than 1 % of the entries: everything is refitted.
    limit = max(1, len(ids) // 100)
    others = [ids[p] for p in range(len(ids)) if ids[p].startswith("gen-") and p not in sampled and p != outside][: limit + 1]
    kb3 = _edit_questions(generated, others, "（四）")
    _, history3 = _build(kb3, memo, history_w.records)
    assert _reused(history3) == {VETO: False, LEXICAL_WEIGHT: False, CALIBRATION: False}


def test_a_stated_weight_is_no_fit_and_lets_the_calibration_be_kept(tmp_path: Path, memo: TextMemo) -> None:
    # Rule 4 asks for a kept weight because the calibration's scores depend on it; a weight the
    # knowledge base states is in the fingerprint, so nothing is kept unless it is the same.
    root = kbgen.generate_kb(tmp_path / "kb", _ENTRIES)
    service = root / "service.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("\nrouter:\n", "\nrouter:\n  lexical_weight: 1.0\n", 1), encoding="utf-8")
    kb0 = load_knowledge_base(root)
    assert kb0.settings.lexical_weight == 1.0
    _, history0 = _build(kb0, memo, {})
    assert _reused(history0) == {VETO: False, CALIBRATION: False}
    ids = kb0.ids
    routed = set(history0.records[CALIBRATION].sample.tolist())
    outside = next(p for p in range(len(ids)) if ids[p].startswith("gen-") and p not in routed)
    router1, history1 = _build(_edit_questions(root, [ids[outside]], "（一）"), memo, history0.records)
    assert _reused(history1) == {VETO: True, CALIBRATION: True}
    assert router1.lexical_weight == 1.0


def test_a_new_question_changes_the_shape_and_refits(generated: Path, memo: TextMemo) -> None:
    kb0 = load_knowledge_base(generated)
    _, history0 = _build(kb0, memo, {})
    path = generated / "faq" / "gen-0000.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    alternates:\n", '    alternates:\n      - "新しい言い方の質問"\n', 1), encoding="utf-8")
    kb1 = load_knowledge_base(generated)
    assert fingerprint(kb1).frame != fingerprint(kb0).frame
    _, history1 = _build(kb1, memo, history0.records)
    assert _reused(history1) == {VETO: False, LEXICAL_WEIGHT: False, CALIBRATION: False}


def test_without_a_store_nothing_is_recorded(tmp_path: Path) -> None:
    # The shipped KB without the weight it states (ninety-eighth rule), so every fit runs.
    shutil.copytree(SHIPPED_KB, tmp_path / "kb")
    kbgen.unstate_the_weight(tmp_path / "kb" / "service.yaml")
    kb = load_knowledge_base(tmp_path / "kb")
    history = FitHistory(kb)
    Router.build(kb, EarlierBuild(fits=history))
    assert history.records == {}
    # All three: a KB with alternates fits its lexical weight too (seventy-eighth rule).
    assert [o.kind for o in history.origins] == [VETO, LEXICAL_WEIGHT, CALIBRATION]
    assert [o.reused for o in history.origins] == [False, False, False]


def test_the_fingerprint_from_the_runs_prints_is_the_whole_knowledge_bases(generated: Path, memo: TextMemo) -> None:
    # The router hands the fits each run's prints (found with the run's analyses after an edit):
    # put end to end they must give the fingerprint computed from the entries, frame and checksums.
    kb = load_knowledge_base(generated)
    first = SegmentStore()
    Router.build(kb, EarlierBuild(memo, first, FitHistory(kb, {})))
    edited = _edit_questions(generated, [[i for i in kb.ids if i.startswith("gen-")][-1]], "（五）")
    history = FitHistory(edited, {})
    store = SegmentStore(first.extracted.get)  # the first build's runs, as after an edit
    Router.build(edited, EarlierBuild(memo, store, history))
    used = [store.extracted.get(key) or first.extracted[key] for key in store.used]
    runs = [v.prints for v in used if isinstance(v, AnalysisRun)]
    assert 1 <= len([v for v in store.extracted.values() if isinstance(v, AnalysisRun)]) < len(runs)
    assert sum(len(p.counts) for p in runs) == len(edited.entries) and len(runs) >= 3
    whole, from_runs = fingerprint(edited), history._now()
    assert from_runs.frame == whole.frame and from_runs.content_hash == whole.content_hash
    assert np.array_equal(from_runs.entries, whole.entries) and np.array_equal(from_runs.counts, whole.counts)
    assert from_runs.counts.dtype == whole.counts.dtype and from_runs.entries.dtype == whole.entries.dtype
    assert not np.array_equal(from_runs.entries, fingerprint(kb).entries)  # the edit shows
    with pytest.raises(ValueError, match="entries"):
        fingerprint(edited, runs[:-1])
