"""The maintainers' loop end to end, and the core of ``faqbot learn``.

A day of turns (tests/fixtures/maintainers_day.json, personal data typed in
and masked by the recorder) is recorded, grouped by ``faqbot report``, and one
group is accepted as alternates through ``faqbot learn --accept`` on a
temporary copy of the shipped knowledge base.  The YAML diff must hold only
the accepted lines, ``faqbot check --strict`` must pass, and the phrasings
must now be answered.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from faqbot.analytics import Recorder
from faqbot.analytics.grouping import group_messages
from faqbot.analytics.report import to_do_messages
from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.cli import main
from faqbot.cli.learn_command import parse_target, preview_text, review
from faqbot.errors import InputError
from faqbot.kb import SHIPPED_KB
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.learn import OUT_OF_SCOPE, Change, apply_change, preview_change, screen
from faqbot.routing.training import WEIGHT_GRID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from kbgen import unstate_the_decision, unstate_the_weight  # noqa: E402

from tests.conftest import KB_MIN, make_kb

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "maintainers_day.json"
TODAY = date(2026, 12, 2)
PAYMENT_FILE = "faq/apply-payment.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def record_day(db: Path) -> Recorder:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    recorder = Recorder(db)
    for t in data["turns"]:
        at = datetime.fromisoformat(f"{data['day']}T{t['time']}")
        assert recorder.record_turn(t["channel"], t["query"], t["intent"], t["confidence"], t["fallback"],
                                    t["clarified"], None, at)
    for f in data["feedback"]:
        at = datetime.fromisoformat(f"{data['day']}T{f['time']}")
        assert recorder.record_feedback(f["channel"], f["intent"], f["helpful"], at, f["query"])
    return recorder


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KB, copy)
    return copy


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the shipped knowledge base for the tests that must not write to it.

    Its engine is built once and then read from the session's engine cache (the cache is keyed
    by folder, so a fresh copy per test meant a cold build per test).  Each test that uses it
    checks that nothing was written, so a wrong write fails that test, not a later one.
    """
    copy = tmp_path_factory.mktemp("shared") / "knowledge"
    shutil.copytree(SHIPPED_KB, copy)
    return copy


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "analytics.sqlite3"
    record_day(path)
    return path


def _points_group(kb: Path, db: Path) -> dict[str, object]:
    code, out, err = run("report", "--json", "--db", str(db), "--kb", str(kb))
    assert code == 0, err
    groups = json.loads(out)["groups"]
    return next(g for g in groups if any(p["text"] == "ポイントで払えますか" for p in g["phrasings"]))


def test_the_loop_from_a_day_of_turns_to_answered_questions(kb: Path, db: Path) -> None:
    group = _points_group(kb, db)
    texts = [p["text"] for p in group["phrasings"]]  # type: ignore[index]
    # Two wordings of one question land in one group, with the masked message beside them.
    assert texts == ["ポイントで払えますか", "ポイント払いはできますか", "ポイントで払えますか [電話番号] に電話ください"]
    assert group["count"] == 4 and group["entry"] == "payment-methods"
    before = (kb / PAYMENT_FILE).read_text(encoding="utf-8")

    code, out, err = run("learn", "--accept", str(group["id"]), "--as", "alternate:payment-methods", "--yes",
                         "--db", str(db), "--kb", str(kb), "--today", TODAY.isoformat())
    assert code == 0, err + out
    assert "Check: OK" in out and "held personal data" in out and "Written:" in out

    after = (kb / PAYMENT_FILE).read_text(encoding="utf-8")
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("+ ", "- ")]
    assert changed == ["+       - ポイントで払えますか", "+       - ポイント払いはできますか"]
    assert "[電話番号]" not in after and "090" not in after
    # Only that file changed.
    for path in SHIPPED_KB.rglob("*.yaml"):
        rel = path.relative_to(SHIPPED_KB)
        if rel.as_posix() != PAYMENT_FILE:
            assert (kb / rel).read_bytes() == path.read_bytes(), rel

    code, out, err = run("check", "--strict", "--kb", str(kb))
    assert code == 0, out + err
    for phrasing in ("ポイントで払えますか", "ポイント払いはできますか"):
        code, out, _ = run("ask", "--json", "--kb", str(kb), "--today", TODAY.isoformat(), phrasing)
        answer = json.loads(out)
        assert (answer["intent"], answer["decision"]) == ("payment-methods", "answer"), phrasing


def test_dry_run_and_unconfirmed_runs_write_nothing(shared_kb: Path, db: Path) -> None:
    kb = shared_kb
    group = _points_group(kb, db)
    before = (kb / PAYMENT_FILE).read_bytes()
    for extra in (["--dry-run", "--yes"], []):
        code, out, _ = run("learn", "--accept", str(group["id"]), "--as", "alternate:payment-methods",
                           "--db", str(db), "--kb", str(kb), *extra)
        assert code == 0 and "Nothing written" in out
    assert (kb / PAYMENT_FILE).read_bytes() == before


