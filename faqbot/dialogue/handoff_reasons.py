"""Does a message ask for a person?  The phrases of ``knowledge/handoff.yaml``, and nothing else.

Its own small module so that ``faqbot ask`` can look at every question with it and load the
chat's hand-off (:mod:`faqbot.dialogue.handoff`, the dialogue manager) only for the few that do.
"""

from __future__ import annotations

from faqbot.kb.knowledge import KnowledgeBase
from faqbot.text.phrase_match import compacted

#: Why a message asks for a person (:attr:`faqbot.dialogue.reply.Handoff.reason`, which adds the
#: reasons the dialogue itself finds). Here, not in :mod:`faqbot.dialogue.reply`: `faqbot ask`
#: checks every question with this module and loaded ``reply`` for these three strings alone.
HANDOFF_ASKED = "asked"  # the customer asked for a person or the desk
HANDOFF_COMPLAINT = "complaint"  # a complaint: apologise first
HANDOFF_REFUND = "refund"  # a refund demand: apologise first


def handoff_reason(kb: KnowledgeBase, message: str) -> str | None:
    """Why ``message`` asks for a person (a ``HANDOFF_*`` reason), or None.

    A complaint wins over a refund demand, which wins over a plain request.
    """
    wanted = kb.handoff
    said = compacted(message)  # once for every list
    for reason, candidates in (
        (HANDOFF_COMPLAINT, wanted.complaint),
        (HANDOFF_COMPLAINT, wanted.unanswered),  # an unanswered case is complained of
        (HANDOFF_REFUND, wanted.refund),
        (HANDOFF_ASKED, wanted.asked),
    ):
        if candidates and said.contains(candidates):
            return reason
    return None
