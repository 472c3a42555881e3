"""Charts as inline, accessible SVG, drawn offline with matplotlib's SVG backend.

Shared by the report page (:mod:`faqbot.analytics.html_report`) and the
evaluation page (:mod:`faqbot.quality.eval_html`), so it sits in the lowest
layer; it knows nothing of the knowledge base.  matplotlib is imported inside
:func:`_pyplot`, on the first chart, never at faqbot's start-up.

Every chart is returned as ``<svg role="img" aria-labelledby=…>`` with its own
``<title>``, scaled to the width of its container (readable on a 375 px
phone); the pages put a data table with the same figures behind each chart.
Text in the SVG is drawn as paths, so the page needs no font and no network.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

# Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics).
BLUE = "#1f5fa8"
RED = "#b3261e"
GREEN = "#2e7d32"
_WIDTH, _HEIGHT = 6.0, 3.4  # inches: wide enough for a desktop, still legible scaled to a phone
_FONT_SIZE = 11


@dataclass(frozen=True)
class Series:
    """One named row of values for a bar or line chart."""

    name: str
    values: tuple[float, ...]
    color: str = BLUE


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("svg")  # offline, no display
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": _FONT_SIZE, "svg.fonttype": "path", "axes.spines.top": False,
                         "axes.spines.right": False})
    return plt


_SVG_START = re.compile(r"<svg\b[^>]*>", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')


def _scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and every ``#id`` reference) so two charts on one page share none.

    matplotlib numbers its groups and glyphs per figure (``figure_1``, ``DejaVuSans-30``),
    so every chart of a page would repeat them (axe-core: duplicate-id).
    """
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    names = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    svg = re.sub(rf'\bid="({names})"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(rf"#({names})(?=[\")])", lambda m: f"#{prefix}-{m.group(1)}", svg)


def _to_svg(fig: Any, chart_id: str, title: str) -> str:
    """The figure as an accessible inline ``<svg>``; ``chart_id`` keeps its ids unique on the page."""
    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = chart_id  # clip-path ids differ between the page's charts
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    match = _SVG_START.search(text)
    if match is None:  # matplotlib always writes one; a broken backend must not yield a blank page
        raise ValueError("matplotlib produced no <svg> element")
    view_box = re.search(r'viewBox="([^"]+)"', match.group(0))
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="{view_box.group(1) if view_box else "0 0 432 245"}" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )
    # matplotlib's RDF metadata (namespaces, licence URLs) says nothing to a reader of the page.
    return opening + _scope_ids(_METADATA.sub("", text[match.end():]), chart_id)


def bar_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], xlabel: str = "") -> str:
    """Horizontal bars, one row per label (stacked when there are several series)."""
    plt = _pyplot()
    height = max(_HEIGHT * 0.5, 0.42 * len(labels) + 0.9)
    fig, ax = plt.subplots(figsize=(_WIDTH, height))
    positions = list(range(len(labels)))
    left = [0.0] * len(labels)
    for s in series:
        ax.barh(positions, s.values, left=left, color=s.color, label=s.name)
        left = [a + b for a, b in zip(left, s.values, strict=True)]
    ax.set_yticks(positions, labels=list(labels))
    ax.invert_yaxis()  # first label on top, as in the table
    ax.set_xlabel(xlabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if len(series) > 1:
        ax.legend(loc="lower right", frameon=False)
    return _to_svg(fig, chart_id, title)


def time_chart(chart_id: str, title: str, days: Sequence[str], counts: Sequence[int], rates: Sequence[float]) -> str:
    """Turns per day as bars, with the day's fallback rate as a line on its own axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(_WIDTH, _HEIGHT))
    positions = list(range(len(days)))
    ax.bar(positions, counts, color=BLUE, label="turns")
    ax.set_ylabel("turns")
    ax.set_xticks(positions, labels=[d[5:] for d in days], rotation=45 if len(days) > 7 else 0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    rate_ax = ax.twinx()
    rate_ax.plot(positions, [r * 100 for r in rates], color=RED, marker="o", label="fallback %")
    rate_ax.set_ylim(0, 100)
    rate_ax.set_ylabel("fallback %")
    rate_ax.spines["right"].set_visible(True)
    fig.legend(loc="upper left", frameon=False, ncols=2)
    return _to_svg(fig, chart_id, title)


def heatmap(chart_id: str, title: str, rows: Sequence[str], columns: Sequence[str],
            values: Sequence[Sequence[int]]) -> str:
    """A count matrix as a heat map (rows: expected, columns: predicted), counts written in the cells."""
    plt = _pyplot()
    size = max(_HEIGHT, 0.38 * max(len(rows), len(columns)) + 2.0)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(values, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(columns)), labels=list(columns), rotation=90)
    ax.set_yticks(range(len(rows)), labels=list(rows))
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    peak = max((v for row in values for v in row), default=0)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                        color="white" if v > peak / 2 else "black")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return _to_svg(fig, chart_id, title)


def curve(chart_id: str, title: str, xs: Sequence[float], ys: Sequence[float], xlabel: str, ylabel: str,
          marked: tuple[float, float] | None = None) -> str:
    """A line through (x, y) points in [0, 1]², with one point marked (the configured operating point)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(_WIDTH, _HEIGHT))
    ax.plot(xs, ys, color=BLUE, linewidth=2)
    if marked is not None:
        ax.plot([marked[0]], [marked[1]], color=RED, marker="o", markersize=9, linestyle="none",
                label="configured threshold")
        ax.legend(loc="lower left", frameon=False)
    ax.set_xlim(0, 1.02)
    # Start the y axis at the nearest tenth below the lowest point: the differences that matter are small.
    ax.set_ylim(max(0.0, int(min(ys, default=0.0) * 10) / 10 - 0.1), 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return _to_svg(fig, chart_id, title)
