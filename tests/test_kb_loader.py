"""Tests of faqbot.kb.loader (and the KnowledgeBase values of faqbot.kb.knowledge).

Broken knowledge bases are copies of ``tests/fixtures/kb_min`` (whose line
numbers are fixed: this file owns it) or of the shipped ``knowledge/`` with
one file changed; every problem must be reported as ``file:line: message``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from faqbot.errors import KnowledgeBaseError, UnknownEntryError, UnknownProductError
from faqbot.kb import SHIPPED_KB
from faqbot.kb.entries import ENTRY_ID
from faqbot.kb.knowledge import KIND_COMPUTE, KIND_FAQ, KIND_SMALLTALK, KnowledgeBase, RouterSettings
from faqbot.kb.loader import load_knowledge_base
from tests.conftest import FIXTURES, KB_MIN, line_number, make_kb, replace_once

CANCEL_Q = "    question: 自動更新を解約したい"  # faq/basic.yaml line 4 of kb_min
CANCEL_ANSWER = "    answer: |\n      {{ service.name }}の解約は{{ service.account }}から行えます。"

# (case, overrides of kb_min, expected "file:line", words expected in that problem's message)
BROKEN = [
    ("bad YAML", {"faq/basic.yaml": replace_once(CANCEL_Q, "    question: 自動更新: 解約したい")},
     "faq/basic.yaml:4", "invalid YAML"),
    ("tab in YAML", {"faq/basic.yaml": replace_once(CANCEL_Q, "\tquestion: 自動更新を解約したい")},
     "faq/basic.yaml:4", "invalid YAML"),
    ("duplicate key", {"faq/basic.yaml": replace_once(CANCEL_Q, CANCEL_Q + "\n    question: もう一つ")},
     "faq/basic.yaml:5", "duplicate key 'question'"),
    ("unknown product id in pages",
     {"faq/basic.yaml": replace_once("      alpha: [アルファの解約方法]", "      gamma: [ガンマの解約方法]")},
     "faq/basic.yaml:13", "unknown product id 'gamma'"),
    ("product id in pages misspelt",
     {"faq/basic.yaml": replace_once("      alpha: [アルファの解約方法]", "      alpah: [アルファの解約方法]")},
     "faq/basic.yaml:13", "unknown product id 'alpah' in 'pages'; did you mean 'alpha'?"),
    ("page URL that is not http(s)",
     {"faq/basic.yaml": replace_once("      alpha: [アルファの解約方法]", "      alpha: [{title: アルファの解約方法, url: 'javascript:x'}]")},
     "faq/basic.yaml:13", "page URL must start with https://"),
    ("English answer that does not render",
     {"faq/basic.yaml": replace_once(CANCEL_ANSWER, CANCEL_ANSWER + "\n    answer_en: |\n      {{ service.acount }}")},
     "faq/basic.yaml:3", "answer_en of 'cancel' does not render"),
    ("duplicate entry id", {"faq/basic.yaml": replace_once("  - id: change-card", "  - id: cancel")},
     "faq/basic.yaml:15", "duplicate entry id 'cancel' (first at faq/basic.yaml:3)"),
    ("missing answer",
     {"faq/basic.yaml": replace_once(CANCEL_ANSWER, "    notes: |\n      解約はアカウントから。")},
     "faq/basic.yaml:3", "missing 'answer'"),
    ("empty answer", {"faq/basic.yaml": replace_once(CANCEL_ANSWER, '    answer: ""')},
     "faq/basic.yaml:9", "'answer' must be a non-empty text"),
    ("template with an unknown variable",
     {"faq/basic.yaml": replace_once("{{ service.account }}から", "{{ customer_name }}から")},
     "faq/basic.yaml:3", "'customer_name' is undefined"),
    ("template with an unknown attribute",
     {"faq/basic.yaml": replace_once("{{ service.account }}から", "{{ service.acount }}から")},
     "faq/basic.yaml:3", "does not render"),
    ("template syntax error",
     {"faq/basic.yaml": replace_once("{{ service.account }}から", "{{ service.account から")},
     "faq/basic.yaml:3", "does not render"),
    ("billing rule not understood (month: sometimes) in a product override",
     {"products.yaml": replace_once("annual: {month: expiry, day: 25", "annual: {month: sometimes, day: 25")},
     "products.yaml:36", "sometimes"),
    ("billing day out of range",
     {"products.yaml": replace_once("annual: {month: expiry, day: 25", "annual: {month: expiry, day: 32")},
     "products.yaml:36", "32"),
    ("override of an unknown plan", {"products.yaml": replace_once("    billing:\n      annual:", "    billing:\n      weekly:")},
     "products.yaml:34", "unknown plan 'weekly'"),
    ("product offers an unknown plan", {"products.yaml": replace_once("plans: [annual]", "plans: [weekly]")},
     "products.yaml:34", "unknown plan 'weekly'"),
    ("duplicate product id", {"products.yaml": replace_once("  - id: beta", "  - id: alpha")},
     "products.yaml:30", "duplicate product id 'alpha' (first at line 21)"),
    ("wrong type: threshold is text", {"service.yaml": replace_once("threshold: 0.3", "threshold: high")},
     "service.yaml:9", "'threshold' must be a number from 0 to 1"),
    ("wrong type: threshold above 1", {"service.yaml": replace_once("threshold: 0.3", "threshold: 3")},
     "service.yaml:9", "'threshold' must be a number from 0 to 1"),
    ("wrong type: target precision above 1",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  target_precision: 1.5")},
     "service.yaml:10", "'target_precision' must be a number from 0 to 1"),
    ("wrong type: target refusal is text",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  target_refusal: most")},
     "service.yaml:10", "'target_refusal' must be a number from 0 to 1"),
    ("min confidence above 1",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  min_confidence: 50")},
     "service.yaml:10", "'min_confidence' must be a number from 0 to 1, not 50"),
    ("lexical weight an integer too large for a float",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  lexical_weight: 1" + "0" * 400)},
     "service.yaml:10", "'lexical_weight' must be a number from 0 to 64"),
    ("score cut above 1",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  score_cut: 2")},
     "service.yaml:10", "'score_cut' must be a number from 0 to 1, not 2"),
    ("threshold and score_cut both stated",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  score_cut: 0.5")},
     "service.yaml:10", "states both 'threshold' and 'score_cut'; keep one"),
    ("threshold and min_confidence both stated",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  min_confidence: 0.5")},
     "service.yaml:10", "states both 'threshold' and 'min_confidence'; keep one"),
    ("lexical weight below 0",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  lexical_weight: -1")},
     "service.yaml:10", "'lexical_weight' must be a number from 0 to 64, not -1"),
    ("lexical weight is text",
     {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  lexical_weight: strong")},
     "service.yaml:10", "'lexical_weight' must be a number from 0 to 64"),
    ("wrong type: entry id is a list", {"faq/basic.yaml": replace_once("  - id: change-card", "  - id: [change-card]")},
     "faq/basic.yaml:15", "'id' must be a non-empty text"),
    ("wrong type: alternates is text",
     {"faq/basic.yaml": replace_once("    alternates:\n      - 自動更新の解約方法\n      - 自動更新を止める手順\n      - 自動更新はもういらない",
                                     "    alternates: 自動更新の解約方法")},
     "faq/basic.yaml:5", "'alternates' must be a list of texts"),
    ("wrong type: plans is text", {"products.yaml": replace_once("plans: [annual]", "plans: yearly")},
     "products.yaml:34", "plans"),
    ("wrong type: product name is a number", {"products.yaml": replace_once("name: ベータ ガード", "name: 42")},
     "products.yaml:31", "'name' must be a non-empty text"),
    ("wrong type: entries is text", {"faq/basic.yaml": replace_once("entries:", "entries: none\nold_entries:")},
     "faq/basic.yaml:2", "'entries' must be a non-empty list"),
    ("wrong type: top level is a list", {"service.yaml": "- name\n- company\n"},
     "service.yaml:1", "mapping at the top level"),
    ("acknowledgements not a list",
     {"faq/basic.yaml": replace_once("related: [cancel]", "related: [cancel]\n    acknowledgements: 了解")},
     "faq/basic.yaml:24", "'acknowledgements' must be a list of texts"),
    ("related entry that does not exist", {"faq/basic.yaml": replace_once("related: [cancel]", "related: [nope]")},
     "faq/basic.yaml:15", "unknown entry 'nope'"),
    ("related entry misspelt", {"faq/basic.yaml": replace_once("related: [cancel]", "related: [cancle]")},
     "faq/basic.yaml:15", "entry 'change-card' relates to unknown entry 'cancle'; did you mean 'cancel'?"),
    ("after_answer entry misspelt",
     {"faq/basic.yaml": replace_once("related: [cancel]", "related: [cancel]\n    after_answer: cancle")},
     "faq/basic.yaml:15", "after_answer of 'change-card' names unknown entry 'cancle'; did you mean 'cancel'?"),
    ("after_answer entry that does not exist",
     {"faq/basic.yaml": replace_once("related: [cancel]", "related: [cancel]\n    after_answer: nope")},
     "faq/basic.yaml:15", "after_answer of"),
    ("opening entry that does not exist",
     {"faq/basic.yaml": replace_once("related: [cancel]", "related: [cancel]\n    opening: nope")},
     "faq/basic.yaml:15", "opening of"),
    ("handoff entry that does not exist", {"handoff.yaml": "asked: [人と話したい]\nentry: nope\n"},
     "handoff.yaml:2", "entry 'nope' is no entry id; name the entry whose answer is the desk"),
    ("handoff entry misspelt", {"handoff.yaml": "asked: [人と話したい]\n\nentry: cancle\n"},
     "handoff.yaml:3", "entry 'cancle' is no entry id; did you mean 'cancel'?"),
    ("missing service.yaml", {"service.yaml": None}, "service.yaml",
     "file not found; every knowledge base needs it (see docs/knowledge-format.md)"),
    ("missing FAQ file", {"faq/basic.yaml": None}, "faq/", "no FAQ files (*.yaml); add at least one"),
]


# (case, overrides of kb_min, the problem exactly as shown): a misspelt key must not read as no key at all.
UNKNOWN_KEYS = [
    ("entry: relatd", {"faq/basic.yaml": replace_once("    related: [change-card]", "    relatd: [change-card]")},
     "faq/basic.yaml:14: unknown key 'relatd' in entry 'cancel'; did you mean 'related'?"),
    ("entry: anwser", {"faq/basic.yaml": replace_once("    answer: |\n      {{ service.name }}の解約", "    anwser: |\n      {{ service.name }}の解約")},
     "faq/basic.yaml:9: unknown key 'anwser' in entry 'cancel'; did you mean 'answer'?"),
    ("entry: answr beside answer", {"faq/basic.yaml": replace_once("    related: [change-card]", "    related: [change-card]\n    answr: 解約します")},
     "faq/basic.yaml:15: unknown key 'answr' in entry 'cancel'; did you mean 'answer'?"),
    ("entry: nothing alike", {"faq/basic.yaml": replace_once("    related: [cancel]", "    related: [cancel]\n    tags: [card]")},
     "faq/basic.yaml:24: unknown key 'tags' in entry 'change-card'; use one of id, question, alternates, answer, pages, "
     "related, question_en, answer_en, notes, topic, after_answer, opening, acknowledgements"),
    ("note", {"faq/basic.yaml": replace_once("    related: [cancel]", "    related: [cancel]\n    notes:\n      - text: 注意\n        abut: [x]")},
     "faq/basic.yaml:26: unknown key 'abut' in note 1 of entry 'change-card'; did you mean 'about'?"),
    ("page with a URL", {"faq/basic.yaml": replace_once("      alpha: [アルファの解約方法]", "      alpha: [{title: アルファの解約方法, urls: 'https://example.jp'}]")},
     "faq/basic.yaml:13: unknown key 'urls' in a page of entry 'cancel'; did you mean 'url'?"),
    ("entries file", {"faq/basic.yaml": replace_once("category: 基本", "categry: 基本")},
     "faq/basic.yaml:1: unknown key 'categry' at the top of the file; did you mean 'category'?"),
    ("service", {"service.yaml": replace_once("  support_url: null", "  suport_url: null")},
     "service.yaml:7: unknown key 'suport_url' in 'service'; did you mean 'support_url'?"),
    ("service.en", {"service.yaml": replace_once("  support_url: null", "  support_url: null\n  en:\n    nam: Test")},
     "service.yaml:9: unknown key 'nam' in 'service.en'; did you mean 'name'?"),
    ("router", {"service.yaml": replace_once("  threshold: 0.3", "  treshold: 0.3")},
     "service.yaml:9: unknown key 'treshold' in 'router'; did you mean 'threshold'?"),
    ("service.yaml's top", {"service.yaml": replace_once("router:", "routr:")},
     "service.yaml:8: unknown key 'routr' at the top of the file; did you mean 'router'?"),
    ("renewal", {"products.yaml": replace_once("  statement_descriptors:", "  statement_descriptor:")},
     "products.yaml:6: unknown key 'statement_descriptor' in 'renewal'; did you mean 'statement_descriptors'?"),
    ("product", {"products.yaml": replace_once("    renewal_routes: []\n    price: null\n    url: null\n  - id: beta",
                                                "    renewal_route: []\n    price: null\n    url: null\n  - id: beta")},
     "products.yaml:27: unknown key 'renewal_route' in product 'alpha'; did you mean 'renewal_routes'?"),
    ("plan", {"products.yaml": replace_once("      period_months: 12", "      period_month: 12")},
     "products.yaml:16: unknown key 'period_month' in plan 'annual'; did you mean 'period_months'?"),
    ("notice", {"products.yaml": replace_once("    months_before: 1", "    month_before: 1")},
     "products.yaml:4: unknown key 'month_before' in 'notice'; did you mean 'months_before'?"),
    ("plan's billing rule", {"products.yaml": replace_once("billing: {month: expiry, day: end,", "billing: {month: expiry, days: end,")},
     "products.yaml:13: unknown key 'days' in the billing rule of plan 'monthly'; did you mean 'day'?"),
    ("product's billing rule", {"products.yaml": replace_once("annual: {month: expiry, day: 25, approx: 前後,", "annual: {month: expiry, day: 25, aprox: 前後,")},
     "products.yaml:36: unknown key 'aprox' in the billing rule of plan 'annual' of product 'beta'; did you mean 'approx'?"),
    ("products.yaml's top", {"products.yaml": replace_once("products:", "product:")},
     "products.yaml:20: unknown key 'product' at the top of the file; did you mean 'products'?"),
    ("handoff", {"handoff.yaml": "asked: [人と話したい]\ncomplain: [金返せ]\n"},
     "handoff.yaml:2: unknown key 'complain' at the top of the file; did you mean 'complaint'?"),
    ("out_of_scope", {"out_of_scope.yaml": replace_once("subjects:", "subject:")},
     "out_of_scope.yaml:4: unknown key 'subject' at the top of the file; did you mean 'subjects'?"),
    ("synonyms", {"synonyms.yaml": "synonyms:\n  解約: [やめたい]\nsynonym:\n  請求: [課金]\n"},
     "synonyms.yaml:3: unknown key 'synonym' at the top of the file; did you mean 'synonyms'?"),
]


@pytest.mark.parametrize(("overrides", "shown"), [c[1:] for c in UNKNOWN_KEYS], ids=[c[0] for c in UNKNOWN_KEYS])
def test_an_unknown_key_is_an_error_on_its_own_line(tmp_path: Path, overrides: dict, shown: str) -> None:
    root = make_kb(tmp_path, overrides, source=KB_MIN)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    assert shown in [str(p) for p in info.value.problems]


@pytest.mark.parametrize(("overrides", "where", "words"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_kb_reports_file_and_line(tmp_path: Path, overrides: dict, where: str, words: str) -> None:
    root = make_kb(tmp_path, overrides, source=KB_MIN)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    shown = [str(p) for p in info.value.problems]
    assert any(s.startswith(f"{where}: ") and words in s for s in shown), shown


def test_a_stated_refusal_target_is_read(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"service.yaml": replace_once("threshold: 0.3", "threshold: 0.3\n  target_refusal: 0.8")}, source=KB_MIN)
    assert load_knowledge_base(root).settings.target_refusal == 0.8


def test_the_fixture_kb_is_valid(min_kb: KnowledgeBase) -> None:
    assert [e.id for e in min_kb.entries] == ["cancel", "change-card"]
    assert [p.id for p in min_kb.products] == ["alpha", "beta"]
    assert min_kb.product("alpha").plans is None
    assert min_kb.product("beta").plans == ("annual",)
    assert min_kb.settings.threshold == 0.3
    assert min_kb.settings.target_precision == RouterSettings().target_precision  # not stated: the default
    assert min_kb.settings.target_refusal == RouterSettings().target_refusal == 0.9
    assert min_kb.out_of_scope_subjects == ("ネットフリックス",)
    cancel = min_kb.entry("cancel")
    assert cancel.questions == ("自動更新を解約したい", "自動更新の解約方法", "自動更新を止める手順", "自動更新はもういらない")
    assert (cancel.source, cancel.line, cancel.alternate_lines) == ("faq/basic.yaml", 3, (6, 7, 8))
    assert cancel.pages.for_product("alpha") == ("アルファの解約方法", "解約の方法")
    assert cancel.pages.for_product("beta") == ("解約の方法",)
    assert cancel.pages.for_product(None) == ("解約の方法", "アルファの解約方法")


def test_error_carries_every_problem_of_every_file(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {
            "service.yaml": replace_once("threshold: 0.3", "threshold: high"),
            "products.yaml": replace_once("  - id: beta", "  - id: alpha"),
            "faq/basic.yaml": replace_once("related: [cancel]", "related: [nope]"),
        },
        source=KB_MIN,
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    locations = sorted(f"{p.path}:{p.line}" for p in info.value.problems)
    assert locations == ["faq/basic.yaml:15", "products.yaml:30", "service.yaml:9"]
    assert "(and 2 more problems)" in str(info.value)


@pytest.mark.parametrize("relative", [False, True], ids=["absolute path", "relative path"])
def test_a_missing_faq_folder_is_named_as_in_the_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool) -> None:
    root = make_kb(tmp_path, source=KB_MIN)
    shutil.rmtree(root / "faq")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(Path("kb") if relative else root)
    assert [str(p) for p in info.value.problems] == ["faq/: no FAQ files (*.yaml); add at least one"]


# (id, what the message proposes): every id must read the same in `faqbot show ID` and /api/v1/faq/{id}.
BAD_IDS = [
    ("Moving Entry!", "rename it, e.g. to 'moving-entry'"),
    ("cancel_howto", "rename it, e.g. to 'cancel-howto'"),
    ("Cancel", "rename it, e.g. to 'cancel'"),
    ("cancel--howto", "rename it, e.g. to 'cancel-howto'"),
    ("-cancel", "rename it, e.g. to 'cancel'"),
    ("解約", "rename it"),
]


@pytest.mark.parametrize(("entry_id", "rename"), BAD_IDS, ids=[c[0] for c in BAD_IDS])
def test_an_entry_id_must_be_lowercase_words_and_hyphens(tmp_path: Path, entry_id: str, rename: str) -> None:
    root = make_kb(tmp_path, {"faq/basic.yaml": replace_once("  - id: change-card", f"  - id: '{entry_id}'")}, source=KB_MIN)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    assert f"faq/basic.yaml:15: entry id {entry_id!r} must be lowercase letters, digits and single hyphens " \
           f"(like 'cancel-howto'); {rename}" in [str(p) for p in info.value.problems]


def test_every_spec_and_shipped_id_is_a_valid_entry_id(shipped_kb: KnowledgeBase) -> None:
    spec = yaml.safe_load((FIXTURES / "intents_spec.yaml").read_text(encoding="utf-8"))
    ids = [*shipped_kb.entry_ids, *(i for section in ("faq", "compute", "smalltalk") for i in spec[section])]
    assert len(ids) > 40 and [i for i in ids if not ENTRY_ID.fullmatch(i)] == []


def test_a_shift_jis_file_is_named_and_the_rest_still_checked(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"products.yaml": replace_once("  - id: beta", "  - id: alpha")}, source=KB_MIN)
    faq = root / "faq/basic.yaml"
    faq.write_bytes(faq.read_text(encoding="utf-8").encode("shift_jis"))  # as Excel exports it
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    shown = [str(p) for p in info.value.problems]
    assert shown[-1] == ("faq/basic.yaml:1: the file is not saved as UTF-8 (byte 0x8a on this line is not UTF-8; "
                         "Excel often saves Shift_JIS); save it as UTF-8 and run `faqbot check` again")
    assert any(s.startswith("products.yaml:30: duplicate product id") for s in shown), shown


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(tmp_path / "nowhere")
    (problem,) = info.value.problems
    assert problem.line == 0 and "folder not found" in problem.message


def test_optional_files_may_be_absent(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"synonyms.yaml": None, "out_of_scope.yaml": None}, source=KB_MIN)
    kb = load_knowledge_base(root)
    assert kb.synonyms == () and kb.out_of_scope == () and kb.out_of_scope_subjects == ()


def test_renewal_plan_rule_is_reported_on_its_billing_line(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {"products.yaml": replace_once("billing: {month: expiry, day: end", "billing: {month: sometimes, day: end")},
        source=KB_MIN,
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    assert [f"{p.path}:{p.line}" for p in info.value.problems] == ["products.yaml:13"]


def test_broken_notice_reports_only_the_notice(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"products.yaml": replace_once("months_before: 1", "months_before: soon")}, source=KB_MIN)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    shown = [str(p) for p in info.value.problems]
    assert len(shown) == 1 and shown[0].startswith("products.yaml:") and "months_before" in shown[0], shown


# --- the shipped knowledge base -------------------------------------------------------------

SPEC_IDS = [
    "about", "apply-timing", "apply-howto", "fee-and-period", "payment-methods", "billing-timing",
    "billing-notice", "cancel-howto", "uninstall-not-cancel", "auto-cancellation", "change-card",
    "change-email", "contact", "unknown-charge", "card-handling", "check-contract",
]
PRODUCT_IDS = [
    "virusbuster-cloud", "virusbuster-cloud-dls-premium", "total-security-standard", "total-security-premium",
    "mobile", "mac", "password-manager", "free-wifi-protection", "home-network", "home-network-security",
]


def test_shipped_kb_has_every_spec_intent_and_product(shipped_kb: KnowledgeBase) -> None:
    kinds = {e.id: e.kind for e in shipped_kb.entries}
    for entry_id in SPEC_IDS:
        assert kinds.get(entry_id) == KIND_FAQ, entry_id
    assert kinds.get("next-billing-date") == KIND_COMPUTE
    for entry_id in ("greeting", "thanks", "goodbye", "help"):
        assert kinds.get(entry_id) == KIND_SMALLTALK, entry_id
    assert [p.id for p in shipped_kb.products] == PRODUCT_IDS
    assert [p.id for p in shipped_kb.plans] == ["monthly", "annual"]
    assert shipped_kb.renewal.notice.months_before == 1
    assert all(p.price is None and p.url is None for p in shipped_kb.products)  # nothing invented


def test_shipped_kb_entries_have_alternates_and_locations(shipped_kb: KnowledgeBase) -> None:
    for entry in shipped_kb.entries:
        assert len(entry.alternates) >= 3, entry.id
        assert entry.source and entry.line > 0, entry.id
        assert len(entry.alternate_lines) == len(entry.alternates), entry.id


def test_shipped_kb_bad_yaml(tmp_path: Path) -> None:
    line = line_number(SHIPPED_KB / "faq/cancel.yaml", "  - id: cancel-howto") + 1  # its question line
    root = make_kb(
        tmp_path,
        {"faq/cancel.yaml": lambda text: "\n".join(
            "    question: 解約: したい" if i == line else row
            for i, row in enumerate(text.splitlines(), 1)
        ) + "\n"},
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    shown = [str(p) for p in info.value.problems]
    assert any(s.startswith(f"faq/cancel.yaml:{line}: invalid YAML") for s in shown), shown


def test_shipped_kb_duplicate_id_and_missing_file(tmp_path: Path) -> None:
    line = line_number(SHIPPED_KB / "faq/contact.yaml", "  - id: contact")
    root = make_kb(
        tmp_path,
        {"faq/contact.yaml": replace_once("  - id: contact\n", "  - id: cancel-howto\n"), "service.yaml": None},
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    shown = [str(p) for p in info.value.problems]
    assert "service.yaml: file not found; every knowledge base needs it (see docs/knowledge-format.md)" in shown
    assert any(s.startswith(f"faq/contact.yaml:{line}: duplicate entry id 'cancel-howto'") for s in shown), shown


def test_shipped_kb_misspelt_related_entry_is_offered_the_right_one(tmp_path: Path) -> None:
    line = line_number(SHIPPED_KB / "faq/contact.yaml", "  - id: contact")
    root = make_kb(tmp_path, {"faq/contact.yaml": lambda text: text.replace(", cancel-howto]", ", cancel-hwto]", 1)})
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    assert [str(p) for p in info.value.problems] == [
        f"faq/contact.yaml:{line}: entry 'contact' relates to unknown entry 'cancel-hwto'; did you mean 'cancel-howto'?"
    ]


def test_copy_without_changes_loads(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    assert len(load_knowledge_base(root).entries) == len(load_knowledge_base(SHIPPED_KB).entries)


def test_lookups_raise_domain_errors(min_kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownEntryError, match="'nope'; run `faqbot lookup`"):
        min_kb.entry("nope")
    with pytest.raises(UnknownEntryError, match=r"'cancle' \(did you mean 'cancel'\?\); run `faqbot lookup`"):
        min_kb.entry("cancle")
    with pytest.raises(UnknownProductError, match="'gamma'.*alpha, beta"):
        min_kb.product("gamma")
    assert min_kb.has_entry("cancel") and not min_kb.has_entry("nope")
    assert [e.id for e in min_kb.entries_of_kind(KIND_FAQ)] == ["cancel", "change-card"]
    assert min_kb.entries_of_kind(KIND_SMALLTALK) == ()


def test_content_hash_changes_with_content(tmp_path: Path) -> None:
    a = make_kb(tmp_path / "a", source=KB_MIN)
    b = make_kb(tmp_path / "b", {"faq/basic.yaml": replace_once("解約の方法]", "解約の手順]")}, source=KB_MIN)
    assert load_knowledge_base(a).content_hash == load_knowledge_base(KB_MIN).content_hash
    assert load_knowledge_base(b).content_hash != load_knowledge_base(a).content_hash


def test_make_kb_refuses_an_override_that_changes_nothing(tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        make_kb(tmp_path, {"service.yaml": lambda text: text}, source=KB_MIN)
    shutil.rmtree(tmp_path / "kb")


def test_pages_may_carry_urls_and_translations_load(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {
            "faq/basic.yaml": replace_once(
                "      alpha: [アルファの解約方法]",
                "      alpha: [{title: アルファの解約方法, url: 'https://example.jp/alpha-cancel'}]\n"
                "    question_en: I want to cancel\n"
                "    answer_en: |\n      Cancel {{ service.name }} in {{ service.account }}.",
            )
        },
        source=KB_MIN,
    )
    kb = load_knowledge_base(root)
    cancel = kb.entry("cancel")
    assert cancel.pages.for_product("alpha") == ("アルファの解約方法", "解約の方法")
    assert cancel.pages.url("アルファの解約方法") == "https://example.jp/alpha-cancel"
    assert cancel.pages.url("解約の方法") is None
    english = kb.in_language("en").entry("cancel")
    assert (english.question, english.answer.strip()) == ("I want to cancel", "Cancel {{ service.name }} in {{ service.account }}.")
    assert kb.in_language("en").entry("change-card").question == kb.entry("change-card").question  # untranslated: as is


def test_an_entry_may_state_its_topic(shipped_kb: KnowledgeBase) -> None:
    # The card-handling question marks only 「こと」; an entry that states nothing keeps "".
    assert shipped_kb.entry("card-handling").topic == "クレジットカードの取り扱い"
    assert shipped_kb.entry("change-card").topic == ""


def test_a_small_talk_entry_may_list_acknowledgements(shipped_kb: KnowledgeBase) -> None:
    # Whole messages that acknowledge an answer (156th rule); an entry that lists none keeps ().
    assert {"分かりました", "なるほど", "got it"} <= set(shipped_kb.entry("thanks").acknowledgements)
    assert "はい" not in shipped_kb.entry("thanks").acknowledgements  # a bare yes is the control phrases'
    assert shipped_kb.entry("greeting").acknowledgements == ()
