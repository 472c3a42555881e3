"""Tests of faqbot.text.rarity: the shipped Zipf table read as salience."""

from __future__ import annotations

import pytest

from faqbot.text.rarity import UNLISTED, salience_table


@pytest.fixture(scope="module")
def table() -> dict[str, float]:
    return salience_table()


def test_the_table_is_the_commonest_words(table: dict[str, float]) -> None:
    assert len(table) > 20_000
    assert all(1.0 <= v <= UNLISTED for v in table.values())


def test_common_words_weigh_less_than_rare_ones(table: dict[str, float]) -> None:
    assert table["の"] < table["する"] < table["更新"] < table["パスポート"] < UNLISTED
    assert "zzqx" not in table
