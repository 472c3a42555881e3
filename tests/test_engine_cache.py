"""Tests of faqbot.answers.engine_cache: the compiled engine is reused only while it is current."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from faqbot.answers import engine_cache
from faqbot.kb.loader import SHIPPED_KB


@pytest.fixture()
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    return Path(shutil.copytree(SHIPPED_KB, tmp_path / "kb"))


def _edit_first_question(kb: Path, new: str) -> None:
    path = kb / "faq" / "about.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("question: あんしん自動更新とは何ですか？", f"question: {new}", 1), encoding="utf-8")


def test_second_load_comes_from_the_cache(kb_copy: Path) -> None:
    first = engine_cache.load_engine(kb_copy)
    files = list((kb_copy.parent / "cache").glob("engine-*.pickle"))
    assert len(files) == 1
    second = engine_cache.load_engine(kb_copy)
    assert second.kb.content_hash == first.kb.content_hash
    assert second is not first  # unpickled, not the same object


def test_an_edited_kb_is_never_answered_from_the_old_engine(kb_copy: Path) -> None:
    engine_cache.load_engine(kb_copy)
    _edit_first_question(kb_copy, "あんしん自動更新とはどんなサービス？")
    engine = engine_cache.load_engine(kb_copy)
    assert engine.kb.entry("about").question == "あんしん自動更新とはどんなサービス？"


def test_a_cached_engine_for_other_content_is_not_used(kb_copy: Path) -> None:
    engine = engine_cache.load_engine(kb_copy)
    cache = kb_copy.parent / "cache"
    before = set(cache.glob("engine-*.pickle"))
    _edit_first_question(kb_copy, "自動更新って何？")
    engine_cache.load_engine(kb_copy)  # caches the new content's engine under its own key
    (path,) = set(cache.glob("engine-*.pickle")) - before
    # Plant the old engine under the new content's key (as a race or a bug might).
    path.write_bytes(pickle.dumps(engine))
    assert engine_cache.load_engine(kb_copy).kb.entry("about").question == "自動更新って何？"


def test_the_same_content_elsewhere_keeps_its_own_root(kb_copy: Path, tmp_path: Path) -> None:
    other = Path(shutil.copytree(kb_copy, tmp_path / "other"))
    engine_cache.load_engine(kb_copy)
    assert engine_cache.load_engine(other).kb.root == other


def test_old_engines_are_pruned(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_cache, "_KEEP", 2)
    for i in range(4):
        _edit_first_question(kb_copy, f"質問{i}")
        engine_cache.load_engine(kb_copy)
        (kb_copy / "faq" / "about.yaml").write_text(
            (kb_copy / "faq" / "about.yaml").read_text(encoding="utf-8").replace(f"question: 質問{i}", "question: あんしん自動更新とは何ですか？", 1),
            encoding="utf-8",
        )
    assert len(list((kb_copy.parent / "cache").glob("engine-*.pickle"))) == 2
