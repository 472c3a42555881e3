"""Tests of faqbot.answers.engine_cache: the compiled engine is reused only while it is current.

The cache's behaviour (keys, misses after an edit, pruning, damaged files, read-only mapping)
does not depend on the knowledge base's size, so these tests build a small one
(:func:`tests.conftest.make_small_kb`: kb_min plus the shipped ``about`` entry) in a fraction
of a second instead of the shipped one in several; whether a cached engine answers like a built
one is checked on the shipped knowledge base, through the session's cache.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from faqbot.answers import cache_folder, engine_cache, engine_rebuild
from faqbot.answers.answering import Engine, answer_query
from faqbot.answers.engine_file import EngineFileError, read_engine_file, write_engine_file
from faqbot.kb import SHIPPED_KB, templating
from faqbot.kb.entry_table import EntryTable
from tests.conftest import make_small_kb


@pytest.fixture()
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    return make_small_kb(tmp_path)


def _edit_first_question(kb: Path, new: str) -> None:
    path = kb / "faq" / "about.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("question: あんしん自動更新とは何ですか？", f"question: {new}", 1), encoding="utf-8")


def test_second_load_comes_from_the_cache(kb_copy: Path) -> None:
    first = engine_cache.load_engine(kb_copy)
    files = list((kb_copy.parent / "cache").glob("engine-*.engine"))
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
    before = set(cache.glob("engine-*.engine"))
    _edit_first_question(kb_copy, "自動更新って何？")
    engine_cache.load_engine(kb_copy)  # caches the new content's engine under its own key
    (path,) = set(cache.glob("engine-*.engine")) - before
    # Plant the old engine under the new content's key (as a race or a bug might).
    write_engine_file(engine, path)
    assert engine_cache.load_engine(kb_copy).kb.entry("about").question == "自動更新って何？"


def test_the_same_content_elsewhere_keeps_its_own_root(kb_copy: Path, tmp_path: Path) -> None:
    other = Path(shutil.copytree(kb_copy, tmp_path / "other"))
    engine_cache.load_engine(kb_copy)
    assert engine_cache.load_engine(other).kb.root == other


def test_old_engines_are_pruned(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_rebuild, "_KEEP", 2)
    for i in range(4):
        _edit_first_question(kb_copy, f"質問{i}")
        engine_cache.load_engine(kb_copy)
        (kb_copy / "faq" / "about.yaml").write_text(
            (kb_copy / "faq" / "about.yaml").read_text(encoding="utf-8").replace(f"question: 質問{i}", "question: あんしん自動更新とは何ですか？", 1),
            encoding="utf-8",
        )
    assert len(list((kb_copy.parent / "cache").glob("engine-*.engine"))) == 2


def _cached_file(kb: Path) -> Path:
    (path,) = (kb.parent / "cache").glob("engine-*.engine")
    return path


def test_a_cached_engine_maps_its_arrays_read_only_and_decodes_entries_on_demand(kb_copy: Path) -> None:
    engine_cache.load_engine(kb_copy)
    engine = engine_cache.load_engine(kb_copy)
    postings = engine.router.char_channel._surface_index._docs
    assert isinstance(postings, np.ndarray) and not postings.flags.writeable
    assert isinstance(engine.kb.entries, EntryTable)
    assert engine.kb.entry("about").question == "あんしん自動更新とは何ですか？"
    assert engine.kb.has_entry("about") and not engine.kb.has_entry("no-such-entry")


def test_a_cached_engine_answers_as_the_built_one(engine: Engine) -> None:
    built = engine  # the shipped knowledge base, built in memory (tests/conftest.py)
    mapped = engine_cache.load_engine(SHIPPED_KB)  # through the session's cache: read from its file
    assert isinstance(mapped.kb.entries, EntryTable)  # really the mapped file, not a built engine
    for query in ("解約したい", "クレジットカード以外で払えますか？", "how do I cancel?", "パスポートの更新"):
        first = answer_query(built, query, date(2026, 11, 26))
        second = answer_query(mapped, query, date(2026, 11, 26))
        assert (first.intent, first.decision, first.confidence, first.text) == (
            second.intent, second.decision, second.confidence, second.text)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_engine_file_is_rebuilt_not_trusted(kb_copy: Path, damage: str) -> None:
    engine_cache.load_engine(kb_copy)
    path = _cached_file(kb_copy)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[200] ^= 0xFF  # inside the table or the pickle: the checksum covers both
    elif damage == "garbage":
        data = bytearray(b"not an engine" * 10)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(EngineFileError):
        read_engine_file(path)
    engine = engine_cache.load_engine(kb_copy)
    assert engine.kb.entry("about").question == "あんしん自動更新とは何ですか？"
    read_engine_file(_cached_file(kb_copy))  # rewritten whole


def test_an_edited_source_file_misses_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache_folder, "_PACKAGE", package)
    before = cache_folder.code_hash()
    (package / "a.py").write_text("x = 22\n", encoding="utf-8")
    assert cache_folder.code_hash() != before


def test_an_unwritable_cache_still_answers(kb_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(blocker / "cache"))
    assert engine_cache.load_engine(kb_copy).kb.entry("about").question == "あんしん自動更新とは何ですか？"


def test_the_engine_file_is_renamed_into_place_only_once_flushed(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The flush runs beside the per-text cache's write: the file must not be at its name before
    # it is on disk whole, and a flush that fails stores nothing (and leaves no temporary file).
    cache = kb_copy.parent / "cache"
    seen: list[list[str]] = []

    def flush(path: Path) -> None:
        seen.append(sorted(p.name for p in cache.glob("*engine*")))
        assert path.name.startswith(".engine-") and path.stat().st_size > 0
        raise OSError("disk full")

    monkeypatch.setattr(engine_rebuild, "sync_file", flush)
    engine = engine_cache.load_engine(kb_copy)
    assert engine.kb.entry("about").question == "あんしん自動更新とは何ですか？"
    assert len(seen) == 1 and not any(name.startswith("engine-") for name in seen[0])
    assert not list(cache.glob("*engine*"))
    assert list(cache.glob("texts-*.pickle"))  # the per-text cache was still written
    monkeypatch.undo()
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(cache))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    engine_cache.load_engine(kb_copy)
    assert len(list(cache.glob("engine-*.engine"))) == 1 and not list(cache.glob(".engine-*"))


def test_the_content_hash_is_remembered_only_for_settled_files(kb_copy: Path) -> None:
    cache = kb_copy.parent / "cache"
    engine_cache.load_engine(kb_copy)  # copied files keep their old modification times
    assert len(list(cache.glob("content-*"))) == 1
    _edit_first_question(kb_copy, "自動更新って何？")  # modified just now: hashed, not remembered
    engine = engine_cache.load_engine(kb_copy)
    assert engine.kb.entry("about").question == "自動更新って何？"
    assert len(list(cache.glob("content-*"))) == 1


def test_a_changed_copy_is_built_with_the_earlier_builds_analyses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``faqbot learn``'s preview builds a changed copy: only the texts the change added are analysed again."""
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    root = make_small_kb(tmp_path)
    engine_cache.load_engine(root)  # the earlier build, which fills the cache
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    about = copy / "faq" / "about.yaml"
    about.write_text(
        about.read_text(encoding="utf-8").replace("    alternates:\n", "    alternates:\n      - 新しい言い方の質問\n", 1),
        encoding="utf-8",
    )
    memos: list[object] = []
    build = Engine.build

    def spy(kb, earlier=None):  # type: ignore[no-untyped-def]
        memos.append(earlier.memo)
        assert earlier.spill is None  # a preview writes nothing to the cache folder
        return build(kb, earlier)

    monkeypatch.setattr(engine_rebuild.Engine, "build", spy)
    kb = engine_rebuild.load_knowledge_base(copy)
    cached = sorted(p.relative_to(tmp_path) for p in (tmp_path / "cache").rglob("*"))
    changed = engine_rebuild.build_like(kb, root)
    cold = engine_rebuild.build_like(kb, tmp_path / "never-built")
    reused, fresh = memos
    assert 0 < reused.computed < fresh.computed / 10  # type: ignore[attr-defined]
    assert changed.router.rank("新しい言い方の質問")[0].entry_id == cold.router.rank("新しい言い方の質問")[0].entry_id == "about"
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "cache").rglob("*")) == cached  # nothing written


def test_a_warm_load_keeps_the_templates_it_compiles_and_a_build_keeps_none(kb_copy: Path) -> None:
    kept = kb_copy.parent / "cache" / "templates"
    templating._compiled.cache_clear()  # as in a new process: nothing compiled yet
    engine = engine_cache.load_engine(kb_copy)  # a build renders every answer to check it
    assert not kept.exists() or not any(kept.iterdir())
    templating._compiled.cache_clear()
    engine = engine_cache.load_engine(kb_copy)
    answer = answer_query(engine, "自動更新を解約したい", date(2026, 11, 26))
    assert answer.intent == "cancel"
    assert any(kept.iterdir())
