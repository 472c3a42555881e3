"""Loading FAQ, small-talk and compute entries: questions, answers, translations, notes, pages.

:func:`load_entries` reads one entries file; :func:`check_entries` checks what
only the whole set can show (duplicate ids, related entries that do not exist).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from faqbot.errors import Problem
from faqbot.kb.knowledge import Entry, Note, SupportPages
from faqbot.kb.parsed_files import ParsedFiles, file_key
from faqbot.kb.yamlfields import Collector, check_keys, load_file, text_field, text_list
from faqbot.kb.yamlsource import YamlList, line_of
from faqbot.text.suggest import suggestion

#: The keys of an entries file, of an entry, of a note and of a page given with its URL (docs/knowledge-format.md).
FILE_KEYS = ("category", "entries")
ENTRY_KEYS = (
    "id", "question", "alternates", "answer", "pages", "related", "question_en", "answer_en",
    "notes", "topic", "after_answer", "opening", "acknowledgements",
)
NOTE_KEYS = ("text", "text_en", "about")
PAGE_KEYS = ("title", "url")
#: An entry id: lowercase ASCII letters and digits in words joined by single hyphens (``cancel-howto``),
#: so that it reads the same in a command (``faqbot show ID``), a URL (``/api/v1/faq/{id}``) and labelled data.
ENTRY_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _pages(c: Collector, entry: dict[str, Any], product_ids: set[str], entry_id: str) -> SupportPages:
    raw = entry.get("pages")
    if raw is None:
        return SupportPages()
    if not isinstance(raw, dict):
        c.error(line_of(entry, "pages"), "'pages' must map 'all' or product ids to lists of page titles")
        return SupportPages()
    common: tuple[str, ...] = ()
    by_product: list[tuple[str, tuple[str, ...]]] = []
    urls: list[tuple[str, str]] = []
    for key in raw:
        titles = _page_titles(c, raw, key, urls, entry_id)
        if key == "all":
            common = titles
        elif key not in product_ids:
            hint = suggestion(str(key), ["all", *sorted(product_ids)], "use 'all' or a product id of products.yaml")
            c.error(line_of(raw, key), f"unknown product id {key!r} in 'pages'; {hint}")
        else:
            by_product.append((key, titles))
    return SupportPages(common=common, by_product=tuple(by_product), urls=tuple(urls))


def _page_titles(c: Collector, raw: dict[str, Any], key: str, urls: list[tuple[str, str]], entry_id: str) -> tuple[str, ...]:
    """A list of page titles; an item may be ``{title, url}`` (its URL is collected into ``urls``)."""
    items = raw.get(key)
    if not isinstance(items, list):
        return text_list(c, raw, key)  # reports the wrong shape
    titles: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            check_keys(c, item, PAGE_KEYS, f"in a page of entry {entry_id!r}")
            title, url = text_field(c, item, "title"), text_field(c, item, "url")
            if title is not None and url is not None:
                if not url.startswith(("https://", "http://")):
                    c.error(line_of(item, "url"), f"page URL must start with https:// or http://, not {url!r}")
                titles.append(title)
                urls.append((title, url))
        elif isinstance(item, str) and item.strip():
            titles.append(item)
        else:
            c.error(line_of(items, i), f"'{key}' item {i + 1} must be a page title or {{title, url}}, not {item!r}")
    return tuple(titles)


def load_entries(
    root: Path, rel: str, kind: str, product_ids: set[str], problems: list[Problem],
    parsed: ParsedFiles | None = None,
) -> list[Entry]:
    """The entries of ``root/rel`` as ``kind``; every problem is added to ``problems`` as file:line.

    ``parsed`` remembers clean files by content (:mod:`faqbot.kb.parsed_files`):
    an unchanged one is not parsed again.
    """
    if parsed is None:
        return _parse_entries(root, rel, kind, product_ids, problems)
    try:
        key = file_key(rel, kind, product_ids, (root / rel).read_bytes())
    except OSError:
        return _parse_entries(root, rel, kind, product_ids, problems)  # reports it as file:0
    found = parsed.find(key)
    if found is not None:
        return list(found)
    before = len(problems)
    entries = _parse_entries(root, rel, kind, product_ids, problems)
    if len(problems) == before:
        parsed.remember(key, tuple(entries))
    return entries


def _parse_entries(root: Path, rel: str, kind: str, product_ids: set[str], problems: list[Problem]) -> list[Entry]:
    data, c = load_file(root, rel, problems)
    if data is None:
        return []
    check_keys(c, data, FILE_KEYS, "at the top of the file")
    category = data.get("category") or ""
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        c.error(line_of(data, "entries"), "'entries' must be a non-empty list")
        return []
    out: list[Entry] = []
    for i, raw in enumerate(raw_entries):
        line = line_of(raw_entries, i)
        if not isinstance(raw, dict):
            c.error(line, "an entry must be a mapping with id, question, alternates, answer")
            continue
        entry_id = text_field(c, raw, "id")
        if entry_id is not None and not ENTRY_ID.fullmatch(entry_id):
            c.error(line_of(raw, "id"), _bad_id(entry_id))
        check_keys(c, raw, ENTRY_KEYS, f"in entry {entry_id!r}" if entry_id is not None else f"in entry {i + 1}")
        question = text_field(c, raw, "question")
        answer = text_field(c, raw, "answer")
        if entry_id is None or question is None or answer is None:
            continue
        related = text_list(c, raw, "related")
        raw_alternates = raw.get("alternates")
        alternate_lines = tuple(raw_alternates.item_lines) if isinstance(raw_alternates, YamlList) else ()
        out.append(
            Entry(
                id=entry_id,
                kind=kind,
                category=str(category),
                question=question,
                alternates=text_list(c, raw, "alternates"),
                answer=answer,
                pages=_pages(c, raw, product_ids, entry_id),
                related=related,
                source=rel,
                line=line_of(raw, "id"),
                alternate_lines=alternate_lines,
                question_en=text_field(c, raw, "question_en", required=False),
                answer_en=text_field(c, raw, "answer_en", required=False),
                notes=_notes(c, raw, entry_id),
                topic=text_field(c, raw, "topic", required=False) or "",
                after_answer=text_field(c, raw, "after_answer", required=False) or "",
                opening=text_field(c, raw, "opening", required=False) or "",
                acknowledgements=text_list(c, raw, "acknowledgements"),
            )
        )
    return out


def _bad_id(entry_id: str) -> str:
    """Why ``entry_id`` is no entry id, with the id it could be renamed to."""
    slug = re.sub(r"[^a-z0-9]+", "-", entry_id.lower()).strip("-")
    rename = f"rename it, e.g. to {slug!r}" if slug else "rename it"
    return f"entry id {entry_id!r} must be lowercase letters, digits and single hyphens (like 'cancel-howto'); {rename}"


def _notes(c: Collector, entry: dict[str, Any], entry_id: str) -> tuple[Note, ...]:
    raw = entry.get("notes")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.error(line_of(entry, "notes"), "'notes' must be a list of {text, text_en, about}")
        return ()
    notes: list[Note] = []
    for i, item in enumerate(raw):
        check_keys(c, item, NOTE_KEYS, f"in note {i + 1} of entry {entry_id!r}")
        text = text_field(c, item, "text") if isinstance(item, dict) else None
        if text is None:
            if not isinstance(item, dict):
                c.error(line_of(raw, i), "a note must be a mapping with 'text' (and 'text_en', 'about')")
            continue
        notes.append(Note(text, text_field(c, item, "text_en", required=False), text_list(c, item, "about")))
    return tuple(notes)


def check_entries(entries: list[Entry], problems: list[Problem]) -> None:
    """Add a problem for each duplicate entry id and each related or after_answer id no entry has."""
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            problems.append(Problem(entry.source, entry.line, f"duplicate entry id {entry.id!r} (first at {first.source}:{first.line})"))
        else:
            seen[entry.id] = entry
    for entry in entries:
        for rel in entry.related:
            if rel not in seen:
                problems.append(Problem(entry.source, entry.line, f"entry {entry.id!r} relates to unknown entry {rel!r}{_known_id(rel, seen)}"))
        for field, target in (("after_answer", entry.after_answer), ("opening", entry.opening)):
            if target and target not in seen:
                problems.append(Problem(entry.source, entry.line, f"{field} of {entry.id!r} names unknown entry {target!r}{_known_id(target, seen)}"))


def _known_id(typed: str, ids: dict[str, Entry]) -> str:
    """``; did you mean 'x'?`` for the entry id most like ``typed``, or how to find the ids."""
    return "; " + suggestion(typed, ids, "name an existing entry id")
