"""Tests of faqbot.text.memo: per-text analyses and readings, computed once and seeded from an earlier build."""

from __future__ import annotations

import pytest

from faqbot.text import readings as readings_module
from faqbot.text.memo import TextMemo


def test_a_memo_remembers_what_it_computed() -> None:
    memo = TextMemo()
    first = memo.analysis("請求日はいつ")
    assert memo.analysis("請求日はいつ") is first
    assert memo.computed == 1
    assert memo.start_readings(["解約", "解約"]).result() == ["かいやく", "かいやく"]
    assert memo.computed == 2
    seeded = TextMemo(memo.stored_analyses(), memo.readings)
    assert seeded.start_readings(["解約"]).result() == ["かいやく"]
    assert seeded.analysis("請求日はいつ") == first
    assert seeded.computed == 0


def test_readings_from_a_child_process_are_remembered_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)  # force the child process
    seeded = TextMemo({}, {"解約": "かいやく"})
    pending = seeded.start_readings(["請求書", "解約", "更新料", "請求書"])
    assert pending.result() == ["せいきゅうしょ", "かいやく", "こうしんりょう", "せいきゅうしょ"]
    assert seeded.computed == 2  # 請求書 and 更新料; 解約 came from the earlier build
    assert seeded.readings == {"請求書": "せいきゅうしょ", "解約": "かいやく", "更新料": "こうしんりょう"}


def test_mapped_results_are_remembered_per_kind() -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = TextMemo()
    assert memo.mapped("upper", ["a", "b", "a"], shout) == ["A", "B", "A"]
    assert calls == ["a", "b"]
    seeded = TextMemo(tables=memo.tables)
    assert seeded.mapped("upper", ["b"], shout) == ["B"]
    assert calls == ["a", "b"]  # from the earlier build
    assert seeded.mapped("other", ["b"], shout) == ["B"]
    assert calls == ["a", "b", "b"]  # another kind (another context) computes afresh
    assert seeded.changed


def test_an_unchanged_build_leaves_the_memo_unchanged() -> None:
    memo = TextMemo(rarity={"解約": 1.0})
    memo.mapped("upper", ["a"], str.upper)
    seeded = TextMemo(tables=memo.tables, rarity=memo.rarity)
    seeded.mapped("upper", ["a"], str.upper)
    assert not seeded.changed
    fresh = TextMemo()
    fresh.rarity = {"解約": 1.0}
    assert fresh.changed  # the rarity table is new: worth writing
