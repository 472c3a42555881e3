"""Tests of faqbot.routing.decision: the order of the rules, on hand-made evidence and the tiny KB."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.routing import decision
from faqbot.routing.router import Candidates
from faqbot.routing.verdict import DECISION_FALLBACK


def _found(char: list[float], out_of_scope: float = 0.0) -> Candidates:
    n = len(char)
    return Candidates(
        owners=np.arange(n), fused=np.array(char), char=np.array(char), lexical=np.zeros(n),
        char_doc=np.full(n, -1), out_of_scope=out_of_scope,
    )


@pytest.mark.parametrize(
    ("char", "out_of_scope", "wins"),
    [
        ([0.5, 0.3], 0.6, True),  # the examples explain it better than any entry
        ([0.5, 0.3], 0.5, True),  # as well: refused (the examples were written to be refused)
        ([0.5, 0.3], 0.4, False),
        ([0.5], 0.0, False),  # no examples at all
        ([], 0.2, True),  # no candidate, an example matched
    ],
)
def test_out_of_scope_examples_win_at_or_above_the_best_character_score(char: list[float], out_of_scope: float, wins: bool) -> None:
    assert decision.out_of_scope_wins(_found(char, out_of_scope)) is wins


def test_a_subject_declared_out_of_scope_is_refused_before_any_score_is_read(min_engine: Engine) -> None:
    # kb_min declares ネットフリックス out of scope; the message also asks the KB's own question.
    router = min_engine.router
    query = "ネットフリックスの自動更新を解約したい"
    assert decision.subject_in(router, query) == "ねつとふりつくす"  # as normalised: small kana folded
    found = router.candidates(query)
    routing = decision.decide(router, query, [], found, None)
    assert routing.decision == DECISION_FALLBACK and routing.out_of_scope
    assert routing.confidence >= 0.9
    assert decision.refuses(router, query, found)


def test_a_message_with_no_content_word_names_nothing_when_an_faq_entry_won(engine: Engine) -> None:
    # "What should I do?" has no content word (every word builds the sentence); its characters
    # still reach some FAQ entry's question, which it does not ask.
    router = engine.router
    empty = router.candidates("What should I do?")
    assert router.kb.entries[int(empty.owners[0])].kind == "faq"
    assert decision.names_nothing(router, "What should I do?", empty)
    asked = router.candidates("How do I cancel automatic renewal?")
    assert not decision.names_nothing(router, "How do I cancel automatic renewal?", asked)
