"""Tests of faqbot.answers.vector_install and ``faqbot vectors``: install, list, remove."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from faqbot.answers.cache_location import installed_vectors, vectors_folder, vectors_stamp
from faqbot.answers.vector_install import KNOWN, install_vectors, installed_tables, remove_vectors
from faqbot.cli import main
from faqbot.errors import InputError
from tests.vector_tables import SYNONYM_ROWS, SYNONYM_VECTORS, write_wheel


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return write_wheel(tmp_path / "model-1.0-py3-none-any.whl", SYNONYM_ROWS, SYNONYM_VECTORS)


def test_a_wheel_is_installed_under_its_name(cache: Path, wheel: Path) -> None:
    table = install_vectors("mine", wheel)
    assert table.name == "mine" and vectors_folder("mine") == cache / "vectors" / "mine"
    assert installed_vectors("mine") is not None
    assert [(t.name, t.words, t.rows, t.dimensions, t.source) for t in installed_tables()] == [
        ("mine", len(SYNONYM_ROWS), 3, 3, "model-1.0-py3-none-any.whl")
    ]


def test_a_known_name_is_downloaded_when_no_wheel_is_given(cache: Path, wheel: Path) -> None:
    asked: list[str] = []

    def download(requirement: str, folder: Path) -> Path:
        asked.append(requirement)
        return wheel

    install_vectors("ja-ginza", download=download)
    assert asked == [KNOWN["ja-ginza"]] == ["ja-ginza==5.3.0"]
    assert [t.name for t in installed_tables()] == ["ja-ginza"]


def test_an_unknown_name_needs_a_wheel(cache: Path) -> None:
    with pytest.raises(InputError, match=r"does not know where to download 'other'; give its wheel with --wheel FILE"):
        install_vectors("other")


def test_a_reinstall_replaces_the_table_whole(cache: Path, wheel: Path, tmp_path: Path) -> None:
    install_vectors("mine", wheel)
    smaller = write_wheel(tmp_path / "small.whl", {"解約": 0}, np.ones((1, 2)))
    install_vectors("mine", smaller)
    table = installed_vectors("mine")
    assert table is not None and len(table.keys) == 1 and table.dimensions == 2
    assert sorted(p.name for p in (cache / "vectors").iterdir()) == ["mine"]  # no staging folder left


def test_installing_and_removing_changes_the_stamp_engines_are_keyed_by(cache: Path, wheel: Path) -> None:
    empty = vectors_stamp()
    install_vectors("mine", wheel)
    installed = vectors_stamp()
    assert installed != empty and installed.startswith("mine:")
    assert remove_vectors("mine") == cache / "vectors" / "mine"
    assert vectors_stamp() == empty and installed_vectors("mine") is None


@pytest.mark.parametrize("name", ["../elsewhere", "Mine", ".hidden", ""])
def test_a_name_that_is_no_folder_name_is_refused(cache: Path, wheel: Path, name: str) -> None:
    with pytest.raises(InputError, match="is no table name"):
        install_vectors(name, wheel)
    with pytest.raises(InputError, match="is no table name"):
        remove_vectors(name)
    assert not (cache / "vectors").exists() or not any((cache / "vectors").iterdir())


def test_a_cache_folder_that_cannot_be_written_says_what_to_do(tmp_path: Path, wheel: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(blocked))
    with pytest.raises(InputError, match=r"cannot write the table into .*blocked/vectors .*set FAQBOT_CACHE_DIR to a folder you can write"):
        install_vectors("mine", wheel)


def test_a_table_that_cannot_be_removed_says_so(cache: Path, wheel: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_vectors("mine", wheel)

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("faqbot.answers.vector_install.shutil.rmtree", refuse)
    with pytest.raises(InputError, match=r"cannot remove .*mine \(Permission denied\); remove the folder by hand"):
        remove_vectors("mine")


def test_removing_what_is_not_installed_says_what_is(cache: Path) -> None:
    with pytest.raises(InputError, match="no word-vector table 'mine' is installed; 'faqbot vectors list'"):
        remove_vectors("mine")


def test_the_commands_install_list_and_remove(cache: Path, wheel: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["vectors", "install", "mine", "--wheel", str(wheel)])
    assert done.exit_code == 0, done.output
    assert f"installed mine: {len(SYNONYM_ROWS)} words, 3 vectors of 3" in done.output
    assert "router: {word_vectors: mine}" in done.output
    listed = runner.invoke(main, ["vectors", "list", "--json"])
    assert json.loads(listed.output)[0] | {"folder": ""} == {
        "name": "mine", "folder": "", "words": len(SYNONYM_ROWS), "rows": 3, "dimensions": 3, "source": wheel.name,
    }
    assert runner.invoke(main, ["vectors", "remove", "mine"]).exit_code == 0
    assert "no word-vector table is installed" in runner.invoke(main, ["vectors", "list"]).output


def test_the_commands_fail_with_one_sentence(cache: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["vectors", "install", "other"])
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: faqbot does not know where to download 'other'")
    broken = tmp_path / "broken.whl"
    broken.write_bytes(b"no zip")
    bad = runner.invoke(main, ["vectors", "install", "mine", "--wheel", str(broken)])
    assert bad.exit_code == 1 and "cannot be read as a model wheel" in bad.output
    assert runner.invoke(main, ["vectors", "remove", "mine"]).exit_code == 1


def test_every_command_has_help_with_an_example() -> None:
    for args in (["vectors"], ["vectors", "install"], ["vectors", "list"], ["vectors", "remove"]):
        shown = CliRunner().invoke(main, [*args, "--help"])
        assert shown.exit_code == 0 and "faqbot vectors" in shown.output.split("Example")[1]
