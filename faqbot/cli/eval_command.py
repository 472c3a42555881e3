"""``faqbot eval``: routing and conversation figures for a labelled file."""

from __future__ import annotations

import sys
from datetime import date
from functools import partial
from pathlib import Path

import click

from faqbot.answers.answering import Engine
from faqbot.cli.common import echo_json, kb_option, load_engine, resolve_today, today_option, translate_errors
from faqbot.cli.progress import counted, progress_bar
from faqbot.errors import InputError
from faqbot.quality.evaluation import Report, decision_text, load_examples, predict, report_figures, score
from faqbot.quality.labels import Label, check_labels
from faqbot.quality.reliability import OVERCONFIDENT, UNDERCONFIDENT
from faqbot.quality.weights import vectors_text, weight_text
from faqbot.routing.router import Router
from faqbot.text.inert import inert


def _print_report(report: Report, decision: str, router: Router, without_vectors: bool = False) -> None:
    width = max([len(s.intent) for s in report.intents] + [12])
    click.echo(f"{'':{width}}  precision    recall  f1-score   support")
    for s in report.intents:
        click.echo(f"{s.intent:{width}}  {s.precision:9.2f} {s.recall:9.2f} {s.f1:9.2f} {s.support:9d}")
    click.echo("")
    click.echo(f"{'accuracy':{width}}  {'':9} {'':9} {report.accuracy:9.2f} {report.total:9d}")
    n = len(report.intents) or 1
    macro = [sum(getattr(s, k) for s in report.intents) / n for k in ("precision", "recall", "f1")]
    click.echo(f"{'macro avg':{width}}  {macro[0]:9.2f} {macro[1]:9.2f} {macro[2]:9.2f} {report.total:9d}")
    click.echo("")
    click.echo(f"in-scope top-1 accuracy:    {report.in_scope_accuracy:.3f}")
    click.echo(f"  refused though the right entry ranked first: {report.refused_right} of {report.in_scope}")
    click.echo(f"fallback precision:         {report.fallback_precision:.3f}")
    click.echo(f"fallback recall:            {report.fallback_recall:.3f}")
    click.echo(f"product accuracy:           {report.product_accuracy:.3f}")
    if report.extraction_accuracy is not None:
        click.echo(f"  the extractor alone:      {report.extraction_accuracy:.3f} (a product named outright; the reply also reads one named in part)")
    share = report.answered / report.total if report.total else 0.0
    click.echo(f"answered: {report.answered} of {report.total} messages ({share:.3f}), "
               f"{report.answered_right} of them rightly ({report.answered_precision:.3f})")
    click.echo(f"decision: answer when the {decision}")
    named = router.kb.settings.word_vectors
    vectors = f"none (--without-vectors; service.yaml names {named})" if without_vectors and named else vectors_text(router)
    if vectors is not None:
        click.echo(f"word vectors: {vectors}")
    _print_reliability(report)
    _print_confusions(report.confusions)
    r = report.ranking
    click.echo(f"\nRanking ({r.queries} in-scope queries): Recall@10 {r.recall_at_10:.3f}  MRR {r.mrr:.3f}  nDCG@10 {r.ndcg_at_10:.3f}")
    click.echo("If router.min_confidence (answer when the probability ≥ it) were — coverage: the share of all")
    click.echo("messages answered; precision: the share of those answered rightly, off-topic ones answered counting")
    click.echo("as wrong (a refused message counts at its best entry's probability; those a rule refuses, never):")
    click.echo("  threshold  coverage  precision")
    for point in report.coverage:
        click.echo(f"  {point.threshold:9.2f} {point.coverage:9.3f} {point.precision:10.3f}")
    if report.score_coverage:
        click.echo("If router.threshold (a hand-set floor on the best character score) were:")
        click.echo("  threshold  coverage  precision")
        for point in report.score_coverage:
            click.echo(f"  {point.threshold:9.2f} {point.coverage:9.3f} {point.precision:10.3f}")
    if report.weights:
        without = ", ranked without the word vectors" if router.vectors is not None else ""
        click.echo(f"If router.lexical_weight (the word channel's weight; now {weight_text(router)}{without}) were:")
        click.echo("     weight  ranked first    MRR")
        for row in report.weights:
            now = "  ← now" if row.weight == router.lexical_weight else ""
            click.echo(f"  {row.weight:9g} {row.hit_at_1:13.3f} {row.mrr:6.3f}{now}")
    if report.styles:
        click.echo("By style (top-1 intent, refusals included):")
        for style in report.styles:
            click.echo(f"  {style.style:12} {style.right:4d} / {style.total:<4d} {style.accuracy:.3f}")


def _print_reliability(report: Report) -> None:
    found = report.reliability
    if not found.judged:
        return
    click.echo(f"confidence on these messages ({found.judged} no rule refuses): mean probability "
               f"{found.mean_probability:.3f}, best entry right {found.share_right:.3f} — {found.verdict}")
    if found.verdict == UNDERCONFIDENT and report.refused_right:
        click.echo(f"  {report.refused_right} refused with the right entry first: the table below shows what a stated "
                   "router.min_confidence (or a lower router.target_precision) would answer, and how rightly")
    elif found.verdict == OVERCONFIDENT:
        click.echo("  answers are right less often than the confidence says: add alternates in customers' words, "
                   "or state a higher router.min_confidence (the table below)")


@click.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--min-accuracy", type=click.FloatRange(0.0, 1.0), default=None,
              help="Exit 1 when in-scope accuracy is below this (0 to 1).")
