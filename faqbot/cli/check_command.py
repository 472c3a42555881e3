"""``faqbot check``: validate a knowledge base and lint its content."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from faqbot.cli.common import echo_json, kb_option, load_engine, translate_errors
from faqbot.errors import InputError, Problem
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.quality.decision_check import decision_coverage
from faqbot.quality.fit_summary import FitSummary, StatedDecision, WeightMargin
from faqbot.quality.lint import MIN_ALTERNATES, check_knowledge_base, seed_products_without_rules
from faqbot.quality.spec_check import missing_spec_ids


def _read(path: Path, what: str, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {what} {path} ({exc}); pass an existing UTF-8 file to {option}.") from exc


@click.command()
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--seed", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="The source FAQ page; warns about products its table names that products.yaml lacks.")
@click.option("--spec", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="An intents spec (YAML: faq, compute, smalltalk, products, plans); each id it lists "
                   "and the knowledge base lacks is an error.")
@click.option("--min-alternates", type=click.IntRange(min=0), default=MIN_ALTERNATES, show_default=True,
              metavar="N", help="Warn about FAQ entries with fewer alternate questions than N.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: ok, counts, and every problem as {path, line, severity, message}.")
@kb_option
@translate_errors
def check(strict: bool, seed: Path | None, spec: Path | None, min_alternates: int, as_json: bool,
          kb_dir: Path | None) -> None:
    """Validate a knowledge base; print every problem as file:line: message.

    Errors (exit 1): structural problems, alternate questions that route
    to another entry, and a question two entries hold alike once normalised.
    Warnings: near-duplicate questions in two entries,
    entries with too few alternates, a fitted decision that would refuse
    most of the knowledge base's own questions, unused synonym groups, entries, products
    and plans without their English translation, and (with --seed)
    products the seed page's table names without renewal rules. With
    --spec, every intent, product and plan id the spec lists must exist
    (labelled data refers to them). --strict makes warnings fail too.

    \b
    Examples:
      faqbot check
      faqbot check --strict --seed ../shared/seed/anshin-auto-renewal-faq.txt
      faqbot check --spec ../shared/spec/intents.yaml
      faqbot check --json --strict
      faqbot check --kb ./my-service-kb --min-alternates 5
    """
    engine = load_engine(kb_dir, quiet=as_json)  # structural problems raise and exit 1 here
    problems: list[Problem] = check_knowledge_base(engine.kb, engine.router, min_alternates)
    problems += decision_coverage(engine.router)
    if seed is not None:
        problems += seed_products_without_rules(engine.kb, _read(seed, "the seed page", "--seed"), str(seed))
    if spec is not None:
        problems += missing_spec_ids(engine.kb, _read(spec, "the spec", "--spec"), str(spec))
    fit = FitSummary.of(engine)
    outcome = _Outcome(engine.kb, tuple(problems), strict, fit, WeightMargin.of(engine.router), StatedDecision.of(engine.router, fit))
    (_report_json if as_json else _report_text)(outcome)
    if outcome.failing:
        sys.exit(1)


@dataclass(frozen=True)
class _Outcome:
    """What one check found, and whether it fails (errors, or warnings with --strict)."""

    kb: KnowledgeBase
    problems: tuple[Problem, ...]
    strict: bool
    fit: FitSummary
    margin: WeightMargin | None  # how firmly the weight was fitted (None: stated, or nothing to fit on)
    stated: StatedDecision | None  # the decision service.yaml states, measured (None: none stated)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity != "warning")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def failing(self) -> bool:
        return bool(self.errors) or (self.strict and bool(self.warnings))


def _report_json(outcome: _Outcome) -> None:
    kb = outcome.kb
    echo_json({
        "ok": not outcome.failing, "kb": str(kb.root), "entries": len(kb.entries),
        "questions": sum(len(e.questions) for e in kb.entries), "products": len(kb.products),
        "problems": [{"path": p.path, "line": p.line, "severity": kind, "message": p.message}
                     for kind, found in (("error", outcome.errors), ("warning", outcome.warnings)) for p in found],
        "fit": {**outcome.fit.as_json(), "weight_margin": outcome.margin.as_json() if outcome.margin else None,
                "stated_decision": outcome.stated.as_json() if outcome.stated else None},
    })


def _report_text(outcome: _Outcome) -> None:
    kb, errors, warnings = outcome.kb, outcome.errors, outcome.warnings
    for kind, found in (("error", errors), ("warning", warnings)):
        for problem in found:
            click.echo(f"{problem.location}: {kind}: {problem.message}")
    click.echo(outcome.fit.line())
    if outcome.margin is not None:
        click.echo(outcome.margin.line())
    if outcome.stated is not None:
        click.echo(outcome.stated.line())
    if outcome.failing:
        mode = " (--strict: warnings count)" if outcome.strict and warnings else ""
        click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s) in {kb.root}{mode}", err=True)
        return
    questions = sum(len(e.questions) for e in kb.entries)
    note = f", {len(warnings)} warning(s) (fail on them with --strict)" if warnings else ""
    click.echo(f"OK: {len(kb.entries)} entries, {questions} questions, {len(kb.products)} products in {kb.root}{note}")
