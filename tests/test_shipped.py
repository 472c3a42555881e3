"""Tests of faqbot.text.shipped: the shipped data tables read as the pure-Python safe loader reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import faqbot.dialogue.phrases
import faqbot.routing.router
import faqbot.text.dialect
import faqbot.text.normalize
from faqbot.text.shipped import shipped_table

_TABLES = [
    (faqbot.routing.router.__file__, name)
    for name in ("connectives.yaml", "aspect_nouns.yaml", "context_nouns.yaml", "offdomain.yaml")
] + [
    (faqbot.text.dialect.__file__, "dialect.yaml"),
    (faqbot.dialogue.phrases.__file__, "phrases.yaml"),
    (faqbot.text.normalize.__file__, "endings.yaml"),
]


@pytest.mark.parametrize(("module_file", "name"), _TABLES)
def test_a_shipped_table_reads_as_yaml_safe_load_reads_it(module_file: str, name: str) -> None:
    path = Path(module_file).parent / "data" / name
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert expected  # the file is there and holds something
    assert shipped_table(module_file, name) == expected


def test_a_missing_table_raises() -> None:
    with pytest.raises(FileNotFoundError):
        shipped_table(faqbot.text.dialect.__file__, "no-such-table.yaml")
