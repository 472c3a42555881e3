"""A message that asks two things: the second is offered beside the first one's answer.

「更新料はいくらですか？あと、いつ引き落とされますか？」 is routed whole and answered
by one entry; the other question was dropped without a word.  Each sentence of a
message of two or more is routed alone, and the entries it answers that the reply
does not are offered first among the reply's choices, so the customer need only pick
the number.
"""

from __future__ import annotations

from faqbot.answers.answering import Engine
from faqbot.dialogue.phrases import asks
from faqbot.kb.knowledge import KIND_FAQ
from faqbot.routing.pleasantries import sentences
from faqbot.routing.verdict import DECISION_ANSWER

# At most this many other questions are offered: the reply's own related questions follow them.
MAX_OTHERS = 2


def other_questions(engine: Engine, message: str, answered: str) -> tuple[str, ...]:
    """The FAQ entries (ids) that ``message``'s sentences, each routed alone, answer, less ``answered``."""
    # Only sentences that ask: 「…を使っています。通知が届かない」 gives context, then one question,
    # and routing each sentence of every message would cost a route per sentence.
    parts = [part for part in sentences(message) if asks(part)]
    if len(parts) < 2:
        return ()
    found: list[str] = []
    for part in parts:
        routing = engine.router.route(part)
        intent = routing.intent
        if routing.decision != DECISION_ANSWER or intent == answered or intent in found:
            continue
        if engine.kb.entry(intent).kind == KIND_FAQ:
            found.append(intent)
    return tuple(found[:MAX_OTHERS])
