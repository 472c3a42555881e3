"""The terminal chat's history file never keeps a card number typed by mistake."""

from __future__ import annotations

from pathlib import Path

from faqbot.terminal.chat import open_history


def test_the_history_file_masks_card_numbers(tmp_path: Path) -> None:
    path = tmp_path / "history"
    history = open_history(path)
    history.append_string("カードは ４１１１－１１１１－１１１１－１１１１ です")
    history.append_string("解約したい")
    text = path.read_text(encoding="utf-8")
    assert "１１１１" not in text and "1111" not in text
    assert "[カード番号]" in text and "解約したい" in text
