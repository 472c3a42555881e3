"""What an earlier build left that a new one may reuse, and where the new one may set things aside.

One value passed from the engine cache (:mod:`faqbot.answers.engine_rebuild`) through
:meth:`Engine.build <faqbot.answers.answering.Engine.build>` and :meth:`Router.build
<faqbot.routing.router.Router.build>` to :func:`~faqbot.routing.router_build.build_router`,
instead of the same four parameters in each signature.  Nothing in it is required: a
build without it computes everything and keeps everything in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a build's: answering from a cached engine never loads them
    from pathlib import Path

    from faqbot.routing.fit_reuse import FitHistory
    from faqbot.routing.segments import SegmentStore
    from faqbot.text.memo import TextMemo


@dataclass(frozen=True)
class EarlierBuild:
    """An earlier build's per-text results, n-grams and fits, and a folder to spill into.

    ``memo``: analyses and readings already computed (the build adds its own to it);
    ``segments``: the n-grams of the texts of each entries file, as extracted before;
    ``fits``: the fitted values, kept when the edit since allows it
    (:mod:`faqbot.routing.fit_reuse`; without it everything is fitted); ``spill``: a
    folder for a build about to store its engine, when the character channel is built
    last (an edit): once the build has read what it needs of the entries as objects,
    they are packed there (:meth:`KnowledgeBase.pack_entries`), and each merged n-gram
    index is moved there as it is made (:meth:`NgramIndex.spill`), so the merges do not
    stand on either.
    """

    memo: TextMemo | None = None
    segments: SegmentStore | None = None
    fits: FitHistory | None = None
    spill: Path | None = None
