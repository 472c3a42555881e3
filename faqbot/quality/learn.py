"""Teaching the knowledge base new phrasings: preview the change, then write it.

``faqbot learn`` accepts a group of customer messages either as alternates of
an entry or as out-of-scope examples.  :func:`preview_change` works on a
temporary copy of the knowledge base and returns everything a maintainer
should see before saying yes:

* the YAML diff (ruamel.yaml round-trip: comments, key order, quoting and
  layout of the file are kept; only the new lines appear);
* the check (loader + :func:`~faqbot.quality.lint.check_knowledge_base`):
  errors, and warnings the change would add;
* the evaluation figures on each configured set, before and after;
* every stored question of another entry that would now route to the
  changed target (each left out of the index in turn, as the lint does).

:func:`apply_change` writes the file only for a preview that is :attr:`Preview.ok`.
Personal data never reaches the YAML: a phrasing that held masked data (the
recorder's placeholders) or that masking would still change is refused.
"""

from __future__ import annotations

import difflib
import io
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from faqbot.answers.answering import Engine
from faqbot.answers.engine_rebuild import build_like
from faqbot.errors import InputError, KnowledgeBaseError, Problem
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.evaluation import load_examples, predict, score
from faqbot.quality.fit_summary import FitSummary
from faqbot.quality.lint import check_knowledge_base
from faqbot.routing.router import Router
from faqbot.routing.verdict import DECISION_FALLBACK, FALLBACK
from faqbot.text.normalize import normalize
from faqbot.text.privacy import CARD_MASK, EMAIL_MASK, PHONE_MASK, mask_personal_data
from faqbot.text.replace_file import replaced_atomically
from faqbot.text.suggest import did_you_mean

#: The target of :class:`Change` that means "the bot must fall back on these".
OUT_OF_SCOPE = "out-of-scope"
_OUT_OF_SCOPE_FILE = "out_of_scope.yaml"
_MASKS = (CARD_MASK, EMAIL_MASK, PHONE_MASK)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Change:
    """Phrasings to add, as alternates of ``target`` (an entry id) or to :data:`OUT_OF_SCOPE`."""

    target: str
    phrasings: tuple[str, ...]


