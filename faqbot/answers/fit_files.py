"""The fitted values of the last build of each knowledge-base folder, on disk for the next build.

:mod:`faqbot.routing.fit_reuse` keeps a fitted value (lexical weight, veto
threshold, calibration) across an edit when its rule allows; this module keeps
the records it needs between processes: one small pickle per knowledge-base
folder and faqbot version (the per-text cache's key), rewritten after every
build.  A missing, unreadable or foreign file means everything is fitted; a
file that cannot be written is skipped.
"""

from __future__ import annotations

from pathlib import Path

from faqbot.answers.build_cache import read_pickle, store_pickle
from faqbot.routing.fit_reuse import FitRecord

_PREFIX = "fits-"
# Bumped when the pickled layout changes.
_FORMAT = 1


def fits_path(folder: Path, key: str) -> Path:
    """Where the fitted values of the knowledge base keyed ``key`` live."""
    return folder / f"{_PREFIX}{key}.pickle"


def load_fits(path: Path) -> dict[str, FitRecord]:
    """The records stored at ``path`` by kind (none when there is no readable file)."""
    stored = read_pickle(path)
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _FORMAT and isinstance(stored[1], dict)):
        return {}
    return {kind: record for kind, record in stored[1].items() if isinstance(record, FitRecord)}


def store_fits(path: Path, records: dict[str, FitRecord]) -> None:
    """Write this build's records (:attr:`FitHistory.records`) to ``path`` (atomically; the newest few are kept)."""
    store_pickle(path, (_FORMAT, records), _PREFIX)
