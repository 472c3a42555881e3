"""Grouping what the bot could not answer well by meaning, with the engine's own analysis.

Each distinct message (unanswered, clarified, low-confidence or 👎) is
represented twice, both times through the routing layer rather than by its
raw characters:

* **what the engine makes of it**: the confidences :meth:`Router.route` gives
  its top entries (and the out-of-scope verdict), as a sparse vector — two
  wordings of one question lean towards the same entries in the same order;
* **what it says**: its n-grams after the engine's normalisation and synonym
  canonicalisation, weighted by how rare each n-gram is among the knowledge
  base's questions (as the router weighs them), so 「ポイント」 counts and
  「ますか」 hardly does.

Messages join the group whose centroid they resemble most when the blend of
the two cosines reaches :data:`JOIN`; otherwise they start a group.  When the
router improves, both representations improve with it.

Labels, from the engine's evidence on the group's messages (see :func:`label_for`):

* ``near miss: out of scope`` — most messages fell back because out-of-scope
  examples or subjects matched, and the engine is surer of that than of any entry;
* ``alternate for X`` — otherwise, when entry X (the most frequent best guess)
  scores at least :data:`NEAR` × the router's score floor on average (``Router.score_floor``);
* ``new topic — the FAQ page does not answer this`` — everything else: no entry
  comes near.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.router import Router
from faqbot.routing.verdict import Routing
from faqbot.text.normalize import normalize, normalize_term
from faqbot.text.privacy import CARD_MASK, EMAIL_MASK, PHONE_MASK
from faqbot.text.synonyms import SynonymMap

LABEL_ALTERNATE = "alternate"
LABEL_OUT_OF_SCOPE = "out-of-scope"
LABEL_NEW_TOPIC = "new-topic"
#: How each label reads for people.
LABEL_TEXT = {
    LABEL_ALTERNATE: "alternate for {entry}",
    LABEL_OUT_OF_SCOPE: "near miss: out of scope",
    LABEL_NEW_TOPIC: "new topic — the FAQ page does not answer this",
}

#: Why a message is on the list.
SOURCE_FALLBACK = "fallback"
SOURCE_CLARIFIED = "clarified"
SOURCE_LOW = "low-confidence"
SOURCE_THUMBS_DOWN = "thumbs-down"

#: Blended similarity (0–1) at which a message joins a group.
JOIN = 0.5
#: How many ranked entries form the engine's verdict vector.
TOP_ENTRIES = 5
#: "alternate for X" needs X at this share of the knowledge base's threshold or more.
NEAR = 0.8
_MASKS = (CARD_MASK, EMAIL_MASK, PHONE_MASK)
_NGRAM = 2
_KANJI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
# Runs of kanji, katakana (with the long-vowel mark) or Latin letters and digits.
_CONTENT_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]+|[\u30a0-\u30ffー]+|[A-Za-z0-9]+")


@dataclass(frozen=True)
class Message:
    """One message to group, as recorded (already masked), and why it is listed."""

    text: str
    source: str


@dataclass(frozen=True)
class Phrasing:
    """One distinct wording in a group and how often it was seen."""

    text: str
    count: int
    masked: bool  # it held personal data the recorder masked: never written to the knowledge base


@dataclass(frozen=True)
class Group:
    """Messages that mean the same thing, with the engine's verdict on them."""

    id: str  # stable for the same example wording: ``faqbot learn --accept ID``
    label: str  # LABEL_ALTERNATE, LABEL_OUT_OF_SCOPE or LABEL_NEW_TOPIC
    entry: str | None  # the entry the engine would pick (its best guess)
    confidence: float  # the engine's mean confidence in that entry
    count: int
    phrasings: tuple[Phrasing, ...]  # most frequent first
    sources: tuple[tuple[str, int], ...]  # (source, count), most first

    @property
    def example(self) -> str:
        """The most frequent wording."""
        return self.phrasings[0].text

    @property
    def label_text(self) -> str:
        """The label as people read it."""
        return LABEL_TEXT[self.label].format(entry=self.entry or "?")


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