@click.option("--errors", "show_errors", is_flag=True, help="List every misrouted query.")
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="Also write a page with the confusion matrix and the precision–coverage curve.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--without-vectors", is_flag=True,
              help="Rank as if service.yaml named no word-vector table: run once with and once without to see what it brings.")
@kb_option
@today_option
@translate_errors
def evaluate(
    file: Path, min_accuracy: float | None, show_errors: bool, html_path: Path | None, as_json: bool,
    without_vectors: bool, kb_dir: Path | None, today_text: str | None,
) -> None:
    """Evaluate routing on FILE, a JSONL of {"q", "intent", "product"} lines.

    A FILE of conversations ({"id", "turns": [{"say", "intent", "product"}, …]} lines) is played
    through the dialogue instead: each turn's intent and the product the conversation holds are
    scored, and --min-accuracy applies to the turns' intents.

    \b
    Examples:
      faqbot eval ../shared/eval/dev.jsonl --min-accuracy 0.95
      faqbot eval ../shared/eval/dev.jsonl --html eval.html
      faqbot eval conversations.jsonl --min-accuracy 0.9
    """
    today = resolve_today(today_text)
    from faqbot.dialogue import scoring  # the dialogue loads for eval only: `faqbot ask` stays light

    if scoring.is_conversation_file(file):
        if html_path is not None:
            raise InputError(f"--html is for single queries, and {file} holds conversations; leave --html out.")
        _evaluate_conversations(file, min_accuracy, show_errors, as_json, _engine(kb_dir, as_json, without_vectors), today)
        return
    examples = load_examples(file)
    engine = _engine(kb_dir, as_json, without_vectors)
    labels = [Label(f"{file}:{e.line}", e.intent, e.product, tuple(entry for entry, _ in e.relevance)) for e in examples]
    check_labels(engine.kb, labels, file, "labelled queries")
    with progress_bar(f"Evaluating {file.name}", quiet=as_json) as progress:
        predictions = predict(engine, counted(examples, progress), today, partial(scoring.first_turn_product, engine, today))
    report = score(predictions)
    if html_path is not None:
        from faqbot.quality.eval_html import write_eval_html  # matplotlib only when a page is asked for

        write_eval_html(file.name, report, predictions, engine.router.probability_cut, html_path)
    if as_json:
        vectors = engine.router.vectors
        echo_json({**report_figures(report), "word_vectors": None if vectors is None else
                   {"table": vectors.words.name, "weight": engine.router.vector_weight}})
    else:
        _print_report(report, decision_text(engine), engine.router, without_vectors)
    if show_errors and report.errors:
        click.echo("\nErrors (expected intent/product → predicted; for a refusal, the entry ranked first):")
        for p in report.errors:
            click.echo(f"  [{p.example.intent}/{p.example.product}] → {p.predicted_text()}  {inert(p.example.query)}")
    _fail_below("in-scope accuracy", report.in_scope_accuracy, min_accuracy)


def _engine(kb_dir: Path | None, quiet: bool, without_vectors: bool) -> Engine:
    """The engine to evaluate: the knowledge base's, or (``--without-vectors``) as if it named no table."""
    engine = load_engine(kb_dir, quiet=quiet)
    return engine.without_vectors() if without_vectors else engine


def _evaluate_conversations(
    file: Path, min_accuracy: float | None, show_errors: bool, as_json: bool, engine: Engine, today: date
) -> None:
    from faqbot.dialogue import scoring

    conversations = scoring.load_conversations(file)
    labels = [Label(f"{file}: conversation {c.id}, turn {n}", t.intent, t.product)
              for c in conversations for n, t in enumerate(c.turns, start=1)]
    check_labels(engine.kb, labels, file, "labelled conversations")
    with progress_bar(f"Playing {file.name}", quiet=as_json) as progress:
        report = scoring.score(scoring.play(engine, counted(conversations, progress), today))
    if as_json:
        echo_json(scoring.report_figures(report))
    else:
        click.echo(f"conversations:              {report.conversations} ({report.all_right} right on every turn)")
        click.echo(f"turns:                      {report.turns}")
        click.echo(f"turn intent accuracy:       {report.intent_accuracy:.3f}")
        click.echo(f"turn product accuracy:      {report.product_accuracy:.3f}")
        _print_confusions(report.confusions)
    if show_errors and report.errors:
        click.echo("\nErrors (conversation#turn [expected intent/product] → [reply intent/state product] kind):")
        for r in report.errors:
            click.echo(
                f"  {r.conversation}#{r.index + 1} [{r.turn.intent}/{r.turn.product}] → [{r.intent}/{r.product}] "
                f"{r.kind}  {inert(r.turn.say)}"
            )
    _fail_below("turn intent accuracy", report.intent_accuracy, min_accuracy)


def _print_confusions(confusions: tuple[tuple[str, str, int], ...]) -> None:
    if confusions:
        click.echo("\nMost confused intents (expected → predicted: count):")
        for expected, predicted, count in confusions[:10]:
            click.echo(f"  {expected} → {predicted}: {count}")


def _fail_below(figure: str, value: float, minimum: float | None) -> None:
    """Exit 1 with one sentence when ``value`` is below ``--min-accuracy``."""
    if minimum is not None and value < minimum:
        click.echo(f"Error: {figure} {value:.3f} is below --min-accuracy {minimum}.", err=True)
        sys.exit(1)
