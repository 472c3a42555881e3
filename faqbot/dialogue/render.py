"""Rendering a :class:`Reply` for front ends: terminal text, widget HTML, API JSON.

Text goes through the package's plain-text templates
(:func:`faqbot.kb.templating.render_system`); HTML is written out here, every
customer- or knowledge-base-supplied string escaped, exactly as the autoescaped
template ``templates/reply_html.html.j2`` renders it (the reference the tests
compare with; it cost a chat request ~30 µs more through jinja2).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from faqbot.dialogue.reply import Handoff, Link, Reply
from faqbot.kb.templating import render_system, words


def render_reply_text(reply: Reply) -> str:
    """The reply as plain terminal text: text, facts, numbered choices (with the hint that a
    number answers them: only this channel shows numbers), links."""
    return render_system("reply_text", {"reply": reply, "words": words(reply.lang)}, reply.lang)


def render_reply_html(reply: Reply) -> Markup:
    """The reply as a widget HTML fragment; every string in it is escaped.

    Written out in Python, character for character what ``templates/reply_html.html.j2``
    renders (tests/test_dialogue_render.py compares the two on generated replies):
    jinja2's context, loop and macro objects were ~30 µs of every chat request.
    """
    out = [
        f'<div class="faqbot-reply faqbot-reply--{escape(reply.kind)}" data-intent="{escape(reply.intent)}">\n',
        '  <div class="faqbot-reply__text">\n',
    ]
    paragraphs = reply.text.split("\n")
    last = len(paragraphs) - 1
    out.extend(f"    {escape(p)}{'<br>' if i < last else ''}\n" for i, p in enumerate(paragraphs))
    out.append("  </div>\n")
    if reply.facts:
        out.append('  <dl class="faqbot-reply__facts">\n')
        out.extend(f"    <dt>{escape(f.label)}</dt><dd>{escape(f.value)}</dd>\n" for f in reply.facts)
        out.append("  </dl>\n")
    if reply.prompt:
        out += (_links_html(reply), "\n", f'  <p class="faqbot-reply__prompt">{escape(reply.prompt)}</p>\n')
        out += (_choices_html(reply), "\n")
    else:
        out += (_choices_html(reply), "\n", _links_html(reply), "\n")
    out.append("</div>")
    return Markup("".join(out).strip())  # noqa: S704 - every value above is escaped


def _choices_html(reply: Reply) -> str:
    if not reply.choices:
        return ""
    items = "".join(
        f'    <li><button type="button" class="faqbot-choice" data-value="{escape(c.value)}" '
        f'data-number="{escape(c.number)}">{escape(c.label)}</button></li>\n'
        for c in reply.choices
    )
    return f'  <ol class="faqbot-reply__choices">\n{items}  </ol>\n'


def _links_html(reply: Reply) -> str:
    if not reply.links:
        return ""
    items = "".join(f"    <li>{_link_html(link)}</li>\n" for link in reply.links)
    return f'  <ul class="faqbot-reply__links">\n{items}  </ul>\n'


def _link_html(link: Link) -> str:
    if link.url and link.url.startswith(("https://", "http://")):
        return f'<a href="{escape(link.url)}" target="_blank" rel="noopener noreferrer">{escape(link.title)}</a>'
    return str(escape(link.title))


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
