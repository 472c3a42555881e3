"""faqbot.quality.spec_check and ``faqbot check --spec``: the ids labelled data refers to must exist."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.cli import main
from faqbot.errors import InputError
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.quality.spec_check import SpecId, missing_spec_ids, spec_ids
from tests.conftest import SHIPPED_KB

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_SPEC = FIXTURES / "intents_spec.yaml"  # shared/spec/intents.yaml, verbatim

SPEC = """\
# a comment
faq:
  cancel-howto:
    question: 解約したい
  contact:
    question: 窓口は？
compute:
  next-billing-date:
    question: 次の請求日は？
smalltalk:
  thanks: ありがとう
products:
  mobile: ウイルスバスター モバイル
plans:
  annual: 年額版
notes:
  not-an-id: ignored
"""


def test_spec_ids_lists_each_section_key_with_its_line() -> None:
    assert spec_ids(SPEC, "spec.yaml") == (
        SpecId("intent", "cancel-howto", 3),
        SpecId("intent", "contact", 5),
        SpecId("intent", "next-billing-date", 8),
        SpecId("intent", "thanks", 11),
        SpecId("product", "mobile", 13),
        SpecId("plan", "annual", 15),
    )


def test_the_shipped_knowledge_base_has_every_id_of_the_shared_spec(shipped_kb: KnowledgeBase) -> None:
    listed = spec_ids(SHARED_SPEC.read_text(encoding="utf-8"), "intents.yaml")
    assert len([i for i in listed if i.kind == "intent"]) == 21 and len([i for i in listed if i.kind == "product"]) == 10
    assert missing_spec_ids(shipped_kb, SHARED_SPEC.read_text(encoding="utf-8"), "intents.yaml") == []


def test_a_renamed_or_missing_id_is_an_error_at_the_spec_line(shipped_kb: KnowledgeBase) -> None:
    spec = SPEC.replace("cancel-howto", "cancel-how").replace("mobile:", "mobil:").replace("annual:", "yearly:")
    problems = missing_spec_ids(shipped_kb, spec, "spec.yaml")
    assert [(p.path, p.line, p.severity) for p in problems] == [("spec.yaml", 3, "error"), ("spec.yaml", 13, "error"),
                                                                 ("spec.yaml", 15, "error")]
    assert "intent 'cancel-how'" in problems[0].message and "product 'mobil'" in problems[1].message
    assert "plan 'yearly'" in problems[2].message


@pytest.mark.parametrize(("text", "said"), [("faq: [unclosed", "not valid YAML"), ("- a list\n- of ids\n", "no mapping")])
def test_a_spec_that_is_not_a_mapping_of_sections_is_refused(text: str, said: str) -> None:
    with pytest.raises(InputError, match=said):
        spec_ids(text, "spec.yaml")


def test_check_with_spec_fails_on_a_renamed_intent(tmp_path: Path) -> None:
    # The id renamed everywhere (its entry and every `related:` list), so the knowledge base
    # itself loads and checks clean: only the spec knows the id was promised.
    kb = tmp_path / "kb"
    shutil.copytree(SHIPPED_KB, kb)
    for path in kb.rglob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("cancel-howto", "cancel-how"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--kb", str(kb), "--spec", str(SHARED_SPEC)])
    assert result.exit_code == 1, result.output
    line = next(n for n, text in enumerate(SHARED_SPEC.read_text(encoding="utf-8").splitlines(), 1) if text == "  cancel-howto:")
    assert f"{SHARED_SPEC}:{line}: error: intent 'cancel-howto' is listed in the spec" in result.output
    passing = CliRunner().invoke(main, ["check", "--spec", str(SHARED_SPEC)])
    assert passing.exit_code == 0 and passing.output.splitlines()[-1].startswith("OK: "), passing.output


def test_check_json_reports_the_same_problems_as_one_object(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("contact:", "kontakt:"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--json", "--spec", str(spec)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert (report["ok"], report["entries"], report["products"]) == (False, 21, 10)
    assert report["problems"] == [{"path": str(spec), "line": 5, "severity": "error",
                                   "message": "intent 'kontakt' is listed in the spec but the knowledge base has no such id; "
                                              "labelled data refers to it, so restore the id (rename your intent back)"}]
    clean = json.loads(CliRunner().invoke(main, ["check", "--json"]).output)
    assert clean["ok"] is True and clean["problems"] == []
