"""``faqbot check``: validate a knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from faqbot.cli.common import kb_option, load_engine, translate_errors
from faqbot.kb_lint import misrouted_alternates


@click.command()
@kb_option
@translate_errors
def check(kb_dir: Path | None) -> None:
    """Validate a knowledge base; print every problem as file:line: message.

    Exit code 1 when there is any problem.

    \b
    Examples:
      faqbot check
      faqbot check --kb ./my-service-kb
    """
    engine = load_engine(kb_dir)  # structural problems raise and exit 1 here
    problems = misrouted_alternates(engine.kb, engine.router)
    for problem in problems:
        click.echo(str(problem))
    kb = engine.kb
    questions = sum(len(e.questions) for e in kb.entries)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {kb.root}", err=True)
        sys.exit(1)
    click.echo(
        f"OK: {len(kb.entries)} entries, {questions} questions, {len(kb.products)} products "
        f"in {kb.root}"
    )