def test_json_preview_lists_before_and_after_figures(shared_kb: Path, db: Path, tmp_path: Path) -> None:
    kb = shared_kb
    group = _points_group(kb, db)
    before = (kb / PAYMENT_FILE).read_bytes()
    eval_set = tmp_path / "set.jsonl"
    eval_set.write_text(
        '{"q": "クレカ以外の支払い方法はある？", "intent": "payment-methods", "product": null}\n'
        '{"q": "ウイルスバスターが起動しない", "intent": "fallback", "product": null}\n', encoding="utf-8")
    code, out, err = run("learn", "--json", "--accept", str(group["id"]), "--as", "alternate:payment-methods",
                         "--eval", str(eval_set), "--db", str(db), "--kb", str(kb))
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] is True and data["written"] is False
    assert data["added"] == ["ポイントで払えますか", "ポイント払いはできますか"]
    assert [(f["name"], f["total"]) for f in data["before"]] == [("set.jsonl", 2)]
    assert len(data["after"]) == 1 and data["captured"] == []
    # The shipped knowledge base's fitted weight stays where it is with these two phrasings.
    assert data["fit"]["weight_moves"] is False
    assert data["fit"]["decision_moves"] is (data["fit"]["before"]["decision"] != data["fit"]["after"]["decision"])
    assert data["fit"]["before"]["lexical_weight"] == data["fit"]["after"]["lexical_weight"] == 0.1
    assert (kb / PAYMENT_FILE).read_bytes() == before


# Four card-handling alternates, each a sentence of the seed page as a question (the eighty-fourth rule,
# reverted): with them in the knowledge base, the two contact phrasings below move the fitted weight.  Which
# change moves it depends on every question of the knowledge base: two payment phrasings did until the
# greeting gained 「ハロー」 (176th rule), and these were found then by trying a few maintainers' additions.
_CARD_ALTERNATES = (
    "トレンドマイクロはクレジットカード情報を保持していますか",
    "クレジットカード決済の情報は誰が取得していますか",
    "Does Trend Micro keep customers' credit card information?",
    "Who collects the information for credit card payments?",
)
_CONTACT_PHRASINGS = ("電話で問い合わせたい", "サポートに連絡したい")


def test_a_change_that_moves_the_fitted_weight_says_so(tmp_path: Path) -> None:
    # The maintainer adds two phrasings to one entry and the check names three others: the preview must
    # say why — the weight is fitted on the whole knowledge base, and it moved (docs/calibration-floor-rule.md,
    # eighty-fourth and eighty-eighth rules).
    copy = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KB, copy)
    unstate_the_weight(copy / "service.yaml")  # the shipped KB holds its weight (ninety-eighth rule); this one fits it
    other = copy / "faq" / "other.yaml"
    anchor = "      - ウイルスバスター for Home Networkの支払いに夫名義のクレカを使いたい\n"
    text = other.read_text(encoding="utf-8")
    assert anchor in text
    other.write_text(text.replace(anchor, anchor + "".join(f"      - {a}\n" for a in _CARD_ALTERNATES)), encoding="utf-8")
    engine = Engine.build(load_knowledge_base(copy))
    preview = preview_change(engine, Change("contact", _CONTACT_PHRASINGS), TODAY)
    assert preview.fit_before is not None and preview.fit_after is not None
    # Where the weight stands on either side depends on every question of the knowledge base (a
    # one-standard-error choice, held by a question or two): the test needs only that it moves.
    before, after = preview.fit_before.lexical_weight, preview.fit_after.lexical_weight
    assert before != after and {before, after} <= set(WEIGHT_GRID)
    assert preview.weight_moves and preview.errors and not preview.ok
    # Each error is about an entry the change never touched (the weight moved every route).
    named = [m.group(1) for p in preview.errors if (m := re.search(r"of '([^']+)'", p.message))]
    assert len(named) == len(preview.errors) and "contact" not in named
    shown = preview_text(preview, copy)
    assert f"Fit: the lexical weight moves from {before:g} (fitted on the knowledge base's own questions) to {after:g}" in shown
    assert "may name entries this change does not touch" in shown


_SIGNED_UP = Change("check-contract", ("自動更新に申し込んであるかどうか確かめたい", "自動更新の登録が済んでいるか調べたい"))


def test_a_change_that_moves_the_fitted_decision_says_so(tmp_path: Path) -> None:
    # Two "did I sign up?" alternates for check-contract turned the shipped decision from the best score
    # alone into the probability model (the 125th rule, reverted for it): the maintainer must be told
    # that messages about other entries may now be answered or refused differently.  The shipped KB
    # states its decision (137th rule); this copy fits it, as a KB that states none does.
    copy = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KB, copy)
    unstate_the_decision(copy / "service.yaml")
    preview = preview_change(Engine.build(load_knowledge_base(copy)), _SIGNED_UP, TODAY)
    assert preview.fit_after is not None and not preview.weight_moves
    assert preview.decision_moves
    # Which kind on which side depends on every question of the knowledge base: the test needs the move.
    kinds = ("best score ≥", "probability ≥")
    assert preview.fit_before.decision.startswith(kinds) and preview.fit_after.decision.startswith(kinds)
    shown = preview_text(preview, copy)
    assert f"the decision moves from {preview.fit_before.decision} to {preview.fit_after.decision}" in shown
    assert "answered or refused differently" in shown


