"""Morphological analysis: the content words of a text, as dictionary lemmas.

Character n-grams (:mod:`faqbot.routing.ngram_index`) cannot tell a content
word from phrasing: 「から方法すれば」 shares as many n-grams with a question as
「更新」 does.  A morphological analyser can: it cuts the text into words, says
which are nouns, verbs, adjectives or adverbs, and gives each its lemma, so
引落し meets 引き落とし and 払え meets 払う.

The analyser is fugashi (MeCab) with unidic-lite.  Against SudachiPy with
sudachidict_core it measured better on LocalgovFAQ (even query ids, the same
two-field BM25: Recall@10 0.655 vs 0.609) and starts ten times faster (7 ms vs
67 ms for import, dictionary and first parse), which one ``faqbot ask`` pays.

Kept as terms: content words (nouns, verbs, adjectives, adverbs, adjectival
nouns, pronouns, noun-forming suffixes) as lemmas; Latin words in lower case
minus a few English function words.  Dropped: particles, auxiliaries,
symbols, emoji.  Negation (ない / ません / not) changes what is asked, so it is
kept as one evidence term, :data:`NEGATION`, instead of vanishing with the
other endings.  Katakana loanwords keep their katakana (unidic's lemma
without its English gloss): folding them into hiragana would make カード look
like function kana.

:attr:`Analysis.topic_terms` leaves out, in addition, the verbs and
adjectives unidic marks as possibly auxiliary (pos2 非自立可能): the light verb
為る, auxiliaries after て (居る, 下さる, 頂く, 仕舞う), 有る, 成る, 出来る, and
良い / 欲しい of 「〜ばいい」「〜てほしい」.  Every polite message is full of them
(「…して頂けないでしょうか」), so as search terms they make long polite messages
match other long polite texts; retrieval searches the topic terms.  The
unknown-content veto keeps reading every term: these words are known to any
knowledge base and it was fitted with them.

The tagger wraps a C object that cannot be pickled; it is created on first
use in each process and never stored on a pickled object.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import fugashi  # type: ignore[import-untyped]

from faqbot.text.inert import LONE_SURROGATE
from faqbot.text.literals import Literals
from faqbot.text.normalize import katakana_to_hiragana

# The term that stands for a negated statement (「解約できません」 is not 「解約できます」).
NEGATION = "〈否定〉"

# Parts of speech (unidic pos1) whose words carry what a text is about.
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "副詞", "形状詞", "代名詞", "接尾辞"})
# unidic's pos2 mark of verbs and adjectives that mostly serve grammar (see the module docstring).
_AUXILIARY_LIKE = "非自立可能"
# Parts of speech worth a look: content words, and auxiliaries that may negate.
_KEPT_POS = _CONTENT_POS | {"助動詞"}
# Lemmas of auxiliaries (and the non-independent adjective 無い) that negate.
_NEGATING_LEMMAS = frozenset({"ない", "無い", "ず", "ぬ", "ん"})
# English words that only build a sentence; everything else in Latin script is a term.
_ENGLISH_FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "i", "me", "my", "we", "our", "you", "your", "it", "its", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "doing", "to", "of", "in", "on", "at", "for", "by", "with", "from", "about", "as", "into", "and", "or", "but", "if", "so", "than", "then", "that", "this", "these", "those", "there", "here", "what", "which", "who", "whom", "whose", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "have", "has", "had", "please", "just", "also", "very", "any", "some", "ca", "wo"]
)
_ENGLISH_NEGATIONS = frozenset({"not", "no", "never", "cannot", "can't", "don't", "doesn't", "didn't", "won't", "isn't"})
# MeCab cuts "can't" into can / ' / t: the contraction becomes the word it stands for.
_CONTRACTED_NOT = re.compile(r"n't\b")
# A word line of MeCab's output with unidic-lite: surface, pronunciation, lemma reading, lemma,
# part of speech (pos1-pos2-…), then conjugation fields.
_WORD_LINE = re.compile(r"^([^\t\n]*)\t[^\t\n]*\t([^\t\n]*)\t([^\t\n]*)\t([^\t\n]*)", re.MULTILINE)
# MeCab is fast, but a pasted 10,000-character story is still cut to this many characters.
_MAX_CHARS = 4000
# Texts analysed once are remembered: the router, calibration and lint ask for the same text.
_CACHED_TEXTS = 8192
# Distinct MeCab words (surface, reading, lemma, part of speech) whose term is remembered.
_CACHED_WORDS = 200_000
_WORDS: dict[tuple[str, str, str, str], tuple[str, str, bool]] = {}
_WORD_OBJECTS: dict[tuple[str, str, str, str], Word] = {}


@dataclass(frozen=True)
class Analysis:
    """What the analyser found in one text."""

    terms: tuple[str, ...]  # content-word lemmas in text order (repeats kept), NEGATION included
    readings: tuple[str, ...]  # each term's lemma reading in hiragana (為る → する), for frequency look-ups
    topic_terms: tuple[str, ...]  # the terms less the auxiliary-like verbs and adjectives: what retrieval searches


@lru_cache(maxsize=1)
def _tagger() -> Any:
    # fugashi.Tagger finds unidic-lite by itself; one per process, never pickled.
    return fugashi.Tagger()


def prepare(text: str) -> str:
    """The text as the analyser reads it: NFKC (half-width kana and full-width Latin folded), lower case."""
    folded = unicodedata.normalize("NFKC", text[:_MAX_CHARS]).casefold()
    # MeCab reads UTF-8: a lone surrogate (a JSON "\\ud800" escape decodes to one) cannot be encoded.
    folded = LONE_SURROGATE.sub(" ", folded)
    return _CONTRACTED_NOT.sub(" not", folded.replace("\u2019", "'"))


def word_mask(words: Sequence[str]) -> Literals:
    """What masks ``words`` (prepared product names; of those starting at one place, the first listed wins)."""
    return Literals([word for word in words if word])


def masked(text: str, mask: Literals) -> str:
    """The text as the router's analyser reads it: :func:`prepare`, then ``mask``'s words blanked out."""
    return mask.replace(prepare(text), _blank)


def _blank(word: str) -> str:
    return " "


@lru_cache(maxsize=_CACHED_TEXTS)
def analyze(text: str) -> Analysis:
    """Content-word lemmas of ``text`` (see the module docstring); never raises on odd input.

    Reads MeCab's text output (one line per word: surface, pronunciation, lemma
    reading, lemma, part of speech…) instead of fugashi's word objects: three
    times faster, which a 50,000-question knowledge base feels at build time.
    """
    terms: list[str] = []
    readings: list[str] = []
    topic: list[str] = []
    words = _WORDS
    if len(words) > _CACHED_WORDS:
        words.clear()  # a long-running server meets endless new words: bound the table
    # One regex pass in C picks the four fields of every word; each distinct word is
    # judged once (a knowledge base's questions reuse a few thousand words millions of times).
    for word in _WORD_LINE.findall(_tagger().parse(prepare(text))):
        found = words.get(word)
        if found is None:
            found = words[word] = _word_term(*word)
        term, term_reading, is_topic = found
        if term:
            terms.append(term)
            readings.append(term_reading)
            if is_topic:
                topic.append(term)
    return Analysis(tuple(terms), tuple(readings), tuple(topic))


@dataclass(frozen=True, slots=True)
class Word:
    """One word as MeCab cut it, for rules that read the grammar (which particle follows which noun)."""

    surface: str
    lemma: str  # as :class:`Analysis` spells terms: unidic's lemma without its gloss; Latin words as written
    reading: str  # the lemma's reading in hiragana
    pos: tuple[str, ...]  # unidic's part of speech, most general first (名詞, 普通名詞, サ変可能)


@lru_cache(maxsize=_CACHED_TEXTS)
def words(text: str) -> tuple[Word, ...]:
    """Every word of ``text`` in order, particles and endings included; never raises on odd input."""
    table = _WORD_OBJECTS
    if len(table) > _CACHED_WORDS:
        table.clear()
    # One Word per distinct MeCab word, shared by every text that has it: the remembered texts
    # then cost a tuple of references each, not a fresh set of objects (a server meeting only
    # new messages kept ~20 MB more per worker that way).
    found = []
    for line in _WORD_LINE.findall(_tagger().parse(prepare(text))):
        word = table.get(line)
        if word is None:
            word = table[line] = _word(*line)
        found.append(word)
    return tuple(found)


def _word(surface: str, reading: str, lemma: str, pos: str) -> Word:
    term = surface if surface.isascii() else _lemma(surface, lemma)
    return Word(surface, term, _reading(reading, term), tuple(pos.split("-")))


def _word_term(surface: str, reading: str, lemma: str, pos: str) -> tuple[str, str, bool]:
    """:func:`_term`, after the cheap check that the word may be a term at all, and whether it is a topic term."""
    # Only content words and negating auxiliaries (a part of speech in _KEPT_POS) can be.
    if pos.partition("-")[0] not in _KEPT_POS and not surface.isascii():
        return "", "", False
    term, term_reading = _term(surface, reading, lemma, pos)
    return term, term_reading, term == NEGATION or not pos.partition("-")[2].startswith(_AUXILIARY_LIKE)


def terms(text: str) -> tuple[str, ...]:
    """Shorthand for ``analyze(text).terms``."""
    return analyze(text).terms


def is_english_function_word(word: str) -> bool:
    """Does ``word`` (lower case) only build an English sentence ("a", "is", "my"), naming nothing?"""
    return word in _ENGLISH_FUNCTION_WORDS


def _term(surface: str, reading: str, lemma: str, pos: str) -> tuple[str, str]:
    """The term (and its lemma reading) one MeCab word contributes, or ``("", "")``."""
    if surface.isascii():
        if surface in _ENGLISH_NEGATIONS:
            return NEGATION, "not"
        if not surface.isalnum() or surface in _ENGLISH_FUNCTION_WORDS:
            return "", ""
        return surface, surface
    pos1, _, rest = pos.partition("-")
    if (pos1 == "助動詞" or (pos1 == "形容詞" and rest.startswith("非自立可能"))) and lemma in _NEGATING_LEMMAS:
        return NEGATION, "ない"
    if pos1 not in _CONTENT_POS:
        return "", ""
    # Interned: a 250,000-question knowledge base holds millions of term references but only
    # tens of thousands of distinct terms; one string object each keeps the build's memory down.
    word = sys.intern(_lemma(surface, lemma))
    return word, sys.intern(_reading(reading, word))


def _lemma(surface: str, lemma: str) -> str:
    """A Japanese word's term: unidic's lemma without its gloss (パスポート-passport), or the word itself if unknown."""
    return lemma.split("-", 1)[0] or surface


def _reading(reading: str, term: str) -> str:
    """A term's lemma reading in hiragana (the term itself when MeCab gives none)."""
    return katakana_to_hiragana(reading) if reading else term
