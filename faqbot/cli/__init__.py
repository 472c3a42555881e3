"""The ``faqbot`` command line: a thin shell over the Python API."""

from __future__ import annotations

import click

from faqbot.cli.chat_command import chat
from faqbot.cli.check_command import check
from faqbot.cli.core_commands import ask, billing, evaluate
from faqbot.cli.serve_command import serve
from faqbot.cli.staff_commands import lookup, products, report, show


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="faqbot")
def main() -> None:
    """faqbot: answers questions about あんしん自動更新 and computes billing dates.

    \b
    Examples:
      faqbot ask "解約したい"
      faqbot billing --product mobile --plan monthly --expiry 2027-03-31
      faqbot check
    """


for _command in (ask, billing, evaluate, check, lookup, show, products, report, serve, chat):
    main.add_command(_command)
