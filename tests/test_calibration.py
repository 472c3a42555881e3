"""The calibrated decision: a probability of being right, and a threshold for a target precision.

The synthetic knowledge base below comes from ``benchmarks/kbgen.py``; no message here
comes from an evaluation set.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from faqbot.answers.answering import Engine
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from faqbot.routing.calibration import UNFITTED, Calibration, Evidence, evidence
from faqbot.routing.calibration_fit import (
    MAX_ROUTED_WHOLE,
    CalibrationFit,
    _examples,
    _rivals_held_out,
    _Scripts,
    at_cut,
    cross_validate,
    decide,
    decide_on_score,
    fit_calibration,
)
from faqbot.routing.logistic import allowed_answers, fit_logistic, precision_threshold, refusal_threshold
from faqbot.routing.ngram_index import NgramIndex, gram_keys
from faqbot.routing.router import Candidates, Router
from faqbot.routing.verdict import DECISION_FALLBACK
from tests.conftest import KB_MIN, make_kb, replace_once

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import kbgen  # noqa: E402


def _weighted_precision(p: np.ndarray, y: np.ndarray, w: np.ndarray, threshold: float) -> float:
    kept = p >= threshold
    return float((w * y)[kept].sum() / w[kept].sum())


# -- the model ------------------------------------------------------------------------------


def _synthetic(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and margins whose chance of being right rises with both, as a router's do."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(600, 2)) * np.array([1.0, 0.4])
    chance = 1.0 / (1.0 + np.exp(-(-6.0 + 8.0 * x[:, 0] + 10.0 * x[:, 1])))
    return x, (rng.uniform(size=600) < chance).astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fit_recovers_rising_weights(seed: int) -> None:
    x, y = _synthetic(seed)
    _, coef = fit_logistic(x, y, np.ones(len(y)))
    assert coef[0] > 2.0 and coef[1] > 2.0


def test_a_feature_pointing_the_wrong_way_is_dropped() -> None:
    x, y = _synthetic(3)
    reversed_margin = np.column_stack([x[:, 0], 0.4 - x[:, 1]])  # now higher means less likely right
    _, coef = fit_logistic(reversed_margin, y, np.ones(len(y)))
    assert coef[1] == 0.0 and coef[0] > 0.0


@pytest.mark.parametrize("target", [0.6, 0.75, 0.9])
def test_the_threshold_is_the_lowest_that_meets_the_target(target: float) -> None:
    x, y = _synthetic(4)
    intercept, coef = fit_logistic(x, y, np.ones(len(y)))
    p = 1.0 / (1.0 + np.exp(-(intercept + x @ coef)))
    w = np.ones(len(y))
    threshold = precision_threshold(p, y, w, target)
    assert _weighted_precision(p, y, w, threshold) >= target
    lower = p[p < threshold]
    if len(lower):  # answering one more example would miss the target
        assert _weighted_precision(p, y, w, float(lower.max())) < target


def test_an_unreachable_target_answers_only_the_surest() -> None:
    p = np.array([0.9, 0.8, 0.2])
    assert precision_threshold(p, np.array([0.0, 1.0, 1.0]), np.ones(3), 0.99) == 0.9
    assert precision_threshold(np.zeros(0), np.zeros(0), np.zeros(0), 0.9) == 1.0


@pytest.mark.parametrize(("negatives", "target", "allowed"), [(9, 0.9, 0), (19, 0.9, 1), (334, 0.9, 32), (5, 0.9, -1)])
def test_the_refusal_cut_answers_at_most_the_conformal_count(negatives: int, target: float, allowed: int) -> None:
    assert allowed_answers(negatives, target) == allowed


def test_the_refusal_cut_counts_the_rules_refusals_and_keeps_ties_together() -> None:
    p = np.array([0.9, 0.7, 0.7, 0.4, 0.2])
    # 19 negatives in all (14 refused by the rules): one may be answered.
    assert refusal_threshold(p, 14, 0.9) == pytest.approx(0.7) and refusal_threshold(p, 14, 0.9) > 0.7
    # 39 in all: three may be answered, but 0.4 would take a fourth; ties at 0.7 go together.
    assert refusal_threshold(p, 34, 0.9) > 0.4
    assert (p >= refusal_threshold(p, 34, 0.9)).sum() == 3
    # The rules alone refuse enough: no cut.
    assert refusal_threshold(p, 95, 0.9) == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_refusal_cut_holds_for_negatives_it_never_saw(seed: int) -> None:
    # The conformal promise: fitted on 300 negatives, fresh ones from the same distribution
    # are answered at most 1 − target of the time (averaged over 20 fits, within 0.01).
    rng = np.random.default_rng(seed)
    shares = []
    for _ in range(20):
        cut = refusal_threshold(rng.beta(2.0, 5.0, size=300), 0, 0.9)
        shares.append(float((rng.beta(2.0, 5.0, size=20_000) >= cut).mean()))
    assert float(np.mean(shares)) <= 0.1 + 0.01


# -- fitted on the shipped knowledge base ---------------------------------------------------


@pytest.mark.parametrize("margin", [0.0, 0.05, 0.2])
def test_the_probability_rises_with_the_score(engine: Engine, margin: float) -> None:
    calibration = engine.router.calibration
    assert calibration.fitted
    probabilities = [calibration.probability(Evidence(s, margin)) for s in np.linspace(0.0, 1.0, 11)]
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert probabilities == sorted(probabilities) and probabilities[-1] > probabilities[0]


@pytest.mark.parametrize("target", [0.8, 0.9, 0.95])
def test_the_fitted_threshold_meets_the_target_on_the_fitting_data(engine: Engine, target: float) -> None:
    fit = fit_calibration(engine.router, target)
    model = fit.calibration
    p = np.array([model.probability(Evidence(s, m)) for s, m in fit.features.tolist()])
    assert fit.in_domain.sum() >= 100 and (~fit.in_domain).sum() >= 20
    assert model.target_precision == target
    # Answers and clarifications together: what the router offers meets the target.
    assert _weighted_precision(p, fit.labels, fit.weights, model.threshold) >= target


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_kb_is_fitted_on_every_example_whatever_the_seed(engine: Engine, seed: int) -> None:
    # Small enough to route whole: no sample, so the seed moves nothing (it moved the answered
    # share 0.888–0.995 when 300 examples were drawn; docs/benchmarks-log.md).
    fit = fit_calibration(engine.router, 0.9, seed)
    assert len(fit.labels) + fit.refused_negatives <= MAX_ROUTED_WHOLE
    assert (~fit.in_domain).sum() + fit.refused_negatives > 300  # every negative, not a 150 sample
    assert fit.calibration == engine.router.calibration


def test_building_twice_fits_the_same_decision(engine: Engine) -> None:
    assert Router.build(engine.router.kb).calibration == engine.router.calibration


def test_the_shipped_kb_meets_both_targets_on_its_own_examples(engine: Engine) -> None:
    fit = fit_calibration(engine.router, 0.9)
    model = fit.calibration
    p = model.probabilities(fit.features)
    assert model.threshold == max(model.precision_cut, model.refusal_cut)
    assert _weighted_precision(p, fit.labels, fit.weights, model.threshold) >= 0.9
    negatives = int((~fit.in_domain).sum()) + fit.refused_negatives
    answered = int(((p >= model.threshold) & ~fit.in_domain).sum())
    assert answered <= allowed_answers(negatives, model.target_refusal)


def test_the_refusal_target_holds_on_held_out_negatives(engine: Engine) -> None:
    # Each fold's negatives judged by a decision fitted without them.  The conformal cut
    # promises the target in expectation; one standard error of a binomial share of the
    # shipped KB's ~330 negatives is allowed below it.
    fit = fit_calibration(engine.router, 0.9)
    cv = cross_validate(fit)
    negatives = int((~fit.in_domain).sum()) + fit.refused_negatives
    assert cv.refusal >= 0.9 - float(np.sqrt(0.9 * 0.1 / negatives))
    # Without the refusal target, the precision target alone lets more negatives through.
    loose = cross_validate(fit_calibration(engine.router, 0.9, target_refusal=0.0))
    assert loose.refusal < cv.refusal and loose.answered >= cv.answered


def test_pseudo_queries_are_held_out_not_copies(engine: Engine) -> None:
    # Held out with its entry's vocabulary, a question no longer finds itself: some route
    # elsewhere, the hard examples the model needs (with `exclude` alone, 99.9 % were right).
    fit = fit_calibration(engine.router, 0.9)
    share_right = float(fit.labels[fit.in_domain].mean())
    assert 0.5 < share_right < 0.98


def test_the_routing_confidence_is_the_calibrated_probability(engine: Engine) -> None:
    router = engine.router
    for query in ("自動更新をやめるにはどうすればいいですか", "パスポートの更新をしたい"):
        routing = router.route(query)
        right = router.calibration.probability(router.evidence(router.candidates(query)))
        expected = 1.0 - right if routing.decision == DECISION_FALLBACK else right
        assert routing.confidence == pytest.approx(max(expected, 0.9) if routing.out_of_scope else expected, abs=1e-4)


def test_the_shipped_kb_states_a_score_cut_where_both_targets_hold(engine: Engine) -> None:
    # The sixty-seventh rule's cut on the score alone, fitted on the shipped KB and stated since the
    # 137th rule: it decides, and it still meets both targets on the fitting examples.
    router = engine.router
    assert router.kb.settings.threshold is None and router.kb.settings.min_confidence is None
    cut = router.kb.settings.score_cut
    assert cut is not None and router.score_floor == cut
    fit = fit_calibration(router, 0.9)
    score = fit.features[:, 0]
    assert _weighted_precision(score, fit.labels, fit.weights, cut) >= 0.9
    negatives = int((~fit.in_domain).sum()) + fit.refused_negatives
    assert int(((score >= cut) & ~fit.in_domain).sum()) <= allowed_answers(negatives, 0.9)


def test_a_stated_cut_is_measured_on_the_fitting_examples() -> None:
    # Four pseudo-queries (scores 0.9 right, 0.6 wrong, 0.5 right, 0.2 right) and three negatives
    # (0.7, 0.1, and one the rules refused): at 0.55, two are answered, one rightly; one negative of
    # three is answered.  Counted by hand.
    fit = CalibrationFit(
        UNFITTED,
        np.array([[0.9, 0.0], [0.6, 0.0], [0.5, 0.0], [0.2, 0.0], [0.7, 0.0], [0.1, 0.0]]),
        np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0]),
        np.ones(6),
        np.array([True, True, True, True, False, False]),
        refused_negatives=1,
    )
    figures = at_cut(fit, 0.55)
    assert figures.precision == pytest.approx(1 / 3)  # 0.9 right, 0.6 wrong, the 0.7 negative wrong
    assert figures.refusal == pytest.approx(2 / 3)
    assert figures.answered == pytest.approx(2 / 4)


def test_the_score_cut_decides_alone_when_set() -> None:
    # A model whose probability is ~0 everywhere: only the score cut can make it answer.
    on_score = Calibration(-30.0, (0.0, 0.0), 0.99, 0.9, score_cut=0.3)
    assert on_score.answers(Evidence(0.31, 0.0)) and not on_score.answers(Evidence(0.29, 0.9))
    assert on_score.answered(np.array([[0.31, 0.0], [0.29, 0.9]])).tolist() == [True, False]
    assert not Calibration(-30.0, (0.0, 0.0), 0.99, 0.9).answers(Evidence(0.31, 0.0))


# -- other knowledge bases ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bare_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """Sixty entries with one question each, no out-of-scope examples, no router threshold."""
    entries = [
        {"id": e.id, "question": e.questions[0], "answer": e.answer} for e in kbgen.generate_entries(60, seed=3)
    ]
    faq = "category: 一般\nentries:\n" + "".join(
        f"  - id: {e['id']}\n    question: {json.dumps(e['question'], ensure_ascii=False)}\n"
        f"    answer: {json.dumps(e['answer'], ensure_ascii=False)}\n"
        for e in entries
    )
    root = make_kb(
        tmp_path_factory.mktemp("bare"),
        {"faq/basic.yaml": faq, "out_of_scope.yaml": None, "service.yaml": replace_once("  threshold: 0.3\n", "")},
        source=KB_MIN,
    )
    return load_knowledge_base(root)


def test_a_kb_without_alternates_or_examples_gets_a_model(bare_kb: KnowledgeBase) -> None:
    router = Router.build(bare_kb)
    calibration = router.calibration
    assert bare_kb.settings.threshold is None and not bare_kb.out_of_scope
    assert calibration.fitted and 0.0 < calibration.threshold < 1.0
    assert calibration.weights[0] > 0.0 or calibration.weights[1] > 0.0
    # Its own question, verbatim, is answered; a question about nothing in it is not.
    question = bare_kb.entries[0].question
    assert router.route(question).intent == bare_kb.entries[0].id
    assert router.route("How do I bake sourdough bread?").decision == DECISION_FALLBACK


def test_the_score_alone_is_kept_only_when_cross_validation_finds_it_as_good(bare_kb: KnowledgeBase) -> None:
    # The choice of the sixty-seventh rule, checked against its two measurements on another KB.
    fit = fit_calibration(Router.build(bare_kb), 0.9)
    chosen = fit.calibration
    two = cross_validate(fit)
    one = cross_validate(fit, decider=decide_on_score)
    noise = float(np.sqrt(two.answered * (1.0 - two.answered) / int(fit.in_domain.sum())))
    as_good = one.precision >= 0.9 and one.refusal >= chosen.target_refusal and one.answered >= two.answered - noise
    assert (chosen.score_cut is not None) == as_good
    # Whichever is chosen, the probability reported is the two-feature model's.
    assert chosen.threshold == decide(fit, 0.9, chosen.target_refusal).threshold


def test_a_lone_english_alternate_is_not_held_out(tmp_path: Path) -> None:
    # Sixty-eighth rule: held out, an entry's only English question leaves nothing any channel
    # could find the entry by; it becomes a keyword pseudo-query (its question kept) instead.
    root = make_kb(
        tmp_path,
        {"faq/basic.yaml": replace_once("      - 自動更新はもういらない\n", "      - 自動更新はもういらない\n      - I want to cancel\n")},
        source=KB_MIN,
    )
    router = Router.build(load_knowledge_base(root))
    texts = list(router.char_channel.texts)
    held = {texts[e.held_out[0]] for e in _examples(router, 0, _Scripts.of(router)) if e.entry >= 0 and e.held_out}
    assert "自動更新はもういらない" in held
    assert "I want to cancel" not in held
    assert any(e.entry >= 0 and not e.held_out and "cancel" in e.query.casefold() for e in _examples(router, 0, _Scripts.of(router)))


def test_a_constructed_kb_meets_both_stated_targets(bare_kb: KnowledgeBase) -> None:
    # Sixty generated entries, one question each; its negatives are the shipped general questions.
    router = Router.build(bare_kb)
    for target_refusal in (0.8, 0.95):
        fit = fit_calibration(router, 0.9, target_refusal=target_refusal)
        model = fit.calibration
        p = model.probabilities(fit.features)
        assert model.fitted and model.target_refusal == target_refusal
        assert _weighted_precision(p, fit.labels, fit.weights, model.threshold) >= 0.9
        negatives = int((~fit.in_domain).sum()) + fit.refused_negatives
        refused = 1.0 - int(((p >= model.threshold) & ~fit.in_domain).sum()) / negatives
        assert refused >= target_refusal


def test_a_kb_too_small_to_fit_keeps_the_score(min_kb: KnowledgeBase) -> None:
    calibration = Router.build(min_kb).calibration
    assert not calibration.fitted
    assert calibration.probability(Evidence(0.42, 0.1)) == 0.42


@pytest.mark.parametrize("query", ["", "🙂🙂🙂", "解約" * 5000, "ｶｲﾔｸ したい please"])
def test_bad_input_gets_a_probability(engine: Engine, query: str) -> None:
    routing = engine.router.route(query)
    assert 0.0 <= routing.confidence <= 1.0


# -- held-out routing -----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["解約したい", "カード 変更", "自動更新の解約方法を教えて"])
def test_shared_with_scores_a_text_as_the_index_scores_its_documents(query: str) -> None:
    docs = ["自動更新の解約方法", "クレジットカードを変更したい", "自動更新を止める手順"]
    index = NgramIndex(docs)
    shared, _ = index.shared_mass(query)
    for i, doc in enumerate(docs):
        assert index.shared_with(gram_keys(query), frozenset(gram_keys(doc).tolist())) == pytest.approx(shared[i], rel=1e-6)


def test_a_held_out_question_does_not_vouch_for_itself(min_kb: KnowledgeBase) -> None:
    router = Router.build(min_kb)
    stored = "自動更新はもういらない"
    doc = router.char_channel.texts.index(stored)
    excluded = router.candidates(stored, exclude=stored)
    held = router.candidates(stored, held_out=(doc,))
    cancel = min_kb.entries.index(min_kb.entry("cancel"))

    def score(found: Candidates) -> float:
        owners = found.owners.tolist()
        return float(found.char[owners.index(cancel)]) if cancel in owners else 0.0

    # `exclude` leaves its words in the entry's vocabulary; held out, they are gone too.
    assert score(held) < score(excluded)
    assert doc not in held.char_doc.tolist()


def test_a_held_out_question_s_rivals_lose_their_best_matched_question(engine: Engine) -> None:
    # Ninety-sixth rule: the own entry lost the question itself, so each of the first rivals loses
    # the question the character channel matched best for it, where it keeps another of its script.
    router = engine.router
    texts = router.char_channel.texts
    owner_of = router.char_channel.doc_owner
    scripts = _Scripts.of(router)
    example = next(e for e in _examples(router, 0, scripts) if e.entry >= 0 and e.held_out)
    found = router.candidates(example.query, held_out=example.held_out)
    rivals = _rivals_held_out(example, found, scripts)
    assert 0 < len(rivals) <= 5
    best_of = {int(o): int(d) for o, d in zip(found.owners.tolist(), found.char_doc.tolist(), strict=True)}
    for doc in rivals:
        owner = int(owner_of[doc])
        assert owner != example.entry and best_of[owner] == doc  # another entry's best-matched question
        assert sum(int(owner_of[i]) == owner and texts[i].isascii() == texts[doc].isascii() for i in range(len(texts))) > 1
    # Held out, that question no longer speaks for its entry.
    weakened = router.candidates(example.query, held_out=example.held_out + rivals)
    assert not set(rivals) & set(weakened.char_doc.tolist())


def _found(*fused: float) -> Candidates:
    n = len(fused)
    scores = np.array(fused)
    return Candidates(np.arange(n), scores, scores, np.zeros(n), np.full(n, -1))


@pytest.mark.parametrize(
    ("fused", "expected"),
    [
        # A clear lead: the margin is over the runner-up, and the router answers.
        ((0.8, 0.5, 0.4), Evidence(0.8, 0.3, False)),
        # Two near-equals are both offered: the margin is over the first entry not offered.
        ((0.8, 0.79, 0.3), Evidence(0.8, 0.5, True)),
        # Two candidates only, near-equal: nothing left out, the whole score leads.
        ((0.6, 0.6), Evidence(0.6, 0.6, True)),
        # One candidate: its score is its lead.
        ((0.4,), Evidence(0.4, 0.4, False)),
    ],
)
def test_a_clarification_is_judged_by_what_it_offers(fused: tuple[float, ...], expected: Evidence) -> None:
    got = evidence(_found(*fused), 1.0, 0.03)
    assert got.clarifies == expected.clarifies
    assert got.score == pytest.approx(expected.score) and got.margin == pytest.approx(expected.margin)


@pytest.mark.parametrize("stated", [0.5, 0.8])
def test_a_stated_min_confidence_moves_the_score_floor_to_the_lowest_score_it_answers(tmp_path: Path, stated: float) -> None:
    # The report's near-miss labels read Router.score_floor: with a stated probability cut it is
    # the lowest best score that cut can answer (the margin is at most the score), found here by
    # scanning the model's probabilities rather than by the router's own arithmetic.
    other = Path(__file__).parent / "fixtures" / "kb_other_service"
    root = make_kb(tmp_path, {"service.yaml": lambda text: text + f"router:\n  min_confidence: {stated}\n"}, source=other)
    router = Router.build(load_knowledge_base(root))
    model = router.calibration
    assert model.fitted and model.score_cut is None
    grid = np.linspace(0.0, 1.0, 10001)
    reachable = [s for s in grid.tolist() if model.probability(Evidence(s, s)) >= stated]
    assert reachable and router.score_floor == pytest.approx(reachable[0], abs=1e-4)
