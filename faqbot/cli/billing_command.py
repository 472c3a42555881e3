"""``faqbot billing``: the next billing and notice dates from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from faqbot.answers.answering import billing_for
from faqbot.answers.serialize import billing_json
from faqbot.answers.staff import billing_notes, resolve_billing_input
from faqbot.cli.common import echo_json, kb_option, load_engine, resolve_today, today_option, translate_errors
from faqbot.errors import NoBillingError
from faqbot.kb.billing import format_date


@click.command()
@click.option(
    "--product", required=True, metavar="PRODUCT",
    help="Product id or name as customers say it (virusbuster-cloud, 'ウイルスバスター for Mac', バスタークラウド…).",
)
@click.option("--plan", required=True, metavar="PLAN", help="Plan: monthly/annual, 月額/年額, 月額版…")
@click.option("--expiry", required=True, metavar="DATE", help="Expiry date in any form the chat reads: 2027-03-31, 2027/3/31, 令和9年3月31日, 来年3月末…")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@kb_option
@today_option
@translate_errors
def billing(product: str, plan: str, expiry: str, as_json: bool, kb_dir: Path | None, today_text: str | None) -> None:
    """Compute the next (approximate) billing date and notice date.

    Product, plan and expiry are read as the chat reads them (names, aliases,
    typos, Japanese and English dates); an unknown product gets a "did you mean".

    \b
    Examples:
      faqbot billing --product virusbuster-cloud --plan annual --expiry 2027-03-31 --today 2026-11-26
      faqbot billing --product "ウイルスバスター for Mac" --plan 年額 --expiry 2027/3/31
    """
    today = resolve_today(today_text)
    engine = load_engine(kb_dir)
    if not engine.kb.computes_billing:
        raise NoBillingError(engine.kb.root)
    contract = resolve_billing_input(engine, product, plan, expiry, today)
    result = billing_for(engine, contract.product, contract.plan, contract.expiry, today)
    if as_json:
        echo_json(billing_json(result))
        return
    click.echo(f"{result.product_name} / {result.plan_name} / 有効期限 {format_date(result.expiry)}")
    click.echo(f"次回の請求日:   {format_date(result.billing_date)}{result.approx} (目安)")
    click.echo(f"お知らせメール: {format_date(result.notice_date)}{result.approx} (目安)")
    click.echo(f"適用したルール: {result.rule_text}")
    click.echo(result.explanation)
    for note in billing_notes(engine.kb, result, contract):
        click.echo(note)
