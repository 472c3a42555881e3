"""Layer 2, the knowledge base: its model, YAML loading, rules, dates, billing and templates.

Imports from :mod:`faqbot.text` and :mod:`faqbot.errors` only.
"""
