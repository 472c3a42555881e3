"""What one engine build asks of the text analyser, and the product words it masks.

The router masks product names before it analyses a text (「ウイルスバスター クラウドの解約」
is about cancelling, whichever product); a build analyses every stored text once, through
the memo an earlier build left (:mod:`faqbot.text.memo`).  Split from
:mod:`faqbot.routing.router`, which answers messages; this module only serves builds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.char_channel import product_words
from faqbot.text.analysis import Analysis, prepare
from faqbot.text.memo import TextMemo

if TYPE_CHECKING:
    from faqbot.text.memo_pending import PendingMemoAnalyses


def mask_words(kb: KnowledgeBase) -> list[str]:
    """The prepared product words the router masks, longest first (the regex takes the first that matches).

    Ties are ordered by text: a set's order changes with each process's string
    hashing, and the per-text cache keys the masked texts by a hash of this list,
    so an unordered tie made every build miss it (0.6 s of an edit at 10k entries).
    """
    return sorted({prepare(w) for w in product_words(kb) if w.strip()}, key=lambda w: (-len(w), w))


class BuildAnalyser:
    """The analyses one build asks for, through its memo.

    What the analyser reads (the prepared text, product names masked) depends on the
    text and the product names: each analysis is remembered by text under a hash of
    the product words, so an unchanged text costs no NFKC, regex or MeCab.
    """

    def __init__(self, memo: TextMemo, masked: Callable[[str], str], product_words: list[str]) -> None:
        self._memo = memo
        self._masked = masked
        self.kind = "masked:" + hashlib.sha256("\n".join(product_words).encode()).hexdigest()[:16]
        self._words = product_words

    def analyses(self, texts: list[str]) -> list[Analysis]:
        """The analysis of each text, in order."""
        return self._memo.analyses(self.kind, texts, self._masked)

    def start(self, texts: list[str]) -> PendingMemoAnalyses:
        """Start analysing the texts not yet known (on two cores when many); ``finish()`` collects them."""
        return self._memo.start_analyses(self.kind, texts, self._words)

    def vocabulary(self, texts: list[str]) -> tuple[set[str], set[str]]:
        """Every term and every reading of the texts' analyses."""
        return self._memo.vocabulary(self.kind, texts, self._masked)

    def topic_terms(self, texts: list[str]) -> list[tuple[str, ...]]:
        """The topic terms of each text (what retrieval searches), in order."""
        return self._memo.topic_terms(self.kind, texts, self._masked)


__all__ = ["BuildAnalyser", "mask_words"]
