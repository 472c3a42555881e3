"""Entries files already parsed and validated, remembered between engine builds by content.

Parsing YAML with line marks is most of loading a knowledge base: at 10,000
entries, half a second of every rebuild, although an edit changes one file.  An
entries file's :class:`~faqbot.kb.knowledge.Entry` list depends only on its
bytes, its path (entries remember their source), its kind and the product ids
its ``pages`` may name, so a :class:`ParsedFiles` files each clean result under
a hash of exactly those (:func:`file_key`); faqbot's own version is the on-disk
store's business (``faqbot.answers.build_cache`` keys it by the code hash).  Each
entry is kept pickled on its own, as the engine file keeps it, so the entries of
unchanged files are not pickled again when the engine is written (:meth:`ParsedFiles.pickled`).
A file's pickles are one array (:class:`PickledFile`), beside one pickle of all its entries,
from which a build decodes them: the on-disk store maps both read-only, and a build reads
the pickles twice (the runs keyed, the engine file packed), giving their pages back after
each read (:meth:`EntryPickles.release`), so a 50,000-entry build does not hold ~62 MB of
pickles between them.

The render check of every answer (the loader's) is remembered two ways: each answer that
rendered cleanly, by :func:`render_key`, so an edited file checks only its changed answers;
and each file all of whose answers did, by :func:`file_render_key`, so the answers of an
unchanged file are not even keyed one by one (0.05 s of a 10k edit).

Only files that loaded without a problem are remembered: a broken file is parsed
again every time, so its ``file:line`` problems are reported exactly as before.
Like :class:`~faqbot.text.memo.TextMemo` it keeps exactly what this build used,
so a store saved after each build never grows with files that are gone.  It is a
cache, not a value: mutable, and never part of the knowledge base.
"""

from __future__ import annotations

import hashlib
import operator
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from faqbot.kb.entry_table import EntryPickles
from faqbot.kb.knowledge import Entry
from faqbot.text.heap import release


@dataclass(frozen=True)
class PickledFile:
    """One entries file's entries, each pickled on its own, one after the other in one array; and all in one pickle.

    The engine file keeps each entry's own pickle; a build decodes the entries from the
    one pickle of them all, which names each class and field once, not once per entry
    (unpickling one by one was 0.09 s of a 10k edit, the one pickle 0.055 s).
    """

    blob: np.ndarray  # uint8: every pickle
    offsets: np.ndarray  # int64, n + 1: entry i's pickle is blob[offsets[i]:offsets[i + 1]]
    whole: np.ndarray  # uint8: the tuple of the entries, pickled

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> PickledFile:
        """The file of ``entries``, in order."""
        pickles = [pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL) for entry in entries]
        lengths = np.fromiter(map(len, pickles), dtype=np.int64, count=len(pickles))
        whole = pickle.dumps(tuple(entries), protocol=pickle.HIGHEST_PROTOCOL)
        return cls(
            np.frombuffer(b"".join(pickles), dtype=np.uint8), np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            np.frombuffer(whole, dtype=np.uint8),
        )

    def pickles(self) -> list[memoryview]:
        """Each entry's pickle, a view of the array (of the mapped file, when it was read from one)."""
        bounds = self.offsets.tolist()
        data = self.blob.data
        return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _nothing(_key: str) -> PickledFile | None:
    return None


def file_key(rel: str, kind: str, product_ids: set[str], content: bytes) -> str:
    """The key of one entries file's parse: everything its entries depend on."""
    digest = hashlib.sha256("\n".join([rel, kind, *sorted(product_ids), ""]).encode())
    digest.update(content)
    return digest.hexdigest()


def render_key(context: str, answer: str, answer_en: str | None, page_products: tuple[str, ...]) -> str:
    """The key of one answer's render check: its texts, the product ids with pages of their own, and ``context``.

    ``context`` stands for everything else a template reads (the products, the service,
    the renewal terms, in both languages: see the loader's template check).
    """
    digest = hashlib.sha256("\n".join([context, answer, answer_en or "", *page_products, ""]).encode())
    return digest.hexdigest()


def file_render_key(context: str, file: str) -> str:
    """The key of the render check of every answer of the entries file keyed ``file`` (:func:`file_key`) in ``context``.

    The file's key covers all that :func:`render_key` hashes of each of its answers
    (their texts and pages are the file's bytes; the product ids are in the key).
    """
    return hashlib.sha256(f"file-renders\n{context}\n{file}".encode()).hexdigest()


