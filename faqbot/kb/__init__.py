"""Layer 2, the knowledge base: its model, YAML loading, rules, dates, billing and templates.

Imports from :mod:`faqbot.text` and :mod:`faqbot.errors` only.
"""

from pathlib import Path

# The knowledge base faqbot ships (the repository's knowledge/ folder).
SHIPPED_KB = Path(__file__).resolve().parents[2] / "knowledge"
