"""The fitted values of the last build of each knowledge-base folder, on disk for the next build.

:mod:`faqbot.routing.fit_reuse` keeps a fitted value (lexical weight, veto
threshold, calibration) across an edit when its rule allows; this module keeps
the records it needs between processes: one small pickle per knowledge-base
folder and faqbot version (the per-text cache's key), rewritten after every
build.  A missing, unreadable or foreign file means everything is fitted; a
file that cannot be written is skipped.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from faqbot.routing.fit_reuse import FitHistory, FitRecord

_PREFIX = "fits-"
# Bumped when the pickled layout changes.
_FORMAT = 1
# Records kept in the cache folder (one per knowledge-base folder and faqbot version).
_KEEP = 8


def fits_path(folder: Path, key: str) -> Path:
    """Where the fitted values of the knowledge base keyed ``key`` live."""
    return folder / f"{_PREFIX}{key}.pickle"


def load_fits(path: Path) -> dict[str, FitRecord]:
    """The records stored at ``path`` by kind (none when there is no readable file)."""
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)  # noqa: S301 - our own file, keyed by code hash
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return {}
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _FORMAT and isinstance(stored[1], dict)):
        return {}
    return {kind: record for kind, record in stored[1].items() if isinstance(record, FitRecord)}


def store_fits(path: Path, fits: FitHistory) -> None:
    """Write this build's records to ``path`` (atomically)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{_PREFIX}", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((_FORMAT, fits.records), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        old = sorted(path.parent.glob(f"{_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        return  # a read-only home must not stop the bot
