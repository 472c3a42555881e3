"""Tests of faqbot.answers.build_cache: a rebuild after an edit reuses per-text results and equals a fresh build."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from faqbot.answers import build_cache, engine_cache, engine_rebuild
from faqbot.answers.answering import Engine
from faqbot.errors import KnowledgeBaseError
from faqbot.kb import SHIPPED_KB, entry_table, loader
from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.kb.parsed_files import ParsedFiles
from faqbot.routing.earlier_build import EarlierBuild
from faqbot.routing.segments import entries_key, entry_starts
from faqbot.text import heap
from faqbot.text.analysis import Analysis
from tests.conftest import make_small_kb

_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


@pytest.fixture()
def kb_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    return Path(shutil.copytree(SHIPPED_KB, tmp_path / "kb"))


@pytest.fixture()
def small_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small knowledge base (kb_min plus the ``about`` entry, two entries files) with a cache of its own.

    For the tests of what a rebuild reuses: which texts are analysed and which files parsed
    again depends on what was edited, not on how many entries there are, and this one builds
    in a fraction of a second where the shipped one takes several.
    """
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    return make_small_kb(tmp_path)


def _edit(kb: Path) -> None:
    path = kb / "faq" / "about.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("question: あんしん自動更新とは何ですか？", "question: 自動で契約が続く仕組みを知りたい", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def _memo_files(kb: Path) -> list[Path]:
    return list((kb.parent / "cache").glob("texts-*.pickle"))


def test_a_rebuild_after_an_edit_routes_like_a_fresh_build(kb_copy: Path) -> None:
    engine_cache.load_engine(kb_copy)  # leaves the per-text cache of the unedited KB
    _edit(kb_copy)
    incremental = engine_cache.load_engine(kb_copy)
    fresh = Engine.build(load_knowledge_base(kb_copy))
    queries = [json.loads(line)["q"] for line in _DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(queries) > 80
    assert incremental.router.lexical_weight == fresh.router.lexical_weight
    assert incremental.router.novelty.threshold == fresh.router.novelty.threshold
    for query in [*queries, "自動で契約が続く仕組みを知りたい"]:
        assert incremental.router.route(query) == fresh.router.route(query), query


def test_only_the_edited_texts_are_analysed_again(small_copy: Path) -> None:
    engine_cache.load_engine(small_copy)
    (path,) = _memo_files(small_copy)
    _edit(small_copy)
    memo = build_cache.load_memo(path)
    Engine.build(load_knowledge_base(small_copy), EarlierBuild(memo))
    # The new question: its analysis, reading, surface and normalised reading.
    # Everything else (and wordfreq's rarity table) came from the cache.
    assert memo.computed == 4
    assert memo.changed


def test_only_the_edited_file_is_parsed_again(small_copy: Path) -> None:
    engine_cache.load_engine(small_copy)
    (path,) = (small_copy.parent / "cache").glob("files-*")
    before = {p.name: p.stat().st_ino for p in path.glob("*.entries")}
    entries_files = [*(small_copy / "faq").glob("*.yaml"), *(small_copy / n for n in ("compute.yaml", "smalltalk.yaml"))]
    assert len(before) == sum(f.exists() for f in entries_files)  # one file per entries file
    _edit(small_copy)
    parsed = build_cache.load_parsed(path)
    incremental = load_knowledge_base(small_copy, parsed)
    assert parsed.parsed == 1 and len(parsed.fresh) == 1  # faq/about.yaml; every other entries file came from the cache
    assert incremental == load_knowledge_base(small_copy)
    again = build_cache.load_parsed(path)
    load_knowledge_base(small_copy, again)
    # The store was written before the edit: the edited file is new to it, the old version unused.
    assert again.parsed == 1 and not again.renders_changed  # a question edited: every answer rendered before
    build_cache.store_parsed(path, parsed)
    after = {p.name: p.stat().st_ino for p in path.glob("*.entries")}
    # Only the edited file's parse is written; the old one is gone, the others are the very files they were.
    assert after.keys() - before.keys() == {f"{key}.entries" for key in parsed.fresh} and len(after) == len(before)
    assert all(after[name] == before[name] for name in after.keys() & before.keys())
    third = build_cache.load_parsed(path)
    assert load_knowledge_base(small_copy, third) == incremental and third.parsed == 0 and not third.fresh


def test_a_file_with_problems_is_never_remembered(kb_copy: Path) -> None:
    path = kb_copy / "faq" / "about.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("question: ", "question_typo: ", 1), encoding="utf-8")
    parsed = ParsedFiles()
    with pytest.raises(KnowledgeBaseError):
        load_knowledge_base(kb_copy, parsed)
    # Every clean entries file: the other FAQ files, compute.yaml and smalltalk.yaml.
    assert parsed.parsed == len(list((kb_copy / "faq").glob("*.yaml"))) - 1 + 2
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_copy, parsed)
    assert any(p.path == "faq/about.yaml" and p.line > 0 for p in caught.value.problems)


