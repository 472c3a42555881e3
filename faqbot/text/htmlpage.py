"""Self-contained HTML pages for maintainers: one file, no script, no external resource.

The report and evaluation pages are built from :func:`page` and
:func:`figure`: a chart (inline SVG from :mod:`faqbot.text.charts`) with a
heading, and behind it a real ``<table>`` holding the same figures, for screen
readers and for anyone who wants the numbers.  The CSS is inline and mobile
first, so a page read on a 375 px phone needs no horizontal scrolling except
inside a wide table's own scroll box.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from faqbot.errors import InputError

_CSS = """
:root { color-scheme: light; }
body { font-family: "IPAGothic", "Noto Sans CJK JP", system-ui, sans-serif; margin: 0 auto; padding: 1rem;
       max-width: 62rem; color: #1a1a1a; background: #fff; line-height: 1.5; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #1f5fa8; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; padding: 0; list-style: none; }
.summary li { background: #eef3fa; padding: .4rem .8rem; border-radius: .4rem; }
figure { margin: 0; max-width: 48rem; }
svg.chart { width: 100%; height: auto; display: block; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
details { margin: .5rem 0 1rem; }
summary { cursor: pointer; color: #174a85; }  /* 7:1 on white (WCAG AAA) */
p.empty { color: #444; }
"""


def cell(value: object, numeric: bool = False) -> str:
    """One escaped ``<td>``."""
    return f'<td class="num">{escape(str(value))}</td>' if numeric else f"<td>{escape(str(value))}</td>"


def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
          numeric: Sequence[int] = ()) -> str:
    """A captioned data table in its own horizontal scroll box."""
    head = "".join(
        f'<th scope="col" class="num">{escape(h)}</th>' if i in numeric else f'<th scope="col">{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(cell(v, i in numeric) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return (
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def figure(section_id: str, heading: str, svg: str | None, data_table: str, open_table: bool = False) -> str:
    """A section: heading, the chart (or a note when there is nothing to draw) and its data table."""
    chart = svg if svg is not None else '<p class="empty">データがありません。</p>'
    opened = " open" if open_table else ""
    return (
        f'<section aria-labelledby="{section_id}"><h2 id="{section_id}">{escape(heading)}</h2>'
        f"<figure>{chart}</figure>"
        f"<details{opened}><summary>数値の表</summary>{data_table}</details></section>"
    )


def page(title: str, intro: str, body: Sequence[str]) -> str:
    """The whole document: inline CSS, no script, nothing fetched."""
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{intro}{''.join(body)}</main></body></html>\n"
    )


def write_page(path: Path, html: str) -> None:
    """Write a page to ``path`` (raises InputError naming the path when it cannot be written)."""
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write the HTML page to {path}: {exc.strerror}; pass a writable --html path.") from None
