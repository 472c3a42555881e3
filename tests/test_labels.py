"""faqbot.quality.labels and `faqbot eval`: a typo'd label or an empty file is an input error, not a lower figure."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.cli import main
from faqbot.errors import InputError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.quality.labels import Label, check_labels

TODAY = ["--today", "2026-11-26"]


def test_known_labels_pass(shipped_kb: KnowledgeBase) -> None:
    labels = [Label("f:1", "cancel-howto", "mobile"), Label("f:2", "fallback", None), Label("f:3", "greeting", None)]
    check_labels(shipped_kb, labels, Path("f"), "labelled queries")  # raises nothing


@pytest.mark.parametrize(
    ("label", "said"),
    [
        (Label("f:7", "cancel-hwto", None), "f:7: unknown intent 'cancel-hwto' (did you mean 'cancel-howto'?)"),
        (Label("f:8", "cancel-howto", "mobil"), "f:8: unknown product 'mobil' (did you mean 'mobile'?)"),
        (Label("f:9", "zzz", None), "f:9: unknown intent 'zzz'; label with"),
        (Label("f:4", "cancel-howto", None, ("cancel-howto", "uninstal-not-cancel")),
         "f:4: unknown entry 'uninstal-not-cancel' in \"relevance\" (did you mean 'uninstall-not-cancel'?)"),
    ],
)
def test_an_unknown_label_names_its_place_and_the_closest_id(shipped_kb: KnowledgeBase, label: Label, said: str) -> None:
    with pytest.raises(InputError) as raised:
        check_labels(shipped_kb, [Label("f:1", "cancel-howto", None), label], Path("f"), "labelled queries")
    assert str(raised.value).startswith(said), str(raised.value)


def test_no_labels_is_an_error(shipped_kb: KnowledgeBase) -> None:
    with pytest.raises(InputError, match="f holds no labelled conversations"):
        check_labels(shipped_kb, [], Path("f"), "labelled conversations")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"q": "解約したい", "intent": "cancel-howto"}\n{"q": "x", "intent": "cancel-hwto"}\n', ":2: unknown intent 'cancel-hwto'"),
        ('{"id": "c1", "turns": [{"say": "解約", "intent": "cancel-howto", "product": "mobil"}]}\n',
         ": conversation c1, turn 1: unknown product 'mobil'"),
        ("\n", " holds no labelled queries"),
    ],
)
def test_eval_refuses_a_file_with_bad_labels(tmp_path: Path, content: str, said: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path), *TODAY])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}{said}"), result.stderr


def test_eval_refuses_a_min_accuracy_outside_0_to_1(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"q": "解約したい", "intent": "cancel-howto"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path), "--min-accuracy", "2", *TODAY])
    assert result.exit_code == 2 and "2.0 is not in the range 0.0<=x<=1.0" in result.stderr, result.stderr


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "eval").glob("*.jsonl")), ids=lambda p: p.name)
def test_every_evaluation_file_of_the_repository_has_known_labels(path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(path), "--json", *TODAY])
    assert result.exit_code == 0, result.stderr
