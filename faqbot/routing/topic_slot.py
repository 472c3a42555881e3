"""The topic slot: refuse a message whose key knowledge-base term is about a thing the knowledge base never names.

A near-domain off-topic message shares the whole frame of a knowledge-base
question except its salient noun: 「パスポートの更新はどこでできますか」 has the
frame of 「…の更新はどこで」 and only パスポート is new.  The unknown-content
veto (:mod:`faqbot.routing.novelty`) weighs the whole message, and there
パスポート is 38 % of the weight — as much as a customer's own context (「息子の」,
「先月」) in an in-scope paraphrase, so no share threshold separates them.

What separates them is *where* the unknown word sits.  An action noun the
knowledge base uses (更新, 変更, 解約: unidic's サ変可能 nouns) names what is done
and its argument names what it is done to: 「Xの更新」, 「Xを変更」.  When X is a
noun the knowledge base never uses, the action is done to something else — the
message is about another topic.  An unknown word elsewhere (「先月」 is an
adverbial noun; 「スマホから」 is not the argument) does not change the topic.  One
kind of argument does not either: a person (「息子の更新」 is the son's renewal) or the
device it happens on (「iPadの更新」), so nouns naming people, groups and devices
(``routing/data/context_nouns.yaml``) are never read as a topic.  MeCab's parts of speech and the particle after the noun give
the slot; no parser, no fitted constant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from faqbot.text.analysis import Word
from faqbot.text.shipped import shipped_table

_CONTEXT_NOUNS = "context_nouns.yaml"
_ASPECT_NOUNS = "aspect_nouns.yaml"
# The particles that mark an action noun's argument: 「Xの更新」 (nominal), 「Xを更新」 (object).
SLOT_PARTICLES = frozenset({"の", "を"})
# The particles between a noun phrase and the verb it is the object or subject of: 「…を変えたい」, 「…って払う」.
PREDICATE_PARTICLES = frozenset({"を", "が", "は", "も", "って"})
# unidic's nouns that can name a thing (common and proper nouns), and the subclass that is
# adverbial (先月, 今日, 前回): a time, not a topic.
_THING_NOUNS = frozenset({"普通名詞", "固有名詞"})
_ADVERBIAL = "副詞可能"
# unidic's mark of a noun that names an action (更新する, 変更する): one that takes an argument.
_ACTION = "サ変可能"
# unidic's verbs; 動詞-一般 are full verbs (払う, 延ばす), 動詞-非自立可能 serve grammar (出来る, 為る).
_VERB = "動詞"
# unidic's noun-making suffixes (更新「料」, 契約「者」): part of the compound they end.
_SUFFIX = "接尾辞"


@dataclass(frozen=True)
class SlotFinding:
    """An unknown noun in the argument of a known action noun: 「パスポート」「の」「更新」."""

    noun: str
    particle: str
    action: str


def context_nouns() -> frozenset[str]:
    """The shipped nouns that name people, groups and devices (see the module docstring)."""
    return _shipped_nouns(_CONTEXT_NOUNS)


def aspect_nouns() -> frozenset[str]:
    """The shipped nouns that ask about the noun owning them (「概要」, 「条件」): never an unknown head."""
    return _shipped_nouns(_ASPECT_NOUNS)


@cache
def _shipped_nouns(name: str) -> frozenset[str]:
    return frozenset(str(n) for n in shipped_table(__file__, name)["nouns"])


def unknown_argument(
    words: Sequence[Word], knows: Callable[[str, str], bool], weight: Callable[[str, str], float]
) -> SlotFinding | None:
    """The first noun the knowledge base never uses that is the argument of an action noun it uses, if any.

    ``words``: the message as :func:`faqbot.text.analysis.words` cuts it (product names
    masked); ``knows(lemma, reading)``: does the knowledge base use the word; ``weight``: its
    salience (the veto's rarity weight).  The unknown argument — with the nouns it is
    compounded with (「運転免許」) — must also outweigh the message's other known nouns and
    verbs: a message that says more in the knowledge base's words (「iPadの契約期限を自動で
    延ばすサービス」) is anchored there, whatever device it names.  Pronouns, adverbs and
    auxiliary-like verbs (「どこで」「できますか」) are phrasing, not topics: they do not count.
    """
    people = context_nouns()
    for i in range(len(words) - 2):
        noun, particle = words[i : i + 2]
        if not (_is_thing(noun) and particle.surface in SLOT_PARTICLES and particle.pos[:2] == ("助詞", "格助詞")):
            continue
        if noun.lemma in people or knows(noun.lemma, noun.reading):
            continue
        at = _known_action(words, i + 2, knows)
        if at is None:
            continue
        start = _compound_start(words, i)
        unknown = [w for w in words[start : i + 1] if not knows(w.lemma, w.reading)]
        if _outweighs(words, unknown, start, _compound_end(words, at), knows, weight):
            return SlotFinding(noun.lemma, particle.surface, words[at].lemma)
    return None


def unknown_head(
    words: Sequence[Word], knows: Callable[[str, str], bool], weight: Callable[[str, str], float]
) -> SlotFinding | None:
    """The first noun the knowledge base never uses that a known noun owns with 「の」 (「カードの暗証番号」), if any.

    The slot with the roles swapped: the known noun is the argument, and the unknown
    noun in the compound after 「の」 is what the message asks about.  It must outweigh
    the known nouns and verbs outside its phrase, as in :func:`unknown_argument`.
    """
    skipped = context_nouns() | aspect_nouns()
    for i in range(len(words) - 2):
        owner, particle = words[i : i + 2]
        if not (_is_noun(owner) and _is_genitive(particle) and knows(owner.lemma, owner.reading)):
            continue
        end = _compound_end(words, i + 1)
        unknown = [
            w for w in words[i + 2 : end + 1] if _is_thing(w) and w.lemma not in skipped and not knows(w.lemma, w.reading)
        ]
        if unknown and _outweighs(words, unknown, _compound_start(words, i), end, knows, weight):
            return SlotFinding(unknown[0].lemma, particle.surface, owner.lemma)
    return None


def unknown_modifier(words: Sequence[Word], knows: Callable[[str, str], bool]) -> str | None:
    """The first noun the knowledge base never uses that modifies another with の (「Excelの使い方」), if any.

    Small talk never names a thing and asks about it: a message whose best match is small
    talk (「使い方を教えて」) but that does so is about that thing.  Times, pronouns and the
    context nouns (people, groups, devices: 「スマホの使い方」) are not things here.
    """
    people = context_nouns()
    for noun, particle in zip(words, words[1:], strict=False):
        if _is_genitive(particle) and _is_thing(noun) and noun.lemma not in people and not knows(noun.lemma, noun.reading):
            return noun.lemma
    return None


def _outweighs(
    words: Sequence[Word],
    unknown: Sequence[Word],
    start: int,
    end: int,
    knows: Callable[[str, str], bool],
    weight: Callable[[str, str], float],
) -> bool:
    """Do the ``unknown`` nouns weigh more than the known nouns and verbs outside their phrase?

    The phrase runs from ``start`` through the compound ending at ``end`` and on (:func:`_phrase_end`);
    the verb that takes it (:func:`_predicate`) belongs to it too.
    """
    end = _phrase_end(words, end)
    predicate = _predicate(words, end)
    topic = sum(weight(w.lemma, w.reading) for w in unknown)
    anchor = sum(
        weight(w.lemma, w.reading)
        for j, w in enumerate(words)
        if (j < start or j > end) and j != predicate and _is_anchor(w) and knows(w.lemma, w.reading)
    )
    return topic > anchor


def _compound_start(words: Sequence[Word], last: int) -> int:
    """The first word of the noun compound that ends at ``last`` (「運転免許」 before 「の」)."""
    start = last
    while start > 0 and _is_noun(words[start - 1]):
        start -= 1
    return start


def _known_action(words: Sequence[Word], first: int, knows: Callable[[str, str], bool]) -> int | None:
    """Where the first action noun the knowledge base uses sits in the noun compound starting at ``first``.

    The argument's action need not open the compound: in 「ドメインの自動更新」 the domain is
    what is renewed, 自動 only says how.
    """
    at = first
    while at < len(words) and _is_noun(words[at]):
        if _is_action(words[at]) and knows(words[at].lemma, words[at].reading):
            return at
        at += 1
    return None


def _compound_end(words: Sequence[Word], action: int) -> int:
    """The last word of the noun compound the action noun at ``action`` begins (「更新手続き」, 「契約内容」).

    The nouns compounded after the action belong to the same noun phrase, whose argument is
    still the unknown noun (「運転免許の更新手続き」 is the licence's renewal procedure): they
    say what about the action is asked, not what else the message is about, so they are no anchor.
    """
    end = action
    while end + 1 < len(words) and (_is_noun(words[end + 1]) or words[end + 1].pos[:2] == (_SUFFIX, "名詞的")):
        end += 1
    return end


def _phrase_end(words: Sequence[Word], end: int) -> int:
    """The last word of the noun phrase whose compound ends at ``end``, through each 「の」 and compound after it.

    「ドコモの利用料金の請求日」 is one phrase: what follows 「の」 says what about the
    argument's action is asked, as the nouns compounded after it do.
    """
    while end + 2 < len(words) and _is_genitive(words[end + 1]) and _is_noun(words[end + 2]):
        end = _compound_end(words, end + 2)
    return end


def _predicate(words: Sequence[Word], end: int) -> int:
    """Where the full verb taking the phrase that ends at ``end`` sits (「…プランを変えたい」), or -1.

    The verb right after the phrase and one particle asks what is done with the phrase
    (with its argument's topic): it is part of the frame, not an anchor elsewhere.
    """
    if end + 2 < len(words):
        particle, verb = words[end + 1], words[end + 2]
        if particle.pos[:1] == ("助詞",) and particle.surface in PREDICATE_PARTICLES and verb.pos[:2] == (_VERB, "一般"):
            return end + 2
    return -1


def _is_genitive(word: Word) -> bool:
    return word.surface == "の" and word.pos[:2] == ("助詞", "格助詞")


def _is_anchor(word: Word) -> bool:
    """A word that can tie a message to the knowledge base: a noun, or a verb that is not auxiliary-like."""
    return _is_noun(word) or word.pos[:2] == (_VERB, "一般")


def _is_noun(word: Word) -> bool:
    """A noun that can name a thing or an action (not a time, a number or a pronoun)."""
    return _is_thing(word) or _is_action(word)


def _is_thing(word: Word) -> bool:
    """A common or proper noun that is not adverbial (a time)."""
    return word.pos[0] == "名詞" and word.pos[1:2] != () and word.pos[1] in _THING_NOUNS and _ADVERBIAL not in word.pos[2:3]


def _is_action(word: Word) -> bool:
    """A noun that names an action (unidic's サ変可能: 更新, 変更, キャンセル)."""
    return word.pos[:1] == ("名詞",) and _ACTION in word.pos[2:3]
