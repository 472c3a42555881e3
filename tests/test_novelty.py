"""The unknown-content veto: what it refuses, what it leaves alone, and how it is fitted.

The messages below were written for this test (none comes from an evaluation set
or from ``faqbot/routing/data/offdomain.yaml``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.routing.novelty import MIN_POSITIVES, MIN_THRESHOLD, OFF, POSITIVE_TARGET
from faqbot.routing.novelty_fit import fit_novelty, offdomain_questions
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_FALLBACK
from faqbot.text.analysis import analyze
from faqbot.text.packed import PackedFloats


@pytest.mark.parametrize(
    "query",
    [
        "歯医者の予約を取りたい",
        "家庭菜園でトマトを育てるコツ",
        "How do I bake sourdough bread?",
        "ピアノの調律を頼みたい",
        "犬の散歩は一日何回？",
    ],
)
def test_messages_mostly_about_unknown_things_fall_back(engine: Engine, query: str) -> None:
    router = engine.router
    assert router.novelty.fires(router.analyze(query))
    assert router.route(query).decision == DECISION_FALLBACK


def test_the_veto_turns_an_answer_into_a_fallback_with_suggestions(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    router = engine.router
    query = "英会話教室の月謝の支払い方法"  # 支払い方法 is known; 英会話, 教室, 月謝 are not
    vetoed = router.route(query)
    monkeypatch.setattr(router, "novelty", replace(router.novelty, threshold=1.0))  # a veto that never fires
    assert router.route(query).decision == DECISION_ANSWER
    # A veto is not an out-of-scope match: the nearest entries stay as suggestions.
    assert vetoed.decision == DECISION_FALLBACK and not vetoed.out_of_scope and vetoed.matches


@pytest.mark.parametrize(
    ("query", "intent"),
    [
        ("田中ですが、自動更新を解約したい", "cancel-howto"),
        ("山田太郎名義のクレジットカードを変更したい", "change-card"),
        ("高橋です。更新料はいつ引き落とされますか", "billing-timing"),
        ("ユウコウキゲン ガ キレタ カード ヲ ヘンコウ シタイ", "change-card"),  # kana the dictionary cannot cut
    ],
)
def test_an_unknown_name_does_not_veto_an_in_domain_message(engine: Engine, query: str, intent: str) -> None:
    router = engine.router
    assert not router.novelty.fires(router.analyze(query))
    assert router.route(query).intent == intent


def test_the_shipped_threshold_is_fitted_for_the_stated_target(engine: Engine) -> None:
    veto = engine.router.novelty
    # Fitted from the shipped questions, above the floor, and a share (the veto can fire).
    assert MIN_THRESHOLD <= veto.threshold < 1.0
    assert veto.unknown_share(analyze("パスポート")) == 1.0
    assert veto.unknown_share(analyze("解約")) == 0.0


def _fit(vocabulary: list[str], questions: list[str], negatives: list[str]) -> tuple[float, np.ndarray, np.ndarray]:
    fit = fit_novelty([analyze(t) for t in vocabulary], [analyze(q) for q in questions], [analyze(n) for n in negatives])
    return fit.veto.threshold, fit.positives, fit.negatives


def test_each_question_is_scored_with_its_own_text_left_out() -> None:
    vocabulary = ["自動更新を解約する手順の説明です。"]
    questions = ["自動更新を解約したい", "自動更新の解約方法を教えて", "盆栽"]
    threshold, positives, negatives = _fit(vocabulary, questions, ["盆栽の水やり", "自動更新"])
    # 盆栽 occurs only in the third question: left out, it is unknown there (share 1) …
    assert positives.tolist()[2] == 1.0
    assert positives.tolist()[0] == 0.0
    # … but the vocabulary keeps it, so a negative using it is not fully unknown.
    assert negatives.tolist()[0] < 1.0 and negatives.tolist()[1] == 0.0
    # Too few positives to place a 99th percentile: the veto is off.
    assert len(questions) < MIN_POSITIVES and threshold == OFF


def test_the_threshold_keeps_the_target_share_of_positives_answerable() -> None:
    words = ["解約", "更新", "請求", "カード", "変更", "料金", "期限", "契約", "支払い", "確認"]
    questions = [f"{a}と{b}について" for a in words for b in words] + [f"{a}の{b}" for a in words for b in words]
    questions.append("盆栽")
    threshold, positives, _ = _fit([], questions, offdomain_questions())
    assert len(positives) >= MIN_POSITIVES
    assert np.mean(positives <= threshold) >= POSITIVE_TARGET
    assert threshold == MIN_THRESHOLD  # one odd question in 201 is under 1 %: the floor holds


def test_a_tiny_knowledge_base_gets_no_veto(min_engine: Engine) -> None:
    # Its few questions cannot tell a paraphrase (変える for 変更) from a new topic.
    assert min_engine.router.novelty.threshold == OFF
    assert min_engine.router.route("カードを変えたい").decision != DECISION_FALLBACK


def test_a_packed_rarity_table_weighs_every_word_as_a_dict_does(engine: Engine) -> None:
    veto = engine.router.novelty
    assert isinstance(veto.rarity, PackedFloats)  # the fitted veto searches all words at once
    as_dict = replace(veto, rarity=dict(veto.rarity))  # one look-up per word, term then reading
    # Listed terms, a lemma found only by its reading (為る → する), a negation, a number, unknown words.
    for text in ("契約を解約しないで下さい", "2026年に登録する", "ズンドコベロンチョの月謝", "英会話教室の月謝の支払い方法"):
        analysis = analyze(text)
        assert veto.unknown_share(analysis) == as_dict.unknown_share(analysis)
        assert veto._weights(analysis) == [veto.weight(t, r) for t, r in zip(analysis.terms, analysis.readings, strict=True)]


def test_an_english_word_is_known_by_its_stem_only_when_asked(engine: Engine) -> None:
    veto = engine.router.novelty
    # The shipped knowledge base says "day" and "charged", never "days" or "charging".
    assert "day" in veto.known_terms and "days" not in veto.known_terms
    assert not veto.knows("days", "days")
    assert veto.knows_stem("days", "days")
    assert not veto.knows_stem("sourdough", "sourdough")
    message = analyze("How many days before?")
    assert veto.fires(message)
    assert not veto.fires(message, by_stem=True)
