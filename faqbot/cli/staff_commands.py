"""Commands for support staff and maintainers: lookup, show, products, report.

Tables are drawn with rich rather than hand-padded strings: rich measures
Japanese wide characters (two columns each) and wraps cells to the terminal,
which f-string padding gets wrong.  On a terminal the tables have borders and
colour; when stdout is a pipe or a file they are plain aligned columns, 80
wide, without colour codes, so they can be pasted into a ticket.  ``--json``
(and ``--csv`` for the report) is for scripts.
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich import box
from rich.console import Console, RenderableType
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from faqbot.analytics import Recorder, analytics_settings, build_report, database_url, report_json, report_rows
from faqbot.analytics.outbox import STATUS_GAVE_UP, Outbox, outbox_path, reference
from faqbot.analytics.report import CSV_HEADER, LOW_CONFIDENCE, Report
from faqbot.answers.staff import (
    NOT_LISTED,
    LookupResult,
    ProductSheet,
    entry_json,
    entry_text,
    entry_view,
    lookup_json,
    product_sheets,
    products_json,
    resolve_product,
)
from faqbot.answers.staff import (
    lookup as lookup_entries,
)
from faqbot.cli.common import echo_json, kb_option, load_engine, resolve_today, today_option, translate_errors
from faqbot.cli.progress import progress_bar
from faqbot.errors import InputError
from faqbot.kb.date_io import parse_iso_date
from faqbot.terminal.lookup_tui import run_lookup_tui
from faqbot.text.inert import inert

# Width of plain (non-terminal) output: fits an 80-column terminal or a ticket.
PLAIN_WIDTH = 80


def _console() -> Console:
    """A console for stdout: styled on a terminal, plain 80-column text otherwise."""
    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(
        file=sys.stdout, width=PLAIN_WIDTH, color_system=None, force_terminal=False,
        highlight=False, emoji=False, soft_wrap=False,
    )


def _print(console: Console, renderable: RenderableType = "") -> None:
    """Print text or a table, customer text made inert; plain output loses rich's padding at line ends.

    Every command's output passes here, so this is where text a customer typed
    (report examples, lookup queries) loses its terminal control sequences.
    """
    safe = _inert(console, renderable)
    if console.is_terminal:
        console.print(safe)
        return
    with console.capture() as captured:
        console.print(safe)
    for line in captured.get().splitlines():
        click.echo(line.rstrip())


def _inert(console: Console, renderable: RenderableType) -> Segments:
    """``renderable`` rendered, with each piece of text passed through :func:`inert` (rich's own styles kept)."""
    source = Text(renderable) if isinstance(renderable, str) else renderable  # Text: no markup parsing
    return Segments(
        seg if seg.control else Segment(inert(seg.text), seg.style, None) for seg in console.render(source)
    )


def _table(console: Console, *headers: str) -> Table:
    styled = console.is_terminal
    table = Table(
        box=box.ROUNDED if styled else None,
        header_style="bold" if styled else "",
        show_edge=styled,
        pad_edge=styled,
        expand=False,
    )
    for header in headers:
        table.add_column(header, overflow="fold")  # fold, never cut: staff read every word
    return table


def _numeric(table: Table, *columns: int) -> Table:
    for i in columns:
        table.columns[i].justify = "right"
    return table


def _print_lookup(console: Console, result: LookupResult) -> None:
    table = _table(console, "#", "ID", "信頼度", "分類 / 質問 / 製品別")
    table.columns[0].justify = "right"
    table.columns[1].no_wrap = True
    table.columns[2].justify = "right"
    for row in result.rows:
        if result.product:
            own = "あり" if result.product in row.products else "なし (共通の回答)"
            products = f"{result.product} 向け: {own}"
        else:
            products = ", ".join(row.products) if row.products else "なし (共通の回答)"
        cell = f"{row.category or '—'}\n{row.question}\n製品別: {products}"
        table.add_row(str(row.rank), row.entry_id, f"{row.confidence:.2f}", cell)
    about = f" (製品: {result.product})" if result.product else ""
    _print(console, f"「{result.query}」の検索結果{about}")
    _print(console, table)
    if result.rows:
        _print(console, f"詳しく: faqbot show {result.rows[0].entry_id}" + (f" --product {result.product}" if result.product else ""))


@click.command()
@click.argument("query", required=False)
@click.option("--top", default=5, show_default=True, metavar="N", type=int, help="How many entries to list.")
@click.option("--product", metavar="PRODUCT", default=None,
              help="The customer's product: id, name or alias, as `faqbot billing --product` reads it (see `faqbot products`).")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@kb_option
@today_option
@translate_errors
def lookup(query: str | None, top: int, product: str | None, as_json: bool, kb_dir: Path | None, today_text: str | None) -> None:
    """Find the entries that answer QUERY, best first.

    Without QUERY (on a terminal) an interactive search opens: the ranking
    updates as you type, ↑/↓ pick an entry, Enter shows it, Esc goes back
    (Esc on the list, or Ctrl-C, quits).  QUERY ``-`` with --json reads one
    query per line from stdin and prints one JSON ranking per line, in order.

    \b
    Examples:
      faqbot lookup 解約したい
      faqbot lookup "申し込み方法" --product mobile --top 3
      faqbot lookup 解約 --product "ウイルスバスター モバイル"
      faqbot lookup --json "クレカ 変更"
      faqbot lookup --json --top 10 - < queries.txt
      faqbot lookup
    """
    today = resolve_today(today_text)
    engine = load_engine(kb_dir, quiet=as_json)
    # Read once, before any query or the interactive screen: every line of output names the id.
    product = resolve_product(engine, product) if product is not None else None
    if query == "-":
        if not as_json:
            raise InputError("faqbot lookup - reads queries from stdin for --json only; add --json.")
        for line in sys.stdin:
            text = line.rstrip("\r\n")
            # A blank line still gets its (empty) line of output, so rankings stay in step with queries.
            if not text.strip():
                echo_json({"query": text, "product": product, "results": []})
                continue
            echo_json(lookup_json(lookup_entries(engine, text, today, top=top, product=product)))
        return
    if query is None:
        if as_json or not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InputError("faqbot lookup needs a QUERY outside an interactive terminal; e.g. faqbot lookup 解約したい.")
        run_lookup_tui(engine, today, product=product, top=max(top, 1))
        return
    result = lookup_entries(engine, query, today, top=top, product=product)
    if as_json:
        echo_json(lookup_json(result))
        return
    _print_lookup(_console(), result)


@click.command()
@click.argument("entry_id", metavar="ID")
@click.option("--product", metavar="PRODUCT", default=None,
              help="Answer as for this product: id, name or alias, as `faqbot billing --product` reads it.")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
@kb_option
@today_option
@translate_errors
def show(entry_id: str, product: str | None, as_json: bool, kb_dir: Path | None, today_text: str | None) -> None:
    """Show entry ID: the full answer (for --product), its support pages and related entries.

    \b
    Examples:
      faqbot show payment-methods
      faqbot show apply-howto --product mobile
      faqbot show apply-howto --product "ウイルスバスター モバイル"
      faqbot show --json cancel-howto
    """
    today = resolve_today(today_text)
    engine = load_engine(kb_dir, quiet=as_json)
    view = entry_view(engine, entry_id, today, product=product)
    if as_json:
        echo_json(entry_json(view))
        return
    click.echo(entry_text(view))  # prose: the terminal wraps it better than fixed columns


def _plans_text(sheet: ProductSheet) -> str:
    lines = [f"{p.name}: {p.billing}" for p in sheet.plans]
    if not sheet.plans_confirmed:
        lines.append(f"(販売プランは{NOT_LISTED}: 両プランの規則を案内)")
    return "\n".join(lines)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON (null where the source is silent).")
@kb_option
@translate_errors
def products(as_json: bool, kb_dir: Path | None) -> None:
    """List every product: aliases, plans, billing rule per plan, notice, payment, other renewal routes.

    \b
    Examples:
      faqbot products
      faqbot products --json
    """
    sheets = product_sheets(load_engine(kb_dir, quiet=as_json).kb)
    if as_json:
        echo_json(products_json(sheets))
        return
    if not sheets:
        click.echo("This knowledge base lists no products (it has no products.yaml, or 'products: []').")
        return
    console = _console()
    for i, sheet in enumerate(sheets):
        if i:
            _print(console)
        _print(console, f"■ {sheet.name} ({sheet.id})")
        table = _table(console, "項目", "内容")
        table.show_header = False
        table.columns[0].no_wrap = True
        table.add_row("別名", " / ".join(sheet.aliases) or NOT_LISTED)  # spaces give rich clean wrap points
        table.add_row("プラン・請求", _plans_text(sheet))
        table.add_row("お知らせ", sheet.notice)
        table.add_row("支払い方法", sheet.payment_method or NOT_LISTED)
        table.add_row("他の更新方法", "\n".join(sheet.renewal_routes) or f"{NOT_LISTED} (自動更新のみ案内)")
        table.add_row("明細の表記", "、".join(sheet.statement_descriptors) or NOT_LISTED)
        table.add_row("更新料", sheet.price or NOT_LISTED)
        table.add_row("URL", sheet.url or NOT_LISTED)
        _print(console, table)


def _print_report(console: Console, report: Report, db: str) -> None:
    since = f"{report.since.isoformat()} 以降" if report.since else "全期間"
    _print(console, f"分析レポート ({since}, {db})")
    _print(
        console,
        f"会話ターン: {report.turns}  回答できず: {report.fallbacks} ({report.fallback_rate:.1%})  "
        f"聞き返し: {report.clarified}"
    )
    sections: list[tuple[str, Table]] = []
    intents = _numeric(_table(console, "回答した質問 (intent)", "件数", "割合"), 1, 2)
    for i in report.intents:
        intents.add_row(i.intent, str(i.count), f"{i.share:.1%}")
    sections.append(("よく聞かれた質問", intents))
    groups = _numeric(_table(console, "#", "ID", "件数", "判定 (信頼度)", "言い回し"), 0, 2)
    for n, g in enumerate(report.groups, start=1):
        phrasings = "\n".join(f"{p.text} ×{p.count}" if p.count > 1 else p.text for p in g.phrasings)
        groups.add_row(str(n), g.id, str(g.count), f"{g.label_text} ({g.confidence:.2f})", phrasings)
    sections.append(
        (f"答えられなかった質問 (意味でまとめて; 回答できず・聞き返し・信頼度 {LOW_CONFIDENCE:.2f} 未満・👎)", groups)
    )
    disliked = _numeric(_table(console, "回答 (intent)", "👎", "👍"), 1, 2)
    for d in report.disliked:
        disliked.add_row(d.intent, str(d.down), str(d.up))
    sections.append(("👎 の多い回答", disliked))
    for title, table in sections:
        _print(console)
        _print(console, f"■ {title}")
        _print(console, table if table.row_count else "  (なし)")


@click.command()
@click.option("--since", "since_text", metavar="YYYY-MM-DD", default=None, help="Only turns on or after this date.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV rows: section,key,count,value,example.")
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="Also write the report as a self-contained HTML page with charts.")
@click.option("--db", "db_path", metavar="PATH|URL", default=None,
              help="Analytics database: an SQLite file or a postgresql:// URL "
                   "(default: $FAQBOT_ANALYTICS_DB, else $XDG_STATE_HOME/faqbot/analytics.sqlite3).")
