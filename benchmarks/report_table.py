"""The pure part of ``report.py``: targets, rows of figures beside their peers, and their Markdown.

Nothing here runs a benchmark or reads the clock: given figures, it judges each
against its target and renders the tables, so it can be tested with figures
written by hand (``tests/test_benchmark_report.py``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_SIGN = {"<=": "≤", ">=": "≥", ">": ">", "==": "="}
QUICK_VERDICT = "not judged (`--quick`)"


@dataclass(frozen=True)
class Target:
    """A target of the issue: the figure (with ``of_peer``, figure ÷ peer) compared by ``op`` with ``limit``.

    ``op`` is one of ``<=``, ``>=``, ``>`` and ``==`` (for counts that must be zero).

    ``unit`` is only for display; with ``of_peer``, ``unit="%"`` shows the limit as a percentage.
    """

    limit: float
    op: str = "<="
    unit: str = ""
    of_peer: bool = False

    def __post_init__(self) -> None:
        if self.op not in _COMPARE:
            raise ValueError(f"a target's comparison must be one of {', '.join(_COMPARE)}, not {self.op!r}.")

    def met(self, value: float, peer: float | None = None) -> bool | None:
        """Whether ``value`` meets the target; None when it is judged against a peer that is missing or zero."""
        if self.of_peer:
            if not peer:
                return None
            value = value / peer
        return _COMPARE[self.op](value, self.limit)

    def __str__(self) -> str:
        sign = _SIGN[self.op]
        if not self.of_peer:
            return f"{sign} {self.limit:g}{self.unit}"
        if self.unit == "%":
            return f"{sign} {self.limit * 100:g} % of peer"
        return f"{sign} peer" if self.limit == 1 else f"{sign} {self.limit:g}× peer"


@dataclass(frozen=True)
class Row:
    """One figure, its peer from the same run, the load average before it, and its target.

    ``value`` None: not measured (``missing`` says why).  ``percent``: show figure ÷ peer as a
    percentage instead of a multiple.  ``why``: what limits the figure, shown when it misses.
    """

    figure: str
    value: float | None
    peer: float | None = None
    load: float | None = None
    target: Target | None = None
    digits: int = 3
    percent: bool = False
    missing: str = ""
    why: str = ""

    @property
    def ratio(self) -> float | None:
        """Figure ÷ peer, or None when either is missing or the peer is zero."""
        if self.value is None or not self.peer:
            return None
        return self.value / self.peer


@dataclass(frozen=True)
class Section:
    """A report section: a title, lines saying how it was measured, its rows, and notes after them."""

    title: str
    how: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)


def number(value: float | None, digits: int) -> str:
    """``value`` with ``digits`` decimals and thousands separators; an en dash when missing."""
    return "–" if value is None else f"{value:,.{digits}f}"


def ratio_text(row: Row) -> str:
    """The row's figure ÷ peer as ``1.31×`` (two significant digits under 0.1) or ``7.1 %``; an en dash without a peer."""
    ratio = row.ratio
    if ratio is None:
        return "–"
    if row.percent:
        return f"{ratio * 100:.1f} %"
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.2g}×"  # 0.0041×, not 0.00×


def met(row: Row) -> bool | None:
    """Whether the row meets its target; None when it has none, or its figure or needed peer is missing."""
    if row.value is None or row.target is None:
        return None
    return row.target.met(row.value, row.peer)


def verdict(row: Row, quick: bool) -> str:
    """``yes``, ``**no**``, ``not measured: …``, the quick run's label, or empty without a target."""
    if row.value is None:
        return f"not measured: {row.missing or 'the script gave no figure'}"
    if row.target is None:
        return ""
    if quick:
        return QUICK_VERDICT
    judged = met(row)
    if judged is None:
        return "not measured: the peer gave no figure"
    return "yes" if judged else "**no**"


def render_table(rows: list[Row], quick: bool = False) -> str:
    """The Markdown table of ``rows``: figure, faqbot, peer, ratio, load before, target, met."""
    lines = ["| figure | faqbot | peer | faqbot ÷ peer | load before | target | met? |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        cells = [row.figure, number(row.value, row.digits), number(row.peer, row.digits), ratio_text(row),
                 number(row.load, 2), str(row.target) if row.target else "", verdict(row, quick)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def misses(rows: list[Row]) -> list[Row]:
    """The rows measured and judged that miss their target."""
    return [r for r in rows if met(r) is False]


def render_section(section: Section, quick: bool = False) -> str:
    """The section's title, how lines, table, notes, and what limits the figures that miss (one line per reason)."""
    parts = [f"## {section.title}", "\n".join(section.how), render_table(section.rows, quick)]
    parts += section.notes
    missed: dict[str, list[str]] = {}
    for row in misses(section.rows) if not quick else []:
        if row.why:
            missed.setdefault(row.why, []).append(f"*{row.figure}*")
    if missed:
        parts.append("\n".join(f"- {', '.join(figures)} missed: {why}" for why, figures in missed.items()))
    return "\n\n".join(parts)


def summary(sections: list[Section], quick: bool = False) -> str:
    """One line: how many judged figures met their target, and which missed or were not measured."""
    if quick:
        return "Targets: not judged in a `--quick` run (smaller sizes and shorter runs than the targets name)."
    judged = [(s.title, r) for s in sections for r in s.rows if r.target is not None]
    missed = [f"{title}: {r.figure}" for title, r in judged if met(r) is False]
    unmeasured = [f"{title}: {r.figure}" for title, r in judged if met(r) is None]
    passed = len(judged) - len(missed) - len(unmeasured)
    text = f"Targets met: **{passed} of {len(judged)}**."
    if missed:
        text += " Not met: " + "; ".join(missed) + "."
    if unmeasured:
        text += " Not measured: " + "; ".join(unmeasured) + "."
    return text
