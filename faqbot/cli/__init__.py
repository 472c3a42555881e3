"""The ``faqbot`` command line: a thin shell over the Python API.

Commands are imported when they are run (click's documented lazy-group
pattern): ``faqbot ask`` must not pay for importing the web server, the
terminal UI and rich on every start-up.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

import click

# Command name → "module:attribute", in the order `faqbot --help` lists them.
_COMMANDS = {
    "ask": "faqbot.cli.ask_command:ask",
    "billing": "faqbot.cli.billing_command:billing",
    "chat": "faqbot.cli.chat_command:chat",
    "check": "faqbot.cli.check_command:check",
    "eval": "faqbot.cli.eval_command:evaluate",
    "learn": "faqbot.cli.learn_command:learn",
    "lookup": "faqbot.cli.staff_commands:lookup",
    "products": "faqbot.cli.staff_commands:products",
    "report": "faqbot.cli.staff_commands:report",
    "serve": "faqbot.cli.serve_command:serve",
    "show": "faqbot.cli.staff_commands:show",
    "vectors": "faqbot.cli.vectors_command:vectors",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(module_name), attribute)
        return command if isinstance(command, click.Command) else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="faqbot")
def main() -> None:
    """faqbot: answers questions from a knowledge base (default: the shipped あんしん自動更新 FAQ).

    \b
    Examples:
      faqbot chat
      faqbot ask "解約したい"
      faqbot billing --product mobile --plan monthly --expiry 2027-03-31
      faqbot check
    """


def run() -> None:
    """The ``faqbot`` console script: :func:`main`, leaving out the interpreter's last collections.

    A one-shot command such as ``faqbot ask`` ends with ~30,000 objects alive (the engine's
    arrays and tables, the imported libraries). At exit the interpreter's final garbage
    collections walk all of them: ~20 ms of a ~0.27 s ``ask`` (``benchmarks/bench_startup.py``).
    Freezing them first (:func:`gc.freeze`) skips the walk; the objects still go with the
    process. Nothing of faqbot's relies on a finaliser at exit: files are written in ``with``
    blocks and threads are joined before the collections would run. In-process callers (the
    tests, an embedding application) call :func:`main` and keep their collector as it was.
    """
    try:
        main()
    finally:
        gc.freeze()
