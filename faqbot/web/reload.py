"""Live knowledge-base reloads for ``faqbot serve``: load and check, share, watch.

The supervisor (:mod:`faqbot.web.workers`) loads a knowledge base once and its
workers inherit the engine by ``fork``.  Before forking, the engine is frozen
out of garbage collection (:func:`share_engine`): a collection in a worker
would otherwise walk, and so write to, every page holding the engine's objects,
and the copy-on-write pages the workers share would become private copies.

A reload (SIGHUP, or a change :class:`KbWatcher` sees) goes through
:func:`load_checked`: a knowledge base that does not load keeps the old one
serving, and each of its ``file:line`` problems is logged.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.answers.engine_cache import load_engine
from faqbot.dialogue.manager import prepare as prepare_dialogue
from faqbot.errors import FaqbotError, KnowledgeBaseError
from faqbot.kb import SHIPPED_KB

log = logging.getLogger("faqbot.web")


def share_engine() -> None:
    """Freeze everything alive now (the engine above all) out of garbage collection, before forking.

    Called again after a reload: the old engine, dropped by then, is freed by
    unfreezing and collecting once, in the supervisor only (workers never see
    the old engine's pages again: they are replaced by new workers).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def load_checked(kb_dir: Path | None) -> Engine | None:
    """The engine of the knowledge base in ``kb_dir``, or None (with every problem logged) when it is broken."""
    try:
        engine = load_engine(kb_dir)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            log.error("reload: %s", problem)
        log.error(
            "reload: the knowledge base has %d problem(s); still serving the previous one. Fix them "
            "(`faqbot check`) and reload again.",
            len(exc.problems),
        )
    except FaqbotError as exc:
        log.error("reload: %s; still serving the previous knowledge base.", exc)
    else:
        prepare_dialogue(engine)  # before the swap: no request after it pays for these
        return engine
    return None


@dataclass(frozen=True)
class _FileStamp:
    """What the watcher compares: a file's path, modification time and size."""

    path: str
    mtime_ns: int
    size: int


def _stamps(root: Path) -> frozenset[_FileStamp]:
    stamps = set()
    for path in root.rglob("*"):
        try:
            stat = path.stat()
        except OSError:
            continue  # deleted while we looked: the next poll sees the folder as it is then
        if path.is_file():
            stamps.add(_FileStamp(str(path.relative_to(root)), stat.st_mtime_ns, stat.st_size))
    return frozenset(stamps)


class KbWatcher:
    """Tells when the files of a knowledge-base folder changed and then held still.

    ``poll()`` is called every interval; it answers True once after a change,
    when the folder looked the same at two polls in a row — so a reload never
    reads a file an editor or ``git checkout`` is still writing.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root if root is not None else SHIPPED_KB
        self._applied = _stamps(self.root)
        self._seen = self._applied

    def poll(self) -> bool:
        """True when the folder changed since the last reload and has been still for one poll."""
        now = _stamps(self.root)
        settled = now == self._seen and now != self._applied
        self._seen = now
        if settled:
            self._applied = now
        return settled