def test_the_cache_keeps_exactly_the_texts_of_the_last_build(small_copy: Path) -> None:
    engine_cache.load_engine(small_copy)
    _edit(small_copy)
    engine_cache.load_engine(small_copy)
    (path,) = _memo_files(small_copy)
    memo = build_cache.load_memo(path)
    Engine.build(load_knowledge_base(small_copy), EarlierBuild(memo))
    assert memo.computed == 0
    # Nothing new, nothing gone: the file held exactly the edited KB's texts, no stale ones.
    assert not memo.changed


def test_an_unreadable_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "texts-x.pickle"
    path.write_bytes(b"not a pickle")
    memo = build_cache.load_memo(path)
    assert memo.analysis("k", "解約したい", str) == Analysis(("解約", "為る"), ("かいやく", "する"), ("解約",))
    assert memo.computed == 1


def test_a_broken_edit_still_reports_file_and_line(small_copy: Path) -> None:
    engine_cache.load_engine(small_copy)  # the per-text cache exists
    path = small_copy / "faq" / "about.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "question: あんしん自動更新とは何ですか？" in line)
    lines[number] = lines[number].replace("question:", "question: [", 1)  # an unclosed flow sequence
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        engine_cache.load_engine(small_copy)
    problems = [p for p in caught.value.problems if p.path.endswith("about.yaml")]
    assert problems, caught.value.problems
    assert all(p.line >= number + 1 for p in problems)


_MASK_WORDS = "import json; from faqbot.kb.loader import load_knowledge_base; from faqbot.routing.build_analyser import mask_words; print(json.dumps(mask_words(load_knowledge_base()), ensure_ascii=False))"


