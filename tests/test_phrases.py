"""Tests of faqbot.dialogue.phrases: which messages ask something."""

from __future__ import annotations

import pytest

from faqbot.dialogue import phrases


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("更新料っていくらですか", True),  # a question ending
        ("解約できる？", True),
        ("解約したいです", True),  # a wish
        ("解約の方法を教えてほしいです", True),
        ("カードの変更をお願いします", True),  # a request
        ("Macで使ってます", False),  # a fact
        ("請求が来ました", False),
        ("先月パソコンを買い替えました。", False),
        ("よろしくお願いします", True),  # ends like a request: never read as a bare fact
    ],
)
def test_asks(message: str, asks: bool) -> None:
    assert phrases.asks(message) is asks
