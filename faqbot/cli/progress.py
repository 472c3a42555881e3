"""Progress bars for long work, drawn at the edge and handed to the core as a callback.

The core reports progress through a plain ``(done, total)`` callable and never
imports rich; here that callable drives a rich bar on stderr when stderr is a
terminal, and does nothing when it is a pipe or a file, or when the command
prints JSON, so scripted output stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

ProgressCallback = Callable[[int, int], None]
T = TypeVar("T")


def _quiet(done: int, total: int) -> None:
    """The callback when nobody is watching."""


def wanted(quiet: bool = False) -> bool:
    """True when a bar helps: stderr is a terminal and the output is not for a script."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, quiet: bool = False) -> Iterator[ProgressCallback]:
    """A ``(done, total)`` callback showing a transient bar on stderr (a no-op when not :func:`wanted`)."""
    if not wanted(quiet):
        yield _quiet
        return
    # Imported here: `faqbot ask` in a pipe must not pay for rich at start-up.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def counted(items: Sequence[T], progress: ProgressCallback) -> Iterable[T]:
    """``items`` one by one, reporting each as done: progress for a core loop that takes an iterable."""
    for done, item in enumerate(items, start=1):
        yield item
        progress(done, len(items))
