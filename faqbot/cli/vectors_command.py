"""``faqbot vectors``: install, list and remove word-vector tables (a thin shell over
:mod:`faqbot.answers.vector_install`)."""

from __future__ import annotations

from pathlib import Path

import click

from faqbot.answers.vector_install import KNOWN, install_vectors, installed_tables, remove_vectors
from faqbot.cli.common import echo_json, translate_errors


@click.group()
def vectors() -> None:
    """Word vectors: an optional extra ranking channel for a knowledge base that names a table.

    A knowledge base opts in with `router: {word_vectors: ja-ginza}` in service.yaml; its
    next build then ranks with the table when it is installed, and exactly as before when it
    is not. The ja-ginza table (20,000 × 300 vectors for 480,000 words) is read from the
    ja-ginza wheel on the package registry (59 MB to download, 30 MB installed); spaCy is not
    installed.

    \b
    Examples:
      faqbot vectors install
      faqbot vectors install ja-ginza --wheel ./ja_ginza-5.3.0-py3-none-any.whl
      faqbot vectors list
    """


@vectors.command()
@click.argument("name", default="ja-ginza")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read this spaCy model wheel instead of downloading NAME's from the package registry.")
@translate_errors
def install(name: str, wheel: Path | None) -> None:
    """Install the word-vector table NAME (default: ja-ginza) into the cache folder.

    \b
    Examples:
      faqbot vectors install
      faqbot vectors install my-vectors --wheel ./ja_core_news_md-3.7.0-py3-none-any.whl
    """
    if wheel is None and name in KNOWN:
        click.echo(f"downloading {KNOWN[name]} from the package registry …", err=True)
    table = install_vectors(name, wheel)
    click.echo(f"installed {table.name}: {len(table.keys):,} words, {table.vectors.shape[0]:,} vectors of {table.dimensions} "
               f"(from {table.source}). A knowledge base uses it once its service.yaml says "
               f"router: {{word_vectors: {table.name}}}.")


@vectors.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the installed tables.")
@translate_errors
def list_tables(as_json: bool) -> None:
    """List the installed word-vector tables.

    \b
    Example:
      faqbot vectors list --json
    """
    tables = installed_tables()
    if as_json:
        echo_json([{"name": t.name, "folder": str(t.folder), "words": t.words, "rows": t.rows, "dimensions": t.dimensions,
                    "source": t.source} for t in tables])
        return
    if not tables:
        click.echo("no word-vector table is installed; 'faqbot vectors install' installs ja-ginza")
    for t in tables:
        click.echo(f"{t.name}\t{t.words:,} words, {t.rows:,} × {t.dimensions}\t{t.folder}")


@vectors.command()
@click.argument("name")
@translate_errors
def remove(name: str) -> None:
    """Remove the installed word-vector table NAME (knowledge bases naming it route without it).

    \b
    Example:
      faqbot vectors remove ja-ginza
    """
    click.echo(f"removed {remove_vectors(name)}")
