"""Tests of faqbot.dialogue.remembered: values made once per key, in a bounded store."""

from __future__ import annotations

from collections.abc import Hashable

from faqbot.dialogue.remembered import remembered


def test_a_value_is_made_once_per_key_and_the_store_is_emptied_at_its_bound() -> None:
    store: dict[Hashable, str | None] = {}
    made: list[str] = []

    def make(key: str) -> str | None:
        made.append(key)
        return None if key == "none" else key.upper()

    for key in ("a", "a", "none", "none"):  # None is remembered too: no second make
        remembered(store, key, lambda key=key: make(key), 2)
    assert made == ["a", "none"]
    assert remembered(store, "b", lambda: make("b"), 2) == "B"  # the bound reached: emptied, then kept
    assert store == {"b": "B"}
