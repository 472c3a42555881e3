"""``faqbot learn``: turn groups of unanswered questions into knowledge-base changes.

Two forms over one core (:mod:`faqbot.quality.learn`):

* ``faqbot learn --accept GROUP --as alternate:ENTRY | out-of-scope``: preview
  the change (diff, check, evaluation before/after, captured questions) and
  write it with ``--yes`` (or after a "y" on a terminal); ``--dry-run`` never writes;
* ``faqbot learn`` on a terminal: an interactive review, group by group
  (prompt-toolkit prompts; tests drive them with a pipe input).

Groups are those of ``faqbot report`` for the same database and ``--since``.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from prompt_toolkit import PromptSession
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from faqbot.analytics import Recorder, analytics_settings
from faqbot.analytics.grouping import LABEL_ALTERNATE, LABEL_OUT_OF_SCOPE, Group, find_group, group_messages
from faqbot.analytics.report import to_do_messages
from faqbot.answers.answering import Engine
from faqbot.cli.common import echo_json, kb_option, load_engine, resolve_today, today_option, translate_errors
from faqbot.cli.progress import progress_bar
from faqbot.errors import InputError
from faqbot.kb.date_io import parse_iso_date
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.learn import OUT_OF_SCOPE, Change, Preview, apply_change, preview_change

_ALTERNATE = "alternate:"


def parse_target(text: str) -> str:
    """``alternate:ENTRY`` → ENTRY; ``out-of-scope`` → :data:`OUT_OF_SCOPE` (InputError otherwise)."""
    if text == OUT_OF_SCOPE:
        return OUT_OF_SCOPE
    if text.startswith(_ALTERNATE) and text[len(_ALTERNATE):]:
        return text[len(_ALTERNATE):]
    raise InputError(f"--as {text!r} is not a target; use --as alternate:ENTRY or --as out-of-scope.")


def suggested_target(group: Group) -> str | None:
    """What the label suggests: the entry for "alternate for X", out-of-scope for a near miss."""
    if group.label == LABEL_ALTERNATE:
        return group.entry
    return OUT_OF_SCOPE if group.label == LABEL_OUT_OF_SCOPE else None


def _group_text(n: int, group: Group) -> str:
    lines = [f"[{n}] {group.id}  {group.count} message(s)  {group.label_text}  "
             f"(best entry: {group.entry or '-'} {group.confidence:.2f})"]
    lines += [f"      {p.text}" + (f" ×{p.count}" if p.count > 1 else "") for p in group.phrasings]
    return "\n".join(lines)


def _figure_line(name: str, before: float, after: float) -> str:
    return f"    {name:<22} {before:.3f} → {after:.3f} ({after - before:+.3f})"


def preview_text(preview: Preview, root: Path) -> str:
    """The preview as the maintainer reads it before saying yes."""
    target = preview.change.target
    what = "out-of-scope examples" if target == OUT_OF_SCOPE else f"alternates of {target}"
    lines = [f"Add {len(preview.added)} phrasing(s) as {what} in {preview.path.relative_to(root.parent)}:"]
    lines += [f"  + {text}" for text in preview.added]
    lines += [f"  skipped: {r.text} ({r.reason})" for r in preview.refused]
    if preview.diff:
        lines += ["", preview.diff.rstrip("\n")]
    lines.append("")
    if preview.errors or preview.new_warnings:
        lines.append(f"Check: FAILED ({len(preview.errors)} error(s), {len(preview.new_warnings)} new warning(s))")
        lines += [f"  {p.location}: {p.severity}: {p.message}" for p in (*preview.errors, *preview.new_warnings)]
    else:
        lines.append("Check: OK (no error, no new warning)")
    lines += _fit_lines(preview)
    lines += _held_decision_lines(preview)
    for before, after in zip(preview.before, preview.after, strict=False):
        lines.append(f"Evaluation on {before.name} ({before.total} examples), before → after:")
        lines.append(_figure_line("accuracy", before.accuracy, after.accuracy))
        lines.append(_figure_line("in-scope accuracy", before.in_scope_accuracy, after.in_scope_accuracy))
        lines.append(_figure_line("fallback precision", before.fallback_precision, after.fallback_precision))
        lines.append(_figure_line("fallback recall", before.fallback_recall, after.fallback_recall))
    if not preview.before:
        lines.append("Evaluation: no set given (pass --eval FILE to compare before and after).")
    if preview.captured:
        lines.append(f"Questions of other entries that would now route to {target}:")
        lines += [f"  {c.entry_id}: {c.question} (was {c.before})" for c in preview.captured]
    else:
        lines.append(f"Questions of other entries that would now route to {target}: none")
    return "\n".join(lines)


def _held_decision_lines(preview: Preview) -> list[str]:
    """When service.yaml states the decision and the change would make the fit choose another: said, since
    the stated one keeps deciding (the maintainer may want to restate it)."""
    after = preview.fit_after
    if after is None or not after.decision_stated or after.decision_agrees:
        return []
    return [f"  service.yaml's router.score_cut holds the decision; fitted after this change it would be {after.fitted_decision}."]


def _fit_lines(preview: Preview) -> list[str]:
    """What the change does to the fit: said plainly when the lexical weight moves, since every stored
    question then routes anew and the check may name entries the change does not touch."""
    before, after = preview.fit_before, preview.fit_after
    if after is None:
        return []
    if preview.weight_moves:
        lines = [
            f"Fit: the lexical weight moves from {before.weight} to {after.weight}; decision: {after.decision}",
            "  The weight is fitted on the whole knowledge base: every stored question routes anew, so the check",
            "  may name entries this change does not touch (service.yaml's router.lexical_weight can state one).",
        ]
    elif preview.decision_moves:
        lines = [f"Fit: lexical weight {after.weight}, unchanged; the decision moves from {before.decision} to {after.decision}"]
    else:
        return [f"Fit: lexical weight {after.weight}, unchanged; decision: {after.decision}"]
    if preview.decision_moves:
        lines += [
            "  The decision is fitted on the whole knowledge base: messages about entries this change does not",
            "  touch may be answered or refused differently (run `faqbot eval` on your labelled messages).",
        ]
    return lines


def preview_json(preview: Preview) -> dict[str, object]:
    """The ``--json`` shape of a preview."""
    def figures(f: object) -> dict[str, object]:
        return dict(vars(f))
    return {
        "target": preview.change.target,
        "file": str(preview.path),
        "added": list(preview.added),
        "refused": [{"text": r.text, "reason": r.reason} for r in preview.refused],
        "diff": preview.diff,
        "ok": preview.ok,
        "errors": [str(p) for p in preview.errors],
        "new_warnings": [str(p) for p in preview.new_warnings],
        "before": [figures(f) for f in preview.before],
        "after": [figures(f) for f in preview.after],
        "captured": [{"entry": c.entry_id, "question": c.question, "before": c.before} for c in preview.captured],
        "fit": {
            "before": preview.fit_before.as_json(),
            "after": preview.fit_after.as_json() if preview.fit_after else None,
            "weight_moves": preview.weight_moves,
            "decision_moves": preview.decision_moves,
        },
    }


def _preview(engine: Engine, change: Change, today: date, eval_sets: tuple[Path, ...], quiet: bool) -> Preview:
    with progress_bar("Evaluating before and after", quiet=quiet) as progress:
        return preview_change(engine, change, today, eval_sets, progress)


def _groups(engine: Engine, db: Path, since: date | None, quiet: bool) -> tuple[Group, ...]:
    recorder = Recorder(db)
    messages = to_do_messages(recorder.turns(since), recorder.feedback(since))
    with progress_bar("Grouping questions", quiet=quiet) as progress:
        return group_messages(messages, engine.router, progress=progress)


def review(
    engine: Engine,
    groups: tuple[Group, ...],
    today: date,
    eval_sets: tuple[Path, ...] = (),
    input: Input | None = None,
    output: Output | None = None,
) -> int:
    """Walk through ``groups`` asking what to do with each; returns how many changes were written."""
    session: PromptSession[str] = PromptSession(input=input, output=output)
    written = 0
    for n, group in enumerate(groups, start=1):
        click.echo("\n" + _group_text(n, group))
        default = suggested_target(group)
        hint = f"Enter = {'alternate:' + default if default and default != OUT_OF_SCOPE else default}, " if default else ""
        answer = session.prompt(f"Accept as? ({hint}ENTRY, o = out-of-scope, s = skip, q = quit) > ").strip()
        if answer == "q":
            break
        if answer == "s" or (not answer and default is None):
            continue
        target = OUT_OF_SCOPE if answer == "o" else (answer or default or "")
        try:
            preview = preview_change(engine, Change(target, tuple(p.text for p in group.phrasings)), today, eval_sets)
        except InputError as exc:
            click.echo(f"Error: {exc}")
            continue
        click.echo(preview_text(preview, engine.kb.root))
        if not preview.ok:
            click.echo("Nothing written.")
            continue
        if session.prompt("Write this change? (y/N) > ").strip().lower() == "y":
            apply_change(preview)
            written += 1
            click.echo(f"Written: {preview.path}")
            engine = Engine.build(load_knowledge_base(engine.kb.root))  # later groups see the change
    return written


@click.command()
@click.option("--accept", "group_key", metavar="GROUP", default=None,
              help="The group to accept: its ID from `faqbot report` (or its number in the list).")
@click.option("--as", "target_text", metavar="alternate:ENTRY|out-of-scope", default=None,
              help="What the group's phrasings become (default: what the group's label suggests).")
@click.option("--eval", "eval_sets", multiple=True, type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="An evaluation set (JSONL) to score before and after the change; repeatable.")
@click.option("--yes", is_flag=True, help="Write the change without asking (it is still checked first).")
@click.option("--dry-run", is_flag=True, help="Show what the change would do; never write.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON (implies no question asked).")
@click.option("--since", "since_text", metavar="YYYY-MM-DD", default=None, help="Only turns on or after this date.")
@click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Analytics database (default: as for `faqbot report`).")
@kb_option
@today_option
@translate_errors
def learn(
    group_key: str | None, target_text: str | None, eval_sets: tuple[Path, ...], yes: bool, dry_run: bool,
    as_json: bool, since_text: str | None, db_path: Path | None, kb_dir: Path | None, today_text: str | None,
) -> None:
    """Accept groups of unanswered questions into the knowledge base, after seeing what that does.

    Shows the YAML diff (comments and layout kept), runs `faqbot check` on
    the result, scores each --eval set before and after, and lists stored
    questions of other entries that would now route to the target. Nothing
    is written when the check fails; phrasings that held personal data are
    never written. Without --accept, on a terminal, reviews group by group.

    \b
    Examples:
      faqbot learn --accept g3725c6 --as alternate:payment-methods --eval ../shared/eval/dev.jsonl --dry-run
      faqbot learn --accept g3725c6 --as alternate:payment-methods --yes
      faqbot learn --accept 2 --as out-of-scope --yes
      faqbot learn --eval ../shared/eval/dev.jsonl
    """
    today = resolve_today(today_text)
    since = parse_iso_date(since_text) if since_text else None
    db = db_path if db_path is not None else analytics_settings().path
    engine = load_engine(kb_dir, quiet=as_json)
    groups = _groups(engine, db, since, as_json)
    if group_key is None:
        if as_json or not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InputError("faqbot learn needs --accept GROUP outside an interactive terminal; see `faqbot report`.")
        written = review(engine, groups, today, eval_sets)
        click.echo(f"\n{written} change(s) written; run `faqbot check --strict` to confirm.")
        return
    group = find_group(groups, group_key)
    if group is None:
        raise InputError(f"No group {group_key!r} in the report; run `faqbot report` (same --since) for the IDs.")
    target = parse_target(target_text) if target_text else suggested_target(group)
    if target is None:
        raise InputError(f"Group {group.id} is a new topic; say where it belongs with --as alternate:ENTRY or --as out-of-scope.")
    preview = _preview(engine, Change(target, tuple(p.text for p in group.phrasings)), today, eval_sets, as_json)
    if as_json:
        write = preview.ok and not dry_run and yes
        echo_json({**preview_json(preview), "written": write})
    else:
        click.echo(preview_text(preview, engine.kb.root))
        asked = preview.ok and not dry_run and not yes and sys.stdin.isatty()
        write = preview.ok and not dry_run and (yes or (asked and click.confirm("Write this change?")))
    if write:
        apply_change(preview)
        if not as_json:
            click.echo(f"Written: {preview.path}")
    elif not preview.ok:
        click.echo("Nothing written: the change does not pass the check.", err=True)
        sys.exit(1)
    elif not as_json:
        click.echo("Nothing written (" + ("--dry-run" if dry_run else "pass --yes to write") + ").")
