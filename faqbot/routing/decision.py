"""The router's decision on one message: answer, ask which entry was meant, or fall back.

The candidates are ranked by then (:meth:`~faqbot.routing.router.Router.candidates`); what is
decided here, in this order:

1. **rules that refuse whatever the probability says** — the message names a subject the
   knowledge base declares out of scope; its out-of-scope examples explain it at least as well as
   the best entry; words the knowledge base never uses carry most of it, or an unknown noun fills
   a known action's argument (:mod:`faqbot.routing.novelty`, :mod:`faqbot.routing.topic_slot`);
   an FAQ entry won with no content word of the message's own;
2. **the calibrated decision** — the probability that the best entry is right
   (:mod:`faqbot.routing.calibration`) against the cut fitted for the knowledge base's target
   precision and refusal, or the hand-set ``router.threshold`` / ``router.min_confidence`` a
   knowledge base states;
3. **clarify** when the two best are within the clarify margin, else **answer**.

Functions of the router (its indexes, fits and knowledge base), kept apart from the ranking so
each reads at once; the router's public methods (``refuses``, ``names_nothing``, ``subject_in``,
``refusing_example``, ``evidence``) call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from faqbot.kb.knowledge import KIND_FAQ, KIND_SMALLTALK
from faqbot.routing import calibration
from faqbot.routing.novelty import OFF
from faqbot.routing.topic_slot import unknown_argument, unknown_head, unknown_modifier
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK, Match, Routing
from faqbot.text.analysis import Analysis
from faqbot.text.normalize import normalize_term

if TYPE_CHECKING:
    from faqbot.routing.candidates import Candidates
    from faqbot.routing.router import Router


def decide(router: Router, query: str, matches: list[Match], found: Candidates, analysis: Analysis | None) -> Routing:
    """The decision on ``query`` given its ``matches`` (the first candidates) and the evidence of all.

    ``analysis``: the query's :meth:`~faqbot.routing.router.Router.analyze`, when the caller has it.
    """
    real = tuple(matches)
    ev = evidence(router, found)
    right = router.calibration.probability(ev)
    wrong = round(1.0 - right, 4)
    if subject_in(router, query) is not None:
        return Routing(query, DECISION_FALLBACK, real, max(0.9, wrong), out_of_scope=True)
    if out_of_scope_wins(found):
        # The examples' own score beat every entry's: the refusal is at least that sure (on
        # the match scores' scale, so staff tools can weigh it against the best entry's).
        return Routing(query, DECISION_FALLBACK, real, max(round(found.out_of_scope, 4), wrong), out_of_scope=True)
    if (
        not answerable(router, found, ev, right)
        or novel_not_stored(router, query, found, analysis)
        or names_nothing(router, query, found, analysis)
    ):
        # Probably wrong, mostly about words the knowledge base never uses, or about nothing.
        return Routing(query, DECISION_FALLBACK, real, wrong)
    confidence = round(right, 4)
    if len(real) > 1 and real[0].confidence - real[1].confidence < router.kb.settings.clarify_margin:
        return Routing(query, DECISION_CLARIFY, real, confidence)
    return Routing(query, DECISION_ANSWER, real, confidence)


def evidence(router: Router, found: Candidates) -> calibration.Evidence:
    """What the calibrated decision weighs for a message whose candidates are ``found``."""
    return calibration.evidence(found, router.scale, router.kb.settings.clarify_margin)


def refuses(router: Router, query: str, found: Candidates) -> bool:
    """Do the rules refuse ``query`` whatever the calibrated probability says?"""
    return (
        subject_in(router, query) is not None
        or out_of_scope_wins(found)
        or novel_not_stored(router, query, found)
        or names_nothing(router, query, found)
    )


def names_nothing(router: Router, query: str, found: Candidates, analysis: Analysis | None = None) -> bool:
    """Is ``query`` routed to an FAQ entry with no content word of its own ("What should I do?")?

    Its characters then matched whichever question holds the same function words (eighty-second
    rule). Small talk has none to hold, and a compute entry is found by the date a message gives.
    So does a message whose topic terms are only interrogatives and demonstratives (「どうしたら
    いいですか」: どう, with the light verbs 為る and 良い; hundred-and-twenty-third rule).
    """
    if not len(found.owners) or router.kb.entries[int(found.owners[0])].kind != KIND_FAQ:
        return False
    read = analysis if analysis is not None else router.analyze(query)
    # A message with no topic term at all keeps the eighty-second rule's reading (no term): MeCab
    # leaves only light verbs of some kana spellings of content words (「たいけん できますか」).
    return not read.terms or (bool(read.topic_terms) and all(term in _POINTERS for term in read.topic_terms))


# Interrogative and demonstrative pronouns and adverbs (unidic lemmas): they ask or point, they name
# nothing.  Not 幾ら: 「いくら？」 asks a price.
_POINTERS = frozenset(
    {"何", "何処", "何時", "誰", "何れ", "何方", "此れ", "其れ", "彼れ", "此処", "其処", "どう", "何故", "如何", "どんな"}
)


def answerable(router: Router, found: Candidates, ev: calibration.Evidence, right: float) -> bool:
    """Is the best entry likely enough right to answer?

    A knowledge base that states a ``router.threshold`` keeps that hand-set floor on the
    best character score (the scale it was set on); one that states ``router.min_confidence``
    answers at that calibrated probability; one that states ``router.score_cut`` at that best score
    (a fitted decision held); otherwise the fitted decision rules
    (:meth:`Calibration.answers`): the best score or the calibrated probability must reach
    the cut fitted for ``router.target_precision`` and ``router.target_refusal``.
    ``right``: the calibrated probability of ``ev``, which the routing has computed already.
    """
    settings = router.kb.settings
    if settings.threshold is not None:
        return (float(found.char[0]) if len(found.char) else 0.0) >= settings.threshold
    if settings.min_confidence is not None:
        return right >= settings.min_confidence
    if settings.score_cut is not None:
        return ev.score >= settings.score_cut
    return router.calibration.answers(ev, right)


def out_of_scope_wins(found: Candidates) -> bool:
    """Do the out-of-scope examples explain the message at least as well as the best entry?

    Compared with the character evidence alone, the scale the examples are scored on.
    """
    char = float(found.char[0]) if len(found.char) else 0.0
    return bool(found.out_of_scope) and found.out_of_scope >= char


def novel_not_stored(router: Router, query: str, found: Candidates, analysis: Analysis | None = None) -> bool:
    """:func:`novel`, unless the message is its best entry's best-matched question word for word.

    Then its words are the knowledge base's own whatever the analyser makes of them: MeCab
    cuts unbroken hiragana as it can (「かいやくしたい」 as 買う + 約する), and the character
    channel, which reads it as the stored 「かいやく したい」, is there to survive that
    (docs/calibration-floor-rule.md, sixty-fourth rule). Checked only when the veto fires.
    """
    if not novel(router, query, found, analysis):
        return False
    return not (len(found.char_doc) and router.char_channel.holds_verbatim(query, int(found.char_doc[0])))


def novel(router: Router, query: str, found: Candidates, analysis: Analysis | None = None) -> bool:
    """Does the unknown-content veto fire, or an unknown noun fill a known action's argument?

    Both judge topics: small talk (「今日はこれで終わり」) has none.  The second
    (:mod:`faqbot.routing.topic_slot`: 「パスポートの更新」) is off with the veto, on a
    knowledge base too small to tell a paraphrase from a new topic.
    ``analysis``: the query's analysis, when the caller already has it.
    """
    veto = router.novelty
    if len(found.owners) and router.kb.entries[int(found.owners[0])].kind == KIND_SMALLTALK:
        # Small talk names no thing to ask about: 「Excelの使い方を教えて」 is not 「使い方を教えて」.
        named = veto.threshold < OFF and "の" in query
        return named and unknown_modifier(router.words(query), veto.knows) is not None
    analysis = analysis if analysis is not None else router.analyze(query)
    if veto.fires(analysis):
        return True
    if veto.threshold >= OFF or all(map(veto.knows, analysis.terms, analysis.readings)):
        return False  # the slot needs an unknown noun: no second MeCab parse when every word is known
    cut = router.words(query)
    return unknown_argument(cut, veto.knows, veto.weight) is not None or unknown_head(cut, veto.knows, veto.weight) is not None


def subject_in(router: Router, query: str) -> str | None:
    """The first out-of-scope subject ``query`` names (normalised), if any."""
    norm = normalize_term(query)
    return next((subject for subject in router.subjects if subject in norm), None)


def refusing_example(router: Router, found: Candidates) -> str | None:
    """The out-of-scope example that explains the message at least as well as its best entry, if one does."""
    if not out_of_scope_wins(found) or found.out_of_scope_doc < 0:
        return None
    return router.char_channel.texts[found.out_of_scope_doc]
