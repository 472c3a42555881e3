"""Tests of faqbot.dialogue.scoring: playing labelled conversations and scoring their turns."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue import scoring
from faqbot.errors import InputError

TODAY = date(2026, 11, 26)


def _write(path: Path, conversations: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in conversations) + "\n", encoding="utf-8")
    return path


def test_a_conversation_is_played_turn_by_turn_with_its_state(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.jsonl", [
        {"id": "a", "turns": [
            {"say": "更新料はいくらですか", "intent": "fee-and-period", "product": None},
            {"say": "Macだと？", "intent": "fee-and-period", "product": "mac"},  # a follow-up: needs the state
        ]},
        {"id": "b", "turns": [
            {"say": "解約したい", "intent": "cancel-howto", "product": None},
            {"say": "今日の天気は？", "intent": "cancel-howto", "product": None},  # labelled wrong on purpose
        ]},
    ])
    assert scoring.is_conversation_file(path)
    results = scoring.play(engine, scoring.load_conversations(path), TODAY)
    assert [(r.conversation, r.index, r.intent, r.product) for r in results] == [
        ("a", 0, "fee-and-period", None),
        ("a", 1, "fee-and-period", "mac"),
        ("b", 0, "cancel-howto", None),
        ("b", 1, "fallback", None),
    ]
    report = scoring.score(results)
    assert (report.conversations, report.turns, report.all_right) == (2, 4, 1)
    assert report.intent_accuracy == 0.75
    assert report.product_accuracy == 1.0
    assert report.confusions == (("cancel-howto", "fallback", 1),)
    assert [(e.conversation, e.index) for e in report.errors] == [("b", 1)]


@pytest.mark.parametrize(
    ("message", "extracted", "replied"),
    [
        ("クラウドの月額で使ってます。次の請求日は？", None, "virusbuster-cloud"),  # named in part: the reply reads it
        ("Macで使っています。解約したい", "mac", "mac"),  # named outright: both
        ("プレミアムの解約方法", None, None),  # two products end so: the reply asks, none is held
    ],
)
def test_a_first_turn_holds_the_product_the_reply_is_about(engine: Engine, message: str, extracted: str | None, replied: str | None) -> None:
    assert engine.extractor.extract(message, TODAY).product == extracted
    assert scoring.first_turn_product(engine, TODAY, message) == replied


def test_a_query_file_is_no_conversation_file(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"q": "解約したい", "intent": "cancel-howto", "product": null}\n', encoding="utf-8")
    assert not scoring.is_conversation_file(path)
    assert not scoring.is_conversation_file(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("line", ['{"turns": [{"say": "x"}]}', '{"turns": 3}', "not json"])
def test_a_bad_line_is_named(tmp_path: Path, line: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "turns": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not a labelled conversation"):
        scoring.load_conversations(path)


def test_faqbot_ask_does_not_load_the_dialogue() -> None:
    # The eval command plays conversations through the dialogue; `faqbot ask` (the same CLI module)
    # must not pay for importing it (~0.1 s, a third of its start-up budget).
    probe = "import sys, faqbot.cli.ask_command; print('faqbot.dialogue.manager' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
