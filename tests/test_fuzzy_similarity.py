"""Tests of faqbot.routing.fuzzy_similarity: its fast paths give bit for bit what the plain code gave."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process

from faqbot.answers.answering import Engine
from faqbot.routing.fuzzy_similarity import fuzzy_similarity, relabelled


def _fuzzy_plain(surface: str, questions: list[str]) -> np.ndarray:
    """``_fuzzy`` on the texts as written (no renamed characters)."""
    ratio = process.cdist([surface], questions, scorer=fuzz.ratio, dtype=np.float64)[0]
    if len(surface) >= 4:
        partial = 0.85 * process.cdist([surface], questions, scorer=fuzz.partial_ratio, dtype=np.float64)[0]
        ratio = np.where(np.array([len(q) >= 4 for q in questions], dtype=bool), np.maximum(ratio, partial), ratio)
    plain: np.ndarray = ratio / 100.0
    return plain


QUERIES = [
    "解約したい",
    "かいやく いつまで",
    "ｶｰﾄﾞ 変更",
    "パスワードを忘れてログインできません。どうすればいいですか",
    "abc",
    "😀 解約したい",  # outside the BMP: compared as written
    "a\x00b 解約",
    "\ud800 カード",
    "".join(chr(0x4E00 + i) for i in range(300)),  # more than 256 distinct characters
]


def test_renamed_characters_keep_which_are_equal() -> None:
    texts = ["解約かい", "かい解", "", "x解約"]
    surface, questions = relabelled(texts[0], texts[1:])
    renamed = [surface, *questions]
    assert [len(t) for t in renamed] == [len(t) for t in texts]
    pairs = set(zip("".join(texts), "".join(renamed), strict=True))
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs}) == 5  # one name per character
    assert max(map(ord, "".join(renamed))) < 256
    assert relabelled("😀a", ["a"]) == ("😀a", ["a"])


def test_fuzzy_scores_are_those_of_the_texts_as_written(engine: Engine) -> None:
    channel = engine.router.char_channel
    surfaces = [channel.surface(t) for t in channel.texts]
    rng = np.random.default_rng(7)
    for query in [*QUERIES, *rng.choice(surfaces, 40).tolist()]:
        surface = channel.surface(query)
        for questions in ([surfaces[i] for i in rng.choice(len(surfaces), 60)], surfaces[:5], [*surfaces[:3], "", "😀😀"]):
            got = fuzzy_similarity(surface, questions)
            assert got.tobytes() == _fuzzy_plain(surface, questions).tobytes(), (query, questions)


def test_renamed_characters_are_ranks_by_code_point() -> None:
    texts = ["解約かい", "かい解", "", "x解約", "ｶｰﾄﾞ", "\x00a"]
    surface, questions = relabelled(texts[0], texts[1:])
    ranks = {c: i for i, c in enumerate(sorted(set("".join(texts))))}
    assert [surface, *questions] == ["".join(chr(ranks[c]) for c in t) for t in texts]
    many = "".join(chr(0x4E00 + i) for i in range(256))  # 256 distinct: still renamed
    assert relabelled(many, [])[0] == "".join(map(chr, range(256)))
    assert relabelled(many + "a", []) == (many + "a", [])  # 257: as written