@dataclass(frozen=True)
class Refused:
    """A phrasing left out, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Figures:
    """Evaluation figures of one set."""

    name: str
    total: int
    accuracy: float
    in_scope_accuracy: float
    fallback_precision: float
    fallback_recall: float


@dataclass(frozen=True)
class Captured:
    """A stored question of another entry that the change would pull to its target."""

    entry_id: str
    question: str
    before: str  # where it routed without the change
    after: str


@dataclass(frozen=True)
class Preview:
    """What a change would do; nothing is written yet."""

    change: Change
    path: Path  # the YAML file that changes
    new_text: str
    diff: str
    added: tuple[str, ...]
    refused: tuple[Refused, ...]
    errors: tuple[Problem, ...]  # the check's errors on the changed knowledge base
    new_warnings: tuple[Problem, ...]  # warnings the change adds
    before: tuple[Figures, ...]
    after: tuple[Figures, ...]
    captured: tuple[Captured, ...]
    fit_before: FitSummary  # what the knowledge base runs with now
    fit_after: FitSummary | None  # what it would run with after the change (None: it did not load)

    @property
    def weight_moves(self) -> bool:
        """Would the change move the fitted lexical weight (and so where every stored question routes)?"""
        return self.fit_after is not None and self.fit_before.lexical_weight != self.fit_after.lexical_weight

    @property
    def decision_moves(self) -> bool:
        """Would the change move the fitted decision (its kind or its cut), and so which messages are answered?

        Two alternates added to the shipped knowledge base turned its decision from "best score ≥
        0.2883" into "probability ≥ 0.5117" (docs/calibration-floor-rule.md, 125th rule).
        """
        return self.fit_after is not None and self.fit_before.decision != self.fit_after.decision

    @property
    def ok(self) -> bool:
        """True when there is something to add and the check passes (no error, no new warning)."""
        return bool(self.added) and not self.errors and not self.new_warnings


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode: keeps comments, order, quotes and block scalars
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long question
    yaml.indent(mapping=2, sequence=4, offset=2)  # the knowledge base's own layout
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def screen(engine: Engine, change: Change) -> tuple[tuple[str, ...], tuple[Refused, ...]]:
    """The phrasings that may be written, and those refused (personal data, already stored, repeated)."""
    kb = engine.kb
    if change.target == OUT_OF_SCOPE:
        stored = {normalize(q) for q in kb.out_of_scope}
    else:
        stored = {normalize(q) for q in kb.entry(change.target).questions}
    added: list[str] = []
    refused: list[Refused] = []
    for text in change.phrasings:
        text = text.strip()
        if any(mask in text for mask in _MASKS) or mask_personal_data(text) != text:
            refused.append(Refused(text, "held personal data (masked when recorded); never written"))
        elif not normalize(text):
            refused.append(Refused(text, "has no words to match"))
        elif normalize(text) in stored:
            refused.append(Refused(text, "already stored"))
        else:
            added.append(text)
            stored.add(normalize(text))
    return tuple(added), tuple(refused)


def _target_file(engine: Engine, change: Change) -> Path:
    if change.target == OUT_OF_SCOPE:
        return engine.kb.root / _OUT_OF_SCOPE_FILE
    return engine.kb.root / engine.kb.entry(change.target).source


def _edited(change: Change, path: Path, added: Sequence[str]) -> str:
    """The file's text with ``added`` appended to the target's list, layout untouched."""
    yaml = _yaml()
    original = path.read_text(encoding="utf-8")
    data = yaml.load(original)
    if _dump(yaml, data) != original:
        raise InputError(f"{path} does not survive a YAML round trip unchanged; edit it by hand this time.")
    if change.target == OUT_OF_SCOPE:
        items = data["examples"]
    else:
        entry = next(e for e in data["entries"] if e.get("id") == change.target)
        if entry.get("alternates") is None:
            entry["alternates"] = []
        items = entry["alternates"]
    items.extend(added)
    return _dump(yaml, data)


def _figures(engine: Engine, sets: Sequence[Path], today: date, tick: Callable[[], None]) -> tuple[Figures, ...]:
    out = []
    for path in sets:
        examples = load_examples(path)
        predictions = []
        for example in examples:
            predictions.extend(predict(engine, [example], today))
            tick()
        r = score(predictions)
        out.append(Figures(path.name, r.total, r.accuracy, r.in_scope_accuracy, r.fallback_precision, r.fallback_recall))
    return tuple(out)


def _where(router: Router, question: str) -> str:
    routing = router.route(question, exclude=question, top=1)
    if routing.decision == DECISION_FALLBACK:
        return OUT_OF_SCOPE if routing.out_of_scope else FALLBACK
    return routing.intent


def captured_questions(before: Engine, after: Engine, target: str) -> tuple[Captured, ...]:
    """Stored questions of other entries that route to ``target`` after the change but did not before."""
    out = []
    for entry in after.kb.entries:
        if entry.id == target:
            continue
        for question in entry.questions:
            now = _where(after.router, question)
            if now == target:
                was = _where(before.router, question)
                if was != target:
                    out.append(Captured(entry.id, question, was, now))
    return tuple(out)


def preview_change(
    engine: Engine,
    change: Change,
    today: date,
    eval_sets: Sequence[Path] = (),
    progress: Progress | None = None,
) -> Preview:
    """Try ``change`` on a temporary copy of ``engine``'s knowledge base and report what it does."""
    if change.target != OUT_OF_SCOPE and not engine.kb.has_entry(change.target):
        raise InputError(f"Unknown entry id {change.target!r}{did_you_mean(change.target, engine.kb.ids)}; "
                         "run `faqbot lookup` to find the id you want.")
    added, refused = screen(engine, change)
    path = _target_file(engine, change)
    new_text = _edited(change, path, added)
    old_text = path.read_text(encoding="utf-8")
    rel = path.relative_to(engine.kb.root).as_posix()
    diff = "".join(difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True), f"a/{rel}", f"b/{rel}"))
    examples = sum(len(load_examples(p)) for p in eval_sets)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], examples * 2)

    before = _figures(engine, eval_sets, today, tick)
    fit_before = FitSummary.of(engine)
    with tempfile.TemporaryDirectory(prefix="faqbot-learn-") as tmp:
        copy = Path(tmp) / engine.kb.root.name
        shutil.copytree(engine.kb.root, copy)
        (copy / rel).write_text(new_text, encoding="utf-8")
        try:
            changed = build_like(load_knowledge_base(copy), engine.kb.root)
        except KnowledgeBaseError as exc:
            errors = tuple(exc.problems)
            return Preview(change, path, new_text, diff, added, refused, errors, (), before, (), (), fit_before, None)
        problems = check_knowledge_base(changed.kb, changed.router)
        old_warnings = {p.message for p in check_knowledge_base(engine.kb, engine.router) if p.severity == "warning"}
        errors = tuple(p for p in problems if p.severity != "warning")
        new_warnings = tuple(p for p in problems if p.severity == "warning" and p.message not in old_warnings)
        after = _figures(changed, eval_sets, today, tick)
        captured = captured_questions(engine, changed, change.target)
    return Preview(
        change, path, new_text, diff, added, refused, errors, new_warnings, before, after, captured,
        fit_before, FitSummary.of(changed),
    )


def apply_change(preview: Preview) -> None:
    """Write the previewed file (atomically); refuses a preview that is not :attr:`Preview.ok`."""
    if not preview.ok:
        raise InputError(f"Nothing was written to {preview.path}: the change does not pass the check.")
    try:
        with replaced_atomically(preview.path, "learn-") as tmp:
            tmp.write_text(preview.new_text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {preview.path}: {exc.strerror}; check the folder's permissions.") from None
