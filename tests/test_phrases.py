"""Tests of faqbot.dialogue.phrases: which messages ask something, and rows of the shipped phrase table."""

from __future__ import annotations

from collections.abc import Callable

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


# The shipped table (faqbot/dialogue/data/phrases.yaml): the rows YAML would read as booleans
# unquoted ("yes", "no", "y", "n") and English rows with spaces, as customers type them.
@pytest.mark.parametrize(
    ("question", "message", "expected"),
    [
        (phrases.is_yes, "Yes", True),
        (phrases.is_yes, "y", True),
        (phrases.is_no, "No.", True),
        (phrases.is_no, "n", True),
        (phrases.is_cancel, "Never mind", True),
        (phrases.is_cancel, "やめます", True),
        (phrases.is_cancel, "never mind the renewal", False),
    ],
)
def test_shipped_rows(question: Callable[[str], bool], message: str, expected: bool) -> None:
    assert question(message) is expected


def test_a_row_that_is_not_a_string_is_refused() -> None:
    # An unquoted `- no` reads as False: refused by name, not compared as the string "False".
    with pytest.raises(ValueError, match="quote"):
        phrases._strings(["いいえ", False], "no")


@pytest.mark.parametrize(
    ("message", "expected"),
    [("なるほど", True), ("なるほど。", True), (" Got it! ", True), ("got  it", True), ("なるほど、じゃあ解約は？", False), ("", False)],
)
def test_a_whole_message_is_compared_as_the_control_phrases_are(message: str, expected: bool) -> None:
    # A knowledge base's whole messages (a small-talk entry's acknowledgements): NFKC, case, spaces and
    # trailing punctuation do not count; anything more in the message does.
    assert phrases.is_one_of(message, ("なるほど", "got it")) is expected
