"""Tests of faqbot.routing.segments and answers.segment_files: indexes merged from segments equal whole ones."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from faqbot.answers import build_cache, engine_cache
from faqbot.answers.answering import Engine
from faqbot.answers.segment_files import segment_store
from faqbot.kb import entry_table
from faqbot.kb.entry_table import EntryList
from faqbot.kb.loader import load_knowledge_base
from faqbot.kb.parsed_files import ParsedFiles
from faqbot.routing.char_channel import CharChannel, char_plan, stored_texts
from faqbot.routing.earlier_build import EarlierBuild
from faqbot.routing.lexical import FieldIndex, LexicalIndex, Vocabulary
from faqbot.routing.ngram_extract import Segment, key_strings, segment
from faqbot.routing.ngram_index import NgramIndex, ngrams
from faqbot.routing.segments import MAX_SEGMENT_ENTRIES, SegmentStore, entries_key, entry_starts
from faqbot.text.memo import TextMemo
from faqbot.text.normalize import normalize
from faqbot.text.packed import PackedStrings, StringIndex
from faqbot.text.readings import readings_isolated
from tests.conftest import make_small_kb

DOCS = ["解約したい", "請求日はいつ", "くれじつとかどを変更したい", "解約の方法", "", "x", "\x00x", "解約したい"]
QUERIES = ["解約", "請求日を変更", "くれじっと", "x", "\x00x", "まったく別の話"]


@pytest.mark.parametrize("cuts", [[], [1], [3, 4], [1, 2, 3, 4, 5, 6, 7]])
def test_any_cut_into_segments_gives_the_whole_index(cuts: list[int]) -> None:
    whole = NgramIndex(DOCS)
    bounds = [0, *cuts, len(DOCS)]
    merged = NgramIndex.from_segments([segment(DOCS[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)])
    assert np.array_equal(merged.doc_mass(np.arange(len(DOCS))), whole.doc_mass(np.arange(len(DOCS))))
    for query in QUERIES:
        got, want = merged.shared_mass(query), whole.shared_mass(query)
        assert got[1] == want[1]
        assert np.array_equal(got[0], want[0]), query


def test_merged_masses_follow_the_idf_formula() -> None:
    # The reference is computed here, document by document from ngrams(): idf = ln((N + 1) / (df + 1)) + 1.
    docs = ["解約したい", "解約の方法", "請求"]
    merged = NgramIndex.from_segments([segment(docs[:1]), segment(docs[1:])])
    df: dict[str, int] = {}
    for doc in docs:
        for gram in ngrams(doc):
            df[gram] = df.get(gram, 0) + 1
    for i, doc in enumerate(docs):
        expected = sum(math.log(4 / (df[g] + 1)) + 1 for g in ngrams(doc))
        assert merged.doc_mass(np.array([i]))[0] == pytest.approx(expected, rel=1e-6)


def test_keys_decode_to_their_grams() -> None:
    part = segment(["請求書", "\x00x", "x\x00", "😀😀a", "\ud800x"])
    assert sorted(key_strings(part.vocab)) == sorted(
        ["請求", "求書", "請求書", "請", "求", "書", "\x00x", "x\x00", "😀😀", "😀a", "😀😀a", "\ud800x"]
    )


def test_entries_are_cut_at_each_file_and_every_max_entries() -> None:
    kb = load_knowledge_base()
    starts = entry_starts(kb)
    sources = [e.source for e in kb.entries]
    assert starts[0] == 0
    for pos in range(1, len(sources)):
        assert (pos in starts) == (sources[pos] != sources[pos - 1])  # the shipped files are small
    assert MAX_SEGMENT_ENTRIES == 256


def test_a_channel_from_segments_scores_as_a_whole_one() -> None:
    kb = load_knowledge_base()
    whole, merged = CharChannel(kb), CharChannel(kb, segments=SegmentStore())
    for entry in kb.entries[:20]:
        for query in (entry.question, normalize(entry.question)[:4], "けいやく いつまで"):
            a, b = whole.scores(query), merged.scores(query)
            assert np.array_equal(a.owners, b.owners) and np.array_equal(a.scores, b.scores), query


def test_a_rebuild_after_an_edit_extracts_only_the_edited_files_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    # Two entries files are enough to show that only the edited one's segments are extracted again.
    kb_dir = make_small_kb(tmp_path)
    engine_cache.load_engine(kb_dir)
    (folder,) = (tmp_path / "cache").glob("segments-*")
    before = {p.name for p in folder.iterdir()}
    path = kb_dir / "faq" / "about.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("question: あんしん自動更新とは何ですか？", "question: 自動で続く契約とは", 1), encoding="utf-8")
    store = segment_store(folder)
    memo = build_cache.load_memo(next((tmp_path / "cache").glob("texts-*.pickle")))
    edited = load_knowledge_base(kb_dir)
    engine = Engine.build(edited, EarlierBuild(memo, store))
    # The edited file's run alone, for the character channel and for the analyses.
    assert len(store.extracted) == 2
    # Built from the other runs as found, the channel, the lexical index and the veto's words
    # are the ones a build from nothing makes.
    fresh = Engine.build(edited).router
    _assert_same(engine.router.char_channel, CharChannel(edited))
    _assert_same(engine.router._lexical, fresh._lexical, "lexical")
    # Built before the channel (after an edit), the lexical index owns each question by the
    # entry the character channel numbers it by.
    for router in (engine.router, fresh):
        _assert_same(router._lexical._owner_of, router._char.doc_owner[: router._real_questions], "owners")
    assert engine.router.novelty.known_terms == fresh.novelty.known_terms
    assert engine.router.novelty.known_readings == fresh.novelty.known_readings
    # Every text's reading is still in the per-text cache, though only the edited run's were looked up.
    kept = TextMemo(memo.stored())
    assert kept.start_readings(stored_texts(edited)).result() and kept.computed == 0
    assert {f"{key}.segment" for key in store.used} - before == {f"{key}.segment" for key in store.extracted}
    engine_cache.load_engine(kb_dir)
    assert {p.name for p in folder.iterdir()} == {f"{key}.segment" for key in store.used}  # the old ones are gone


def _assert_same(got: object, want: object, where: str = "channel") -> None:
    """Equal attribute by attribute: arrays element for element (and dtype), packed strings string for string."""
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype and np.array_equal(got, want), where
    elif isinstance(want, PackedStrings):
        assert isinstance(got, PackedStrings) and list(got) == list(want), where
    elif isinstance(want, (NgramIndex, StringIndex, LexicalIndex, FieldIndex, Vocabulary)):
        assert type(got) is type(want) and set(vars(got)) == set(vars(want)), where
        for name, value in vars(want).items():
            _assert_same(vars(got)[name], value, f"{where}.{name}")
    elif isinstance(want, CharChannel):
        for name in ("_doc_text", "_doc_surface", "_doc_owner", "_short_doc", "_surface_index", "_entry_index",
                     "_reading_index", "compute"):
            _assert_same(getattr(got, name), getattr(want, name), f"{where}.{name}")
    else:
        assert got == want, where


def test_a_channel_with_every_run_found_is_the_channel_built_from_nothing() -> None:
    kb = load_knowledge_base()
    store, memo = SegmentStore(), TextMemo()
    CharChannel(kb, memo=memo, segments=store)
    again = TextMemo(memo.stored())
    found = SegmentStore(store.extracted.get)
    channel = CharChannel(kb, memo=again, segments=found)
    _assert_same(channel, CharChannel(kb))
    assert list(channel.texts) == stored_texts(kb)  # packed with their runs, found in order
    assert not found.extracted and again.computed == 0 and not again.changed  # nothing computed, every text kept


def test_a_run_is_keyed_by_its_entries_whether_or_not_they_came_from_the_parsed_files_cache(tmp_path: Path) -> None:
    # The runs are found by their entries' pickles: a load through the parsed-files cache (an
    # unchanged file's bytes as stored) and a plain load must key every run alike, and an edit of
    # an entry's answer alone (no question changed) must change its run's key and no other's.
    kb_dir = make_small_kb(tmp_path)
    parsed = ParsedFiles()
    load_knowledge_base(kb_dir, parsed)
    cached = load_knowledge_base(kb_dir, ParsedFiles(parsed.used, frozenset(parsed.renders)))
    plain = load_knowledge_base(kb_dir)
    assert isinstance(cached.entries, EntryList) and cached.entries._pickled is not None
    bounds = [*entry_starts(plain), len(plain.entries)]
    runs = list(zip(bounds, bounds[1:], strict=False))
    assert len(runs) == 2
    keys = [entries_key(plain, a, b) for a, b in runs]
    assert keys == [entries_key(cached, a, b) for a, b in runs]
    path = kb_dir / "faq" / "about.yaml"
    text = path.read_text(encoding="utf-8")
    about = next(e for e in plain.entries if e.source.endswith("about.yaml"))
    path.write_text(text.replace(about.answer.splitlines()[0], about.answer.splitlines()[0] + "（改）", 1), encoding="utf-8")
    edited = load_knowledge_base(kb_dir)
    assert [e.questions for e in edited.entries] == [e.questions for e in plain.entries]
    changed = [entries_key(edited, a, b) != key for (a, b), key in zip(runs, keys, strict=True)]
    assert changed == [plain.entries[a].source.endswith("about.yaml") for a, _ in runs]


def test_the_indexes_needing_no_reading_are_merged_before_the_readings_are_asked_for() -> None:
    # After an edit the reading child is still loading its dictionary when the build needs its
    # readings: the surface and entry indexes are merged first, from every run's segments in order.
    kb = load_knowledge_base()
    plan = char_plan(kb)
    order: list[str] = []
    merged: list[tuple[list[Segment], list[Segment]]] = []

    def meanwhile(texts: list[Segment], entries: list[Segment]) -> None:
        order.append("merge")
        merged.append((texts, entries))

    def readings() -> list[str]:
        order.append("readings")
        return readings_isolated(plan.missing)

    runs = plan.runs(TextMemo(), CharChannel(kb).surface, readings, meanwhile)
    assert order == ["merge", "readings"]
    ((texts, entries),) = merged
    assert [id(s) for s in texts] == [id(run.texts) for run in runs]
    assert [id(s) for s in entries] == [id(run.entries) for run in runs]


def test_a_runs_key_is_hashed_once_per_entry_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = load_knowledge_base(make_small_kb(tmp_path))
    hashed: list[int] = []
    real = entry_table.hashlib.sha256
    monkeypatch.setattr(entry_table.hashlib, "sha256", lambda data=b"": hashed.append(1) or real(data))
    first = entries_key(kb, 0, 2)
    assert entries_key(kb, 0, 2) == first and len(hashed) == 1  # the analyses' runs ask again: kept
    assert EntryList(list(kb.entries)[:2]).run_key(0, 2) == first  # the same pickles, the same key
