"""Knowledge-base checks that need the router: does each question route home?

The loader (:mod:`faqbot.kb.loader`) catches structural problems; this module
catches content problems a maintainer can only see by routing: an alternate
question that, if it were not stored, would be answered by another entry is
ambiguous wording that misleads the router, and so is a question two entries
hold alike once normalised (both errors).

It also gives warnings a maintainer should act on but that do not stop the
bot from working (``faqbot check --strict`` turns them into failures):
near-duplicate questions in two entries, entries with too few alternates,
synonym groups no question uses, products the seed page's table names
that ``products.yaml`` lacks, and a missing ``smalltalk.yaml`` or ``handoff.yaml``.
"""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz, process

from faqbot.errors import KnowledgeBaseError, Problem
from faqbot.kb.knowledge import KIND_COMPUTE, KIND_FAQ, Entry, KnowledgeBase
from faqbot.kb.yamlsource import line_of, load_yaml
from faqbot.quality.misroute import explain, reason
from faqbot.routing.router import Router
from faqbot.routing.verdict import DECISION_ANSWER
from faqbot.text.normalize import normalize, normalize_term
from faqbot.text.synonyms import SynonymMap


def alternate_problems(kb: KnowledgeBase, router: Router) -> list[Problem]:
    """What routing each alternate with itself left out of the index shows, in one pass.

    Errors: alternates another entry would answer, with the question of it they met and the words
    that drew them there (:mod:`faqbot.quality.misroute`).  Warnings: alternates refused as out of
    scope although their own entry ranks first (:func:`_refused`).
    """
    problems: list[Problem] = []
    for entry in kb.entries:
        for i, alternate in enumerate(entry.alternates):
            routing = router.route(alternate, exclude=alternate, top=1)
            line = _question_line(entry, i + 1)
            if routing.decision == DECISION_ANSWER and routing.intent != entry.id:
                # Only a confident wrong answer is an error: a left-out question that
                # clarifies or falls back still reaches its entry through the others.
                best = routing.matches[0]
                found = explain(router, alternate, tuple(q for q in entry.questions if q != alternate), best.question)
                message = f"alternate question {alternate!r} of {entry.id!r} routes to {best.entry_id!r}{reason(found, entry.id)}"
                problems.append(Problem(entry.source, line, message))
            elif routing.out_of_scope and routing.matches and routing.matches[0].entry_id == entry.id:
                problems.append(_warning(entry.source, line, _refused(router, entry.id, alternate)))
    return problems


def _refused(router: Router, entry_id: str, alternate: str) -> str:
    """Why an alternate whose own entry ranks first is refused: the subject it names, or the example that beats it.

    A customer who words a question like that alternate, but not exactly, gets the
    fallback: an out-of-scope example or subject is broader than it was meant to be.
    """
    subject = router.subject_in(alternate)
    if subject is not None:
        why = f"is refused: it names the out-of-scope subject {subject!r}; remove the subject or reword the alternate"
    else:
        example = router.refusing_example(router.candidates(alternate, exclude=alternate))
        why = (
            f"is refused when left out: the out-of-scope example {example!r} matches it better; "
            "reword or remove the example, or add alternates worded like it"
        )
    return f"alternate question {alternate!r} of {entry_id!r} {why}"


# --- content warnings (``faqbot check`` prints them; ``--strict`` fails on them) ---

#: rapidfuzz ratio (0–100) of two entries' normalised questions that makes them near-duplicates.
NEAR_DUPLICATE = 90.0
#: Fewer alternate questions than this and an entry is easy to miss.
MIN_ALTERNATES = 3
#: Entry kinds whose alternates are counted (small talk is short by nature).
_COUNTED_KINDS = (KIND_FAQ, KIND_COMPUTE)


def _warning(path: str, line: int, message: str) -> Problem:
    return Problem(path, line, message, severity="warning")


def _surfaces(kb: KnowledgeBase) -> tuple[list[tuple[Entry, int]], list[str]]:
    """Every question as (entry, index in entry.questions) with its matching form.

    Product names are cut out, as the router does: two questions about one
    product share its long name, which says nothing about their intent.
    """
    synonyms = SynonymMap(kb.synonyms)
    words = sorted({w for p in kb.products for w in map(normalize_term, (p.name, *p.aliases)) if w}, key=len, reverse=True)
    names = re.compile("|".join(map(re.escape, words))) if words else None
    owners: list[tuple[Entry, int]] = []
    surfaces: list[str] = []
    for entry in kb.entries:
        for i, question in enumerate(entry.questions):
            text = normalize(question)
            if names is not None:
                text = names.sub("", text)
            owners.append((entry, i))
            surfaces.append(synonyms.canonicalize(text))
    return owners, surfaces


def _question_line(entry: Entry, index: int) -> int:
    """Line of ``entry.questions[index]`` (0 is the canonical question, on the entry's line)."""
    if index == 0:
        return entry.line
    return entry.alternate_lines[index - 1] if index - 1 < len(entry.alternate_lines) else entry.line


