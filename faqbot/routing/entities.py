"""Entity extraction: which product, which plan and which expiry date a message names.

Product and plan words come from the knowledge base (aliases and keyword
groups in ``products.yaml``); nothing product-specific is written here.
Matching happens on normalised text, so width, kana, case, spaces and
long-vowel marks do not matter, and small typos in longer names are tolerated.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from faqbot.kb.dates import FoundDate, extract_date
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.pleasantries import sentences
from faqbot.text.normalize import normalize_term

# A plan word followed by one of these talks about a lead time, not a plan:
# 「請求日の1か月前」 is the notice, not the monthly plan.
_NOT_A_PLAN_AFTER = ("前", "後", "以内", "以上", "ほど", "くらい", "ぐらい", "程度", "分")
# 「AじゃなくてB」「AではなくB」: the customer corrects A to B.
_CORRECTION = re.compile(r"(?:じゃ|では|で)なく(?:て)?")
# Names shorter than this are matched exactly only: fuzzy matching short
# names finds them everywhere.
_FUZZY_MIN_LENGTH = 7
_FUZZY_MIN_SCORE = 87.0


@dataclass(frozen=True)
class Entities:
    """What a message says about the customer's contract."""

    product: str | None = None
    plan: str | None = None
    expiry: FoundDate | None = None

    @property
    def expiry_date(self) -> date | None:
        """The expiry as a date, or None."""
        return self.expiry.value if self.expiry is not None else None



@dataclass(frozen=True)
class PointerWord:
    """A keyword word that points to products without being part of any name (「iPhone」, a device).

    ``products.yaml`` pairs such words with a name in keyword groups ([ウイルスバスター, iPhone]);
    alone, 「iPhoneを使っています」 names no product but says which ones may be meant.
    """

    form: str  # normalised
    spelling: str  # as the knowledge base writes it
    products: tuple[str, ...]  # ids whose keyword groups hold it, in the knowledge base's order


def pointer_words(kb: KnowledgeBase) -> tuple[PointerWord, ...]:
    """The keyword words of ``kb``'s products that no product name or alias contains (devices, in practice)."""
    names = [form for product in kb.products for form in map(normalize_term, (product.name, *product.aliases)) if form]
    owners: dict[str, list[str]] = {}
    spellings: dict[str, str] = {}
    for product in kb.products:
        for word in (w for group in product.keywords for w in group):
            form = normalize_term(word)
            if form and not any(form in name for name in names):
                spellings.setdefault(form, word)
                if product.id not in owners.setdefault(form, []):
                    owners[form].append(product.id)
    return tuple(PointerWord(form, spellings[form], tuple(ids)) for form, ids in owners.items())


@dataclass(frozen=True)
class _Term:
    key: str  # product or plan id
    words: tuple[str, ...]  # normalised; all must be present (one word for an alias)


