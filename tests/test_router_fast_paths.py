"""The router's query-time fast paths give bit for bit what the plain code gave (issue 15, never-repeated chat)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.kb.dates import FoundDate
from faqbot.routing.char_channel import COMPUTE_DATE_BONUS, _blend, _mean
from faqbot.routing.entities import Entities
from faqbot.routing.lexical import FieldScores
from faqbot.routing.router import _LEXICAL_CANDIDATES, Candidates, Router, _union
from faqbot.text.packed import PackedStrings

QUERIES = [
    "解約したい",
    "かいやく いつまで",
    "ｶｰﾄﾞ 変更",
    "パスワードを忘れてログインできません。どうすればいいですか",
    "今日の天気は？",
    "abc",
    "a",
    "",
    "😀 解約したい",
    "来月の請求日はいつ？ 2027年3月31日が期限です",
]


def _plain_candidates(
    router: Router, query: str, entities: Entities | None, exclude: str | None, held_out: Sequence[int]
) -> Candidates:
    """``Router.candidates`` as written before its fast path: dense arrays over every entry."""
    n = len(router.kb.entries)
    char = router._char.scores(query, exclude, held_out)
    fields: FieldScores | None = None
    lexical = np.zeros(n)
    if router.lexical_weight > 0.0:
        excluded = [i for i in router._char.excluded(exclude) if i < router._real_questions] if exclude else []
        excluded += [i for i in held_out if i < router._real_questions]
        fields = router._lexical.score(router.analyze(query).topic_terms, excluded)
        lexical = np.minimum(fields.total / fields.ceiling, 1.0)
    char_by_entry = np.zeros(n + 1)
    char_doc = np.full(n + 1, -1, dtype=np.int64)
    char_by_entry[char.owners] = char.scores
    char_doc[char.owners] = char.best_doc
    oos, oos_doc = float(char_by_entry[n]), int(char_doc[n])
    char_by_entry = char_by_entry[:n]
    if entities is not None and entities.expiry is not None:
        char_by_entry = char_by_entry + COMPUTE_DATE_BONUS * router._char.compute
    lex_top = np.argpartition(-lexical, _LEXICAL_CANDIDATES)[:_LEXICAL_CANDIDATES] if n > _LEXICAL_CANDIDATES else np.arange(n)
    lex_top = lex_top[lexical[lex_top] > 0]
    owners = _union(char.owners[char.owners < n], lex_top)
    fused = char_by_entry[owners] + router.lexical_weight * lexical[owners]
    order = np.argsort(-fused, kind="stable")
    owners = owners[order]
    return Candidates(owners, fused[order], char_by_entry[owners], lexical[owners], char_doc[owners], fields, oos, oos_doc)


def _same(a: Candidates, b: Candidates) -> bool:
    arrays = ("owners", "fused", "char", "lexical", "char_doc")
    if any(getattr(a, k).dtype != getattr(b, k).dtype or getattr(a, k).tobytes() != getattr(b, k).tobytes() for k in arrays):
        return False
    return (a.out_of_scope, a.out_of_scope_doc, a.fields is None) == (b.out_of_scope, b.out_of_scope_doc, b.fields is None)


@pytest.mark.parametrize("weight", [None, 0.37])
def test_candidates_are_those_of_the_dense_arrays(engine: Engine, weight: float | None) -> None:
    router = engine.router
    if weight is not None:  # the shipped KB fits 0: run the lexical channel too
        router = copy.copy(router)
        router.lexical_weight = weight
    texts = list(router.char_channel.texts)
    rng = np.random.default_rng(11)
    queries = [*QUERIES, *rng.choice(texts, 60).tolist(), *(t + "の件で" for t in rng.choice(texts, 20).tolist())]
    dated = Entities(expiry=FoundDate(date(2027, 3, 31), "day", "2027年3月31日"))
    for i, query in enumerate(queries):
        exclude = query if i % 7 == 3 else None
        held_out = (i, i + 1) if i % 5 == 2 else ()
        for entities in (None, dated):
            got = router.candidates(query, entities, exclude, held_out)
            assert _same(got, _plain_candidates(router, query, entities, exclude, held_out)), (query, entities, weight)


def test_mean_is_the_blend_of_both_coverages() -> None:
    rng = np.random.default_rng(5)
    q = rng.random(5000, dtype=np.float32)
    d = rng.random(5000, dtype=np.float32)
    q[:50], d[50:100] = 0.0, 0.0  # no shared n-gram on one side (the kana channel's)
    q[100:150] = d[100:150] = 1.0
    small = (rng.integers(1, 40, 500) / rng.integers(40, 4000, 500)).astype(np.float32)
    q[200:700] = small
    d[200:700] = small[::-1]
    expected = _blend(q, d)
    assert _mean(q, d.copy()).tobytes() == expected.tobytes()


@pytest.mark.parametrize(("weight", "packed"), [(None, False), (None, True), (0.37, False), (0.37, True)])
def test_matches_read_their_ids_and_questions_as_item_by_item(engine: Engine, weight: float | None, packed: bool) -> None:
    router = copy.copy(engine.router)
    if weight is not None:
        router.lexical_weight = weight
    if packed:  # as a cached engine holds them: ids read from the packed table
        router.kb = replace(router.kb, entries=router.kb.entries.packed())
        assert isinstance(router.kb.ids, PackedStrings)
    texts = router.char_channel.texts
    ids = router.kb.ids
    scale = 1.0 + router.lexical_weight
    lexical_only = 0
    for query in [*QUERIES, "更新料の支払い方法", "メール 届かない", "Can I pay by bank transfer?"]:
        found = router.candidates(query)
        expected = []
        for i, (pos, value) in enumerate(zip(found.owners[:7].tolist(), found.fused[:7].tolist(), strict=True)):
            doc = int(found.char_doc[i])
            if doc < 0 and found.fields is not None:
                doc = found.fields.best_question(pos)
                lexical_only += doc >= 0
            question = texts[doc] if doc >= 0 else router.kb.entries[pos].question
            expected.append((ids[pos], question, round(min(value / scale, 1.0), 4)))
        got = router.rank(query, top=7)
        assert [(m.entry_id, m.question, m.confidence) for m in got] == expected, query
    if weight is not None:
        assert lexical_only  # the lemmas' best question was read for some match
