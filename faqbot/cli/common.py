"""Shared pieces of the command line: options, loading, errors, JSON output.

The CLI is a thin shell over the Python API: commands parse options, call
the core, and print.  Domain errors raised by the core become one sentence
on stderr and exit code 1 here, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine as cached_engine
from faqbot.errors import FaqbotError, KnowledgeBaseError
from faqbot.kb import SHIPPED_KB
from faqbot.kb.date_io import parse_iso_date
from faqbot.kb.templating import LANGUAGES
from faqbot.kb.timezones import DEFAULT_TIMEZONE, date_in_zone
from faqbot.text.inert import inert

F = TypeVar("F", bound=Callable[..., Any])


def kb_option(func: F) -> F:
    """``--kb DIR``: the knowledge base to use (default: the shipped ``knowledge/``)."""
    return click.option(
        "--kb",
        "kb_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help=f"Knowledge-base folder (default: {SHIPPED_KB}).",
    )(func)


def today_option(func: F) -> F:
    """``--today YYYY-MM-DD``: the reference date (default: today's date in Japan)."""
    return click.option(
        "--today",
        "today_text",
        metavar="YYYY-MM-DD",
        default=None,
        help="Reference date for relative dates and billing (default: today in $FAQBOT_TZ, Asia/Tokyo).",
    )(func)


#: The time zone whose date is "today" (default: Japan's, where the customers are).
ENV_TZ = "FAQBOT_TZ"


def lang_option(func: F) -> F:
    """``--lang ja|en``: answer in this language (default: the language of each message)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        help="Answer in Japanese or English (default: the language each message is written in).",
    )(func)


def resolve_today(today_text: str | None) -> date:
    """The ``--today`` value, or today's date in ``$FAQBOT_TZ`` (default Asia/Tokyo).

    The only place the CLI reads the clock; not the host's local date, which on
    a UTC host is a day behind Japan until 09:00 JST.
    """
    if today_text:
        return parse_iso_date(today_text)
    return date_in_zone(datetime.now(UTC), os.environ.get(ENV_TZ) or DEFAULT_TIMEZONE)


def load_engine(kb_dir: Path | None, quiet: bool = False) -> Engine:
    """Load and index the knowledge base, through the on-disk engine cache
    (raises KnowledgeBaseError); on a terminal, an indicator shows while it works
    (``quiet``: never, e.g. for ``--json``)."""
    if quiet or not sys.stderr.isatty():
        return cached_engine(kb_dir)
    from faqbot.cli.progress import progress_bar

    with progress_bar("Loading the knowledge base"):
        return cached_engine(kb_dir)


def translate_errors(func: F) -> F:
    """Turn domain errors into a message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KnowledgeBaseError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(
                f"Error: the knowledge base has {len(exc.problems)} problem(s); fix them and run `faqbot check`.",
                err=True,
            )
            sys.exit(1)
        except FaqbotError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def echo_json(value: Any) -> None:
    """Print one JSON value on one line, keeping Japanese readable (and C1 controls visible)."""
    # json escapes C0 controls but not C1 (U+0080–U+009F) when ensure_ascii is off.
    click.echo(inert(json.dumps(value, ensure_ascii=False)))
