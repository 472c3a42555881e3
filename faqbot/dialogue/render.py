"""Rendering a :class:`Reply` for front ends: terminal text, widget HTML, API JSON.

Text goes through the package's plain-text templates
(:func:`faqbot.kb.templating.render_system`); HTML through an autoescaped jinja2
environment over the same template folder
(:func:`faqbot.kb.templating.render_system_html`), so every customer- or
knowledge-base-supplied string is escaped.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from faqbot.dialogue.reply import Handoff, Reply
from faqbot.kb.templating import render_system, render_system_html, words


def render_reply_text(reply: Reply) -> str:
    """The reply as plain terminal text: text, facts, numbered choices (with the hint that a
    number answers them: only this channel shows numbers), links."""
    return render_system("reply_text", {"reply": reply, "words": words(reply.lang)}, reply.lang)


def render_reply_html(reply: Reply) -> Markup:
    """The reply as a widget HTML fragment; every string in it is escaped."""
    return render_system_html("reply_html.html.j2", {"reply": reply})


def reply_json(reply: Reply) -> dict[str, Any]:
    """The reply as a JSON-ready dict for the API."""
    return {
        # The widget shows links apart from the text, so the offer to go on stays in the text.
        "text": f"{reply.text}\n\n{reply.prompt}" if reply.prompt else reply.text,
        "intent": reply.intent,
        "decision": reply.decision,
        "confidence": reply.confidence,
        "kind": reply.kind,
        "lang": reply.lang,
        "choices": [{"number": c.number, "label": c.label, "value": c.value} for c in reply.choices],
        "links": [{"title": link.title, "url": link.url} for link in reply.links],
        "facts": [{"label": f.label, "value": f.value} for f in reply.facts],
        "handoff": _handoff_json(reply.handoff),
    }


def _handoff_json(handoff: Handoff | None) -> dict[str, Any] | None:
    if handoff is None:
        return None
    return {
        "reason": handoff.reason,
        "desk": handoff.desk,
        "phone": handoff.phone,
        "hours": handoff.hours,
        "form_url": handoff.form_url,
        "url": handoff.url,
        "summary": handoff.summary,
    }
