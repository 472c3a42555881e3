"""Tests of faqbot.dialogue.choices: picking an offered choice, labelling it, dropping stale ones."""

from __future__ import annotations

import pytest

from faqbot.dialogue.choices import label, picked, sanitized
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KnowledgeBase

OFFERED = ("entry:cancel-howto", "product:mobile", "plan:annual")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("1", "entry:cancel-howto"),
        ("２", "product:mobile"),
        ("3番", "plan:annual"),
        ("4", None),  # no fourth choice
        ("plan:annual", "plan:annual"),  # the value itself, as a button sends it
        ("年額版 (1年間)", "plan:annual"),  # the label
        ("今日はいい天気", None),
    ],
)
def test_a_message_picks_an_offered_choice(shipped_kb: KnowledgeBase, message: str, expected: str | None) -> None:
    assert picked(shipped_kb, DialogueState(choices=OFFERED), message) == expected


@pytest.mark.parametrize(
    ("offered", "message", "expected"),
    [
        (("product:mobile",), "はい", "product:mobile"),  # "which product?" with one offered: a yes confirms it
        (("plan:annual",), "うん", "plan:annual"),
        (("product:mobile",), "yes", "product:mobile"),
        (("product:mobile",), "いいえ", None),
        (("product:mobile", "product:mac"), "はい", None),  # which of two a yes does not say
        (("entry:cancel-howto",), "はい", None),  # a related question offered, not asked: a yes acknowledges
    ],
)
def test_a_yes_picks_the_one_product_or_plan_asked_about(
    shipped_kb: KnowledgeBase, offered: tuple[str, ...], message: str, expected: str | None
) -> None:
    assert picked(shipped_kb, DialogueState(choices=offered), message) == expected


def test_nothing_is_picked_when_nothing_was_offered(shipped_kb: KnowledgeBase) -> None:
    assert picked(shipped_kb, DialogueState(), "1") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("product:mobile", "ウイルスバスター モバイル"),
        ("plan:monthly", "月額版 (1か月間)"),
        ("plan:weekly", "weekly"),  # an unknown plan is shown as its id, never raises
    ],
)
def test_a_choice_is_labelled_as_offered(shipped_kb: KnowledgeBase, value: str, expected: str) -> None:
    assert label(shipped_kb, value) == expected


def test_a_choice_naming_an_entry_is_labelled_with_its_question(shipped_kb: KnowledgeBase) -> None:
    assert label(shipped_kb, "entry:cancel-howto") == shipped_kb.entry("cancel-howto").question


def test_a_state_naming_only_what_the_knowledge_base_has_is_kept_as_it_is(shipped_kb: KnowledgeBase) -> None:
    state = DialogueState(product="mobile", plan="annual", last="cancel-howto", choices=OFFERED)
    assert sanitized(shipped_kb, state) is state


def test_references_the_knowledge_base_lacks_are_dropped(shipped_kb: KnowledgeBase) -> None:
    state = DialogueState(product="gone", plan="weekly", last="gone-entry", form="cancel-howto", asking="expiry",
                          choices=("entry:cancel-howto", "entry:gone-entry"))
    # form: an FAQ entry is no form; choices: one stale value drops them all (the numbering would shift).
    assert sanitized(shipped_kb, state) == DialogueState()
