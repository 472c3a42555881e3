"""The data tables shipped inside faqbot's packages (``<package>/data/*.yaml``), read quickly.

The connectives, the aspect and context nouns, the general off-domain questions and the
regional forms are YAML files beside the modules that use them.  Some are read by the
first message a process answers, so they are read the fast way: from the file beside
the module (not through :mod:`importlib.resources`, whose reader machinery costs ~6 ms
to import; faqbot is never run from a zip) and with libyaml's loader where PyYAML has
it (the pure-Python loader took ~9 ms for the dialect table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shipped_table(module_file: str, name: str) -> Any:
    """The YAML file ``data/<name>`` beside the module whose ``__file__`` is ``module_file``, loaded safely."""
    text = (Path(module_file).parent / "data" / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