class ParsedFiles:
    """Parsed entries files by :func:`file_key`, seeded by an earlier build's."""

    def __init__(
        self,
        previous: Mapping[str, PickledFile] | Callable[[str], PickledFile | None] = _nothing,
        renders: frozenset[str] = frozenset(),
        file_renders: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """A cache that finds ``previous`` results (by key: a mapping, or a function giving None
        when there is none) and records what this build uses.

        ``renders``: the :func:`render_key` of every answer an earlier load rendered without a problem;
        ``file_renders``: by :func:`file_render_key`, the files all of whose answers it did, with their answers' keys.
        """
        self._previous = previous.get if isinstance(previous, Mapping) else previous
        self.used: dict[str, PickledFile] = {}  # each clean file's entries, each pickled on its own
        self.fresh: dict[str, PickledFile] = {}  # the files of ``used`` this build parsed (not found)
        self._pickled: dict[int, tuple[Entry, memoryview, PickledFile]] = {}  # by id() of each entry handed out (held, so ids stay unique)
        self.parsed = 0  # files this build parsed (not found in ``previous``)
        self._renders = renders
        self.renders: set[str] = set()  # this build's answers known to render, as render_key
        self._file_renders = dict(file_renders or {})
        self.file_renders: dict[str, tuple[str, ...]] = {}  # this build's files known to render, by file_render_key
        self._handed: list[tuple[str, tuple[Entry, ...]]] = []  # each file's entries as handed out, by file_key

    def renders_cleanly(self, key: str) -> bool:
        """Did an earlier load render the answer keyed ``key`` (:func:`render_key`) without a problem?"""
        found = key in self._renders or key in self.renders
        if found:
            self.renders.add(key)
        return found

    def rendered(self, key: str) -> None:
        """Record an answer that rendered without a problem."""
        self.renders.add(key)

    def file_renders_cleanly(self, key: str) -> bool:
        """Did an earlier load render every answer of the file keyed ``key`` (:func:`file_render_key`) without a problem?

        When it did, its answers count as rendered (:attr:`renders` keeps them for a later edit of the file).
        """
        found = self._file_renders.get(key, self.file_renders.get(key))
        if found is None:
            return False
        self.file_renders[key] = found
        self.renders.update(found)
        return True

    def file_rendered(self, key: str, renders: Sequence[str]) -> None:
        """Record a file all of whose answers rendered without a problem, with their :func:`render_key`."""
        self.file_renders[key] = tuple(renders)

    def files_of(self, entries: Sequence[Entry]) -> list[tuple[str | None, Sequence[Entry]]]:
        """``entries`` cut into runs by the file each came from, with its :func:`file_key` (None: not from this cache).

        A file's run is its entries as this cache handed them out, the very objects, together.
        """
        starts = {id(handed[0]): (key, handed) for key, handed in self._handed if handed}
        runs: list[tuple[str | None, Sequence[Entry]]] = []
        pos = loose = 0
        while pos < len(entries):
            key, handed = starts.get(id(entries[pos]), (None, ()))
            run = entries[pos : pos + len(handed)]
            if key is None or len(run) != len(handed) or not all(map(operator.is_, run, handed)):
                pos += 1
                continue
            if loose < pos:
                runs.append((None, entries[loose:pos]))
            runs.append((key, run))
            pos = loose = pos + len(handed)
        if loose < len(entries):
            runs.append((None, entries[loose:]))
        return runs

    def find(self, key: str) -> tuple[Entry, ...] | None:
        """The remembered entries of the file keyed ``key`` (None when it must be parsed)."""
        found = self.used.get(key)
        if found is None:
            found = self._previous(key)
            if found is not None:
                self.used[key] = found
        if found is None:
            return None
        entries = self._entries(found)
        self._handed.append((key, entries))
        return entries

    def remember(self, key: str, entries: tuple[Entry, ...]) -> None:
        """Record a file parsed without problems."""
        self.parsed += 1
        file = PickledFile.of(entries)
        self.used[key] = self.fresh[key] = file
        self._handed.append((key, entries))
        for entry, data in zip(entries, file.pickles(), strict=True):
            self._pickled[id(entry)] = (entry, data, file)

    def _entries(self, file: PickledFile) -> tuple[Entry, ...]:
        entries: tuple[Entry, ...] = pickle.loads(file.whole.data)  # noqa: S301 - our own cache file
        for entry, data in zip(entries, file.pickles(), strict=True):
            self._pickled[id(entry)] = (entry, data, file)
        release(file.whole)  # decoded: a mapped file's pages go back (the blob's are read when the engine is packed)
        return entries

    def pickled(self, entries: Sequence[Entry]) -> EntryPickles | None:
        """Each entry pickled, as this cache keeps it, when every one came from it (else None).

        The engine file keeps every entry pickled on its own (:class:`~faqbot.kb.entry_table.EntryTable`):
        the entries of unchanged files need not be pickled again (0.1 s at 10,000 entries).
        """
        found = [self._pickled.get(id(entry)) for entry in entries]
        if not all(triple is not None and triple[0] is entry for triple, entry in zip(found, entries, strict=True)):
            return None
        kept = [triple for triple in found if triple is not None]
        # Each file's array with the position of its first entry (a file's entries come together).
        arrays = [(pos, file.blob) for pos, (_, _, file) in enumerate(kept) if not pos or file is not kept[pos - 1][2]]
        return EntryPickles([data for _, data, _ in kept], arrays)

    @property
    def renders_changed(self) -> bool:
        """Do this build's clean renders differ from the ones it started from?"""
        return self.renders != self._renders

    @property
    def file_renders_changed(self) -> bool:
        """Do this build's files known to render differ from the ones it started from?"""
        return self.file_renders.keys() != self._file_renders.keys()
