"""Tests of faqbot.routing.analysis_runs: what the lexical channel's fields read."""

from __future__ import annotations

import re

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.kb.knowledge import Entry, Note
from faqbot.routing.analysis_runs import answer_field

_TAG = re.compile(r"{[{%].*?[}%]}")


def test_the_answer_field_reads_the_remarks_and_the_english_too() -> None:
    entry = Entry(
        "e", "faq", "other", "カードは？", (), "備考です。{{ service.name }}",
        question_en="Cards?", answer_en="Notes below.",
        notes=(Note("保持しません。", "We do not keep it."), Note("委託します。")),
    )
    assert answer_field(entry, _TAG) == "備考です。 \n保持しません。\n委託します。\nCards?\nNotes below.\nWe do not keep it."


def test_an_entry_without_remarks_or_english_reads_its_answer_alone() -> None:
    entry = Entry("e", "faq", "other", "カードは？", (), "答えです。")
    assert answer_field(entry, _TAG) == "答えです。"


@pytest.mark.parametrize("message", ["委託", "entrusted"])
def test_a_word_only_a_remark_says_finds_its_entry(engine: Engine, message: str) -> None:
    # 「…SBペイメントサービス株式会社に委託しております」 / "… is entrusted to SB Payment Service Corp.":
    # the card-handling entry's remark and its translation, in no question or answer of any entry.
    router = engine.router
    found = router.candidates(message, both_channels=True)
    best = int(found.owners[int(np.argmax(found.lexical))])
    assert float(found.lexical.max()) > 0
    assert router.kb.ids[best] == "card-handling"
