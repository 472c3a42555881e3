"""The readings of text segments are remembered, so that an edit's new texts are read without pykakasi."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.text import memo_pending
from faqbot.text import readings as readings_module
from faqbot.text.memo import READING_SEGMENT, TextMemo
from faqbot.text.readings import plain, reading, readings, segments_of

KNOWN = ["請求書を見たいです", "カードの変更"]
# Every segment of these is one of KNOWN's, or printable ASCII.
NEW = ["ABC 見たいです", "変更 (2)", "請求書を見たいです!"]


def _no_pykakasi(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("pykakasi was loaded")

    monkeypatch.setattr(readings_module, "_converter", refuse)


def test_printable_ascii_reads_as_itself() -> None:
    for code in range(0x20, 0x7F):
        assert plain(chr(code))
        assert reading(chr(code)) == chr(code)
    assert reading("iPhone 15 Pro (2024), 5G!") == "iPhone 15 Pro (2024), 5G!"
    assert not plain("\t") and not plain("請求") and not plain("ABCの")
    assert reading("\t") == ""  # why a control character is not plain: pykakasi drops it


def test_a_text_reads_as_its_segments_joined() -> None:
    for text in [*KNOWN, *NEW, "", "更新の案内は何か月前に来ますか"]:
        assert "".join(reading(part) for part in segments_of(text)) == readings([text])[0]


@pytest.mark.parametrize("in_a_child", [False, True])
def test_new_texts_of_known_segments_are_read_without_pykakasi(monkeypatch: pytest.MonkeyPatch, in_a_child: bool) -> None:
    expected = readings([*KNOWN, *NEW])
    if in_a_child:  # the first build reads in a child, which hands the segments' readings back
        monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)
        monkeypatch.setattr(memo_pending, "ISOLATE_FROM", 1)
    memo = TextMemo()
    memo.start_readings(KNOWN).result()
    stored = memo.stored()
    assert len(stored.tables[READING_SEGMENT].keys) == 4  # 請求書を, 見たいです, カードの, 変更
    seeded = TextMemo(stored)
    seeded.warm_up()  # started when the last build read in a child: ended unused
    _no_pykakasi(monkeypatch)
    pending = seeded.start_readings([*KNOWN, *NEW])
    assert pending._pending._child is None
    assert pending.result() == expected
    assert seeded.computed == len(NEW)  # new readings: the memo has changed


def test_a_text_with_an_unknown_segment_is_read_whole() -> None:
    memo = TextMemo()
    memo.start_readings(KNOWN).result()
    seeded = TextMemo(memo.stored())
    pending = seeded.start_readings(["カードの解約", "ABC 変更"])
    assert pending._missing == ["カードの解約"]  # 解約 is no segment read before
    assert pending.result() == readings(["カードの解約", "ABC 変更"])
    again = TextMemo(seeded.stored())
    assert again.known(READING_SEGMENT, ["解約", "カードの", "ABC "]) == [reading("解約"), reading("カードの"), None]


def test_every_segment_is_kept_by_a_build_that_looks_none_up() -> None:
    memo = TextMemo()
    memo.start_readings(KNOWN).result()
    seeded = TextMemo(memo.stored())
    seeded.start_readings(KNOWN).result()  # remembered texts: no segment looked up
    assert not seeded.changed
    kept = seeded.stored().tables[READING_SEGMENT]
    assert sorted(kept.values.take(np.arange(len(kept.keys)))) == sorted(
        reading(part) for text in KNOWN for part in segments_of(text)
    )


def test_a_build_with_no_segments_read_before_cuts_no_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> list[str]:
        raise AssertionError(f"cut: {text}")

    monkeypatch.setattr(memo_pending, "segments_of", refuse)
    assert TextMemo().start_readings(KNOWN).result() == readings(KNOWN)
