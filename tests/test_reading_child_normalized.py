"""The kana-reading child normalises the readings it makes; the memo hands them to the reading index."""

from __future__ import annotations

import time

import pytest

from faqbot.text import memo_pending
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


def test_a_child_started_before_its_texts_reads_them_when_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)  # every build reads in a child
    monkeypatch.setattr(memo_pending, "ISOLATE_FROM", 1)
    memo = TextMemo()
    memo.start_readings(["解約"]).result()
    seeded = TextMemo(memo.stored())
    seeded.warm_up()  # the last build read in a child: this one starts one at once
    warm = seeded.warm
    assert warm is not None
    pending = seeded.start_readings(["解約", "請求書を見たいです"])
    assert seeded.warm is None  # handed to the readings
    read = pending.result()
    assert read == ["かいやく", readings_module.reading("請求書を見たいです")]
    assert pending._pending.normalized == [normalize(read[1])]  # the child read (and normalised) the new text


def test_a_child_started_for_nothing_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readings_module, "ISOLATE_FROM", 1)
    warm = readings_module.WarmReadings()
    process = warm._process
    assert process is not None
    readings_module.PendingReadings([], warm=warm)  # no text to read: no child needed
    assert process.returncode is not None  # ended and reaped
    unused = readings_module.WarmReadings()
    unused.close()
    unused.close()  # twice is harmless