def _same_questions(kb: KnowledgeBase) -> list[tuple[Entry, int, Entry, int]]:
    """Each question equal, once normalised, to a question of an earlier entry: (entry, index, earlier entry, its index)."""
    first: dict[str, tuple[Entry, int]] = {}
    found: list[tuple[Entry, int, Entry, int]] = []
    for entry in kb.entries:
        for i, question in enumerate(entry.questions):
            text = normalize(question)
            if not text:
                continue
            owner, index = first.setdefault(text, (entry, i))
            if owner.id != entry.id:
                found.append((entry, i, owner, index))
    return found


def duplicate_questions(kb: KnowledgeBase) -> list[Problem]:
    """Errors: a question another entry also holds, normalised (width, kana, punctuation, polite endings).

    The router cannot tell the two apart, so one of them would answer the other's customers.
    """
    return [
        Problem(
            entry.source,
            _question_line(entry, i),
            f"question {entry.questions[i]!r} of {entry.id!r} is, normalised, the question "
            f"{owner.questions[j]!r} of {owner.id!r} ({owner.source}:{_question_line(owner, j)}); "
            "keep it in one entry and reword or remove the other",
        )
        for entry, i, owner, j in _same_questions(kb)
    ]


def near_duplicate_entries(kb: KnowledgeBase, threshold: float = NEAR_DUPLICATE) -> list[Problem]:
    """Pairs of entries holding questions that are near-duplicates (one warning per pair).

    A pair that holds the very same question is left to :func:`duplicate_questions` (an error).
    """
    owners, surfaces = _surfaces(kb)
    if not surfaces:
        return []
    same = {frozenset((entry.id, owner.id)) for entry, _, owner, _ in _same_questions(kb)}
    scores = process.cdist(surfaces, surfaces, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
    best: dict[tuple[str, str], tuple[float, int, int]] = {}
    for a, b in zip(*np.nonzero(scores), strict=False):
        ea, eb = owners[a][0], owners[b][0]
        if a >= b or ea.id == eb.id or not surfaces[a] or not surfaces[b] or frozenset((ea.id, eb.id)) in same:
            continue
        key = (ea.id, eb.id)
        if key not in best or scores[a, b] > best[key][0]:
            best[key] = (float(scores[a, b]), int(a), int(b))
    problems = []
    for (first, second), (score, a, b) in best.items():
        (ea, ia), (eb, ib) = owners[a], owners[b]
        problems.append(
            _warning(
                eb.source,
                _question_line(eb, ib),
                f"entries {first!r} and {second!r} have near-duplicate questions "
                f"({score:.0f}% alike): {ea.questions[ia]!r} ({ea.source}:{_question_line(ea, ia)}) "
                f"and {eb.questions[ib]!r}; merge them or reword one",
            )
        )
    return problems


def few_alternates(kb: KnowledgeBase, minimum: int = MIN_ALTERNATES) -> list[Problem]:
    """FAQ and computed entries with fewer than ``minimum`` alternate questions."""
    return [
        _warning(
            entry.source,
            entry.line,
            f"entry {entry.id!r} has {len(entry.alternates)} alternate question(s); "
            f"add at least {minimum} in customers' own words",
        )
        for entry in kb.entries
        if entry.kind in _COUNTED_KINDS and len(entry.alternates) < minimum
    ]


def unused_synonyms(kb: KnowledgeBase) -> list[Problem]:
    """Synonym groups whose canonical word occurs in no question, so they cannot help routing."""
    _, surfaces = _surfaces(kb)
    path = kb.root / "synonyms.yaml"
    data = load_yaml(path, display="synonyms.yaml") if path.exists() else None
    groups = data.get("synonyms") if isinstance(data, dict) else None
    problems = []
    for canonical, _variants in kb.synonyms:
        target = normalize_term(canonical)
        if target and not any(target in s for s in surfaces):
            problems.append(
                _warning(
                    "synonyms.yaml",
                    line_of(groups, canonical) if groups is not None else 0,
                    f"synonym group {canonical!r} is unused: no question contains {canonical!r}; "
                    "use the word in a question or remove the group",
                )
            )
    return problems


_TABLE_RULE = re.compile(r"^\s*-{3,}\s*\|")


def seed_table_products(text: str) -> tuple[tuple[str, int], ...]:
    """Product names (with 1-based line numbers) in the first ``name | price |`` table of a seed page.

    The seed page's table reads ``製品・プラン名 | 更新料 (税込) |``, a ``---|---|`` rule,
    then one ``name |`` line per product (its price cell may sit on the next line).
    """
    lines = text.splitlines()
    names: list[tuple[str, int]] = []
    in_table = False
    for number, line in enumerate(lines, start=1):
        if not in_table:
            in_table = bool(_TABLE_RULE.match(line))
            continue
        if "|" not in line:
            break
        name = line.split("|", 1)[0].strip()
        if name:
            names.append((name, number))
    return tuple(names)


def seed_products_without_rules(kb: KnowledgeBase, seed_text: str, seed_name: str) -> list[Problem]:
    """Products named in the seed page's table that products.yaml gives no renewal rules."""
    known = {normalize_term(word) for p in kb.products for word in (p.name, *p.aliases)}
    return [
        _warning(
            seed_name,
            line,
            f"product {name!r} is named in the seed's table but has no renewal rules; "
            "add it to products.yaml (id, name, aliases, plans)",
        )
        for name, line in seed_table_products(seed_text)
        if normalize_term(name) not in known
    ]


def untranslated(kb: KnowledgeBase) -> list[Problem]:
    """Entries, notes, products and plans that lack their English translation (issue 12).

    An untranslated text is answered in Japanese to an English customer, so each is a warning;
    none in a Japanese-only knowledge base (``languages: [ja]``), which answers everyone in Japanese.
    """
    if "en" not in kb.languages:
        return []
    problems = [
        _warning(entry.source, entry.line, f"entry {entry.id!r} lacks {', '.join(missing)} (English translation)")
        for entry in kb.entries
        if (missing := [f for f in ("question_en", "answer_en") if not getattr(entry, f)]
            + (["text_en of a note"] if any(not n.text_en for n in entry.notes) else []))
    ]
    lines = _catalogue_lines(kb)
    problems += [
        _warning("products.yaml", lines.get((kind, item.id), 0), f"{kind} {item.id!r} lacks name_en (English translation)")
        for kind, items in (("product", kb.products), ("plan", kb.plans))
        for item in items
        if not item.name_en
    ]
    return problems


def _catalogue_lines(kb: KnowledgeBase) -> dict[tuple[str, str], int]:
    """The line of each product's ``id:`` and each plan's id in products.yaml, by ("product" or "plan", id)."""
    path = kb.root / "products.yaml"
    data = load_yaml(path, display="products.yaml") if path.exists() else None
    if not isinstance(data, dict):
        return {}
    lines: dict[tuple[str, str], int] = {}
    products = data.get("products")
    for product in products if isinstance(products, list) else ():
        if isinstance(product, dict):
            lines[("product", str(product.get("id")))] = line_of(product, "id")
    renewal = data.get("renewal")
    plans = renewal.get("plans") if isinstance(renewal, dict) else None
    for plan_id in plans if isinstance(plans, dict) else ():
        lines[("plan", str(plan_id))] = line_of(plans, plan_id)
    return lines


#: Files a knowledge base may leave out, and what the bot does not do without each (a warning says it).
OPTIONAL_FILES = (
    ("smalltalk.yaml", "greetings, thanks and goodbyes (こんにちは, ありがとう) and 'what can you do?' get the "
                       "fallback (見つかりませんでした), and /help says nothing of what the bot can do"),
    ("handoff.yaml", "a request for a person, a complaint or a refund demand (人と話したい, 金返せ) is not handed "
                     "to the desk with its contact points but gets the fallback, until the second miss in a row"),
)


def missing_optional_files(kb: KnowledgeBase) -> list[Problem]:
    """A warning for each of :data:`OPTIONAL_FILES` the knowledge base lacks, saying what the bot will not do."""
    return [
        _warning(name, 0, f"{name} is missing, so {what}; add it (docs/knowledge-format.md)")
        for name, what in OPTIONAL_FILES
        if not (kb.root / name).is_file()
    ]


def missing_vectors(kb: KnowledgeBase, router: Router) -> list[Problem]:
    """A warning when ``service.yaml`` names a word-vector table the router could not use (not installed)."""
    name = kb.settings.word_vectors
    if name is None or router.vectors is not None:
        return []
    return [_warning("service.yaml", _router_line(kb, "word_vectors"),
                     f"router.word_vectors names {name!r}, which is not installed, so the knowledge base is routed "
                     f"without word vectors; install it with 'faqbot vectors install {name}' or remove the line")]


def _router_line(kb: KnowledgeBase, key: str) -> int:
    """The line of ``router.<key>`` in ``service.yaml`` (0 when it cannot be read)."""
    try:
        service = load_yaml(kb.root / "service.yaml")
    except KnowledgeBaseError:
        return 0
    return line_of(service.get("router") if isinstance(service, dict) else None, key)


def check_knowledge_base(kb: KnowledgeBase, router: Router, min_alternates: int = MIN_ALTERNATES) -> list[Problem]:
    """Every routing error and content warning ``faqbot check`` reports (without the seed check)."""
    problems = alternate_problems(kb, router)
    problems += duplicate_questions(kb)
    problems += near_duplicate_entries(kb)
    problems += few_alternates(kb, min_alternates)
    problems += unused_synonyms(kb)
    problems += untranslated(kb)
    problems += missing_optional_files(kb)
    problems += missing_vectors(kb, router)
    return problems
