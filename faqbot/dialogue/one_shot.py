"""One message answered with no conversation around it (``faqbot ask``), read as the chat reads it.

:func:`faqbot.answers.answering.answer_query` takes a product only when the message names it
outright, and asks for an expiry the message typed but that cannot be used as if none had
been given. The chat does better on its first turn: 「クラウドの月額」 is ウイルスバスター
クラウド (:mod:`faqbot.dialogue.product_hints`), and 「2027/2/30」 is explained (the month
has 28 days). A billing question asked once, at the command line, gets the same reading; so does
a request for a person, a complaint or a refund demand (``knowledge/handoff.yaml``): the chat
apologises and gives the desk's contact points, where the router alone fell back; and so does a
pleasantry beside a question the knowledge base has nothing on: the question is said to be unanswered.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from faqbot.answers.answering import Answer, Engine, answer_entry, date_problem_text
from faqbot.dialogue.product_hints import message_entities
from faqbot.dialogue.state import initial_state
from faqbot.kb.dates import PROBLEM_SEVERAL, date_problem
from faqbot.kb.knowledge import KIND_SMALLTALK, KnowledgeBase
from faqbot.kb.templating import render_system
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_FALLBACK, FALLBACK

__all__ = ["handed_over", "refused_beside", "reread_billing", "with_refused_beside", "with_refused_beside_note"]


def reread_billing(engine: Engine, answer: Answer, today: date) -> Answer:
    """``answer`` again when it is a billing answer, with the message read as the chat's first turn.

    A product named in part is taken when its words settle it; a message with two different
    dates is not computed on the first of them (the chat asks which is the expiry); and when
    the expiry is missing because the date typed cannot be used (impossible, in the past, two
    of them, no month), the answer ends by saying why. Any other answer is returned unchanged.
    """
    if not answer.missing and answer.billing is None:
        return answer
    problem = date_problem(answer.query, today)
    several = problem is not None and problem.code == PROBLEM_SEVERAL
    if not several and not answer.missing:
        return answer  # computed from the one date the message gives
    entities = message_entities(engine, initial_state(), answer.query, today)
    if several:
        entities = replace(entities, expiry=None)
    redone = answer_entry(
        engine, engine.kb.entry(answer.intent), entities, today, answer.query, answer.confidence, answer.suggestions
    )
    if problem is None or "expiry" not in redone.missing:
        return redone
    return replace(redone, text=f"{redone.text.rstrip()}\n{date_problem_text(problem, engine.kb.lang)}")


def handed_over(engine: Engine, answer: Answer, today: date) -> Answer:
    """``answer`` replaced by the chat's first-turn reply to its message, a hand-off to the desk.

    For a message :func:`faqbot.dialogue.handoff_reasons.handoff_reason` finds a reason in: the
    apology, the answer a complaint also asks where one is sure, and the desk's contact points.
    The reply's entry (the desk's own, or the one answered) is the answer's intent, decided as
    an answer; with none, the decision and confidence stay the router's fallback.
    """
    from faqbot.dialogue.manager import step  # the chat's manager: loaded only for a hand-off

    reply, _ = step(engine, initial_state(), answer.query, today, engine.kb.lang)
    if reply.intent == FALLBACK:
        decision, confidence = DECISION_FALLBACK, answer.confidence
    else:
        decision, confidence = DECISION_ANSWER, reply.confidence
    return replace(answer, intent=reply.intent, decision=decision, confidence=confidence, text=reply.text,
                   suggestions=(), pages=(), related=(), billing=None, missing=())


def refused_beside(engine: Engine, text: str) -> bool:
    """Does a message answered as small talk also ask a question the knowledge base has nothing on?

    「ありがとう。ところで明日の天気は？」: the thanks are answered, and the question beside them must
    not go unmentioned.  Only a rest that reads as a question and names its own topic (an
    elliptical one, 「で、それっていつ？」, is the conversation's) and that the router refuses.
    """
    from faqbot.dialogue import ellipsis, phrases  # the chat's phrase tables: not for ask's billing re-reading

    rest = engine.router.pleasantry_rest(text)
    if rest is None or not phrases.looks_like_question(rest) or ellipsis.is_elliptical(rest):
        return False
    return engine.router.route(rest).decision == DECISION_FALLBACK


def with_refused_beside_note(kb: KnowledgeBase, text: str) -> str:
    """``text`` followed by the sentence that says the question beside a pleasantry is not answered,
    in ``kb``'s language."""
    return f"{text.rstrip()}\n{render_system('dialogue_refused_beside', {}, kb.lang).strip()}"


def with_refused_beside(engine: Engine, answer: Answer) -> Answer:
    """``answer`` with :func:`with_refused_beside_note` when it answers small talk beside a refused question."""
    if answer.decision != DECISION_ANSWER or engine.kb.entry(answer.intent).kind != KIND_SMALLTALK:
        return answer
    if not refused_beside(engine, answer.query):
        return answer
    return replace(answer, text=with_refused_beside_note(engine.kb, answer.text))
