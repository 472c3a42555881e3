"""Bad input gets a fallback or a routing from the router, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from faqbot.answers.answering import Engine
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.router import Router
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK
from tests.strategies import hostile_text
from tests.vector_tables import synonym_table

DECISIONS = {DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK}


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("", DECISION_FALLBACK),
        ("   \u3000\n", DECISION_FALLBACK),
        ("😀🎉👍", DECISION_FALLBACK),
        ("\u200b\u200d\ufeff", DECISION_FALLBACK),
        ("ぁぃぅぇぉっっっ", DECISION_FALLBACK),  # no word the analyser can segment
        ("zxqv wbpk fjdl", DECISION_FALLBACK),
        ("Карта 变更 카드 解約 card", None),  # mixed scripts: any decision, no error
        ("自動更新を解約したい。" * 1000, None),  # 10,000 characters
        ("解約\ud800したい", None),  # a lone surrogate, as a JSON escape decodes
    ],
)
def test_bad_input_table(engine: Engine, text: str, decision: str | None) -> None:
    routing = engine.router.route(text)
    assert routing.decision in DECISIONS
    if decision is not None:
        assert routing.decision == decision
    assert 0.0 <= routing.confidence <= 1.0


@pytest.fixture(scope="module")
def vectored(min_kb: KnowledgeBase) -> Router:
    """The tiny KB with a word-vector channel, weighed heavily so its re-ranking always runs
    (docs/testing.md: the smallest knowledge base that shows the behaviour)."""
    router = Router.build(min_kb, vectors=synonym_table())
    router.vector_weight = 1.0
    return router


@settings(max_examples=100, deadline=None)
@given(hostile_text)
def test_any_text_routes_with_word_vectors_too(vectored: Router, text: str) -> None:
    routing = vectored.route(text)
    assert routing.decision in DECISIONS and 0.0 <= routing.confidence <= 1.0
    assert all(0.0 <= m.confidence <= 1.0 for m in routing.matches)


@pytest.mark.parametrize("text", ["", "😀🎉👍", "退会" * 5000, "Карта 变更 카드 退会 card", "退会\ud800したい"])
def test_bad_input_with_word_vectors(vectored: Router, text: str) -> None:
    routing = vectored.route(text)
    assert routing.decision in DECISIONS and 0.0 <= routing.confidence <= 1.0


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_any_text_routes(engine: Engine, text: str) -> None:
    routing = engine.router.route(text)
    assert routing.decision in DECISIONS and 0.0 <= routing.confidence <= 1.0
    assert engine.router.rank(text, top=3) == routing.matches[:3]


@pytest.mark.parametrize(
    "text",
    [
        "A\nK",  # hypothesis found it: "A" asks nothing and was set aside by route, not by rank
        "I want to stop the automatic renewal. What should I do?",
        "ありがとうございます。それと、解約したいです",  # a pleasantry set aside
    ],
)
def test_rank_ranks_the_text_route_answers_from(engine: Engine, text: str) -> None:
    assert engine.router.rank(text, top=3) == engine.router.route(text).matches[:3]


@pytest.mark.parametrize(
    ("text", "ranked"),
    [
        ("A\nK", "K"),
        ("I want to stop the automatic renewal. What should I do?", "I want to stop the automatic renewal."),
        ("ありがとうございます。それと、解約したいです", "それと、解約したいです"),
        ("解約したいです", "解約したいです"),
    ],
)
def test_routed_names_the_text_and_evidence_the_routing_was_decided_on(engine: Engine, text: str, ranked: str) -> None:
    routed = engine.router.routed(text)
    assert routed.text == ranked
    assert routed.routing == engine.router.route(text)  # the message as written, the same decision
    matches = routed.routing.matches
    assert [engine.router.kb.ids[int(i)] for i in routed.found.owners[: len(matches)]] == [m.entry_id for m in matches]
