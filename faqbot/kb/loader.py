"""Load and validate a knowledge-base folder into a :class:`KnowledgeBase`.

Every problem is collected as ``file:line: what is wrong`` and raised together
in one :class:`KnowledgeBaseError`, so a maintainer fixes them all in one
pass and the bot never starts half-loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from faqbot.errors import KnowledgeBaseError, Problem
from faqbot.kb import SHIPPED_KB
from faqbot.kb.entries import check_entries, load_entries
from faqbot.kb.entry_table import EntryList
from faqbot.kb.knowledge import (
    KIND_COMPUTE,
    KIND_FAQ,
    KIND_SMALLTALK,
    Entry,
    HandoffPhrases,
    KnowledgeBase,
    RouterSettings,
    Service,
)
from faqbot.kb.parsed_files import ParsedFiles, file_render_key, render_key
from faqbot.kb.products_file import load_products
from faqbot.kb.templating import LANGUAGES, handoff_text_problems, template_problem
from faqbot.kb.yamlfields import Collector, check_keys, load_file, mapping_field, text_field, text_list
from faqbot.kb.yamlsource import YamlMap, line_of
from faqbot.text.suggest import suggestion
from faqbot.text.word_vectors import TABLE_NAME

#: The keys of each fixed mapping of service.yaml, handoff.yaml, out_of_scope.yaml and synonyms.yaml.
SERVICE_FILE_KEYS = ("service", "router", "languages")
SERVICE_NAME_KEYS = (
    "name", "company", "account", "support_desk", "support_url", "support_phone", "support_hours", "support_form_url",
)
SERVICE_KEYS = (*SERVICE_NAME_KEYS, "en")
ROUTER_KEYS = (
    "target_precision", "target_refusal", "threshold", "min_confidence", "clarify_margin", "lexical_weight", "score_cut"
)
# The settings that decide in place of the fitted decision: at most one may be stated.
_DECIDING_KEYS = ("threshold", "min_confidence", "score_cut")
# The one router key whose value is a name, not a number: a folder name under the cache's vectors/.
WORD_VECTORS_KEY = "word_vectors"
# The largest value of a router key that is not a share (those lie from 0 to 1): the lexical weight
# goes up to the fit's largest, training.WEIGHT_GRID's 64, where the character channel is only a
# tie-breaker (the routing layer is above this one; a test holds the two equal).
MAX_LEXICAL_WEIGHT = 64.0
_ROUTER_KEY_TOPS = {"lexical_weight": MAX_LEXICAL_WEIGHT}
HANDOFF_KEYS = ("complaint", "unanswered", "refund", "asked", "entry", "complaint_reply", "complaint_reply_en", "refund_reply", "refund_reply_en")
OUT_OF_SCOPE_KEYS = ("examples", "subjects")
SYNONYMS_FILE_KEYS = ("synonyms",)


def _service_names(c: Collector, svc: YamlMap, base: Service | None = None) -> Service:
    """The service's names and contact points; with ``base``, a translation that may leave some out."""
    def text(key: str, required: bool) -> str | None:
        value = text_field(c, svc, key, required=required and base is None)
        return value if value is not None or base is None else getattr(base, key)

    return Service(
        name=text("name", True) or "",
        company=text("company", True) or "",
        account=_account(c, svc, base),
        support_desk=text("support_desk", True) or "",
        support_url=text("support_url", False),
        support_phone=text("support_phone", False),
        support_hours=text("support_hours", False),
        support_form_url=text("support_form_url", False),
    )


def _account(c: Collector, svc: YamlMap, base: Service | None) -> str | None:
    """``account``: where customers see their contract; the key must be there, ``null`` for a service without accounts."""
    if base is None and "account" not in svc:
        c.error(line_of(svc, "account"), "missing 'account'; name where customers see their contract, or write "
                "'account: null' if the service has no customer accounts")
        return None
    value = text_field(c, svc, "account", required=False)
    return value if value is not None or base is None else base.account


def _languages(c: Collector, data: YamlMap) -> tuple[str, ...]:
    """``languages``: what the knowledge base answers in ([ja, en] when absent; [ja]: no English texts expected)."""
    if "languages" not in data:
        return LANGUAGES
    value = data["languages"]
    if not isinstance(value, list) or "ja" not in value or any(v not in LANGUAGES for v in value):
        c.error(line_of(data, "languages"), f"'languages' must be [ja] or [ja, en], not {value!r}; "
                "Japanese is the source every knowledge base is written in")
        return LANGUAGES
    return tuple(lang for lang in LANGUAGES if lang in value)


