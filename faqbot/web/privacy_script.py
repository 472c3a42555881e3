"""The widget's masker, served in front of ``widget.js`` with the server's own rules.

``static/privacy.js`` holds the masking steps; the rules (patterns, lengths,
placeholders) come from :func:`faqbot.text.pii_rules.rules_json`, so the
browser cannot mask less than the server: change a rule in Python and the
served script follows.
"""

from __future__ import annotations

from pathlib import Path

from faqbot.text.pii_rules import rules_json

_SOURCE = Path(__file__).resolve().parent / "static" / "privacy.js"
_RULES_SLOT = "/*RULES*/null"


def privacy_script() -> bytes:
    """``privacy.js`` with the rules filled in (defines ``window.faqbotPrivacy``)."""
    source = _SOURCE.read_text(encoding="utf-8")
    if source.count(_RULES_SLOT) != 1:
        raise RuntimeError(f"{_SOURCE} must contain {_RULES_SLOT} exactly once.")
    return source.replace(_RULES_SLOT, rules_json()).encode("utf-8")
