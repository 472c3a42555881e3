"""The character channel's n-gram indexes built from segments, so an edit re-reads only its own file.

An :class:`~faqbot.routing.ngram_index.NgramIndex` is a pure function of its
documents, and merging the n-grams of consecutive runs of documents gives,
array for array, the index of all of them at once
(:meth:`NgramIndex.from_segments`): the idf and the common-gram cut-off are
recomputed from the runs' document frequencies at every merge.  So the
documents are cut where the knowledge base is cut — at each change of entries
file, and every :data:`MAX_SEGMENT_ENTRIES` entries within a file, the
out-of-scope examples apart — and each run's n-grams
(:class:`~faqbot.routing.ngram_extract.Segment`) are remembered under a hash
of its documents.  After a one-file edit only the edited run's n-grams are
extracted again; the others are found by content, and the merge costs a
fraction of an extraction.  A segment found is exactly what extracting its
documents would give, so an incremental build is a full build with some pure
calls skipped.

:class:`SegmentStore` is the in-build side: it looks segments up through a
``load`` function (the on-disk store of :mod:`faqbot.answers.segment_files`)
and records which segments this build used and which it extracted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.ngram_extract import Segment, segment
from faqbot.routing.ngram_index import NgramIndex

# Entries per segment at most: an edit re-extracts this many entries' texts (about 1,300
# questions at 10,000 generated entries, 2.5 % of them); smaller runs mean more files.
MAX_SEGMENT_ENTRIES = 256


def _nothing(_key: str) -> Segment | None:
    return None


class SegmentStore:
    """Segments by content key: found through ``load``, else extracted; what this build used is recorded."""

    def __init__(self, load: Callable[[str], Segment | None] = _nothing) -> None:
        """A store that asks ``load`` for a segment an earlier build left (None: not there)."""
        self._load = load
        self.used: dict[str, Segment] = {}  # every segment this build's indexes hold, by key
        self.extracted: set[str] = set()  # the keys of those it had to extract

    def segment(self, docs: Sequence[str]) -> Segment:
        """The n-grams of ``docs``, remembered or extracted."""
        key = content_key(docs)
        found = self.used.get(key)
        if found is None:
            found = self._load(key)
            if found is None:
                found = segment(docs)
                self.extracted.add(key)
            self.used[key] = found
        return found

    def index(self, docs: Sequence[str], starts: Sequence[int]) -> NgramIndex:
        """The index of ``docs``, one segment from each of ``starts`` (ascending) to the next."""
        bounds = sorted({0, *starts, len(docs)})
        parts = [self.segment(docs[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if a < b]
        return NgramIndex.from_segments(parts)


def content_key(docs: Sequence[str]) -> str:
    """A hash of ``docs`` (each document's length, then all of them): two runs of equal texts share it."""
    digest = hashlib.sha256(np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs)).tobytes())
    digest.update("".join(docs).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


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
