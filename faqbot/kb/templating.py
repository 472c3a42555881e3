"""Rendering answer templates with jinja2.

Two environments share one set of template sources: the HTML one escapes
everything (``autoescape=True``, the safe default) and is what the web widget
shows; the text one produces plain text for terminals and JSON.  Plain text
is never inserted into HTML unescaped: HTML front ends use :func:`render_html`.
Both use ``StrictUndefined`` so a typo in a template fails ``faqbot check``
instead of silently rendering an empty string.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.bccache
import yaml
from markupsafe import Markup

from faqbot.errors import Problem

if TYPE_CHECKING:  # only for type hints: knowledge imports nothing from here
    from faqbot.kb.knowledge import Entry, KnowledgeBase, Product

def _no_null(value: Any) -> Any:
    """What ``{{ … }}`` prints; a null value (``service.account: null``) is an error, never the text "None"."""
    if value is None:
        raise ValueError("it prints a value that is null in the knowledge base (such as 'account: null'); "
                         "put it inside {% if … %} or write the text without it")
    return value


# The knowledge base's templates (answers): a null value they print fails ``faqbot check``.
_TEXT_ENV = jinja2.Environment(
    autoescape=False,  # plain text output; see the module docstring
    undefined=jinja2.StrictUndefined,
    finalize=_no_null,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The bot's own wording (fallback, clarification, billing results): package
# templates, rendered as plain text with the service's names filled in.
# auto_reload off: the package's templates change only with the package, and checking each
# file's time stamp on every render was two stat() calls per chat turn.
_SYSTEM_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    auto_reload=False,
    autoescape=False,  # plain text output; see the module docstring
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# The same package templates as HTML fragments: autoescaping on for every file
# (not just *.html), since replies carry customers' and the KB's strings.
_SYSTEM_HTML_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    auto_reload=False,
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_HTML_ENV = jinja2.Environment(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    finalize=_no_null,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _context(kb: KnowledgeBase, entry: Entry | None, product: Product | None) -> dict[str, Any]:
    """An answer's variables (``entry`` None: a knowledge-base text that belongs to no entry)."""
    return {
        "product": product,
        # Whether this product has its own support pages for this entry: lets an
        # answer say "see below" only when there is something below.
        "product_pages": product is not None and entry is not None and product.id in entry.pages.products(),
        "products": kb.products,
        "service": kb.service,
        "renewal": kb.renewal,
    }


# Jinja's delimiters (and a carriage return, which jinja would rewrite): an answer
# without any of them renders as itself in both environments — template data is
# emitted verbatim even with autoescaping — so it needs no compiling at all.
_TEMPLATE_MARKS = ("{{", "{%", "{#", "\r")


def _is_literal(source: str) -> bool:
    return not any(mark in source for mark in _TEMPLATE_MARKS)


@lru_cache(maxsize=4096)
def _compiled(source: str, html: bool) -> jinja2.Template:
    # Compiling is the costly part of rendering; answers are few and immutable.
    env = _HTML_ENV if html else _TEXT_ENV
    cache = env.bytecode_cache
    if cache is None:
        return env.from_string(source)
    # As Environment.from_string, with the code kept between processes (see
    # keep_compiled_templates): one bucket per source, so answers do not evict each other.
    bucket = cache.get_bucket(env, hashlib.sha256(source.encode()).hexdigest(), None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)


class _FolderBytecodeCache(jinja2.FileSystemBytecodeCache):
    """jinja2's bytecode cache in a folder, where a folder it cannot write costs a compile, not the answer."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def keep_compiled_templates(folder: Path) -> None:
    """Keep every template's compiled code in ``folder`` (jinja2's bytecode cache), for later processes.

    Compiling a template costs 3-5 ms, most of what rendering an answer costs in a
    fresh ``faqbot ask``; a later process loads the code instead.  Entries are keyed by
    the template's source and checked against it, and jinja2 writes them atomically.
    The folder holds code that is run, so it must be as private as the engine cache
    it sits in (:mod:`faqbot.answers.cache_folder`).  A folder that cannot be made
    leaves templates compiled in each process, as before.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    # jinja2 keys kept code by the template's name and source only, and checks its own format
    # and Python's version.  What else the code depends on goes into each file's name: the
    # environment (the same source compiles differently with autoescaping on and off), and
    # jinja2's version and the environments' options, which this file sets.
    options = hashlib.sha256(jinja2.__version__.encode() + Path(__file__).read_bytes()).hexdigest()[:12]
    envs = {"text": _TEXT_ENV, "html": _HTML_ENV, "system": _SYSTEM_ENV, "system-html": _SYSTEM_HTML_ENV}
    for kind, env in envs.items():
        env.bytecode_cache = _FolderBytecodeCache(str(folder), f"__jinja2_{kind}_{options}_%s.cache")


