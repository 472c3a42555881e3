"""Tests of faqbot.text.parallel: analyses shared with a child process equal this process's own."""

from __future__ import annotations

import sys
import time

import pytest

from faqbot.kb.loader import load_knowledge_base
from faqbot.routing.build_analyser import mask_words
from faqbot.text import memo_pending, parallel
from faqbot.text.analysis import Analysis, analyze, masked, word_mask
from faqbot.text.memo import TextMemo


@pytest.fixture(scope="module")
def shipped() -> tuple[list[str], list[str]]:
    """The shipped knowledge base's questions and answers, and the product words the router masks."""
    kb = load_knowledge_base()
    texts = [q for e in kb.entries for q in e.questions] + [e.answer for e in kb.entries]
    return texts, mask_words(kb)


def _here(texts: list[str], words: list[str]) -> list[Analysis]:
    pattern = word_mask(words)
    return [analyze(masked(text, pattern)) for text in texts]


def test_parallel_analyses_equal_this_process_analyses(shipped: tuple[list[str], list[str]]) -> None:
    texts, words = shipped
    assert len(texts) > 200
    found = parallel.PendingAnalyses(texts, words, parallel_from=1, chunk=16).result()
    assert found == _here(texts, words)
    # Product names are masked exactly as the router masks them.
    assert any("ウイルスバスター" in t for t in texts)
    assert all("ウイルスバスター" not in term for a in found for term in a.terms)


def test_the_child_analyses_every_chunk_as_this_process_would(shipped: tuple[list[str], list[str]]) -> None:
    texts, words = shipped
    chunks: list[list[Analysis] | None] = [None] * -(-len(texts) // 32)
    with parallel.Child(texts, words, 32) as child:
        deadline = time.monotonic() + 60
        while child.received(chunks) < len(chunks):
            assert time.monotonic() < deadline, "the child did not finish"
            time.sleep(0.01)
    assert [a for chunk in chunks if chunk is not None for a in chunk] == _here(texts, words)


def test_the_child_stops_before_the_chunks_this_process_took(shipped: tuple[list[str], list[str]]) -> None:
    texts, words = shipped
    chunks: list[list[Analysis] | None] = [None] * -(-len(texts) // 32)
    with parallel.Child(texts, words, 32) as child:
        child.stop_before(2)
        deadline = time.monotonic() + 60
        while child.received(chunks) < 2:
            assert time.monotonic() < deadline, "the child did not finish"
            time.sleep(0.01)
        time.sleep(0.5)  # time to go on, were it going to
        assert child.received(chunks) <= 3  # the chunk it may have started before it read the message
    assert chunks[0] == _here(texts[:32], words)


def test_without_a_child_every_chunk_is_analysed_here(
    shipped: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts, words = shipped
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert parallel.PendingAnalyses(texts, words, parallel_from=1, chunk=16).result() == _here(texts, words)


def test_few_texts_are_analysed_here_without_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*args: object) -> None:
        raise AssertionError("a child was started")

    monkeypatch.setattr(parallel.Child, "__init__", no_child)
    assert parallel.PendingAnalyses(["解約したい"], []).result() == [analyze("解約したい")]


def test_a_memo_starts_only_the_unknown_texts_once(
    shipped: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts, words = shipped
    pattern = word_mask(words)
    monkeypatch.setattr(memo_pending, "PARALLEL_FROM", 1)
    started: list[list[str]] = []
    real = parallel.PendingAnalyses.__init__

    def spy(self: parallel.PendingAnalyses, texts: list[str], *args: object) -> None:
        started.append(list(texts))
        real(self, texts, words, 1, 16)

    monkeypatch.setattr(parallel.PendingAnalyses, "__init__", spy)
    earlier = TextMemo()
    earlier.analyses("k", texts[:50], lambda t: masked(t, pattern))
    memo = TextMemo(earlier.stored())
    memo.start_analyses("k", [*texts, *texts[:5]], words).finish()
    assert started == [[t for t in dict.fromkeys(texts[50:]) if t not in texts[:50]]]
    assert memo.computed == len(started[0])
    assert memo.analyses("k", texts, lambda t: masked(t, pattern)) == _here(texts, words)
    assert memo.computed == len(started[0])  # nothing analysed again


def test_work_done_while_waiting_is_part_of_the_result(shipped: tuple[list[str], list[str]]) -> None:
    texts, words = shipped
    pending = parallel.PendingAnalyses(texts, words, parallel_from=1, chunk=16)
    calls = iter(range(3))
    pending.work_while(lambda: next(calls, None) is not None)  # three chunks at most, from the back
    assert pending.result() == _here(texts, words)


def test_an_edit_analyses_its_few_new_texts_when_asked(
    shipped: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts, words = shipped
    pattern = word_mask(words)
    earlier = TextMemo()
    earlier.analyses("k", texts[1:], lambda t: masked(t, pattern))
    memo = TextMemo(earlier.stored())

    def no_child(*args: object) -> None:
        raise AssertionError("a child was started")

    monkeypatch.setattr(parallel.Child, "__init__", no_child)
    memo.start_analyses("k", texts, words).finish()
    assert memo.computed == 0  # nothing looked up or analysed yet
    assert memo.analyses("k", texts, lambda t: masked(t, pattern)) == _here(texts, words)
    assert memo.computed == (texts[0] not in texts[1:])
