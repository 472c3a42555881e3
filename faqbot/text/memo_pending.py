"""The memo's side of a build's child processes: analyses and kana readings computed on a second core.

:class:`~faqbot.text.memo.TextMemo` hands the texts it has no result for to
:mod:`faqbot.text.parallel` (MeCab) and :mod:`faqbot.text.readings` (pykakasi) and
collects what they compute into the memo.  Only a build needs this: the memo imports
it when a build starts the work, so answering from a cached engine never loads the
child-process machinery (``subprocess``, the pickled hand-over, the readings' patterns).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from faqbot.text.analysis import Analysis
from faqbot.text.memo import NORMALIZED, READING, READING_SEGMENT
from faqbot.text.parallel import PARALLEL_FROM, PendingAnalyses
from faqbot.text.readings import ISOLATE_FROM, PendingReadings, WarmReadings, plain, segments_of

if TYPE_CHECKING:
    from faqbot.text.memo import TextMemo

__all__ = ["PARALLEL_FROM", "PendingMemoAnalyses", "PendingMemoReadings", "warm_reading_child"]


def warm_reading_child(stored_readings: int) -> WarmReadings | None:
    """A reading child started now (:class:`~faqbot.text.readings.WarmReadings`) when the last build,
    which read ``stored_readings`` texts, read them in one; else None."""
    return WarmReadings() if stored_readings >= ISOLATE_FROM else None


class PendingMemoAnalyses:
    """Analyses being computed for a memo (see :meth:`TextMemo.start_analyses`)."""

    def __init__(self, new: dict[str, Analysis], missing: list[str], words: Sequence[str]) -> None:
        self._new = new  # the memo's analyses of this kind computed by this build
        self._missing = missing
        self._pending = PendingAnalyses(missing, words)

    @property
    def in_parallel(self) -> bool:
        """Is a child process analysing them (a cold build), so the caller can do other work meanwhile?"""
        return self._pending.in_parallel

    def work_while(self, busy: Callable[[], bool]) -> None:
        """Analyse chunks here while ``busy()`` says the caller would otherwise wait (and chunks are left)."""
        self._pending.work_while(busy)

    def finish(self) -> None:
        """Wait for (and share) the rest of the work; the memo then holds every analysis."""
        self._new.update(zip(self._missing, self._pending.result(), strict=True))


class PendingMemoReadings:
    """The readings of a list of texts: remembered ones at once, the rest from a :class:`PendingReadings`.

    A text not remembered whose segments all are (:func:`~faqbot.text.readings.segments_of`)
    is read from them here: after a one-file edit that is usually every new text, and no
    process then loads pykakasi's dictionary (a reading child was most of a 10k edit's CPU).
    """

    def __init__(
        self,
        memo: TextMemo,
        texts: list[str],
        rows: np.ndarray,
        earlier: list[str],
        missing: list[str],
        build_size: int,
        warm: WarmReadings | None = None,
    ) -> None:
        self._memo = memo
        self._new = memo._table(READING)[1]  # the memo's readings computed by this build
        self._texts = texts
        self._rows = rows  # each text's earlier row (-1: none), its reading in ``earlier``
        self._earlier = earlier
        # The segments' readings are a vocabulary, kept whole (see TextMemo.keep_every); none
        # after a cold build, whose texts are not even cut (0.25 s at 10,000 entries).
        known = memo.keep_every(READING_SEGMENT)
        self._missing = _read_from_segments(memo, missing, self._new) if known else missing
        self._pending = PendingReadings(self._missing, build_size=build_size, warm=warm)

    def ready(self) -> bool:
        """Are the readings there to collect (see :meth:`PendingReadings.ready`)?"""
        return self._pending.ready()

    def result(self) -> list[str]:
        """The readings of every text, in order; the new ones are remembered."""
        new = self._new
        read = self._pending.result()
        new.update(zip(self._missing, read, strict=True))
        if self._pending.normalized is not None:  # the child normalised them too
            self._memo.found_elsewhere(NORMALIZED, read, self._pending.normalized)
        segments = self._pending.segments
        if segments:
            self._memo.found_elsewhere(READING_SEGMENT, list(segments), list(segments.values()))
        earlier = iter(self._earlier)
        return [next(earlier) if row >= 0 else new[text] for text, row in zip(self._texts, self._rows.tolist(), strict=True)]


def _read_from_segments(memo: TextMemo, texts: list[str], read: dict[str, str]) -> list[str]:
    """The texts whose segments are not all remembered; the others' readings, made from their segments', go into ``read``.

    A :func:`~faqbot.text.readings.plain` segment is its own reading; the others' are
    looked up under :data:`~faqbot.text.memo.READING_SEGMENT`.  Joined, they are the
    text's reading exactly as :func:`~faqbot.text.readings.readings` makes it.
    """
    cut = [segments_of(text) for text in texts]
    wanted = list(dict.fromkeys(part for parts in cut for part in parts if not plain(part)))
    found = {part: value for part, value in zip(wanted, memo.known(READING_SEGMENT, wanted), strict=True) if value is not None}
    left: list[str] = []
    for text, parts in zip(texts, cut, strict=True):
        if all(plain(part) or part in found for part in parts):
            read[text] = "".join(part if plain(part) else found[part] for part in parts)
        else:
            left.append(text)
    return left
