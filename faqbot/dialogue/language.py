"""The conversation's language: detected per message, or fixed by the channel.

A message written mostly in ASCII letters ("When is my next billing date?")
is answered in English, one with Japanese in it in Japanese; a message with
no letters at all (「2」, 「2027/3/31」), or nothing but names of products and plans and dates
("Mobile Security", "annual", "March 31, 2027"), keeps the language the conversation is in.
``--lang`` (CLI) and the API's ``lang`` (the widget's ``data-faqbot-language``)
fix it instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import replace
from datetime import date

from faqbot.answers.answering import Engine
from faqbot.dialogue.remembered import remembered
from faqbot.errors import InputError
from faqbot.kb.billing import format_date
from faqbot.kb.date_io import format_date_en
from faqbot.kb.dates import without_dates
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.templating import LANGUAGES, words
from faqbot.text.normalize import normalize_term

# Fewer ASCII letters than this say nothing about the language (a lone 「a」); "Hi" is English.
_MIN_LETTERS = 2
# Share of letters that must be ASCII for a message to read as English.
_ENGLISH_SHARE = 0.8
# A word in ASCII letters (「PayPay」, "i-filter" counts as two: names rarely hyphenate).
_ASCII_WORD = re.compile(r"[A-Za-z]+")


def detect_language(message: str) -> str | None:
    """"en" for a message mostly in ASCII letters, "ja" for one with Japanese, None when it cannot tell.

    One word in letters with Japanese around it is a name in a Japanese sentence
    (「PayPayは？」, 「Galaxyです」), however few Japanese letters there are.
    """
    text = unicodedata.normalize("NFKC", message)
    ascii_letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    other_letters = sum(1 for ch in text if not ch.isascii() and ch.isalpha())
    if ascii_letters + other_letters == 0:
        return None
    english = ascii_letters >= _MIN_LETTERS and ascii_letters >= _ENGLISH_SHARE * (ascii_letters + other_letters)
    if english and not (other_letters and len(_ASCII_WORD.findall(text)) == 1):
        return "en"
    if other_letters:
        return "ja"
    return None


def message_language(kb: KnowledgeBase, message: str, today: date) -> str | None:
    """The language of what ``message`` says besides the names of products and plans, dates and numbers.

    A name says nothing of the customer's language: 「Mobile Security」 (an alias) in a Japanese
    conversation, 「年額」 in an English one, is the customer's fact, not a switch of language.
    None when nothing else is left (the conversation's language stays); "I use a Mac" is English.
    """
    rest = _names_pattern(kb).sub(" ", normalize_term(without_dates(message, today)))
    return detect_language(rest)


_NAMES: dict[Hashable, re.Pattern[str]] = {}


def _names_pattern(kb: KnowledgeBase) -> re.Pattern[str]:
    """Any name of ``kb``'s products and plans (aliases, English names, keywords), as :func:`normalize_term` writes it."""

    def build() -> re.Pattern[str]:
        names = [
            name
            for product in kb.products
            for name in (product.name, product.name_en or "", *product.aliases, *(w for g in product.keywords for w in g))
        ]
        names += [name for plan in kb.plans for name in (plan.id, plan.name, plan.name_en or "", *plan.aliases)]
        forms = sorted({form for form in map(normalize_term, names) if form}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, forms)) or "(?!)")

    # By content and language: the English view of a knowledge base has the English names first.
    return remembered(_NAMES, (kb.content_hash, kb.lang), build, 8)


def check_language(lang: str | None) -> str | None:
    """``lang`` when it is a supported language (or None); raises :class:`InputError` otherwise."""
    if lang is not None and lang not in LANGUAGES:
        raise InputError(f"Unsupported language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    return lang


def in_language(engine: Engine, lang: str) -> Engine:
    """The engine with its knowledge base rendered in ``lang`` (routing is unchanged)."""
    return engine if engine.kb.lang == lang else replace(engine, kb=engine.kb.in_language(lang))


def word(kb: KnowledgeBase, key: str) -> str:
    """One of the dialogue's short words (``templates/words.yaml``) in the knowledge base's language."""
    return words(kb.lang)[key]


def date_text(kb: KnowledgeBase, value: date) -> str:
    """A date as the knowledge base's language writes it: 2027年3月31日 / March 31, 2027."""
    return format_date_en(value) if kb.lang == "en" else format_date(value)


def approx_date(kb: KnowledgeBase, value: date, approx: str) -> str:
    """An approximate date: 2027年3月31日頃 / around March 31, 2027."""
    return f"around {format_date_en(value)}" if kb.lang == "en" else f"{format_date(value)}{approx}"
