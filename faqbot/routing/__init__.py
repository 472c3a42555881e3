"""Layer 3, routing: indexes, entity extraction and the router that picks an entry.

Imports from :mod:`faqbot.kb`, :mod:`faqbot.text` and :mod:`faqbot.errors` only.
"""
