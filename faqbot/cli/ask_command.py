"""``faqbot ask``: answer questions from the command line.

Its own module so that `faqbot ask`, the command whose start-up is measured,
imports only what answering needs: the billing and eval commands live beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from faqbot.answers.answering import Answer, answer_query
from faqbot.answers.serialize import answer_json
from faqbot.cli.common import (
    echo_json,
    kb_option,
    lang_option,
    load_engine,
    resolve_today,
    today_option,
    translate_errors,
)
from faqbot.dialogue.handoff_reasons import handoff_reason
from faqbot.dialogue.language import detect_language, in_language
from faqbot.errors import InputError
from faqbot.kb.knowledge import KIND_SMALLTALK
from faqbot.kb.templating import words
from faqbot.routing.verdict import DECISION_ANSWER


def _print_answer(answer: Answer, lang: str) -> None:
    said = words(lang)
    click.echo(answer.text)
    if answer.pages:
        click.echo(f"\n{said['pages']}:")
        for title in answer.pages:
            click.echo(f"  - {title}")
    if answer.related:
        click.echo(f"\n{said['related']}:")
        for s in answer.related:
            click.echo(f"  - {s.question}")


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@lang_option
@kb_option
@today_option
@translate_errors
def ask(question: str, as_json: bool, lang: str | None, kb_dir: Path | None, today_text: str | None) -> None:
    """Answer one QUESTION; with QUESTION "-", one question per line of stdin.

    From stdin every line gets its answer in order, a blank one included (the
    fallback), and in text each answer is printed after its question.

    \b
    Examples:
      faqbot ask "クレジットカード以外で払えますか？"
      faqbot ask --json "解約したい"
      faqbot ask "How do I cancel automatic renewal?"
      faqbot ask --lang en "解約したい"
      printf '解約したい\\n請求日はいつ？\\n' | faqbot ask --json -
    """
    if not question.strip():
        raise InputError('The question is empty; type one, e.g. faqbot ask "解約したい", or "-" to read them from stdin.')
    today = resolve_today(today_text)
    engine = load_engine(kb_dir, quiet=as_json)
    from_stdin = question == "-"
    first = True
    # From stdin every line is answered, a blank one too (with the fallback), so the answers
    # stay aligned with the lines; in text each answer follows its question.
    for line in sys.stdin if from_stdin else [question]:
        line = line.rstrip("\n")
        language = lang or detect_language(line) or "ja"
        speaking = in_language(engine, language)
        answer = answer_query(speaking, line, today)
        if handoff_reason(speaking.kb, line) is not None:  # the chat's hand-off (imported then)
            from faqbot.dialogue.one_shot import handed_over

            answer = handed_over(speaking, answer, today)
        elif answer.missing or answer.billing is not None:  # a billing answer: read as the chat reads it (imported then)
            from faqbot.dialogue.one_shot import reread_billing

            answer = reread_billing(speaking, answer, today)
        elif answer.decision == DECISION_ANSWER and speaking.kb.entry(answer.intent).kind == KIND_SMALLTALK:
            from faqbot.dialogue.one_shot import with_refused_beside  # a question beside the pleasantry

            answer = with_refused_beside(speaking, answer)
        if as_json:
            echo_json(answer_json(answer))
            continue
        if not first:
            click.echo("")
        first = False
        if from_stdin:
            click.echo(f"{words(language)['question']}: {line}")
        _print_answer(answer, language)
