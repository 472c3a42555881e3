"""Why an alternate routes to another entry: the closest question, the words they share, what to do.

The expected words are written by hand from the texts (a user trial's 「おはようございます」 went
to thanks through 「ございます」), never taken from the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot.errors import Problem
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.lint import alternate_problems
from faqbot.quality.misroute import Misroute, explain, reason
from faqbot.routing.router import Router
from tests.conftest import make_kb

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KB_LINT = FIXTURES / "kb_lint"

# A greeting whose polite alternate shares only its polite ending with a thanks entry's alternate.
SMALLTALK = """\
entries:
  - id: greeting
    question: こんにちは
    alternates: [こんばんは, おはようございます, Hello]
    answer: |
      こんにちは。ご質問をどうぞ。
    question_en: Hello
    answer_en: |
      Hello. Please ask your question.
  - id: thanks
    question: ありがとう
    alternates: [ありがとうございます, 助かりました]
    answer: |
      どういたしまして。
    question_en: Thank you
    answer_en: |
      You're welcome.
"""


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Router:
    root = make_kb(tmp_path_factory.mktemp("misroute"), {"smalltalk.yaml": SMALLTALK}, source=KB_LINT)
    return Router.build(load_knowledge_base(root))


def test_a_greeting_that_lands_on_thanks_names_the_polite_ending_they_share(router: Router) -> None:
    assert alternate_problems(router.kb, router) == [
        Problem(
            "smalltalk.yaml", 4,
            "alternate question 'おはようございます' of 'greeting' routes to 'thanks' (closest: 'ありがとうございます'; "
            "shared: ございます; none with the other questions of 'greeting'); reword it so it says what only "
            "'greeting' is about, add alternates to 'greeting' worded like it, or remove it",
        )
    ]


def test_when_it_shares_words_with_its_own_entry_the_advice_is_to_reword_or_remove() -> None:
    found = Misroute("ありがとうございます", ("ございます",), own_words=True)
    assert reason(found, "greeting") == (
        " (closest: 'ありがとうございます'; shared: ございます); reword it so it says what only 'greeting' is about, "
        "or remove it"
    )


@pytest.mark.parametrize(
    ("alternate", "own", "closest", "shared", "own_words", "common"),
    [
        # The polite ending is shared, おはよう is greeting's own.
        ("おはようございます", ("こんにちは", "おはよう"), "ありがとうございます", ("ございます",), True, True),
        # A run its own entry also holds explains nothing: it pulls both ways (but it is in common).
        ("おはようございます", ("ご丁寧にありがとうございます",), "ありがとうございます", (), True, True),
        # 「ですか」 ends both, but the router strips polite endings: it saw nothing shared.
        ("解約ですか", ("解約したい",), "料金ですか", (), True, False),
        # A run is named from its first content word, not from the particle before it.
        ("カードの変更", ("カード情報",), "住所の変更をしたい", ("変更",), True, True),
        # Nothing in common with either: a Latin word meets kana.
        ("Hello", ("こんにちは",), "ありがとう", (), False, False),
    ],
)
def test_explain_names_the_runs_the_router_saw(
    router: Router, alternate: str, own: tuple[str, ...], closest: str, shared: tuple[str, ...], own_words: bool, common: bool
) -> None:
    assert explain(router, alternate, own, closest) == Misroute(closest, shared, own_words, common)


def test_words_shared_with_both_entries_are_not_called_no_word_in_common() -> None:
    # 「ございます」 is in thanks' question and in greeting's own 「ご丁寧にありがとうございます」.
    found = Misroute("ありがとうございます", (), own_words=True, common=True)
    assert reason(found, "greeting") == (
        " (closest: 'ありがとうございます'; the words it shares with it are in other questions of 'greeting' too); "
        "reword it so it says what only 'greeting' is about, or remove it"
    )


def test_with_nothing_shared_the_advice_is_to_add_alternates() -> None:
    assert reason(Misroute("ありがとう", (), own_words=False), "greeting") == (
        " (closest: 'ありがとう'; no word in common with it); add alternates to 'greeting' worded like it, or remove it"
    )
