"""faqbot.text.replace_file: a file is replaced whole, or not at all."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from faqbot.text.replace_file import replaced_atomically


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_new_content_replaces_the_file_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "answers.yaml"
    target.write_text("old\n", encoding="utf-8")
    with replaced_atomically(target, "learn-") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".learn-") and tmp.name.endswith(".tmp")
        tmp.write_text("new\n", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old\n"  # nothing shows before the block ends
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml"]


def test_a_reader_of_the_old_file_keeps_reading_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "engine"
    target.write_bytes(b"A" * 10)
    with target.open("rb") as reader:
        with replaced_atomically(target, "engine-") as tmp:
            tmp.write_bytes(b"B" * 10)
        assert reader.read() == b"A" * 10
    assert target.read_bytes() == b"B" * 10


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_the_replaced_file_keeps_its_permission_bits(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "answers.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(mode)
    with replaced_atomically(target, "learn-") as tmp:
        tmp.write_text("new\n", encoding="utf-8")
    assert _mode(target) == mode


def test_a_new_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "content-abc"
    with replaced_atomically(target, "content-") as tmp:
        tmp.write_bytes(b"x")
    assert target.read_bytes() == b"x" and _mode(target) == 0o600


def test_a_block_that_raises_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "answers.yaml"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="half written"), replaced_atomically(target, "learn-") as tmp:
        tmp.write_text("ne", encoding="utf-8")
        raise RuntimeError("half written")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml"]


def test_a_missing_folder_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError), replaced_atomically(tmp_path / "missing" / "file", "x-") as tmp:
        tmp.write_bytes(b"never")
