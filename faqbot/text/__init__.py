"""Layer 1, text: normalisation, synonyms, kana readings and personal-data detection.

Imports nothing from faqbot but :mod:`faqbot.errors`.
"""