def _service(root: Path, problems: list[Problem]) -> tuple[Service, RouterSettings, tuple[str, ...]]:
    data, c = load_file(root, "service.yaml", problems)
    service = Service(name="", company="", account="", support_desk="")
    settings = RouterSettings()
    if data is None:
        return service, settings, LANGUAGES
    check_keys(c, data, SERVICE_FILE_KEYS, "at the top of the file")
    languages = _languages(c, data)
    svc = mapping_field(c, data, "service")
    if svc is not None:
        check_keys(c, svc, SERVICE_KEYS, "in 'service'")
        service = _service_names(c, svc)
        english = mapping_field(c, svc, "en", required=False)
        if english is not None:
            check_keys(c, english, SERVICE_NAME_KEYS, "in 'service.en'")
            service = replace(service, english=replace(_service_names(c, english, service), english=None))
    router = mapping_field(c, data, "router", required=False)
    if router is not None:
        check_keys(c, router, (*ROUTER_KEYS, WORD_VECTORS_KEY), "in 'router'")
        values: dict[str, float] = {}
        for key in ROUTER_KEYS:
            if key in router:
                value = router[key]
                top = _ROUTER_KEY_TOPS.get(key, 1.0)
                # Compared before any conversion: a YAML integer too large for a float is refused, not a
                # crash; NaN and infinities compare false.
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= top:
                    c.error(line_of(router, key), f"router '{key}' must be a number from 0 to {top:g}, not {value!r}")
                else:
                    values[key] = float(value)
        deciding = [key for key in _DECIDING_KEYS if key in values]
        if len(deciding) > 1:
            c.error(
                line_of(router, deciding[-1]),
                f"router states both '{deciding[0]}' and '{deciding[1]}'; keep one (threshold: a floor on the "
                "character score; min_confidence: a probability; score_cut: the fitted decision's best score, held)",
            )
        settings = RouterSettings(
            target_precision=values.get("target_precision", RouterSettings.target_precision),
            target_refusal=values.get("target_refusal", RouterSettings.target_refusal),
            threshold=values.get("threshold"),
            clarify_margin=values.get("clarify_margin", RouterSettings.clarify_margin),
            lexical_weight=values.get("lexical_weight"),
            min_confidence=values.get("min_confidence"),
            word_vectors=_table_name(c, router),
            score_cut=values.get("score_cut"),
        )
    return service, settings, languages


def _table_name(c: Collector, router: YamlMap) -> str | None:
    """The word-vector table ``router.word_vectors`` names, when it names one well."""
    name = router.get(WORD_VECTORS_KEY)
    if name is None or (isinstance(name, str) and TABLE_NAME.fullmatch(name)):
        return name
    c.error(line_of(router, WORD_VECTORS_KEY),
            f"router 'word_vectors' must name an installed table such as ja-ginza (lower-case letters, digits, "
            f"'.', '_' or '-'), not {name!r}; see 'faqbot vectors --help'")
    return None


