"""The control phrases' squashed form, made once per message, is the form made afresh."""

from __future__ import annotations

from faqbot.dialogue import phrases

MESSAGES = ["はい", "はい。", " ハイ ", "英語でお願いします", "Ｈｅｌｌｏ,  World!", "もっと詳しく", "2番", "年額と月額の違いは？", ""]


def test_squash_once_per_message_equals_squash_afresh() -> None:
    for message in MESSAGES * 2:
        assert phrases._squash(message) == phrases._squash_text(message)
        assert phrases._squash(message) == phrases._squash_text(message)  # the second read: the remembered form
    for message in MESSAGES:
        assert phrases.is_yes(message) == (phrases._squash_text(message) in phrases._phrases().yes)
        assert phrases.language_asked(message) == phrases._phrases().language_asked.get(phrases._squash_text(message))
