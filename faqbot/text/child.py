"""A fresh Python interpreter running this very faqbot code, for work a build hands to a second core.

The kana-reading child (:mod:`faqbot.text.readings`) and the analysing child
(:mod:`faqbot.text.parallel`) are fresh interpreters, not forks: a fork starts as
large as the building process.  Both must import the faqbot that started them,
not another one: faqbot's own folder goes first on ``PYTHONPATH``, and ``-P``
keeps the working directory (which ``-c`` would put first) off the path, in case
it holds another checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]


def child_command(code: str, *args: str) -> list[str]:
    """The command that runs ``code`` (with ``args`` in ``sys.argv[1:]``) in a fresh interpreter like this one."""
    return [sys.executable, "-P", "-c", code, *args]


def child_environment() -> dict[str, str]:
    """This process's environment with faqbot's own folder first on ``PYTHONPATH``."""
    path = os.pathsep.join(filter(None, (str(_ROOT), os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PYTHONPATH": path}
