"""The turn of a message that asks for a person, complains, or demands a refund.

:mod:`faqbot.dialogue.handoff` words the hand-off and :mod:`faqbot.dialogue.handoff_reasons`
tells the reason; this is the turn around them: what the customer told us is kept, and a question
the message also asks is answered beside the hand-off when the router is sure of it
(「身に覚えのない請求が来てる、ふざけないで」 → the unknown-charge entry, then the desk).
"""

from __future__ import annotations

from datetime import date

from faqbot.answers.answering import Answer, Engine, answer_entry
from faqbot.dialogue.form import entities_of, with_entities
from faqbot.dialogue.handoff import handoff_reply, refund_parts
from faqbot.dialogue.product_hints import message_entities
from faqbot.dialogue.reply import HANDOFF_COMPLAINT, HANDOFF_REFUND, Reply
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KIND_FAQ
from faqbot.routing.verdict import DECISION_ANSWER
from faqbot.text.phrase_match import contains_phrase


def handoff_turn(
    engine: Engine, state: DialogueState, text: str, reason: str, today: date
) -> tuple[Reply, DialogueState]:
    """The hand-off for ``text`` (``reason``: :mod:`faqbot.dialogue.handoff_reasons`' reading of it)."""
    # 「モバイルの請求がおかしい、人と話したい」: the product named stays for the rest of the conversation.
    told = with_entities(state, message_entities(engine, state, text, today))
    if reason == HANDOFF_REFUND:
        # An entry may answer the refund itself (「処理券を返金してほしい」 → refunds are not given):
        # its answer, not handoff.yaml's refund_reply.  「解約の方法と、あと返金…」 also asks how to cancel.
        refunds, others = refund_parts(engine.kb, text)
        own = next((found for found in (_also_answered(engine, told, p, today) for p in refunds) if found is not None), None)
        asked = (_also_answered(engine, told, part, today) for part in others)
        answered = next((found for found in asked if found is not None), None)
        return handoff_reply(engine, told, reason, text, answered, own)
    answered = _also_answered(engine, told, _asked_beside(engine, reason, text), today)
    return handoff_reply(engine, told, reason, text, answered)


def _asked_beside(engine: Engine, reason: str, text: str) -> str:
    """What a hand-off message asks beside its reason: nothing ("") for a complaint about a case the
    source page does not answer (handoff.yaml's ``unanswered``: 「解約したのに請求」, which the router
    reads as the cancellation how-to); any other message as it is."""
    if reason == HANDOFF_COMPLAINT and contains_phrase(text, engine.kb.handoff.unanswered):
        return ""
    return text


def _also_answered(engine: Engine, state: DialogueState, text: str, today: date) -> Answer | None:
    """The answer to the question a complaint or a request for a person also asks, if any.

    「身に覚えのない請求が来てる、ふざけないで」 asks about the charge; 「窓口はどこですか」 is itself the
    contact entry's question, and the reply should say so (intent ``contact``, not ``fallback``).
    Only when the router is at least as sure as the knowledge base's target precision: an angry
    customer given a wrong answer (「解約したのに請求が来た」 → how to cancel) is worse off than
    one given the desk.
    """
    if not text:
        return None
    routing = engine.router.route(text, entities_of(state))
    sure = routing.confidence >= engine.kb.settings.target_precision
    if routing.decision != DECISION_ANSWER or not sure or engine.kb.entry(routing.intent).kind != KIND_FAQ:
        return None
    return answer_entry(engine, engine.kb.entry(routing.intent), entities_of(state), today, text, routing.confidence)