def test_a_stated_decision_holds_and_the_preview_says_what_the_fit_would_choose(shared_kb: Path) -> None:
    # The same change on the shipped KB: its stated cut keeps deciding, and the preview says the fit moved.
    before = (shared_kb / "faq" / "other.yaml").read_bytes()
    preview = preview_change(load_engine(shared_kb), _SIGNED_UP, TODAY)
    assert (shared_kb / "faq" / "other.yaml").read_bytes() == before
    assert preview.fit_after is not None and not preview.decision_moves
    assert preview.fit_after.decision == preview.fit_before.decision == "best score ≥ 0.2883 (stated in service.yaml)"
    assert preview.fit_after.fitted_decision != preview.fit_before.fitted_decision and not preview.fit_after.decision_agrees
    shown = preview_text(preview, shared_kb)
    assert f"router.score_cut holds the decision; fitted after this change it would be {preview.fit_after.fitted_decision}" in shown


def test_a_change_that_fails_the_check_is_not_written(tmp_path: Path) -> None:
    # The check refuses a change by what it does to the entries, whatever their number: the tiny
    # fixture knowledge base shows it, and its preview builds in a blink (the shipped one: seconds).
    engine = Engine.build(load_knowledge_base(make_kb(tmp_path, source=KB_MIN)))
    # Another entry's own question as an alternate of cancel: a near-duplicate at best.
    stolen = engine.kb.entry("change-card").question
    preview = preview_change(engine, Change("cancel", (stolen,)), TODAY)
    assert not preview.ok and (preview.errors or preview.new_warnings)
    before = preview.path.read_bytes()
    with pytest.raises(InputError, match="Nothing was written"):
        apply_change(preview)
    assert preview.path.read_bytes() == before


@pytest.mark.parametrize(
    ("phrasing", "reason"),
    [
        ("ポイントで払えますか [電話番号]", "held personal data (masked when recorded); never written"),
        ("連絡先は taro@example.com です", "held personal data (masked when recorded); never written"),
        ("クレジットカード以外で支払えますか？", "already stored"),
        ("？！", "has no words to match"),
    ],
)
def test_screen_refuses_personal_data_and_repeats(phrasing: str, reason: str, engine: Engine) -> None:
    added, refused = screen(engine, Change("payment-methods", (phrasing, "ポイントは使える？")))
    assert added == ("ポイントは使える？",)
    assert [(r.text, r.reason) for r in refused] == [(phrasing, reason)]


def test_out_of_scope_target_edits_the_examples(tmp_path: Path) -> None:
    # Where an out-of-scope example goes does not depend on the knowledge base's size: the tiny
    # fixture one has the same out_of_scope.yaml layout and builds its preview in a blink.
    kb = make_kb(tmp_path, source=KB_MIN)
    engine = Engine.build(load_knowledge_base(kb))
    preview = preview_change(engine, Change(OUT_OF_SCOPE, ("今日はいい天気",)), TODAY)
    assert preview.path == kb / "out_of_scope.yaml"
    assert [line for line in preview.diff.splitlines() if line.startswith(("+ ", "+  ", "- "))] == ["+  - 今日はいい天気"]


@pytest.mark.parametrize(
    ("text", "target"),
    [("alternate:payment-methods", "payment-methods"), ("out-of-scope", OUT_OF_SCOPE)],
)
def test_parse_target(text: str, target: str) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["alternate:", "payment-methods", "oos"])
def test_parse_target_rejects(text: str) -> None:
    with pytest.raises(InputError, match="--as alternate:ENTRY or --as out-of-scope"):
        parse_target(text)


def test_interactive_review_accepts_a_group_headless(kb: Path, db: Path) -> None:
    engine = Engine.build(load_knowledge_base(kb))
    recorder = Recorder(db)
    groups = group_messages(to_do_messages(recorder.turns(), recorder.feedback()), engine.router)
    points = next(i for i, g in enumerate(groups) if g.example == "ポイントで払えますか")
    # Skip every group before the ポイント group, accept it for payment-methods, confirm, then quit.
    keys = "s\n" * points + "payment-methods\ny\nq\n"
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        written = review(engine, groups, TODAY, input=pipe, output=DummyOutput())
    assert written == 1
    assert "      - ポイント払いはできますか\n" in (kb / PAYMENT_FILE).read_text(encoding="utf-8")


def test_learn_without_accept_outside_a_terminal_names_the_option(db: Path, shared_kb: Path) -> None:
    code, out, err = run("learn", "--db", str(db), "--kb", str(shared_kb))
    assert code == 1 and out == ""
    assert err == "Error: faqbot learn needs --accept GROUP outside an interactive terminal; see `faqbot report`.\n"
