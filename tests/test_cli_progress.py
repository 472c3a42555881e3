"""Progress bars at the edge (faqbot.cli.progress): drawn on a terminal, silent otherwise."""

from __future__ import annotations

import sys

import pytest

from faqbot.cli.progress import counted, progress_bar, wanted


def test_counted_reports_each_item_as_done() -> None:
    calls: list[tuple[int, int]] = []
    items = list(counted(["a", "b", "c"], lambda done, total: calls.append((done, total))))
    assert items == ["a", "b", "c"]
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_piped_output_gets_no_bar(capsys: pytest.CaptureFixture[str]) -> None:
    assert not wanted()  # pytest's captured stderr is not a terminal
    with progress_bar("Working") as progress:
        progress(1, 2)
        progress(2, 2)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("quiet", [False, True])
def test_a_terminal_gets_a_bar_unless_quiet(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            quiet: bool) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws live output only to what it takes for a terminal
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(quiet) is not quiet
    with progress_bar("Working", quiet=quiet) as progress:
        progress(1, 2)
    out, err = capsys.readouterr()
    assert out == ""
    assert ("Working" in err) is not quiet
