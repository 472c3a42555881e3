"""Tests of faqbot.quality.evaluation: loading labelled queries and scoring predictions.

The figures of ``score`` are computed by hand for a small table of predictions.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.errors import InputError
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.evaluation import (
    OUT_OF_SCOPE_RULE,
    UNKNOWN_WORDS_RULE,
    Example,
    Prediction,
    decision_text,
    fitted_decision_text,
    load_examples,
    predict,
    report_figures,
    score,
)
from faqbot.quality.weights import LEXICAL_WEIGHTS
from faqbot.routing.calibration import UNFITTED
from tests.conftest import TODAY

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _p(expected: str, predicted: str, product: str | None = None, found: str | None = None) -> Prediction:
    return Prediction(Example(f"{expected}->{predicted}", expected, product), predicted, 0.5, found)


PREDICTIONS = [
    _p("a", "a"),
    _p("a", "a", "mobile", "mobile"),
    _p("a", "b"),
    _p("b", "b", "mac", None),  # product missed
    _p("fallback", "fallback"),
    _p("fallback", "a"),
    _p("b", "fallback"),
]


def test_score_by_hand() -> None:
    report = score(PREDICTIONS)
    assert report.total == 7
    assert report.accuracy == pytest.approx(4 / 7)
    assert report.in_scope_accuracy == pytest.approx(3 / 5)
    by_intent = {s.intent: s for s in report.intents}
    # a: predicted 3 times (2 right), labelled 3 times (2 found)
    assert (by_intent["a"].precision, by_intent["a"].recall, by_intent["a"].support) == (2 / 3, 2 / 3, 3)
    assert by_intent["a"].f1 == pytest.approx(2 / 3)
    # b: predicted 2 times (1 right), labelled 2 times
    assert (by_intent["b"].precision, by_intent["b"].recall) == (0.5, 0.5)
    # fallback: predicted 2 times (1 right), labelled 2 times
    assert (report.fallback_precision, report.fallback_recall) == (0.5, 0.5)
    assert report.product_accuracy == pytest.approx(6 / 7)
    assert sorted(report.confusions) == [("a", "b", 1), ("b", "fallback", 1), ("fallback", "a", 1)]
    assert len(report.errors) == 4  # three misroutes and one missed product


def test_score_of_nothing_is_zero_not_a_crash() -> None:
    report = score([])
    assert (report.total, report.accuracy, report.fallback_recall, report.product_accuracy) == (0, 0.0, 0.0, 0.0)


def test_confusions_most_common_first() -> None:
    report = score([_p("a", "b"), _p("a", "b"), _p("c", "d")])
    assert report.confusions == (("a", "b", 2), ("c", "d", 1))


def test_load_examples(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"q": "解約したい", "intent": "cancel-howto", "product": null}\n'
        "\n"
        '{"q": "モバイルの請求日", "intent": "next-billing-date", "product": "mobile", "style": "keyword"}\n',
        encoding="utf-8",
    )
    assert load_examples(path) == [  # each with its line (the blank line 2 counts), for error messages
        Example("解約したい", "cancel-howto", None, line=1),
        Example("モバイルの請求日", "next-billing-date", "mobile", style="keyword", line=3),
    ]


def test_score_by_style_by_hand() -> None:
    def styled(expected: str, predicted: str, style: str) -> Prediction:
        return Prediction(Example(f"{style}:{expected}->{predicted}", expected, None, style=style), predicted, 0.5, None)

    report = score([
        styled("a", "a", "casual"), styled("a", "b", "casual"), styled("fallback", "fallback", "casual"),
        styled("b", "b", "english"), _p("a", "a"),  # no style: counted nowhere by style
    ])
    assert [(t.style, t.right, t.total) for t in report.styles] == [("casual", 2, 3), ("english", 1, 1)]
    assert report.styles[0].accuracy == pytest.approx(2 / 3)
    assert score(PREDICTIONS).styles == ()  # a file without styles gets no table


@pytest.mark.parametrize(
    ("text", "line"),
    [('{"q": "a", "intent": "x"}\nnot json\n', 2), ('{"intent": "x"}\n', 1), ('{"q": "a", "intent": "x"}\n\n[1, 2]\n', 3)],
)
def test_bad_lines_are_named(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=f"bad.jsonl:{line}:"):
        load_examples(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.jsonl"):
        load_examples(tmp_path / "nope.jsonl")


def test_predict_routes_and_extracts(min_engine: Engine) -> None:
    examples = [Example("アルファの自動更新を解約したい", "cancel", "alpha"), Example("明日の天気を教えて", "fallback", None)]
    predictions = predict(min_engine, examples, TODAY)
    assert [(p.intent, p.product) for p in predictions] == [("cancel", "alpha"), ("fallback", None)]
    report = score(predictions)
    assert (report.accuracy, report.fallback_recall, report.product_accuracy) == (1.0, 1.0, 1.0)
    assert report.extraction_accuracy is None  # no other reading of the product: one figure


def test_a_product_reader_is_scored_and_the_extractor_beside_it(min_engine: Engine) -> None:
    # The reader stands in for the dialogue's reading (faqbot.dialogue.scoring.first_turn_product):
    # here it says "alpha" of every message, which the second one does not name.
    examples = [Example("アルファの自動更新を解約したい", "cancel", "alpha"), Example("自動更新を解約したい", "cancel", "alpha")]
    predictions = predict(min_engine, examples, TODAY, lambda message: "alpha")
    assert [(p.product, p.extraction_right) for p in predictions] == [("alpha", True), ("alpha", False)]
    report = score(predictions)
    assert (report.product_accuracy, report.extraction_accuracy) == (1.0, 0.5)
    assert report_figures(report)["extraction_accuracy"] == 0.5


def test_score_reports_ranking_quality_and_coverage() -> None:
    predictions = [
        Prediction(Example("q1", "a", None), "a", 0.9, None, ("a", "b")),
        Prediction(Example("q2", "b", None), "a", 0.4, None, ("a", "b")),
        Prediction(Example("q3", "fallback", None), "fallback", 0.8, None, ("a",)),
    ]
    report = score(predictions)
    assert (report.ranking.queries, report.ranking.recall_at_10, report.ranking.mrr) == (2, 1.0, 0.75)
    by_threshold = {p.threshold: (p.coverage, p.precision) for p in report.coverage}
    assert by_threshold[0.0] == (pytest.approx(2 / 3), 0.5)
    assert by_threshold[0.5] == (pytest.approx(1 / 3), 1.0)


# q1 answered at 0.9 and right; q2 refused by the threshold (p 0.45) with the right entry first;
# q3 refused by a rule (best None: no threshold answers it); q4 off-topic, its best entry at 0.3.
_ANSWERED_REFUSED_AND_OFF_TOPIC = (
    Prediction(Example("q1", "a", None), "a", 0.9, None, ("a", "b"), 0.9),
    Prediction(Example("q2", "b", None), "fallback", 0.55, None, ("b", "a"), 0.45),
    Prediction(Example("q3", "a", None), "fallback", 0.9, None, ("a",), None),
    Prediction(Example("q4", "fallback", None), "fallback", 0.7, None, ("b",), 0.3),
)


def test_the_coverage_table_counts_refused_messages_at_their_best_entry() -> None:
    # q2 was refused by the threshold with the right entry first (p 0.45): a threshold at 0.4
    # would answer it right; q3 was refused by a rule (best None): no threshold answers it.
    predictions = list(_ANSWERED_REFUSED_AND_OFF_TOPIC)
    report = score(predictions)
    by_threshold = {p.threshold: (p.coverage, p.precision) for p in report.coverage}
    assert by_threshold[0.0] == (pytest.approx(3 / 4), pytest.approx(2 / 3))
    assert by_threshold[0.4] == (pytest.approx(2 / 4), 1.0)
    assert by_threshold[0.5] == (pytest.approx(1 / 4), 1.0)
    assert (report.refused_right, report.in_scope) == (2, 3)


def test_the_score_table_reads_what_a_hand_set_floor_would_answer() -> None:
    # q2 refused (char 0.32, right entry first) is answered right by a floor at 0.3; q3 (a rule's
    # refusal, char None) by none; q4 (off topic, char 0.26) would be answered wrongly at 0.25.
    predictions = [
        Prediction(Example("q1", "a", None), "a", 0.9, None, ("a", "b"), 0.9, 0.61),
        Prediction(Example("q2", "b", None), "fallback", 0.55, None, ("b", "a"), 0.45, 0.32),
        Prediction(Example("q3", "a", None), "fallback", 0.9, None, ("a",), None, None),
        Prediction(Example("q4", "fallback", None), "fallback", 0.7, None, ("b",), 0.3, 0.26),
    ]
    by_threshold = {p.threshold: (p.coverage, p.precision) for p in score(predictions).score_coverage}
    assert by_threshold[0.25] == (pytest.approx(3 / 4), pytest.approx(2 / 3))
    assert by_threshold[0.3] == (pytest.approx(2 / 4), 1.0)
    assert by_threshold[0.35] == (pytest.approx(1 / 4), 1.0)


def test_predict_measures_what_a_lower_threshold_would_answer(min_engine: Engine) -> None:
    examples = [Example("アルファの自動更新を解約したい", "cancel", "alpha"), Example("明日の天気を教えて", "fallback", None)]
    answered, refused = predict(min_engine, examples, TODAY)
    assert answered.best == answered.confidence
    assert answered.char_score is not None and 0.0 < answered.char_score <= 1.2
    assert refused.intent == "fallback"
    assert refused.best is None or refused.best == pytest.approx(1.0 - refused.confidence, abs=1e-4)


def test_predict_ranks_in_scope_examples_at_other_lexical_weights(min_engine: Engine) -> None:
    examples = [Example("アルファの自動更新を解約したい", "cancel", "alpha"), Example("明日の天気を教えて", "fallback", None)]
    in_scope, off_topic = predict(min_engine, examples, TODAY)
    assert len(in_scope.ranks_by_weight) == len(LEXICAL_WEIGHTS) and all(r >= 1 for r in in_scope.ranks_by_weight)
    assert off_topic.ranks_by_weight == ()
    (row, *_) = score([in_scope, off_topic]).weights
    assert (row.weight, row.queries) == (0.0, 1)


def test_the_decision_is_described_as_the_knowledge_base_states_or_fits_it(min_engine: Engine, engine: Engine) -> None:
    assert decision_text(min_engine) == "best character score ≥ 0.3 (hand-set router.threshold)"
    # The shipped KB states its cut (137th rule); what a fit chose is named apart.
    assert decision_text(engine) == f"best score ≥ {engine.kb.settings.score_cut:.4f} (stated in service.yaml)"
    on_score = replace(UNFITTED, fitted=True, score_cut=0.3)
    assert fitted_decision_text(on_score) == "best score ≥ 0.3000 (fitted on the knowledge base's own questions)"


def test_graded_relevance_is_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "graded.jsonl"
    path.write_text('{"q": "x", "intent": "a", "relevance": {"a": 2, "b": 1}}\n', encoding="utf-8")
    (example,) = load_examples(path)
    assert example.grades() == {"a": 2, "b": 1}


@pytest.mark.parametrize(
    ("prediction", "shown"),
    [
        # A refusal names the entry ranked first and its probability: too strict, or the wrong entry?
        (Prediction(Example("粗大ごみの値段おしえて", "sodai-fee", None), "fallback", 0.46, None, ("sodai-fee", "x"), 0.46),
         "[fallback/None] (best: sodai-fee 0.46)"),
        (Prediction(Example("q", "a", None), "fallback", 0.9, None, ("b",), None),
         "[fallback/None] (best: b, refused at any threshold: a rule)"),
        # A rule's refusal names the rule, which the author fixes in the knowledge base, not the thresholds.
        (Prediction(Example("q", "a", None), "fallback", 0.9, None, ("b",), None, rule=UNKNOWN_WORDS_RULE),
         "[fallback/None] (best: b, refused at any threshold: words the knowledge base never uses)"),
        (Prediction(Example("q", "a", None), "fallback", 0.2, None, (), None), "[fallback/None] (nothing ranked) 0.20"),
        (Prediction(Example("q", "a", "p"), "b", 0.76, "p", ("b", "a"), 0.76), "[b/p] 0.76"),  # a wrong answer
    ],
)
def test_an_error_line_shows_the_best_ranked_entry_of_a_refusal(prediction: Prediction, shown: str) -> None:
    assert prediction.predicted_text() == shown


def test_eval_errors_show_the_best_ranked_entry_of_a_refusal(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from faqbot.cli import main

    path = tmp_path / "set.jsonl"
    path.write_text('{"q": "明日の天気を教えて", "intent": "cancel-howto"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path), "--errors", "--today", "2026-11-26"])
    line = next(line for line in result.output.splitlines() if "明日の天気を教えて" in line)
    assert line.startswith("  [cancel-howto/None] → [fallback/None] (best: ")


def test_a_probability_decision_names_the_target_that_sets_it() -> None:
    # The internet provider's KB (another team's): its pseudo-queries put the precision cut far
    # above the refusal cut, so lowering target_refusal would change nothing.
    engine = Engine.build(load_knowledge_base(FIXTURES / "kb_other_service"))
    text = decision_text(engine)
    assert text.startswith("probability ≥ ")
    assert "router.target_precision 0.9 sets it; target_refusal's cut is " in text


def test_a_stated_min_confidence_decides_and_is_described(tmp_path: Path) -> None:
    # What it is for (ninety-sixth rule): a stated min_confidence replaces the fitted cut. A message the
    # fitted cut answers below the stated bar is refused with the same probability; one above it stays
    # answered; and the description names the stated value.
    fitted = Engine.build(load_knowledge_base(FIXTURES / "kb_other_service"))
    shutil.copytree(FIXTURES / "kb_other_service", tmp_path / "kb")
    service = tmp_path / "kb" / "service.yaml"
    service.write_text(service.read_text(encoding="utf-8") + "router:\n  min_confidence: 0.999\n", encoding="utf-8")
    stated = Engine.build(load_knowledge_base(tmp_path / "kb"))
    assert decision_text(stated) == "probability ≥ 0.999 (stated router.min_confidence)"
    answered = fitted.router.route("光回線をやめたい")
    assert (answered.decision, answered.intent) == ("answer", "cancel-howto")
    assert answered.confidence < 0.999
    refused = stated.router.route("光回線をやめたい")
    assert refused.decision == "fallback"
    assert refused.confidence == pytest.approx(1.0 - answered.confidence, abs=1e-4)  # the same probability
    assert stated.router.route("違約金はかかりますか").intent == fitted.router.route("違約金はかかりますか").intent == "cancel-fee"
    assert stated.router.route("明日の天気は？").decision == "fallback"


def test_a_stated_score_cut_decides_on_the_best_score_and_is_described(tmp_path: Path) -> None:
    # The 137th rule: a stated cut on the best score replaces the fitted decision, the probability is
    # still the model's, and the description names the stated value beside what the fit chose.
    fitted = Engine.build(load_knowledge_base(FIXTURES / "kb_other_service"))
    answered = fitted.router.route("光回線をやめたい")
    assert (answered.decision, answered.intent) == ("answer", "cancel-howto")
    score = fitted.router.evidence(fitted.router.candidates("光回線をやめたい")).score
    shutil.copytree(FIXTURES / "kb_other_service", tmp_path / "kb")
    service = tmp_path / "kb" / "service.yaml"
    above = round(score + 0.01, 4)
    service.write_text(service.read_text(encoding="utf-8") + f"router:\n  score_cut: {above}\n", encoding="utf-8")
    stated = Engine.build(load_knowledge_base(tmp_path / "kb"))
    assert decision_text(stated) == f"best score ≥ {above:.4f} (stated in service.yaml)"
    assert stated.router.score_floor == above
    refused = stated.router.route("光回線をやめたい")
    assert refused.decision == "fallback"
    assert refused.confidence == pytest.approx(1.0 - answered.confidence, abs=1e-4)  # the same probability
    assert stated.router.route("明日の天気は？").decision == "fallback"


def test_the_report_counts_answered_messages_and_how_many_rightly() -> None:
    predictions = [
        Prediction(Example("q1", "a", None), "a", 0.9, None, ("a",)),
        Prediction(Example("q2", "b", None), "a", 0.8, None, ("a",)),
        Prediction(Example("q3", "fallback", None), "b", 0.7, None, ("b",)),
        Prediction(Example("q4", "a", None), "fallback", 0.6, None, ("a",)),
    ]
    report = score(predictions)
    assert (report.answered, report.answered_right) == (3, 1)
    assert report.answered_precision == pytest.approx(1 / 3)


def test_predict_names_the_rule_that_refused(min_engine: Engine) -> None:
    # The minimal KB lists 「明日の天気を教えて」 among its out-of-scope examples: refused by that rule
    # whatever the threshold, and the line says which file to look at.
    (refused, answered) = predict(min_engine, [Example("明日の天気を教えて", "fallback", None), Example("アルファの自動更新を解約したい", "cancel", "alpha")], TODAY)
    assert (refused.intent, refused.best, refused.rule) == ("fallback", None, OUT_OF_SCOPE_RULE)
    assert "out_of_scope.yaml" in refused.predicted_text()
    assert answered.rule == ""


def test_the_report_says_whether_the_confidence_is_a_probability_on_these_messages() -> None:
    # q3 has no probability (a rule refused it): not judged; q4's best entry is wrong by definition.
    predictions = list(_ANSWERED_REFUSED_AND_OFF_TOPIC)
    found = score(predictions).reliability
    assert found.judged == 3
    assert found.mean_probability == pytest.approx((0.9 + 0.45 + 0.3) / 3)
    assert found.share_right == pytest.approx(2 / 3)
    assert found.verdict == "calibrated"  # a gap of 0.12 on three messages is noise
    figures = report_figures(score(predictions))["reliability"]
    assert figures == {"judged": 3, "mean_probability": pytest.approx(0.55), "share_right": pytest.approx(2 / 3),
                       "verdict": "calibrated"}


@pytest.mark.parametrize(
    ("best", "right", "advice"),
    [
        # 100 messages at 0.6, 80 right, 20 of the right ones refused: underconfident, and it cost answers
        (0.6, 80, "20 refused with the right entry first"),
        # 100 at 0.9, 70 right: overconfident
        (0.9, 70, "answers are right less often than the confidence says"),
        (0.6, 60, None),  # calibrated: the figures alone
    ],
)
def test_eval_says_what_a_confidence_that_is_no_probability_costs(
    best: float, right: int, advice: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    from faqbot.cli.eval_command import _print_reliability

    answered = [Prediction(Example(f"r{i}", "a", None), "a", best, None, ("a",), best) for i in range(right - 20)]
    refused = [Prediction(Example(f"f{i}", "a", None), "fallback", 1 - best, None, ("a",), best) for i in range(20)]
    wrong = [Prediction(Example(f"w{i}", "a", None), "b", best, None, ("b",), best) for i in range(100 - right)]
    _print_reliability(score(answered + refused + wrong))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("confidence on these messages (100 no rule refuses): mean probability")
    assert (lines[1].strip().startswith(advice) if advice else len(lines) == 1), lines
