"""Tests of faqbot.answers.engine_file: any array anywhere is mapped, a damaged file is refused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from faqbot.answers.engine_file import EngineFileError, read_engine_file, write_engine_file


@dataclass(frozen=True)
class Model:
    """Stands for a field a later change adds to the engine: nested, with arrays of several dtypes."""

    name: str
    weights: np.ndarray
    nested: dict[str, np.ndarray]


def _model() -> Model:
    return Model(
        "m",
        np.array([0.5, -1.25, 3.0]),
        {"ids": np.arange(5, dtype=np.int32), "words": np.array(["解約", "a"]), "empty": np.zeros(0)},
    )


def test_every_array_reads_back_equal_read_only_and_aligned(tmp_path: Path) -> None:
    path = tmp_path / "x.engine"
    write_engine_file(_model(), path)
    back = read_engine_file(path)
    assert isinstance(back, Model) and back.name == "m"
    assert back.weights.tolist() == [0.5, -1.25, 3.0]
    assert back.nested["ids"].tolist() == [0, 1, 2, 3, 4]
    assert back.nested["words"].tolist() == ["解約", "a"]
    assert back.nested["empty"].tolist() == []
    for array in (back.weights, back.nested["ids"], back.nested["words"]):
        assert not array.flags.writeable  # a view of the read-only mapping, not a copy
        assert array.ctypes.data % 64 == 0
    with pytest.raises(ValueError):
        back.weights[0] = 1.0


def test_a_file_without_arrays_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "x.engine"
    write_engine_file({"a": (1, "二")}, path)
    assert read_engine_file(path) == {"a": (1, "二")}


@pytest.mark.parametrize("cut", [0, 10, 63, 64, -1])
def test_a_truncated_file_is_refused(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "x.engine"
    write_engine_file(_model(), path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:cut])
    with pytest.raises(EngineFileError):
        read_engine_file(path)


def test_a_changed_pickle_byte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.engine"
    write_engine_file(_model(), path)
    data = bytearray(path.read_bytes())
    data[64 + 16 * 4 + 5] ^= 0x01  # inside the pickle, just after the four buffers' table
    path.write_bytes(bytes(data))
    with pytest.raises(EngineFileError, match="checksum"):
        read_engine_file(path)


def test_a_file_written_over_a_longer_one_keeps_none_of_it(tmp_path: Path) -> None:
    path = tmp_path / "x.engine"
    write_engine_file(np.arange(100_000), path)
    write_engine_file(_model(), path, sync=False)  # over it, as over the caller's fresh empty file
    back = read_engine_file(path)
    assert isinstance(back, Model) and back.nested["ids"].tolist() == [0, 1, 2, 3, 4]
    assert path.stat().st_size < 4096
