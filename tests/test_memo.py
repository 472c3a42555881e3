"""Tests of faqbot.text.memo: per-text analyses and readings, computed once and seeded from an earlier build."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from faqbot.text import memo as memo_module
from faqbot.text import readings as readings_module
from faqbot.text.analysis import Analysis
from faqbot.text.memo import READING, TextMemo


def test_a_memo_remembers_what_it_computed() -> None:
    memo = TextMemo()
    first = memo.analysis("k", "請求日はいつ", str)
    assert memo.analysis("k", "請求日はいつ", str) is first
    assert memo.computed == 1
    assert memo.start_readings(["解約", "解約"]).result() == ["かいやく", "かいやく"]
    assert memo.computed == 2
    seeded = TextMemo(pickle.loads(pickle.dumps(memo.stored())))
    assert seeded.start_readings(["解約"]).result() == ["かいやく"]
    assert seeded.analysis("k", "請求日はいつ", str) == first
    assert seeded.computed == 0


def test_stored_analyses_read_back_equal_word_for_word() -> None:
    texts = ["請求日はいつ", "解約できませんか", "", "ポイントを使ってポイントを貯めたい", "hello world"]
    memo = TextMemo()
    computed = memo.analyses("k", texts, str)
    seeded = TextMemo(memo.stored())
    assert seeded.analyses("k", [*texts, "新しい文"], str)[: len(texts)] == computed
    assert seeded.computed == 1  # only the new text
    topics = TextMemo(memo.stored()).topic_terms("k", [*texts, "新しい文"], str)
    assert topics == [a.topic_terms for a in computed] + [seeded.analysis("k", "新しい文", str).topic_terms]


def test_the_vocabulary_of_stored_analyses_is_every_term_and_reading_they_hold() -> None:
    texts = ["請求日はいつ", "解約できませんか", "", "ポイントを使ってポイントを貯めたい", "hello world"]
    memo = TextMemo()
    memo.analyses("k", texts, str)
    seeded = TextMemo(memo.stored())
    terms, readings = seeded.vocabulary("k", [texts[1], texts[3], texts[2], "新しい文"], str)
    assert seeded.computed == 1  # only the new text is analysed; the others are not decoded
    assert "解約" in terms and "ポイント" in terms and "請求" not in terms
    fresh = [TextMemo().analysis("k", t, str) for t in (texts[1], texts[3], texts[2], "新しい文")]
    assert terms == {t for a in fresh for t in a.terms}
    assert readings == {r for a in fresh for r in a.readings}
    # Looked up, so the store keeps them (and the text it was not asked for goes).
    kept = TextMemo(seeded.stored())
    assert kept.analyses("k", [texts[1], texts[3]], str) == [fresh[0], fresh[1]] and kept.computed == 0
    assert TextMemo(seeded.stored()).analysis("k", texts[0], str) and kept.computed == 0


def test_a_packed_rarity_table_is_kept_with_the_memo() -> None:
    memo = TextMemo()
    memo.rarity = {"解約": 1.5, "する": 0.0}
    table = memo.rarity_table()
    assert memo.rarity_table() is table and dict(table) == memo.rarity
    seeded = TextMemo(pickle.loads(pickle.dumps(memo.stored())))
    assert dict(seeded.rarity_table()) == {"解約": 1.5, "する": 0.0}
    assert not seeded.changed
    # Stored packed only: the dict a refit reads is unpacked from it, the same items in the same order.
    assert list(seeded.rarity.items()) == [("解約", 1.5), ("する", 0.0)] and not seeded.changed


def test_a_term_both_topic_and_not_reads_back_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    crafted = {
        "a": Analysis(("有る", "有る", "カード", "有る"), ("ある", "ある", "かーど", "ある"), ("有る", "カード")),
        "b": Analysis(("x",), ("x",), ()),
        "c": Analysis((), (), ()),
    }
    monkeypatch.setattr(memo_module, "analyze", crafted.__getitem__)
    memo = TextMemo()
    assert memo.analyses("k", list(crafted), str) == list(crafted.values())
    monkeypatch.undo()
    seeded = TextMemo(memo.stored())
    assert seeded.analyses("k", list(crafted), str) == list(crafted.values())
    assert seeded.topic_terms("k", list(crafted), str) == [("有る", "カード"), (), ()]
    assert seeded.computed == 0


def test_analyses_are_remembered_per_kind() -> None:
    memo = TextMemo()
    memo.analyses("one", ["解約したい"], str)
    seeded = TextMemo(memo.stored())
    seeded.analyses("two", ["解約したい"], str)
    assert seeded.computed == 1  # another kind (another masking) analyses afresh


def test_readings_from_a_child_process_are_remembered_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)  # force the child process
    memo = TextMemo()
    memo.mapped(READING, ["解約"], lambda _: "かいやく")
    seeded = TextMemo(memo.stored())
    pending = seeded.start_readings(["請求書", "解約", "更新料", "請求書"])
    assert pending.result() == ["せいきゅうしょ", "かいやく", "こうしんりょう", "せいきゅうしょ"]
    assert seeded.computed == 2  # 請求書 and 更新料; 解約 came from the earlier build
    again = TextMemo(seeded.stored())
    assert again.start_readings(["更新料", "解約", "請求書"]).result() == ["こうしんりょう", "かいやく", "せいきゅうしょ"]
    assert again.computed == 0


def test_mapped_results_are_remembered_per_kind() -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = TextMemo()
    assert memo.mapped("upper", ["a", "b", "a"], shout) == ["A", "B", "A"]
    assert calls == ["a", "b"]
    seeded = TextMemo(memo.stored())
    assert seeded.mapped("upper", ["b"], shout) == ["B"]
    assert calls == ["a", "b"]  # from the earlier build
    assert seeded.mapped("other", ["b"], shout) == ["B"]
    assert calls == ["a", "b", "b"]  # another kind (another context) computes afresh
    assert seeded.changed


def test_the_store_keeps_exactly_what_the_build_used() -> None:
    memo = TextMemo()
    memo.mapped("upper", ["a", "b", "c"], str.upper)
    memo.analyses("k", ["解約", "更新"], str)
    second = TextMemo(memo.stored())
    assert second.mapped("upper", ["c", "a"], str.upper) == ["C", "A"]
    second.analyses("k", ["更新"], str)
    assert second.changed  # b and 解約 are gone
    third = TextMemo(second.stored())
    assert third.mapped("upper", ["a", "b", "c"], str.upper) == ["A", "B", "C"]
    third.analyses("k", ["解約", "更新"], str)
    assert third.computed == 2  # b and 解約 were not kept


def test_an_unchanged_build_leaves_the_memo_unchanged() -> None:
    memo = TextMemo()
    memo.rarity = {"解約": 1.0}
    memo.mapped("upper", ["a"], str.upper)
    memo.analyses("k", ["解約"], str)
    seeded = TextMemo(memo.stored())
    seeded.mapped("upper", ["a"], str.upper)
    seeded.analyses("k", ["解約"], str)
    assert not seeded.changed
    fresh = TextMemo()
    fresh.rarity = {"解約": 1.0}
    assert fresh.changed  # the rarity table is new: worth writing


def test_kept_results_stay_in_the_store_without_being_looked_up() -> None:
    memo = TextMemo()
    memo.mapped("surface", ["解約", "請求", "更新"], str.upper)
    seeded = TextMemo(memo.stored())
    seeded.mapped("surface", ["請求"], str.upper)
    seeded.keep("surface", seeded.digests(["更新"]))
    seeded.keep("never stored", seeded.digests(["更新"]))  # nothing to keep: no table made
    again = TextMemo(seeded.stored())
    assert again.mapped("surface", ["請求", "更新", "解約"], str.upper) == ["請求", "更新", "解約"]
    assert again.computed == 1  # 解約 was neither looked up nor kept, so it went


def test_digests_kept_from_an_earlier_build_are_not_computed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["解約", "請求", "解約"]
    keys = memo_module.digests(texts)
    fresh = TextMemo()
    fresh.known_digests(texts[:2], keys[:2])
    hashed: list[str] = []
    real = memo_module.digests

    def counting(batch: list[str]) -> np.ndarray:
        hashed.extend(batch)
        return real(batch)

    monkeypatch.setattr(memo_module, "digests", counting)
    assert np.array_equal(fresh.digests(["請求", "新しい", "解約"]), real(["請求", "新しい", "解約"]))
    assert hashed == ["新しい"]
