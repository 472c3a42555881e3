"""The garbage collector paused over a block is restored as it was, whatever the block does."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from faqbot.answers import engine_cache
from faqbot.text.collector import collector_paused
from tests.conftest import make_small_kb


@pytest.mark.parametrize("collecting", [True, False])
def test_the_collector_is_off_in_the_block_and_as_it_was_after(collecting: bool) -> None:
    (gc.enable if collecting else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == collecting
        with pytest.raises(KeyError), collector_paused():
            raise KeyError("x")
        assert gc.isenabled() == collecting
    finally:
        gc.enable()


def test_a_rebuild_leaves_the_collector_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FAQBOT_CACHE", raising=False)
    assert engine_cache.load_engine(make_small_kb(tmp_path)) is not None and gc.isenabled()
