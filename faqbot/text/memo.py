"""Per-text results of the slow analyses, remembered between engine builds.

Building an engine analyses every question, answer and page title with MeCab
and reads every stored question with pykakasi; at 10,000 entries that is most
of the build.  Both results depend on the text alone (and on faqbot's code and
the libraries' versions, which the on-disk store keys by), so a knowledge base
edited in one file needs only its new texts analysed and read again.

A :class:`TextMemo` starts from what an earlier build left (``previous``) and
records what this build asks for, so that what it keeps is exactly this
build's texts: a store that is saved after each build never grows with texts
the knowledge base no longer has.  It is a cache, not a value: it is mutable,
and never part of the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from faqbot.text.analysis import Analysis, analyze
from faqbot.text.readings import PendingReadings

# An analysis as stored on disk: its terms, their readings and its topic terms.  Plain tuples
# unpickle three times faster than dataclass instances, and a 10,000-entry knowledge base has
# 60,000 texts.
StoredAnalysis = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_EMPTY_ANALYSES: Mapping[str, StoredAnalysis] = {}
_EMPTY_READINGS: Mapping[str, str] = {}
_EMPTY_TABLES: Mapping[str, Mapping[str, str]] = {}


class TextMemo:
    """Analyses (by prepared text) and kana readings (by text) of one build, seeded by an earlier one."""

    def __init__(
        self,
        analyses: Mapping[str, StoredAnalysis] = _EMPTY_ANALYSES,
        readings: Mapping[str, str] = _EMPTY_READINGS,
        tables: Mapping[str, Mapping[str, str]] = _EMPTY_TABLES,
        rarity: dict[str, float] | None = None,
    ) -> None:
        """A memo seeded with an earlier build's analyses (see :meth:`stored_analyses`), readings and tables."""
        self._previous_analyses = analyses
        self._previous_readings = readings
        self._previous_tables = tables
        self.analyses: dict[str, Analysis] = {}
        self.readings: dict[str, str] = {}
        self.tables: dict[str, dict[str, str]] = {}
        # The veto's word-rarity table (faqbot.routing.novelty.rarities): it depends on
        # wordfreq's lists alone, and building it takes most of a second.
        self.rarity = rarity
        self._had_rarity = rarity is not None
        self.computed = 0  # texts analysed or read by this build (not found in ``previous``)

    def analysis(self, prepared: str) -> Analysis:
        """The analysis of a text already prepared (:func:`~faqbot.text.analysis.prepare`d and masked)."""
        found = self.analyses.get(prepared)
        if found is None:
            stored = self._previous_analyses.get(prepared)
            if stored is None:
                found = analyze(prepared)
                self.computed += 1
            else:
                found = Analysis(*stored)
            self.analyses[prepared] = found
        return found

    def start_readings(self, texts: Sequence[str]) -> PendingMemoReadings:
        """Start reading the texts not yet known (in a child process when many); collect with ``result()``."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._previous_readings and t not in self.readings]
        self.computed += len(missing)
        return PendingMemoReadings(self, list(texts), missing)

    def mapped(self, kind: str, texts: Sequence[str], function: Callable[[str], str]) -> list[str]:
        """``function`` of each text, remembered under ``kind``.

        ``kind`` names the function and everything its result depends on besides the
        text (a hash of the synonyms, say), so a changed dependency never reuses a result.
        """
        table = self.tables.setdefault(kind, {})
        previous = self._previous_tables.get(kind, _EMPTY_READINGS)
        out: list[str] = []
        for text in texts:
            value = table.get(text)
            if value is None:
                value = previous.get(text)
                if value is None:
                    value = function(text)
                    self.computed += 1
                table[text] = value
            out.append(value)
        return out

    def stored_analyses(self) -> dict[str, StoredAnalysis]:
        """This build's analyses as plain tuples, for the store on disk."""
        return {text: (found.terms, found.readings, found.topic_terms) for text, found in self.analyses.items()}

    def reading(self, text: str) -> str:
        """The remembered reading of ``text`` (one this build started, or an earlier build's)."""
        found = self.readings.get(text)
        if found is None:
            found = self.readings[text] = self._previous_readings[text]
        return found

    @property
    def changed(self) -> bool:
        """Does this build's memo differ from the one it started from (new texts, or texts gone)?"""
        return bool(self.computed) or self._had_rarity != (self.rarity is not None) or (
            len(self.analyses) != len(self._previous_analyses)
            or len(self.readings) != len(self._previous_readings)
            or {kind: len(t) for kind, t in self.tables.items()}
            != {kind: len(t) for kind, t in self._previous_tables.items()}
        )


class PendingMemoReadings:
    """The readings of a list of texts: remembered ones at once, the rest from a :class:`PendingReadings`."""

    def __init__(self, memo: TextMemo, texts: list[str], missing: list[str]) -> None:
        self._memo = memo
        self._texts = texts
        self._missing = missing
        self._pending = PendingReadings(missing, build_size=len(texts))

    def result(self) -> list[str]:
        """The readings of every text, in order; the new ones are remembered."""
        self._memo.readings.update(zip(self._missing, self._pending.result(), strict=True))
        return [self._memo.reading(text) for text in self._texts]