@kb_option
@translate_errors
def report(
    since_text: str | None, as_json: bool, as_csv: bool, html_path: Path | None, db_path: str | None,
    kb_dir: Path | None,
) -> None:
    """What customers asked that the bot could not answer well: the maintainer's to-do list.

    Shows the fallback rate, the most asked intents, the unanswered,
    clarified, low-confidence and 👎 questions grouped by meaning (each group
    labelled "alternate for ENTRY", "near miss: out of scope" or "new topic";
    accept one with `faqbot learn`), and 👍/👎 per answer.

    \b
    Examples:
      faqbot report
      faqbot report --since 2026-11-01 --html report.html
      faqbot report --csv --db ./analytics.sqlite3 > report.csv
    """
    if as_json and as_csv:
        raise InputError("--json and --csv cannot be combined; pick one of them.")
    since = parse_iso_date(since_text) if since_text else None
    db: Path | str = analytics_settings().target if db_path is None else database_url(db_path) or Path(db_path)
    recorder = Recorder(db)
    turns, feedback = recorder.turns(since), recorder.feedback(since)
    engine = load_engine(kb_dir, quiet=as_json or as_csv)
    with progress_bar("Grouping questions", quiet=as_json or as_csv) as progress:
        result = build_report(turns, feedback, engine.router, since=since, progress=progress)
    if html_path is not None:
        from faqbot.analytics.html_report import write_report_html  # matplotlib only when a page is asked for

        write_report_html(result, html_path)
    if as_json:
        echo_json(report_json(result))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows([tuple(inert(v) if isinstance(v, str) else v for v in row) for row in report_rows(result)])
    else:
        _print_report(_console(), result, recorder.location)
        _print_outbox(_console(), Outbox(outbox_path()))


def _print_outbox(console: Console, outbox: Outbox) -> None:
    """Handoffs the desk has not received yet (see faqbot.analytics.outbox): staff must see them."""
    waiting = _table(console, "受付番号", "状態", "試行", "受付 (UTC)", "最後のエラー")
    for d in outbox.undelivered():
        state = "打ち切り(要手作業)" if d.status == STATUS_GAVE_UP else "再送中"
        at = datetime.fromtimestamp(d.created, UTC).strftime("%Y-%m-%d %H:%M")
        waiting.add_row(reference(d.key), state, str(d.attempts), at, d.last_error)
    _print(console)
    _print(console, "■ 担当者に届いていない引き継ぎ")
    _print(console, waiting if waiting.row_count else "  (なし)")
    _print(console, f"  ({outbox.path})")

