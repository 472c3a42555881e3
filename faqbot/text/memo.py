"""Per-text results of the slow analyses, remembered between engine builds.

Building an engine analyses every question, answer and page title with MeCab
and reads every stored question with pykakasi; at 10,000 entries that is most
of the build.  Both results depend on the text alone (and on faqbot's code and
the libraries' versions, which the on-disk store keys by), so a knowledge base
edited in one file needs only its new texts analysed and read again.

A :class:`TextMemo` starts from what an earlier build left (a
:class:`~faqbot.text.memo_stored.StoredMemo`) and records what this build asks
for, so that what it keeps is exactly this build's texts: a store that is saved
after each build never grows with texts the knowledge base no longer has.  It
is a cache, not a value: it is mutable, and never part of the engine.

What is remembered is kept packed, not as Python objects (at 50,000 entries the
results as dicts of strings and tuples were ~360 MB of the build's memory): the
packed form, and the packing and decoding of analyses, are
:mod:`faqbot.text.memo_stored`'s; this module is which of them a build uses, and
what it computes anew.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar, overload

import numpy as np

from faqbot.text.analysis import Analysis, analyze
from faqbot.text.heap import release, spilled
from faqbot.text.memo_stored import NO_KEYS, StoredMemo, StoredTable, decode, pack, vocabulary
from faqbot.text.packed import DigestIndex, PackedFloats, PackedStrings, digests

if TYPE_CHECKING:  # the child-process machinery is a build's: see faqbot.text.memo_pending
    from faqbot.text.memo_pending import PendingMemoAnalyses, PendingMemoReadings
    from faqbot.text.readings import WarmReadings

# The kind under which kana readings are remembered.
READING = "reading"
# The kind under which normalised readings are remembered (filed by reading).
NORMALIZED = "normalize"
# The kind under which the readings of text segments are remembered (see faqbot.text.readings).
READING_SEGMENT = "reading-segment"
T = TypeVar("T")


class _Digests:
    """Each text's :func:`~faqbot.text.packed.digests` row, computed once per build.

    A build looks the same texts up under several kinds (a question's reading, surface,
    analysis and topic terms): hashing them once, then a dict look-up, halves the
    look-ups' cost at 10,000 entries.
    """

    def __init__(self) -> None:
        self._known: dict[str, bytes] = {}
        self.remembering = True  # False once forgotten: texts handed to remember() are not kept

    def forget(self) -> None:
        """Drop every text remembered, and take no more through :meth:`remember` (see :meth:`TextMemo.forget_digests`).

        The digests computed from then on are still kept: they are of the few texts looked up since.
        """
        self._known = {}
        self.remembering = False

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        known = self._known
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            self._keep(missing, digests(missing))
        return np.frombuffer(b"".join([known[t] for t in texts]), dtype="<u8").reshape(-1, 2)

    def remember(self, texts: Sequence[str], keys: np.ndarray) -> None:
        """Take ``keys`` (n × 2 uint64) as the digests of ``texts``, row for row (nothing, once forgotten)."""
        if self.remembering:
            self._keep(texts, keys)

    def _keep(self, texts: Sequence[str], keys: np.ndarray) -> None:
        raw = np.ascontiguousarray(keys, dtype="<u8").tobytes()
        self._known.update(zip(texts, (raw[i : i + 16] for i in range(0, len(raw), 16)), strict=True))


class _Use:
    """One kind's earlier results and what this build used of them and added to them."""

    def __init__(self, keys: np.ndarray, digest: Callable[[Sequence[str]], np.ndarray] = digests) -> None:
        self.keys = keys
        self._index: DigestIndex | None = None
        self._digest = digest
        self.used = np.zeros(len(keys), dtype=bool)

    def find(self, texts: Sequence[str]) -> np.ndarray:
        """The earlier row of each text (-1: none), each found row marked used."""
        if not len(self.keys):
            return np.full(len(texts), -1, dtype=np.int64)
        return self.find_keys(self._digest(texts))

    def find_keys(self, keys: np.ndarray) -> np.ndarray:
        """The earlier row of each text given by its digest (-1: none), each found row marked used."""
        if not len(self.keys):
            return np.full(len(keys), -1, dtype=np.int64)
        if self._index is None:
            self._index = DigestIndex(self.keys)
            release(self.keys)  # copied, sorted, into the index: a mapped cache's pages go back
        rows = self._index.lookup(keys)
        self.used[rows[rows >= 0]] = True
        return rows


