"""A question about the last answer's own words: 「90日以内ってどういうこと？」.

The payment answer for the home-network product points to a page titled 「…※「有効期限が 90 日以内場合」
をご参照ください」, and the customer asks what 「90日以内」 means.  Routed, 「どういうこと」 matched
whichever question holds such words (the about entry, the help small talk).  The source page says
no more about its own words than the answer does, so the answer is given again, with the page it
points to (docs/calibration-floor-rule.md, eighty-fifth rule).  A phrase that is a stored
question's own (「自動更新って何？」) is the router's to answer.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from faqbot.answers.answering import Engine
from faqbot.dialogue.replies import answer_reply
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KIND_FAQ

# Asking what X means, in the last sentence or clause of a message (NFKC, lower case, no end mark).
_ASKS_MEANING = (
    re.compile(
        r"(?P<x>.+?)(?:って|とは|というのは|っていうのは|ってのは)"
        r"(?:どういう(?:こと|意味)|(?:何|なに|なん)(?:のこと)?)(?:ですか|でしょうか|なの|なんですか|なんでしょうか)?"
    ),
    re.compile(r"(?P<x>.+?)の意味(?:は|がわからない|が分からない|がわかりません|が分かりません|を教えて|を教えてください)?"),
    re.compile(r"what (?:does|do) (?P<x>.+?) mean"),
    re.compile(r"what do you mean by (?P<x>.+?)"),
    re.compile(r"what is meant by (?P<x>.+?)"),
)
_LAST_PART = re.compile(r"[、。,]")
_END = re.compile(r"[\s。．.!！?？]+$")
_QUOTES = "「」『』\"'“”‘’"
# The router's first matches for the phrase alone that are searched for it.
_OWN_MATCHES = 3


def meaning_asked(message: str) -> str | None:
    """The phrase ``message`` asks the meaning of (「90日以内ってどういうこと？」 → 「90日以内」), compacted; else None."""
    text = _END.sub("", unicodedata.normalize("NFKC", message).casefold())
    last = _LAST_PART.split(text)[-1].strip() if not text.isascii() else text.strip()
    for pattern in _ASKS_MEANING:
        found = pattern.fullmatch(last)
        if found is not None:
            phrase = _compact(found.group("x").strip(_QUOTES + " "))
            return phrase if len(phrase) >= 2 else None
    return None


def asks_about_last_words(engine: Engine, state: DialogueState, text: str, today: date) -> bool:
    """Does ``text`` ask what a phrase of the last FAQ answer means, a phrase no stored question holds?

    The answer is rendered as the customer saw it (text and page titles) to find the phrase in;
    the stored questions searched are those the router finds for the phrase alone.
    """
    last = engine.kb.entry(state.last) if state.last else None
    if last is None or last.kind != KIND_FAQ:
        return False
    phrase = meaning_asked(text)
    if phrase is None:
        return False
    shown, _ = answer_reply(engine, state, last, today)
    if phrase not in _compact(" ".join((shown.text, *(link.title for link in shown.links)))):
        return False
    own = engine.router.route(phrase).matches[:_OWN_MATCHES]
    return not any(phrase in _compact(match.question) for match in own)


def _compact(text: str) -> str:
    """NFKC, lower case, no white space: how a phrase is looked for in an answer."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