def test_the_masked_texts_are_keyed_alike_in_every_process() -> None:
    # The per-text cache files the masked texts under a hash of the product words in order;
    # an order that followed the process's string hashing missed the cache on every build.
    outputs = {
        subprocess.run(
            [sys.executable, "-c", _MASK_WORDS], env={**os.environ, "PYTHONHASHSEED": str(seed)},
            check=True, capture_output=True, text=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1
    assert len(json.loads(outputs.pop())) > 5


def test_an_answer_that_rendered_is_not_checked_again_in_the_same_context(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = loader.template_problem

    def counting(kb: KnowledgeBase, entry: Entry) -> str | None:
        checked.append(entry.id)
        return real(kb, entry)

    monkeypatch.setattr(loader, "template_problem", counting)
    parsed = ParsedFiles()
    first = load_knowledge_base(kb_copy, parsed)
    assert "about" in checked and parsed.renders
    checked.clear()
    seeded = ParsedFiles({}, frozenset(parsed.renders))
    assert load_knowledge_base(kb_copy, seeded) == first
    assert checked == [] and not seeded.renders ^ parsed.renders
    # Another product name is another context: every answer is checked again.
    products = kb_copy / "products.yaml"
    products.write_text(products.read_text(encoding="utf-8").replace("name: ウイルスバスター クラウド", "name: ウイルスバスター クラウド2", 1), encoding="utf-8")
    load_knowledge_base(kb_copy, ParsedFiles({}, frozenset(parsed.renders)))
    assert "about" in checked
    # A template broken since is checked and reported, whatever was remembered.
    about = kb_copy / "faq" / "about.yaml"
    about.write_text(about.read_text(encoding="utf-8").replace("{{ service.name }}とは", "{{ service.name( }}とは", 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_copy, ParsedFiles({}, frozenset(parsed.renders)))
    assert any("does not render" in p.message and p.path == "faq/about.yaml" for p in caught.value.problems)


def test_an_unchanged_file_that_rendered_is_skipped_only_in_the_same_context(
    small_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed: list[str] = []
    real_key = loader.render_key

    def counting(context: str, answer: str, answer_en: str | None, page_products: tuple[str, ...]) -> str:
        keyed.append(answer)
        return real_key(context, answer, answer_en, page_products)

    monkeypatch.setattr(loader, "render_key", counting)
    service, about = small_copy / "service.yaml", small_copy / "faq" / "about.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("support_url: null", "support_url: https://example.com/help", 1), encoding="utf-8")
    # An answer that renders only while the service has a support URL.
    about.write_text(about.read_text(encoding="utf-8").replace("{{ service.name }}とは", "{{ service.support_url.upper() }} {{ service.name }}とは", 1), encoding="utf-8")
    first = ParsedFiles()
    kb = load_knowledge_base(small_copy, first)
    assert first.file_renders and first.file_renders_changed and keyed

    def seeded() -> ParsedFiles:
        return ParsedFiles(dict(first.used), frozenset(first.renders), dict(first.file_renders))

    keyed.clear()
    build_cache.store_parsed(small_copy.parent / "files", first)
    again = build_cache.load_parsed(small_copy.parent / "files")
    assert load_knowledge_base(small_copy, again) == kb
    # Every file unchanged in the same context (as stored): no answer keyed, the same answers known to render.
    assert keyed == [] and again.renders == first.renders and not again.renders_changed and not again.file_renders_changed
    # The same file in another context (the support URL gone): checked again, and the answer reported.
    service.write_text(service.read_text(encoding="utf-8").replace("support_url: https://example.com/help", "support_url: null", 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(small_copy, seeded())
    assert [p.path for p in caught.value.problems if "does not render" in p.message] == ["faq/about.yaml"]


def test_entries_from_the_parsed_files_are_packed_from_the_bytes_kept(small_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ParsedFiles()
    kb = load_knowledge_base(small_copy, first)
    seeded = ParsedFiles(dict(first.used))
    again = load_knowledge_base(small_copy, seeded)
    assert again == kb
    kept = seeded.pickled(list(again.entries))
    assert kept is not None and len(kept) == len(kb.entries)
    dumped: list[object] = []
    real = entry_table.pickle.dumps
    monkeypatch.setattr(entry_table.pickle, "dumps", lambda obj, protocol=None: dumped.append(obj) or real(obj, protocol=protocol))
    table = again.entries.packed()
    assert dumped == []  # nothing pickled again
    assert list(table) == list(kb.entries)
    assert ParsedFiles().pickled(list(kb.entries)) is None  # entries it did not hand out


def test_a_files_entries_decode_from_its_one_pickle_as_from_their_own(small_copy: Path) -> None:
    first = ParsedFiles()
    kb = load_knowledge_base(small_copy, first)
    for key, file in first.used.items():
        decoded = ParsedFiles({key: file}).find(key)
        assert decoded is not None
        assert list(decoded) == [pickle.loads(data) for data in file.pickles()]
        assert set(decoded) <= set(kb.entries)


def test_the_parsed_files_are_read_mapped_and_stay_readable_once_given_back(small_copy: Path) -> None:
    engine_cache.load_engine(small_copy)
    (path,) = (small_copy.parent / "cache").glob("files-*")
    kb = load_knowledge_base(small_copy, build_cache.load_parsed(path))
    plain = load_knowledge_base(small_copy)
    assert kb == plain
    assert isinstance(kb.entries, entry_table.EntryList)
    pickles = kb.entries.pickles
    assert isinstance(pickles, entry_table.EntryPickles)
    # Views of the cache files mapped read-only: what release() may give back.
    assert all(isinstance(p, memoryview) and p.readonly for p in pickles)
    assert all(heap._mapped(array) is not None for _, array in pickles._arrays)
    bounds = [*entry_starts(plain), len(plain.entries)]
    runs = list(zip(bounds, bounds[1:], strict=False))
    keys = [entries_key(kb, a, b) for a, b in runs]
    kb.entries.release_pickles()
    assert keys == [entries_key(kb, a, b) for a, b in runs] == [entries_key(plain, a, b) for a, b in runs]
    table = kb.entries.packed()  # copied a file at a time, each file's pages given back
    assert table._blob.tobytes() == b"".join(plain.entries.pickles) and list(table) == list(plain.entries)
    assert list(kb.entries.packed()) == list(plain.entries)  # read again after the pages went: the same


@pytest.mark.parametrize("through_cache", [False, True])
def test_entries_packed_in_place_are_the_same_entries(small_copy: Path, tmp_path: Path, through_cache: bool) -> None:
    parsed = ParsedFiles()
    load_knowledge_base(small_copy, parsed)
    kb = load_knowledge_base(small_copy, ParsedFiles(dict(parsed.used)) if through_cache else None)
    before, english = list(kb.entries), list(kb.in_language("en").entries)
    expected = b"".join(kb.entries.pickles) if isinstance(kb.entries, entry_table.EntryList) else b""
    spill = tmp_path / "spill"
    spill.mkdir()
    kb.pack_entries(spill)  # what load_engine does before writing a freshly built engine
    table = kb.entries
    assert isinstance(table, entry_table.EntryTable)
    assert list(table) == before and list(kb.in_language("en").entries) == english
    assert all(kb.entry(entry.id) == entry for entry in before)
    assert table.packed() is table  # written as it is
    # The bytes are an unnamed file's in ``spill``, mapped read-only (their pages can be given back).
    assert table._blob.tobytes() == expected and heap._mapped(table._blob) is not None and not list(spill.iterdir())
    heap.release(table._blob)
    assert list(table) == before
    heap_table = entry_table.EntryList(before, None).packed()
    assert heap_table._blob.tobytes() == expected and list(heap_table) == before


def test_an_edit_built_with_its_indexes_spilled_equals_a_fresh_build(kb_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine an edit builds (not the one read back from the file): its entries packed and its
    merged indexes moved to files in the cache folder before the merges end, the same values as a fresh build's."""
    from faqbot.text.heap import _mapped

    engine_cache.load_engine(kb_copy)
    _edit(kb_copy)
    monkeypatch.setattr(engine_rebuild, "_store", lambda *args: (lambda: False, None))  # served as built
    built = engine_cache.load_engine(kb_copy)
    fresh = Engine.build(load_knowledge_base(kb_copy))
    assert isinstance(built.kb.entries, entry_table.EntryTable)
    assert list(built.kb.entries) == list(fresh.kb.entries)
    mine, theirs = built.router.char_channel, fresh.router.char_channel
    for name in ("_surface_index", "_entry_index", "_reading_index"):
        for field in ("_keys", "_idf", "_common", "_doc_mass", "_indptr", "_docs"):
            array, expected = getattr(getattr(mine, name), field), getattr(getattr(theirs, name), field)
            assert _mapped(array) is not None, (name, field)
            assert array.dtype == expected.dtype and np.array_equal(array, expected), (name, field)
    assert list(mine.texts) == list(theirs.texts) and list(mine._doc_surface) == list(theirs._doc_surface)
    for field in ("_questions", "_answers", "_pages"):
        for array_name in ("idf", "_weights", "_indptr", "_common", "_rows"):
            array = getattr(getattr(built.router._lexical, field), array_name)
            expected = getattr(getattr(fresh.router._lexical, field), array_name)
            assert _mapped(array) is not None and np.array_equal(array, expected), (field, array_name)
    queries = [json.loads(line)["q"] for line in _DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    for query in [*queries[:40], "自動で契約が続く仕組みを知りたい"]:
        assert built.router.route(query) == fresh.router.route(query), query
    assert not [p for p in (kb_copy.parent / "cache").iterdir() if p.name.startswith(".spill-")]