class TextMemo:
    """Analyses and mapped results (kana readings, normalised forms) of one build, seeded by an earlier one."""

    def __init__(self, previous: StoredMemo | None = None) -> None:
        """A memo that finds ``previous`` results (see :meth:`stored`) and records what this build uses."""
        self._previous = previous if previous is not None else StoredMemo()
        self._tables: dict[str, tuple[_Use, dict[str, str]]] = {}
        self._analyses: dict[str, tuple[_Use, dict[str, Analysis]]] = {}
        self._vocabularies: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._digests = _Digests()
        # The veto's word-rarity table (faqbot.routing.novelty_fit.rarities): it depends on
        # wordfreq's lists alone, and building it takes most of a second.
        # Stored packed only, as the veto keeps it (packing 58,000 words costs 0.1 s a build); the
        # table as a dict, which only a refit of the veto reads, is unpacked from it when asked
        # for (stored too, it was 0.02 s of every edit's reading and writing of the memo).
        self.packed_rarity = self._previous.packed_rarity
        self._rarity: dict[str, float] | None = None
        self.computed = 0  # texts analysed or read by this build (not found in ``previous``)
        # A reading child started before the build knew its texts (see WarmReadings): the
        # readings started next use it; whoever made it ends it if nothing did.
        self.warm: WarmReadings | None = None

    def warm_up(self) -> None:
        """Start a reading child now (:class:`~faqbot.text.readings.WarmReadings`) when the last build read in one."""
        from faqbot.text.memo_pending import warm_reading_child  # a build's (see memo_pending)

        stored = self._previous.tables.get(READING)
        if self.warm is None and stored is not None:
            self.warm = warm_reading_child(len(stored.keys))

    def cool_down(self) -> None:
        """End the reading child of :meth:`warm_up` if no build used it."""
        warm, self.warm = self.warm, None
        if warm is not None:
            warm.close()

    @property
    def has_rarity(self) -> bool:
        """Is the rarity table known (set, or stored by an earlier build)?"""
        return self._rarity is not None or self.packed_rarity is not None

    @property
    def rarity(self) -> dict[str, float] | None:
        """The veto's word-rarity table (:func:`~faqbot.routing.novelty_fit.rarities`), None until set or stored."""
        if self._rarity is None and self.packed_rarity is not None:
            self._rarity = self.packed_rarity.as_dict()
        return self._rarity

    @rarity.setter
    def rarity(self, table: dict[str, float] | None) -> None:
        self._rarity = table
        self.packed_rarity = None  # packed again from this table when asked for

    def rarity_table(self) -> PackedFloats:
        """:attr:`rarity` packed (:class:`~faqbot.text.packed.PackedFloats`), once for every build that keeps it."""
        if self.packed_rarity is None:
            self.packed_rarity = PackedFloats(self._rarity or {})
        return self.packed_rarity

    def _table(self, kind: str) -> tuple[_Use, dict[str, str]]:
        if kind not in self._tables:
            stored = self._previous.tables.get(kind)
            self._tables[kind] = (_Use(stored.keys if stored else NO_KEYS, self._digests), {})
        return self._tables[kind]

    def mapped(self, kind: str, texts: Sequence[str], function: Callable[[str], str]) -> list[str]:
        """``function`` of each text, remembered under ``kind``.

        ``kind`` names the function and everything its result depends on besides the
        text (a hash of the synonyms, say), so a changed dependency never reuses a result.
        """
        new = self._table(kind)[1]
        found = self.known(kind, texts)
        return [value if value is not None else self._computed(new, text, function) for text, value in zip(texts, found, strict=True)]

    def start_readings(self, texts: Sequence[str], build_size: int | None = None) -> PendingMemoReadings:
        """Start reading the texts not yet known (in a child process when many); collect with ``result()``.

        ``build_size``: how many texts the whole build reads (see :class:`~faqbot.text.readings.PendingReadings`).
        """
        use, new = self._table(READING)
        rows = use.find(texts)
        missing = list(dict.fromkeys(t for t, row in zip(texts, rows.tolist(), strict=True) if row < 0 and t not in new))
        self.computed += len(missing)
        earlier = self._previous.tables[READING].values.take(rows[rows >= 0]) if len(use.keys) else []
        size = len(texts) if build_size is None else build_size
        warm, self.warm = self.warm, None
        from faqbot.text.memo_pending import PendingMemoReadings  # a build's (see memo_pending)

        return PendingMemoReadings(self, list(texts), rows, earlier, missing, size, warm)

    def known(self, kind: str, texts: Sequence[str]) -> list[str | None]:
        """The result of each text under ``kind`` an earlier build or this one made (None: none)."""
        use, new = self._table(kind)
        rows = use.find(texts)
        earlier = iter(self._previous.tables[kind].values.take(rows[rows >= 0]) if len(use.keys) else [])
        return [next(earlier) if row >= 0 else new.get(text) for text, row in zip(texts, rows.tolist(), strict=True)]

    def keep_every(self, kind: str) -> int:
        """Keep every earlier result under ``kind``, looked up or not (a vocabulary's: segments' readings); how many."""
        use = self._table(kind)[0]
        use.used[:] = True
        return len(use.used)

    def keep(self, kind: str, keys: np.ndarray) -> None:
        """Keep the earlier results of the texts with these :meth:`digests` under ``kind`` for the next build.

        For texts whose results this build found elsewhere (a run of the character channel
        found whole): the store keeps exactly what a build used, and this one used them.
        """
        if kind in self._tables or kind in self._previous.tables:  # else there is nothing to keep
            self._table(kind)[0].find_keys(keys)

    def keep_analyses(self, kind: str, keys: np.ndarray) -> None:
        """:meth:`keep` for analyses: the texts with these digests were analysed under ``kind`` elsewhere."""
        if kind in self._analyses or kind in self._previous.analyses:
            self._analysis_use(kind)[0].find_keys(keys)

    def digests(self, texts: Sequence[str]) -> np.ndarray:
        """The texts' digests (n × 2 uint64, :func:`~faqbot.text.packed.digests`), each computed once per build."""
        return self._digests(texts)

    def known_digests(self, texts: Sequence[str], keys: np.ndarray) -> None:
        """Take ``keys`` as the :meth:`digests` of ``texts`` (kept from an earlier build: they are not hashed again)."""
        self._digests.remember(texts, keys)

    def forget_digests(self) -> None:
        """Forget every text's digest: a build whose look-ups of the whole knowledge base's texts are done.

        The digests are kept by text, so they held every question, answer and page text of
        the knowledge base alive (at 50,000 entries ~50 MB, and, scattered among them, the
        pages of the entries they came from).  Forgotten, a later look-up hashes its texts
        again (the same digests); :meth:`known_digests` keeps nothing from then on.
        """
        self._digests.forget()

    def found_elsewhere(self, kind: str, texts: Sequence[str], results: Sequence[str]) -> None:
        """Remember ``results`` (what :meth:`mapped` under ``kind`` would give) of the texts not yet known.

        For results a child process computed alongside other work (the reading child
        normalises the readings it makes), so that :meth:`mapped` finds them.  They are not
        counted in :attr:`computed`: the texts they came from were (the memo has changed).
        """
        use, new = self._table(kind)
        rows = use.find(texts)
        for text, result, row in zip(texts, results, rows.tolist(), strict=True):
            if row < 0 and text not in new:
                new[text] = result

    def analyses(self, kind: str, texts: Sequence[str], prepare: Callable[[str], str]) -> list[Analysis]:
        """The :func:`~faqbot.text.analysis.analyze` of each text's ``prepare``, remembered under ``kind``.

        ``kind`` names what ``prepare`` depends on besides the text (the product names it masks).
        """
        use, new = self._analysis_use(kind)
        rows = use.find(texts)
        earlier = iter(self._decode(kind, rows[rows >= 0], topic_only=False))
        return [
            next(earlier) if row >= 0 else self._computed(new, text, lambda t: analyze(prepare(t)))
            for text, row in zip(texts, rows.tolist(), strict=True)
        ]

    def start_analyses(self, kind: str, texts: Sequence[str], words: Sequence[str]) -> PendingMemoAnalyses:
        """Start analysing the texts not yet known under ``kind``, ``words`` masked (on two cores when many).

        What :meth:`analyses` computes when its ``prepare`` is ``masked(text, word_mask(words))``
        (:mod:`faqbot.text.parallel`); collect with ``finish()``, after which :meth:`analyses`
        and :meth:`topic_terms` find them computed.
        """
        from faqbot.text.memo_pending import PARALLEL_FROM, PendingMemoAnalyses  # a build's (see memo_pending)

        use, new = self._analysis_use(kind)
        stored = self._previous.analyses.get(kind)
        if stored is not None and len(stored.keys) + PARALLEL_FROM > len(set(texts)):
            # An earlier build stored about as many analyses as there are texts: an edit's few
            # new texts are analysed when asked for, as before, rather than every text looked
            # up twice (a digest each) to find them.
            return PendingMemoAnalyses(new, [], words)
        rows = use.find(texts)
        missing = list(dict.fromkeys(t for t, row in zip(texts, rows.tolist(), strict=True) if row < 0 and t not in new))
        self.computed += len(missing)
        return PendingMemoAnalyses(new, missing, words)

    def topic_terms(self, kind: str, texts: Sequence[str], prepare: Callable[[str], str]) -> list[tuple[str, ...]]:
        """The topic terms of each text's :meth:`analyses`; a remembered one is decoded alone.

        Decoding whole analyses for a list of topic terms made 300,000 pairs of tuples of
        garbage at 50,000 entries, and the build's memory never got those pages back.
        """
        use, new = self._analysis_use(kind)
        rows = use.find(texts)
        earlier = iter(self._decode(kind, rows[rows >= 0], topic_only=True))
        return [
            next(earlier) if row >= 0 else self._computed(new, text, lambda t: analyze(prepare(t))).topic_terms
            for text, row in zip(texts, rows.tolist(), strict=True)
        ]

    def vocabulary(self, kind: str, texts: Sequence[str], prepare: Callable[[str], str]) -> tuple[set[str], set[str]]:
        """Every term and every reading of the texts' :meth:`analyses`, as two sets.

        A remembered analysis is not decoded: its word numbers are pooled and each
        distinct word read once (an edit's veto vocabulary at 10,000 entries: 60,000
        analyses, a few hundred thousand words, a few thousand distinct ones).
        """
        use, new = self._analysis_use(kind)
        rows = use.find(texts)
        terms: set[str] = set()
        readings: set[str] = set()
        found = rows[rows >= 0]
        if len(found):
            stored = self._previous.analyses[kind]
            words = np.unique(stored.words_of(found))
            terms.update(stored.terms.take(words))
            readings.update(stored.readings.take(words))
        for text in (t for t, row in zip(texts, rows.tolist(), strict=True) if row < 0):
            computed = self._computed(new, text, lambda t: analyze(prepare(t)))
            terms.update(computed.terms)
            readings.update(computed.readings)
        return terms, readings

    def analysis(self, kind: str, text: str, prepare: Callable[[str], str]) -> Analysis:
        """:meth:`analyses` of one text."""
        return self.analyses(kind, [text], prepare)[0]

    def _analysis_use(self, kind: str) -> tuple[_Use, dict[str, Analysis]]:
        if kind not in self._analyses:
            stored = self._previous.analyses.get(kind)
            self._analyses[kind] = (_Use(stored.keys if stored else NO_KEYS, self._digests), {})
        return self._analyses[kind]

    def _computed(self, new: dict[str, T], text: str, compute: Callable[[str], T]) -> T:
        """This build's result for ``text``, computed the first time it is asked for."""
        if text not in new:
            new[text] = compute(text)
            self.computed += 1
        return new[text]

    @overload
    def _decode(self, kind: str, rows: np.ndarray, topic_only: Literal[False]) -> list[Analysis]: ...

    @overload
    def _decode(self, kind: str, rows: np.ndarray, topic_only: Literal[True]) -> list[tuple[str, ...]]: ...

    def _decode(self, kind: str, rows: np.ndarray, topic_only: bool) -> list[Analysis] | list[tuple[str, ...]]:
        """The stored analyses at ``rows`` of ``kind``, as values (or only their topic terms).

        See :func:`~faqbot.text.memo_stored.decode`; the kind's vocabulary is made once per build.
        """
        if not len(rows):
            return []
        stored = self._previous.analyses[kind]
        if kind not in self._vocabularies:
            self._vocabularies[kind] = vocabulary(stored)
        return decode(stored, self._vocabularies[kind], rows, topic_only)

    def stored(self, spill: Path | None = None) -> StoredMemo:
        """What this build used and computed, packed, for the store on disk.

        ``spill``: a folder where each table is moved as it is made (:func:`~faqbot.text.heap.spilled`),
        so that they do not add up in the heap before they are written (~110 MB at 50,000
        entries); the earlier tables' mapped pages are given back once copied.
        """
        tables = {}
        for kind, (use, new) in self._tables.items():
            earlier = self._previous.tables.get(kind)
            keys = spilled(np.concatenate((use.keys[use.used], self._digests(list(new)))), spill)
            values = (earlier.values if earlier else PackedStrings(())).select(use.used, new.values()).spilled(spill)
            if earlier is not None:
                earlier.release()
            tables[kind] = StoredTable(keys, values)
        analyses = {}
        for kind, (used, analysed) in self._analyses.items():
            earlier_analyses = self._previous.analyses.get(kind)
            made = pack(earlier_analyses, used.used, analysed, self._digests)
            analyses[kind] = made.spilled(spill)
            del made
            if earlier_analyses is not None:
                earlier_analyses.release()
        return StoredMemo(tables, analyses, self.rarity_table() if self.has_rarity else None)

    @property
    def changed(self) -> bool:
        """Does this build's memo differ from the one it started from (new texts, or texts gone)?"""
        previous = self._previous
        if self.computed or (previous.packed_rarity is None) == self.has_rarity:
            return True
        if set(self._tables) != set(previous.tables) or set(self._analyses) != set(previous.analyses):
            return True
        return not all(use.used.all() for use, _ in [*self._tables.values(), *self._analyses.values()])
