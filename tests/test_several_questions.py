"""A message asking two things: the entries its other questions answer."""

from __future__ import annotations

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.several_questions import other_questions


@pytest.mark.parametrize(
    ("message", "answered", "others"),
    [
        ("更新料はいくらですか？あと、いつ引き落とされますか？", "billing-timing", ("fee-and-period",)),
        ("自動更新を解約したいです。ついでにメールアドレスも変えたい", "cancel-howto", ("change-email",)),
        ("解約したいです", "cancel-howto", ()),  # one sentence
        ("こんにちは。解約したいです", "cancel-howto", ()),  # a greeting is no second question
        ("家計簿アプリを使っています。解約したいです", "cancel-howto", ()),  # context, then one question
        ("解約したいです。解約の方法を教えて", "cancel-howto", ()),  # the same question twice
    ],
)
def test_other_questions(engine: Engine, message: str, answered: str, others: tuple[str, ...]) -> None:
    assert other_questions(engine, message, answered) == others