def _synonyms(root: Path, problems: list[Problem]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not (root / "synonyms.yaml").exists():
        return ()
    data, c = load_file(root, "synonyms.yaml", problems)
    check_keys(c, data, SYNONYMS_FILE_KEYS, "at the top of the file")
    groups = mapping_field(c, data, "synonyms") if data is not None else None
    if groups is None:
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    owner: dict[str, str] = {}
    for canonical in groups:
        variants = text_list(c, groups, canonical)
        for variant in variants:
            if variant in owner and owner[variant] != canonical:
                c.error(line_of(groups, canonical), f"synonym {variant!r} is listed under both {owner[variant]!r} and {canonical!r}")
            owner[variant] = str(canonical)
        out.append((str(canonical), variants))
    return tuple(out)


def _out_of_scope(root: Path, problems: list[Problem]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not (root / "out_of_scope.yaml").exists():
        return (), ()
    data, c = load_file(root, "out_of_scope.yaml", problems)
    if data is None:
        return (), ()
    check_keys(c, data, OUT_OF_SCOPE_KEYS, "at the top of the file")
    return text_list(c, data, "examples"), text_list(c, data, "subjects")


def _handoff(root: Path, problems: list[Problem]) -> tuple[HandoffPhrases, int]:
    """The handoff phrases, and the line of their ``entry:`` (0 when none is named)."""
    if not (root / "handoff.yaml").exists():
        return HandoffPhrases(), 0
    data, c = load_file(root, "handoff.yaml", problems)
    if data is None:
        return HandoffPhrases(), 0
    check_keys(c, data, HANDOFF_KEYS, "at the top of the file")
    phrases = HandoffPhrases(
        complaint=text_list(c, data, "complaint"),
        unanswered=text_list(c, data, "unanswered"),
        refund=text_list(c, data, "refund"),
        asked=text_list(c, data, "asked"),
        entry=text_field(c, data, "entry", required=False),
        complaint_reply=text_field(c, data, "complaint_reply", required=False),
        complaint_reply_en=text_field(c, data, "complaint_reply_en", required=False),
        refund_reply=text_field(c, data, "refund_reply", required=False),
        refund_reply_en=text_field(c, data, "refund_reply_en", required=False),
    )
    return phrases, line_of(data, "entry")


def _check_handoff(kb: KnowledgeBase, line: int, problems: list[Problem]) -> None:
    """The entry handoff.yaml names (on ``line``) must exist."""
    entry = kb.handoff.entry
    if entry is not None and entry not in kb.entry_ids:
        hint = suggestion(entry, sorted(kb.entry_ids), "name the entry whose answer is the desk")
        problems.append(Problem("handoff.yaml", line, f"entry {entry!r} is no entry id; {hint}"))
    problems.extend(handoff_text_problems(kb))


def kb_content_hash(root: Path) -> str:
    """A hash of every YAML file under ``root`` (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def _render_problems(kb: KnowledgeBase, english: KnowledgeBase, entry: Entry) -> list[Problem]:
    """Why ``entry``'s answer does not render, in Japanese (``kb``) and in English (``english``): one problem per language."""
    found = []
    for field, message in (
        ("answer", template_problem(kb, entry)),
        ("answer_en", template_problem(english, entry.in_language("en")) if entry.answer_en else None),
    ):
        if message:
            found.append(Problem(entry.source, entry.line, f"{field} of {entry.id!r} does not render: {message}"))
    return found


def _check_renders(kb: KnowledgeBase, parsed: ParsedFiles | None, problems: list[Problem]) -> None:
    """Every answer must render, in both languages, in general and for every product; each failure is a problem.

    A check an earlier load passed in the same context is not repeated (compiling 72 templates
    was 0.14 s of a 10k edit's load), nor, for an unchanged file, keyed answer by answer.
    """
    # The knowledge base in English but for its entries (each is translated when checked):
    # a template reads only the products, the service and the renewal terms besides its entry.
    english = replace(kb, entries=EntryList(())).in_language("en")
    # What a template reads besides its entry, in both languages.
    context = hashlib.sha256(
        repr((kb.products, kb.service, kb.renewal, english.products, english.service, english.renewal)).encode()
    ).hexdigest()
    for file, entries in parsed.files_of(kb.entries) if parsed is not None else [(None, kb.entries)]:
        whole = file_render_key(context, file) if file is not None else None
        if parsed is not None and whole is not None and parsed.file_renders_cleanly(whole):
            continue
        keys: list[str] = []
        all_clean = True
        for entry in entries:
            key = render_key(context, entry.answer, entry.answer_en, entry.pages.products())
            keys.append(key)
            if parsed is not None and parsed.renders_cleanly(key):
                continue
            found = _render_problems(kb, english, entry)
            problems.extend(found)
            if not found and parsed is not None:
                parsed.rendered(key)
            all_clean = all_clean and not found
        if parsed is not None and whole is not None and all_clean:
            parsed.file_rendered(whole, keys)


def load_knowledge_base(root: Path | str | None = None, parsed: ParsedFiles | None = None) -> KnowledgeBase:
    """Load, validate and return the knowledge base in ``root`` (default: the shipped one).

    ``parsed`` holds entries files an earlier load parsed (:mod:`faqbot.kb.parsed_files`).
    Raises :class:`KnowledgeBaseError` listing every problem as ``file:line``.
    """
    root = Path(root) if root is not None else SHIPPED_KB
    if not root.is_dir():
        raise KnowledgeBaseError([Problem(str(root), 0, "knowledge-base folder not found; pass --kb DIR")])
    problems: list[Problem] = []
    service, settings, languages = _service(root, problems)
    products_file = load_products(root, problems)
    product_ids = {p.id for p in products_file.products}
    faq_files = sorted(p.relative_to(root).as_posix() for p in (root / "faq").glob("*.yaml"))
    if not faq_files:
        # Named as the other problems are, relative to the knowledge-base folder.
        problems.append(Problem("faq/", 0, "no FAQ files (*.yaml); add at least one"))
    entries: list[Entry] = []
    for rel in faq_files:
        entries.extend(load_entries(root, rel, KIND_FAQ, product_ids, problems, parsed))
    for rel, kind in (("compute.yaml", KIND_COMPUTE), ("smalltalk.yaml", KIND_SMALLTALK)):
        if (root / rel).exists():
            entries.extend(load_entries(root, rel, kind, product_ids, problems, parsed))
    if not products_file.products and (root / "compute.yaml").exists():
        # The billing calculator works out a product's date: with no product, nothing to compute.
        problems.append(Problem("compute.yaml", 0, "computed answers need products with renewal rules, and "
                                "products.yaml lists none; add them to products.yaml or delete compute.yaml"))
    check_entries(entries, problems)
    synonyms = _synonyms(root, problems)
    examples, subjects = _out_of_scope(root, problems)
    handoff, handoff_line = _handoff(root, problems)
    kb = KnowledgeBase(
        root=root,
        service=service,
        settings=settings,
        renewal=products_file.renewal,
        entries=EntryList(entries, parsed.pickled(entries) if parsed is not None else None),
        products=products_file.products,
        plans=products_file.plans,
        mention_suffixes=products_file.mention_suffixes,
        other_expiries=products_file.other_expiries,
        synonyms=synonyms,
        out_of_scope=examples,
        out_of_scope_subjects=subjects,
        content_hash=kb_content_hash(root),
        handoff=handoff,
        languages=languages,
    )
    _check_handoff(kb, handoff_line, problems)
    if not problems:
        _check_renders(kb, parsed, problems)
    if problems:
        raise KnowledgeBaseError(problems)
    return kb
