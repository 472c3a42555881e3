"""Cutting a message into sentences, and routing a question with a pleasantry beside it."""

from __future__ import annotations

import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.pleasantries import (
    after_connective,
    clauses,
    connectives,
    sentences,
    without_connectives,
    without_empty_sentences,
    without_pleasantries,
)
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_FALLBACK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは。解約したいです", ["こんにちは。", "解約したいです"]),
        ("ありがとう！あと料金は？", ["ありがとう！", "あと料金は？"]),
        ("Hi! How do I cancel?", ["Hi!", "How do I cancel?"]),
        ("解約したい\nよろしく", ["解約したい", "よろしく"]),
        ("2027.3.31が期限です", ["2027.3.31が期限です"]),  # a Latin full stop in a date is no sentence end
        ("It expires on 2027-04-30. Thank you.", ["It expires on 2027-04-30.", "Thank you."]),
        ("  ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


GREETINGS = {"こんにちは。", "よろしくお願いします", "ありがとう。"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("こんにちは。解約したいです", "解約したいです"),
        ("解約したいです。よろしくお願いします", "解約したいです。"),
        ("こんにちは。ありがとう。", None),  # all pleasantries: routed whole
        ("解約したいです", None),  # one sentence
        ("解約したい。料金は？", None),  # none is a pleasantry
    ],
)
def test_without_pleasantries(text: str, expected: str | None) -> None:
    assert without_pleasantries(sentences(text), GREETINGS.__contains__) == expected


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Each of these but the last got the pleasantry's entry (or a choice with it) before.
        ("こんにちは。解約したいです", "cancel-howto"),
        ("おはようございます。メールアドレスを変えたいです", "change-email"),
        ("ありがとう！ところで支払い方法は？", "payment-methods"),
        ("ありがとうございます。次にカードの変更方法を教えて", "change-card"),
        ("Thanks! And how much is the fee?", "fee-and-period"),
        # Small talk offered beside the question in a clarification (rule 31), after ASCII full stops (rule 32).
        ("Hello, I'd like to know when my next payment will be. I have the monthly plan of Virus Buster Mobile"
         " and it expires on 2027-04-30. Thank you.", "next-billing-date"),
        ("ありがとうございました。助かりました", "thanks"),  # only pleasantries: still small talk
    ],
)
def test_a_pleasantry_beside_a_question_does_not_answer_it(engine: Engine, message: str, intent: str) -> None:
    routing = engine.router.route(message)
    assert (routing.decision, routing.intent) == (DECISION_ANSWER, intent)
    assert routing.query == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("じゃあどうすれば止まるの？", "どうすれば止まるの?"),  # folded: NFKC turns the full-width mark ASCII
        ("じゃあ、解約したい", "解約したい"),
        ("えっと…請求日はいつ", "請求日はいつ"),
        ("Then how do I cancel?", "how do i cancel?"),
        ("じゃあね", "ね"),  # what is left is routed; small talk there keeps the whole message's routing
        ("じゃあ", None),  # nothing left
        ("Android版の解約", None),  # "and" is an English word: it ends at a word boundary
        ("解約したい", None),
        # A run of them is stripped whole (159th rule); a surprised 「え」 is one only with its comma.
        ("え、じゃあどうすれば止まるの？", "どうすれば止まるの?"),
        ("あっ、ところで解約は？", "解約は?"),
        ("えいごで話せる？", None),
        # English ones are normalisation's list (173rd rule): "so" opens a follow-up, not "sorry"
        ("So, thanks", "thanks"),
        ("ちなみにどこで？", "どこで?"),  # 191st rule
        ("sorry", None),
    ],
)
def test_after_connective(text: str, expected: str | None) -> None:
    assert after_connective(text) == expected


def test_the_connectives_are_shipped_longest_first() -> None:
    words = connectives()
    assert {"じゃあ", "ところで", "by the way"} <= set(words)
    assert list(words) == sorted(words, key=lambda word: (-len(word), word))


@pytest.mark.parametrize(
    "message",
    ["じゃあどうすれば解約できるの？", "じゃあどうすれば止まるの？"],  # 「じゃあ」 holds the greeting 「やあ」: both got the greeting
)
def test_a_connective_opening_a_question_does_not_make_it_small_talk(engine: Engine, message: str) -> None:
    routing = engine.router.route(message)
    assert routing.decision != DECISION_FALLBACK
    assert "cancel-howto" in [match.entry_id for match in routing.matches[:2]]
    assert {"greeting", "goodbye"}.isdisjoint(match.entry_id for match in routing.matches[:2])
    assert routing.query == message


def test_a_connective_with_no_question_after_it_stays_small_talk(engine: Engine) -> None:
    assert engine.router.route("じゃあね").intent == "goodbye"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ありがとう、あとカードを変えたい場合は？", ["ありがとう、", "あとカードを変えたい場合は？"]),
        ("Thanks, and how do I change my card?", ["Thanks,", "and how do I change my card?"]),
        ("解約したい", ["解約したい"]),
    ],
)
def test_clauses(text: str, expected: list[str]) -> None:
    assert clauses(text) == expected


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("ありがとう、あとカードを変えたい場合は？", "change-card"),  # got "you're welcome" (rule 46)
        ("ありがとう、助かりました", "thanks"),  # only pleasantries: still small talk
    ],
)
def test_a_pleasantry_set_off_by_a_comma_does_not_answer_the_question(engine: Engine, message: str, intent: str) -> None:
    routing = engine.router.route(message)
    assert (routing.decision, routing.intent) == (DECISION_ANSWER, intent)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to stop the automatic renewal. What should I do?", "I want to stop the automatic renewal."),
        ("How do I cancel? Please.", "How do I cancel?"),
        ("解約したい。What should I do?", "解約したい。"),
        ("What should I do?", None),  # nothing else to route: the message as it is
        ("What should I do? What can I do?", None),  # every sentence empty: routed whole
        ("How do I cancel? Thanks.", None),  # "thanks" is a word of its own (small talk's, not this rule's)
        ("解約したいです。どうすればいいですか？", None),  # Japanese: not this rule's
    ],
)
def test_english_sentences_of_function_words_alone_are_left_out(text: str, expected: str | None) -> None:
    assert without_empty_sentences(text) == expected


def test_a_sentence_that_asks_nothing_of_its_own_does_not_route_the_message(engine: Engine) -> None:
    # "What should I do?" alone matches the one English sign-up alternate that ends with it; beside
    # a request to stop, the sign-up how-to was answered at P 0.99 (eighty-first rule).
    message = "I want to stop the automatic renewal. What should I do?"
    routing = engine.router.route(message)
    assert (routing.decision, routing.intent, routing.query) == (DECISION_ANSWER, "cancel-howto", message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("いや、やっぱりいいです", "やっぱりいいです"), ("じゃあ、もう一度", "もう一度"),
     ("解約したい", "解約したい"),  # opens with none: the text as it is, not folded
     ("じゃあ", "じゃあ")],  # nothing follows: the text as it is
)
def test_without_connectives(text: str, expected: str) -> None:
    # What the control phrases and a clause's small talk are judged on (159th and 166th rules).
    assert without_connectives(text) == expected