class EntityExtractor:
    """Finds products, plans and dates in customer text for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._products = tuple(self._product_terms(kb))
        # Each term as (first word, the other words, characters named): exact matching then runs
        # as one comprehension with no call per term (it was a third of a turn's entity extraction).
        self._exact = tuple(
            (term.words[0], term.words[1:], float(sum(len(word) for word in term.words))) for term in self._products
        )
        # Names that may match with typos (positions in _products, their bigrams), for one
        # batched rapidfuzz call on those that share a bigram with the text.
        self._fuzzy_names = tuple(
            (pos, term.words[0], _bigrams(term.words[0]), _shared_bigrams_needed(len(term.words[0])), _repeated(term.words[0]))
            for pos, term in enumerate(self._products)
            if len(term.words) == 1 and len(term.words[0]) >= _FUZZY_MIN_LENGTH
        )
        # What tells each of those names from the other products' (「まつく」 of 「ういるすばすたまつく」): a
        # typo-tolerant hit must find it too, or every 「ウイルスバスターって…」 named the Mac.
        self._distinctive = {
            pos: _distinctive(name, [t.words[0] for t in self._products if len(t.words) == 1 and t.key != self._products[pos].key])
            for pos, name, *_ in self._fuzzy_names
        }
        self._other_expiry = _other_expiry(kb.other_expiries)
        self._plans = tuple(
            _Term(plan.id, (word,))
            for plan in kb.plans
            for word in {normalize_term(w) for w in (plan.id, plan.name, *plan.aliases)}
            if word
        )
        # Every product's name and alias, every word pointing to products (「iPhone」) and every plan
        # word, normalised: what a message naming nothing but the customer's facts is made of
        # (「トータルセキュリティです」「月額は？」「iPhoneを使っています」).
        self.name_forms = frozenset(
            {form for product in kb.products for form in map(normalize_term, (product.name, *product.aliases)) if form}
            | {pointer.form for pointer in pointer_words(kb)}
            | {term.words[0] for term in self._plans}
            # The English names the answers use ("annual plan (1 year)"): "I'm on the annual plan" names a plan.
            | {normalize_term(name) for name in (*(p.name_en for p in kb.products), *(p.name_en for p in kb.plans)) if name}
        )

    @staticmethod
    def _product_terms(kb: KnowledgeBase) -> list[_Term]:
        terms: list[_Term] = []
        for product in kb.products:
            names = {normalize_term(n) for n in (product.name, *product.aliases)}
            terms.extend(_Term(product.id, (name,)) for name in names if name)
            for group in product.keywords:
                words = tuple(w for w in (normalize_term(x) for x in group) if w)
                if words:
                    terms.append(_Term(product.id, words))
        return terms

    def product(self, text: str) -> str | None:
        """The product id ``text`` names, or None.  The longest evidence wins."""
        norm = normalize_term(text)
        if not norm:
            return None
        # Characters of norm that name each term exactly (every word present), else 0.
        scores = [
            size if first in norm and (not rest or all(word in norm for word in rest)) else 0.0
            for first, rest, size in self._exact
        ]
        # Only a name no longer than the text can be found in it with typos; the other
        # way round, a short text would "match" inside every long product name.  A name
        # sharing no bigram with the text cannot reach the cut-off (see _bigrams).
        present = _bigrams(norm)
        unmatched = [
            (pos, name) for pos, name, grams, needed, repeated in self._fuzzy_names
            if not scores[pos] and len(name) <= len(norm) and not grams.isdisjoint(present)
            and _shares(grams, repeated, present) >= needed  # counted only for the dozen that share one
        ]
        if unmatched:
            similarity = process.cdist(
                [name for _, name in unmatched], [norm], scorer=fuzz.partial_ratio,
                score_cutoff=_FUZZY_MIN_SCORE, dtype=np.float64,
            )[:, 0].tolist()
            for (pos, name), score in zip(unmatched, similarity, strict=False):
                if score and _within_one_edit(self._distinctive[pos], norm):
                    # A fuzzy hit counts a little less than an exact one of the same length.
                    scores[pos] = len(name) * score / 100.0 - 0.5
        best = max(range(len(scores)), key=scores.__getitem__, default=None)  # the first of equals
        return self._products[best].key if best is not None and scores[best] > 0 else None

    def plan(self, text: str) -> str | None:
        """The plan id ``text`` names, or None; the last mention wins (「年額じゃなくて月額」)."""
        best = max(self._plan_mentions(normalize_term(text)), key=lambda m: m[:2], default=None)
        return best[2] if best else None

    def _plan_mentions(self, norm: str) -> Iterator[tuple[int, int, str]]:
        """Each plan mention in ``norm`` as (where it ends, its length, the plan id), plan by plan."""
        for term in self._plans:
            word = term.words[0]
            start = norm.find(word)
            while start != -1:
                if _plan_mention_ok(norm, start, word):
                    yield start + len(word), len(word), term.key
                start = norm.find(word, start + 1)

    def extract(self, text: str, today: date) -> Entities:
        """Every entity in ``text``; dates resolve relative to ``today``.

        A correction names the wrong value first (「モバイルじゃなくてクラウドでした」): only what
        follows the last 「…じゃなくて」 is read.
        """
        text = after_correction(text)
        expiry = extract_date(text, today)
        if expiry is not None and self._said_of_another(text, expiry):
            expiry = None  # 「カードの有効期限が来月」: the card's date, not the licence's
        return Entities(product=self.product(text), plan=self.plan(text), expiry=expiry)

    def _said_of_another(self, text: str, found: FoundDate) -> bool:
        """Is ``found`` the expiry of one of the knowledge base's ``other_expiries`` (the card), by what precedes it?"""
        if self._other_expiry is None:
            return False
        folded = unicodedata.normalize("NFKC", text).casefold()
        at = folded.find(unicodedata.normalize("NFKC", found.text).casefold())
        if at < 0:
            return False
        before = sentences(folded[:at])
        return bool(before) and self._other_expiry.search(before[-1]) is not None

    def plans_named(self, text: str) -> frozenset[str]:
        """Every plan id ``text`` mentions (「年額と月額の違いは？」 names two)."""
        return frozenset(key for _, _, key in self._plan_mentions(normalize_term(text)))


