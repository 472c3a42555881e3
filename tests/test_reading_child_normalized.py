"""The kana-reading child normalises the readings it makes; the memo hands them to the reading index."""

from __future__ import annotations

import time

import pytest

from faqbot.text import readings as readings_module
from faqbot.text.memo import NORMALIZED, TextMemo
from faqbot.text.normalize import normalize


def test_readings_normalised_by_the_child_are_found_by_the_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)  # force the child process
    memo = TextMemo()
    read = memo.start_readings(["請求書を見たいです", "カードの変更", "請求書を見たいです"]).result()
    assert read == readings_module.readings(["請求書を見たいです", "カードの変更", "請求書を見たいです"])

    def never(text: str) -> str:
        raise AssertionError(f"normalised again: {text}")

    assert memo.mapped(NORMALIZED, read, never) == [normalize(r) for r in read]
    again = TextMemo(memo.stored())
    assert again.mapped(NORMALIZED, read, never) == [normalize(r) for r in read]
    assert again.computed == 0


def test_readings_made_here_are_normalised_when_asked() -> None:
    memo = TextMemo()
    read = memo.start_readings(["請求書"]).result()  # few texts: read in this process
    assert memo.mapped(NORMALIZED, read, normalize) == [normalize(read[0])]
    assert memo.computed == 2  # one reading, one normalised reading


def test_the_reading_child_says_when_its_readings_are_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    assert readings_module.PendingReadings(["請求書"]).ready()  # read here, when asked
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)  # force the child process
    pending = readings_module.PendingReadings(["請求書", "解約"])
    deadline = time.monotonic() + 60
    while not pending.ready():
        assert time.monotonic() < deadline, "the child never got ready"
        time.sleep(0.01)
    assert pending.result() == ["せいきゅうしょ", "かいやく"]
