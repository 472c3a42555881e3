"""Tests of faqbot.quality.weights: how the labelled entry would rank at other lexical weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.weights import LEXICAL_WEIGHTS, ranks_at_weights, weight_table, weight_text
from faqbot.routing.entities import Entities
from faqbot.routing.router import Router

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def bulky() -> Router:
    # A city's bulky-waste desk, written by another team: its futon entry asks 「布団はどうやって
    # 捨てればいいですか？」 and its bicycle entry 「自転車を捨てたい」.
    return Router.build(load_knowledge_base(FIXTURES / "kb_bulky_waste"))


def _ranks(router: Router, message: str, entry_id: str) -> tuple[int, ...]:
    return ranks_at_weights(router, router.routed(message, Entities()), Entities(), entry_id)


def test_the_lemmas_rank_a_kana_noun_above_shared_phrasing(bulky: Router) -> None:
    # 「ふとんを捨てたい」 shares 「を捨てたい」 with the bicycle question, and nothing but the
    # lemma 布団 with the futon entry: the characters alone rank the bicycle above it, the lemmas
    # weighed in put the futon first.
    ranks = dict(zip(LEXICAL_WEIGHTS, _ranks(bulky, "ふとんを捨てたい", "futon"), strict=True))
    assert ranks[0.0] > 1
    assert ranks[2.0] == 1


def test_an_unknown_entry_has_no_ranks(bulky: Router) -> None:
    assert _ranks(bulky, "ふとんを捨てたい", "no-such-entry") == ()


def test_the_table_counts_first_places_and_reciprocal_ranks() -> None:
    width = len(LEXICAL_WEIGHTS)
    table = weight_table([(1,) * width, (2,) * width, (0,) * width, ()])
    assert [row.queries for row in table] == [3] * width
    assert table[0].hit_at_1 == pytest.approx(1 / 3)
    assert table[0].mrr == pytest.approx((1 + 0.5 + 0) / 3)
    assert weight_table([]) == ()


def test_the_weight_in_force_says_where_it_comes_from(bulky: Router, tmp_path: Path) -> None:
    assert weight_text(bulky).endswith("(fitted on the knowledge base's own questions)")
    shutil.copytree(FIXTURES / "kb_bulky_waste", tmp_path / "kb")
    service = tmp_path / "kb" / "service.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("router:\n", "router:\n  lexical_weight: 2\n"), encoding="utf-8")
    stated = Router.build(load_knowledge_base(tmp_path / "kb"))
    assert stated.lexical_weight == 2.0
    assert weight_text(stated) == "2 (stated in service.yaml)"


def test_the_text_ranked_is_the_one_the_router_routes() -> None:
    # A thanks in front of a question is set aside by the router (sixty-sixth rule); the table must
    # rank what remains, or its row for the weight in force would disagree with the routing.
    router = Router.build(load_knowledge_base())
    message = "ありがとうございます。それと、解約したいです"
    assert router.route(message).intent == "cancel-howto"
    assert router.routed_text(message) == "それと、解約したいです"
    assert _ranks(router, message, "cancel-howto")[0] == 1


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("解約したいです", "cancel-howto"),
        ("ありがとうございます。それと、解約したいです", "cancel-howto"),
        ("カードを変えたい", "change-card"),
        ("更新料はいつ請求されますか", "billing-timing"),
    ],
)
def test_the_row_of_the_weight_in_force_agrees_with_the_routing(engine: Engine, message: str, entry_id: str) -> None:
    # The table reuses the candidates the routing was decided on when the word channel ran for them:
    # at the weight in force it must rank the entry where the routing does.
    router = engine.router
    assert router.lexical_weight > 0  # else the table reads the text again and this proves less
    ranked = [m.entry_id for m in router.route(message).matches]
    ranks = dict(zip(LEXICAL_WEIGHTS, _ranks(router, message, entry_id), strict=True))
    assert ranks[router.lexical_weight] == ranked.index(entry_id) + 1