# What may stand between a thing with an expiry of its own and the date said of it (general Japanese
# and English, not any service's): a particle, an expiry word, a link.
_EXPIRY_LINK = (
    r"\s*(?:の|は|が|'s|’s)?\s*(?:有効期限|有効期間|期限|expir\w*(?:\s+date)?|validity)?"
    r"\s*(?:は|が|:|is|was|will be|on|in|at)?\s*$"
)


def _other_expiry(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """What a sentence ends with right before a date said of one of ``words`` (``other_expiries``), or None."""
    folded = sorted({unicodedata.normalize("NFKC", w).casefold() for w in words if w.strip()}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile("(?:" + "|".join(re.escape(w) for w in folded) + ")" + _EXPIRY_LINK)


def _distinctive(name: str, others: list[str]) -> str:
    """What is left of ``name`` after the longest beginning it shares with one of ``others`` (other products' names).

    All of ``name`` when that beginning is the whole of it (「ういるすばすたくらうど」 begins the
    name of the cloud product with Digital Life Support): the name itself is then what tells it apart.
    """
    shared = max((len(os.path.commonprefix([name, other])) for other in others), default=0)
    return name[shared:] if shared < len(name) else name


def _within_one_edit(part: str, text: str) -> bool:
    """Does ``text`` hold ``part`` with at most one typo (Levenshtein distance ≤ 1 to some window of it)?

    Every window one shorter, as long and one longer than ``part`` is tried: the best-aligned one
    by rapidfuzz's ratio can be a tie shifted by a character (「いすたんだ」 for 「すたんだど」).
    Run only on a fuzzy hit, so a message's few dozen windows cost nothing that matters.
    """
    if part in text:
        return True
    return any(
        Levenshtein.distance(part, text[start : start + width], score_cutoff=1) <= 1
        for width in (len(part) - 1, len(part), len(part) + 1)
        if width > 0
        for start in range(len(text) - width + 1)
    )


def _bigrams(text: str) -> frozenset[str]:
    """The character bigrams of ``text``.

    partial_ratio is 2·M / (L + w) for M characters matched in order between a
    name (length L) and a window of the text (w ≤ L), so the cut-off of 87
    needs M ≥ 0.77·L.  Of the M − 1 steps between matched characters, at most
    L − M skip a name character and at most w − M skip a text character, so at
    least 3·M − 1 − 2·L steps are a bigram both share: more than zero for
    every name of seven characters or more.
    """
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _shared_bigrams_needed(length: int) -> int:
    """How many of a name's bigram positions the text must hold for the name to reach the cut-off (see :func:`_bigrams`).

    3·M − 1 − 2·L with M the fewest matched characters the cut-off allows: M ≥ 0.87·L / 1.13
    = 0.76991·L, rounded up from 0.7699·L (a smaller bound only lets more names through).
    Most messages share a bigram or two with a dozen product names by chance (「アカウント」,
    「セキュリティ」); this lets through only those that can match, sparing rapidfuzz.
    """
    return max(1, 3 * math.ceil(0.7699 * length) - 1 - 2 * length)


def _repeated(name: str) -> dict[str, int] | None:
    """How many positions of ``name`` hold each bigram that occurs more than once; None when none does."""
    counts = Counter(name[i : i + 2] for i in range(len(name) - 1))
    repeated = {gram: n for gram, n in counts.items() if n > 1}
    return repeated or None


def _shares(grams: frozenset[str], repeated: dict[str, int] | None, present: frozenset[str]) -> int:
    """How many bigram positions of a name (its ``grams``, ``repeated`` ones counted by position) ``present`` holds."""
    shared = grams & present
    if repeated is None:
        return len(shared)
    return sum(repeated.get(gram, 1) for gram in shared)


def _plan_mention_ok(norm: str, start: int, word: str) -> bool:
    if start > 0 and norm[start - 1].isdigit():
        return False  # 「2021年」 is not 「1年」, 「3年間」 is a duration, not the annual plan
    rest = norm[start + len(word):]
    return not rest.startswith(_NOT_A_PLAN_AFTER)


def after_correction(text: str) -> str:
    """What follows the last 「…じゃなくて」/「…ではなく」 of ``text`` (all of it when there is none)."""
    return _CORRECTION.split(text)[-1]
