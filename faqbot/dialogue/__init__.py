"""Multi-turn dialogue: a pure ``step(engine, state, message, today)`` over a JSON-able state.

Front ends (terminal chat, web widget) hold a :class:`DialogueState`, call
:func:`step` with each customer message, show the :class:`Reply` through
:func:`render_reply_text` / :func:`render_reply_html` / :func:`reply_json`, and
keep the new state.

Names are imported when first used (PEP 562): ``faqbot ask`` needs only
:mod:`faqbot.dialogue.language`, and importing that module runs this file —
which must not then load the whole dialogue manager.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from faqbot.kb.templating import LANGUAGES

if TYPE_CHECKING:
    from faqbot.dialogue.manager import step
    from faqbot.dialogue.render import render_reply_html, render_reply_text, reply_json
    from faqbot.dialogue.replies import help_reply
    from faqbot.dialogue.reply import Choice, Fact, Handoff, Link, Reply
    from faqbot.dialogue.state import DialogueState, initial_state

_HOMES = {
    "step": "manager",
    "render_reply_html": "render", "render_reply_text": "render", "reply_json": "render",
    "help_reply": "replies",
    "Choice": "reply", "Fact": "reply", "Handoff": "reply", "Link": "reply", "Reply": "reply",
    "DialogueState": "state", "initial_state": "state",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Choice",
    "DialogueState",
    "Fact",
    "Handoff",
    "LANGUAGES",
    "Link",
    "Reply",
    "help_reply",
    "initial_state",
    "render_reply_html",
    "render_reply_text",
    "reply_json",
    "step",
]
