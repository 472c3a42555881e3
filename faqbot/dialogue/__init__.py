"""Multi-turn dialogue: a pure ``step(engine, state, message, today)`` over a JSON-able state.

Front ends (terminal chat, web widget) hold a :class:`DialogueState`, call
:func:`step` with each customer message, show the :class:`Reply` through
:func:`render_reply_text` / :func:`render_reply_html` / :func:`reply_json`, and
keep the new state.
"""

from faqbot.dialogue.manager import step
from faqbot.dialogue.render import render_reply_html, render_reply_text, reply_json
from faqbot.dialogue.replies import help_reply
from faqbot.dialogue.reply import Choice, Fact, Handoff, Link, Reply
from faqbot.dialogue.state import DialogueState, initial_state
from faqbot.kb.templating import LANGUAGES

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
