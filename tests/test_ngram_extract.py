"""Tests of faqbot.routing.ngram_extract: the array extraction gives exactly what ngrams() gives."""

from __future__ import annotations

import pytest

from faqbot.kb.loader import load_knowledge_base
from faqbot.routing.ngram_extract import extract
from faqbot.routing.ngram_index import ngrams
from faqbot.text.normalize import normalize


def _per_doc(docs: list[str]) -> list[tuple[str, ...]]:
    part = extract(docs)
    out, i = [], 0
    for n in part.per_doc.tolist():
        out.append(tuple(part.grams[g] for g in part.gram_ids[i : i + n].tolist()))
        i += n
    assert i == len(part.gram_ids)
    return out


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        (["解約"], [("解約", "解", "約")]),
        (["ab", "a", ""], [("ab",), ("a",), ()]),
        (["漢"], [("漢",)]),
        (["ああああ"], [("ああ", "あああ")]),
        (["日本日本語"], [("日本", "本日", "本語", "日本日", "本日本", "日本語", "日", "本", "語")]),
        (["\x00x", "x\x00"], [("\x00x",), ("x\x00",)]),  # NUL is a character like any other
        (["😀😀a"], [("😀😀", "😀a", "😀😀a")]),
        ([], []),
    ],
)
def test_extract_by_hand(docs: list[str], expected: list[tuple[str, ...]]) -> None:
    assert _per_doc(docs) == expected


def test_extract_equals_ngrams_on_the_shipped_kb() -> None:
    kb = load_knowledge_base()
    docs = [normalize(q) for e in kb.entries for q in e.questions] + list(kb.out_of_scope)
    docs += ["", "x", "\ud800x"]  # an empty text, one Latin letter, a lone surrogate
    assert _per_doc(docs) == [ngrams(d) if d else () for d in docs]


def test_grams_are_numbered_in_order_of_first_appearance() -> None:
    part = extract(["請求書", "請求日", "書類"])
    assert part.grams == ["請求", "求書", "請求書", "請", "求", "書", "求日", "請求日", "日", "書類", "類"]
    assert part.gram_ids.tolist() == [0, 1, 2, 3, 4, 5, 0, 6, 7, 3, 4, 8, 9, 5, 10]
