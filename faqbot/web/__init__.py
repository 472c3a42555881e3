"""The web edge: the HTTP API v1, the embeddable help widget and its demo page.

Start it with ``faqbot serve``; build it in code with :func:`create_app`.
"""

from faqbot.web.app import app_from_env, create_app
from faqbot.web.config import WebConfig

__all__ = ["WebConfig", "app_from_env", "create_app"]