def render_text(kb: KnowledgeBase, entry: Entry, product: Product | None = None) -> str:
    """Render ``entry``'s answer as plain text for ``product`` (or in general)."""
    return _render_plain(entry.answer, partial(_context, kb, entry, product))


def _render_plain(source: str, context: Callable[[], dict[str, Any]]) -> str:
    """``source`` rendered as plain text with ``context()`` (not called for a literal text)."""
    if _is_literal(source):
        return source.strip()
    return _compiled(source, False).render(context()).strip()


def render_html(kb: KnowledgeBase, entry: Entry, product: Product | None = None) -> Markup:
    """Render ``entry``'s answer with every value HTML-escaped."""
    if _is_literal(entry.answer):
        return Markup(entry.answer.strip())  # as jinja emits template data: verbatim
    template = _compiled(entry.answer, True)
    return Markup(template.render(_context(kb, entry, product)).strip())


def render_kb_text(kb: KnowledgeBase, source: str) -> str:
    """Render a knowledge-base text that belongs to no entry (handoff.yaml's ``complaint_reply``) as plain text.

    The variables are an answer's, for no product.
    """
    return _render_plain(source, partial(_context, kb, None, None))


def handoff_text_problems(kb: KnowledgeBase) -> list[Problem]:
    """handoff.yaml's texts that do not render (``complaint_reply``, ``refund_reply``, their English twins): one problem each."""
    problems: list[Problem] = []
    for key, lang in (("complaint_reply", "ja"), ("complaint_reply_en", "en"), ("refund_reply", "ja"), ("refund_reply_en", "en")):
        source = getattr(kb.handoff, key)
        problem = None if source is None else _render_problem(partial(render_kb_text, kb.in_language(lang), source))
        if problem is not None:
            problems.append(Problem("handoff.yaml", 0, f"{key} does not render ({problem}); use the variables an answer uses"))
    return problems


def _render_problem(render: Callable[[], object]) -> str | None:
    """Why ``render()`` fails — jinja's message, or the Python error a template's use of a value led to — or None."""
    try:
        render()
    except jinja2.TemplateError as exc:
        return str(exc)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def template_problem(kb: KnowledgeBase, entry: Entry) -> str | None:
    """Why ``entry``'s answer fails to render (in general or for any product), or None."""
    if _is_literal(entry.answer):
        return None  # nothing to compile, nothing that can fail
    for product in (None, *kb.products):
        problem = _render_problem(partial(_render_both, kb, entry, product))
        if problem is not None:
            return problem + (f" for product {product.id!r}" if product is not None else "")
    return None


def _render_both(kb: KnowledgeBase, entry: Entry, product: Product | None) -> None:
    render_text(kb, entry, product)
    render_html(kb, entry, product)


#: Languages the bot's own wording is written in; Japanese is the source.
LANGUAGES = ("ja", "en")


def render_system(name: str, context: dict[str, Any], lang: str = "ja") -> str:
    """Render one of the bot's own plain-text templates in ``lang``.

    Japanese is ``faqbot/templates/NAME.txt.j2``; another language is
    ``NAME.LANG.txt.j2`` (every template has one: tests/test_templating.py checks).
    """
    file = f"{name}.txt.j2" if lang == "ja" else f"{name}.{lang}.txt.j2"
    return _SYSTEM_ENV.get_template(file).render({**context, "lang": lang}).strip()


@lru_cache(maxsize=len(LANGUAGES))
def words(lang: str) -> dict[str, str]:
    """The dialogue's short words and labels in ``lang`` (``faqbot/templates/words.yaml``)."""
    # libyaml's loader when present: the pure-Python one took 6.5 ms of every `faqbot ask`, libyaml 0.3.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((_TEMPLATES / "words.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a SafeLoader
    return dict(data.get(lang) or data["ja"])


def render_system_html(name: str, context: dict[str, Any]) -> Markup:
    """Render one of the bot's own HTML templates (``faqbot/templates/NAME``), escaped."""
    return Markup(_SYSTEM_HTML_ENV.get_template(name).render(context).strip())
