"""Where the character channel's work is cut into runs of texts, and the store of what each run gave.

An :class:`~faqbot.routing.ngram_index.NgramIndex` is a pure function of its
documents, and merging the n-grams of consecutive runs of documents gives,
array for array, the index of all of them at once
(:meth:`NgramIndex.from_segments`): the idf and the common-gram cut-off are
recomputed from the runs' document frequencies at every merge.  So the
documents are cut where the knowledge base is cut — at each change of entries
file, and every :data:`MAX_SEGMENT_ENTRIES` entries within a file, the
out-of-scope examples apart (:func:`entry_starts`) — and everything the
character channel derives from one run, its n-gram segments included
(:class:`~faqbot.routing.char_runs.CharRun`), is remembered under a hash of
what it depends on.  After a one-file edit only the edited run is computed
again; the others are found by content, and the merge costs a fraction of an
extraction.  A run found is exactly what computing it would give, so an
incremental build is a full build with some pure calls skipped.

:class:`SegmentStore` is the in-build side: it looks runs up through a ``load``
function (the on-disk store of :mod:`faqbot.answers.segment_files`) and records
which this build used and which it computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from faqbot.kb.entry_table import EntryList
from faqbot.kb.knowledge import KnowledgeBase

# Entries per segment at most: an edit re-extracts this many entries' texts (about 1,300
# questions at 10,000 generated entries, 2.5 % of them); smaller runs mean more files.
MAX_SEGMENT_ENTRIES = 256
T = TypeVar("T")


def _nothing(_key: str) -> object:
    return None


class SegmentStore:
    """What each run of texts gave a build, by key: found through ``load``, else computed; this build's use recorded.

    It holds only what this build computed (to be stored for the next): a run found is the
    caller's to keep or drop, so a rebuild after an edit does not hold every unchanged run's
    n-gram segments after the indexes are merged from them (~200 MB at 50,000 entries).
    """

    def __init__(self, load: Callable[[str], object] = _nothing) -> None:
        """A store that asks ``load`` for what an earlier build left under a key (None: not there)."""
        self._load = load
        self.used: set[str] = set()  # the keys of everything this build's indexes hold
        self.extracted: dict[str, object] = {}  # what it had to compute, by key

    def find(self, key: str, kind: type[T]) -> T | None:
        """The ``kind`` of object stored under ``key`` (recorded as used), or None."""
        found = self.extracted.get(key)
        if found is None:
            found = self._load(key)
        if isinstance(found, kind):
            self.used.add(key)
            return found
        return None

    def add(self, key: str, value: T) -> T:
        """Record ``value``, computed by this build, under ``key`` (it is stored for the next build)."""
        self.used.add(key)
        self.extracted[key] = value
        return value


def content_key(docs: Sequence[str]) -> str:
    """A hash of ``docs`` (each document's length, then all of them): two runs of equal texts share it."""
    digest = hashlib.sha256(np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs)).tobytes())
    digest.update("".join(docs).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def entries_key(kb: KnowledgeBase, start: int, end: int) -> str:
    """A hash of entries ``start:end`` of ``kb``, each pickled as the parsed-files cache keeps it.

    A pickle decodes to its entry, so equal bytes mean equal entries, and everything a
    run derives from its entries alone (their texts, how many questions each has) is
    keyed by this without building or hashing those texts (0.25 s of a 10,000-entry
    edit): after a one-file edit the other files' bytes are the very bytes stored.
    """
    entries = kb.entries
    if isinstance(entries, EntryList):
        return entries.run_key(start, end)
    return EntryList(entries[start:end]).run_key(0, end - start)  # pickled here (a packed engine's entries)


def entry_starts(kb: KnowledgeBase) -> list[int]:
    """The entry positions where a segment starts: a new entries file, or a full segment."""
    starts: list[int] = []
    source, run = None, 0
    for pos, entry in enumerate(kb.entries):
        if entry.source != source or run == MAX_SEGMENT_ENTRIES:
            starts.append(pos)
            source, run = entry.source, 0
        run += 1
    return starts
