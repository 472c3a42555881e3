"""``python -m faqbot``: the same as the ``faqbot`` command."""

from faqbot.cli import run

run()