@dataclass
class _Form:
    text: str
    count: int
    sources: Counter[str]
    routing: Routing
    verdict: dict[str, float]
    terms: dict[str, float]
    norms: tuple[float, float] = (0.0, 0.0)  # of verdict and terms, computed once

    def __post_init__(self) -> None:
        self.norms = (_norm(self.verdict), _norm(self.terms))


@dataclass
class _Cluster:
    forms: list[_Form] = field(default_factory=list)
    verdict: dict[str, float] = field(default_factory=dict)
    terms: dict[str, float] = field(default_factory=dict)
    norms: tuple[float, float] = (0.0, 0.0)

    def add(self, form: _Form) -> None:
        self.forms.append(form)
        for target, vector in ((self.verdict, form.verdict), (self.terms, form.terms)):
            for key, value in vector.items():
                target[key] = target.get(key, 0.0) + value * form.count
        self.norms = (_norm(self.verdict), _norm(self.terms))  # once per add, not per comparison


class TermWeights:
    """The engine's analysis of a message into weighted n-grams (idf over the KB's questions)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._synonyms = SynonymMap(kb.synonyms)
        docs = [self.ngrams(q) for e in kb.entries for q in e.questions] + [self.ngrams(q) for q in kb.out_of_scope]
        frequency: Counter[str] = Counter(g for doc in docs for g in set(doc))
        self._n = len(docs) + 1
        self._idf = {g: math.log(self._n / (1 + df)) for g, df in frequency.items()}

    def ngrams(self, text: str) -> list[str]:
        """The message's content terms: its kanji, katakana and Latin runs, normalised as the engine does.

        Hiragana runs are mostly particles and endings (「で」「ますか」「してほしい」)
        and are left out; each content run gives its n-grams and its kanji one
        by one (「支払い」 and 「払える」 share 払).
        """
        terms: list[str] = []
        for run in _CONTENT_RUN.findall(unicodedata.normalize("NFKC", text)):
            surface = self._synonyms.canonicalize(normalize_term(run))
            terms.extend(surface[i : i + _NGRAM] for i in range(max(len(surface) - _NGRAM + 1, 1)))
            terms.extend(ch for ch in surface if _KANJI.fullmatch(ch))
        return [t for t in terms if t]

    def vector(self, text: str) -> dict[str, float]:
        """tf-idf weights of the message's n-grams (unseen n-grams weigh the most)."""
        unseen = math.log(self._n)
        weights: dict[str, float] = {}
        for gram in self.ngrams(text):
            weights[gram] = weights.get(gram, 0.0) + self._idf.get(gram, unseen)
        return weights


def _cosine(a: dict[str, float], a_norm: float, b: dict[str, float], b_norm: float) -> float:
    if not a_norm or not b_norm:
        return 0.0
    if len(a) > len(b):  # walk the smaller vector: a group's centroid grows large
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items()) / (a_norm * b_norm)


def _verdict(routing: Routing) -> dict[str, float]:
    """The engine's view of a message: its top entries' confidences.

    The out-of-scope verdict is left out: it says what a message is not, and
    would make every refused message look alike.
    """
    return {m.entry_id: m.confidence for m in routing.matches[:TOP_ENTRIES]}


def similarity(a: _Form | _Cluster, b: _Form | _Cluster) -> float:
    """The blended similarity of two messages (or a message and a group's centroid)."""
    # Geometric mean: both must agree; two messages the engine ranks alike but
    # that share no content word (a refund and a receipt) stay apart.
    verdicts = _cosine(a.verdict, a.norms[0], b.verdict, b.norms[0])
    return math.sqrt(verdicts * _cosine(a.terms, a.norms[1], b.terms, b.norms[1]))


def _forms(messages: Iterable[Message], router: Router, weights: TermWeights) -> list[_Form]:
    by_text: dict[str, tuple[str, Counter[str]]] = {}
    for message in messages:
        key = normalize(message.text) or message.text
        first, sources = by_text.setdefault(key, (message.text, Counter()))
        sources[message.source] += 1
    forms = []
    for first, sources in by_text.values():
        routing = router.route(first, top=TOP_ENTRIES)
        forms.append(_Form(first, sum(sources.values()), sources, routing, _verdict(routing), weights.vector(first)))
    # Most frequent wording first, so it seeds its group; ties keep first-seen order.
    forms.sort(key=lambda f: -f.count)
    return forms


def label_for(forms: Sequence[_Form], threshold: float) -> tuple[str, str | None, float]:
    """The label, the entry the engine would pick, and its mean confidence, for one group's messages."""
    total = sum(f.count for f in forms)
    guesses: Counter[str] = Counter()
    for f in forms:
        if f.routing.matches:
            guesses[f.routing.matches[0].entry_id] += f.count
    entry = guesses.most_common(1)[0][0] if guesses else None
    confidence = sum(_entry_confidence(f.routing, entry) * f.count for f in forms) / total if total else 0.0
    oos = [f for f in forms if f.routing.out_of_scope]
    oos_count = sum(f.count for f in oos)
    oos_confidence = sum(f.routing.confidence * f.count for f in oos) / oos_count if oos_count else 0.0
    if oos_count * 2 > total and oos_confidence >= confidence:
        label = LABEL_OUT_OF_SCOPE
    elif entry is not None and confidence >= NEAR * threshold:
        label = LABEL_ALTERNATE
    else:
        label = LABEL_NEW_TOPIC
    return label, entry, round(confidence, 4)


def _entry_confidence(routing: Routing, entry: str | None) -> float:
    return next((m.confidence for m in routing.matches if m.entry_id == entry), 0.0)


def _group_id(example: str) -> str:
    return "g" + hashlib.sha1(normalize(example).encode("utf-8")).hexdigest()[:6]


def group_messages(
    messages: Iterable[Message],
    router: Router,
    join: float = JOIN,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Group, ...]:
    """Group ``messages`` by meaning, biggest group first (ties: first seen first)."""
    weights = TermWeights(router.kb)
    forms = _forms(messages, router, weights)
    clusters: list[_Cluster] = []
    # Term → groups holding it: a group sharing no term scores 0 (geometric mean), so only
    # these candidates are compared; this keeps thousands of messages from being quadratic.
    holding: dict[str, set[int]] = {}
    for done, form in enumerate(forms, start=1):
        candidates = sorted({i for term in form.terms for i in holding.get(term, ())})
        best = max(((similarity(form, clusters[i]), -i) for i in candidates), default=(0.0, 0))
        if best[0] >= join:
            index = -best[1]
        else:
            index = len(clusters)
            clusters.append(_Cluster())
        clusters[index].add(form)
        for term in form.terms:
            holding.setdefault(term, set()).add(index)
        if progress is not None:
            progress(done, len(forms))
    groups = [_group(c.forms, router.score_floor) for c in clusters]
    groups.sort(key=lambda g: -g.count)
    return tuple(groups)


def _group(forms: list[_Form], threshold: float) -> Group:
    label, entry, confidence = label_for(forms, threshold)
    sources: Counter[str] = Counter()
    for f in forms:
        sources.update(f.sources)
    phrasings = tuple(Phrasing(f.text, f.count, any(mask in f.text for mask in _MASKS)) for f in forms)
    return Group(
        id=_group_id(phrasings[0].text),
        label=label,
        entry=entry,
        confidence=confidence,
        count=sum(f.count for f in forms),
        phrasings=phrasings,
        sources=tuple(sources.most_common()),
    )


def find_group(groups: Sequence[Group], key: str) -> Group | None:
    """The group with id ``key``, or the ``key``-th listed (1-based), or None."""
    if key.isdigit() and 1 <= int(key) <= len(groups):
        return groups[int(key) - 1]
    return next((g for g in groups if g.id == key), None)
