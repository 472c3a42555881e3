"""Shared fixtures: the shipped knowledge base loaded once, and broken copies of it.

Building the shipped knowledge base's engine costs several seconds (calibration
routes every example), so it is done once per session (:func:`engine`), and every
test process shares one engine cache folder (:func:`_session_engine_cache`) so that
``load_engine()``, the CLI and the ``faqbot serve`` subprocesses find the shipped
engine built once.  Tests that need a broken knowledge base copy a folder into
``tmp_path`` with :func:`make_kb` and change one file; a test that only needs *a*
knowledge base (cache mechanics, reloads) copies ``tests/fixtures/kb_min``, which
builds in a fraction of a second.  The rules are in docs/testing.md.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path

import pytest

from faqbot.answers.answering import Engine
from faqbot.kb import SHIPPED_KB
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.kb.loader import load_knowledge_base
from tests.pgserver import PgServer

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KB_MIN = FIXTURES / "kb_min"
# The reference date of the public eval set and of most date tests.
TODAY = date(2026, 11, 26)

# One override: new file text, None to delete the file, or a function of the old text.
Override = str | None | Callable[[str], str]


def make_kb(tmp_path: Path, overrides: Mapping[str, Override] | None = None, source: Path = SHIPPED_KB) -> Path:
    """Copy ``source`` (default: the shipped ``knowledge/``) into ``tmp_path/kb`` and apply ``overrides``.

    ``overrides`` maps a path relative to the KB root to the new text of the
    file, to ``None`` (delete it), or to a function that rewrites the old text
    (it must change something, so a test never silently breaks nothing).
    """
    root = tmp_path / "kb"
    shutil.copytree(source, root)
    for rel, change in (overrides or {}).items():
        path = root / rel
        if change is None:
            path.unlink()
        elif callable(change):
            old = path.read_text(encoding="utf-8")
            new = change(old)
            if new == old:
                raise AssertionError(f"override of {rel} changed nothing")
            path.write_text(new, encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(change, encoding="utf-8")
    return root


# A second entries file for kb_min: what tests of building need beyond it (an edit to one file
# of several, the shipped KB's ``about`` entry and its first question), at a fraction of the cost.
ABOUT_FILE = """\
category: あんしん自動更新について
entries:
  - id: about
    question: あんしん自動更新とは何ですか？
    alternates:
      - あんしん自動更新ってなに？
      - 自動更新サービスの仕組みを教えてください
      - What is auto renewal?
    answer: |
      {{ service.name }}とは、ライセンス契約が切れる前に自動で契約期限を延長するサービスです。
    related: [cancel]
"""


def make_small_kb(tmp_path: Path) -> Path:
    """``tests/fixtures/kb_min`` plus ``faq/about.yaml`` (:data:`ABOUT_FILE`) in ``tmp_path/kb``: two entries files.

    For tests of building, caching and reloading, whose point is how a build reacts to files
    and edits, not what the shipped knowledge base answers; it builds in well under a second
    where the shipped one takes several.
    """
    root = make_kb(tmp_path, {"faq/about.yaml": ABOUT_FILE}, source=KB_MIN)
    # Dated like the copied files (copytree keeps their times): the whole folder is settled, as a
    # copy of the shipped one is, for the cache's rule on recently modified files.
    settled = (KB_MIN / "faq" / "basic.yaml").stat().st_mtime_ns
    os.utime(root / "faq" / "about.yaml", ns=(settled, settled))
    return root


def replace_once(old: str, new: str) -> Callable[[str], str]:
    """An override that replaces the single occurrence of ``old`` (failing loudly if absent)."""

    def change(text: str) -> str:
        if text.count(old) != 1:
            raise AssertionError(f"{old!r} occurs {text.count(old)} times, expected once")
        return text.replace(old, new)

    return change


def line_number(path: Path, needle: str) -> int:
    """1-based line of the single line containing ``needle`` (for expected file:line)."""
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    if len(hits) != 1:
        raise AssertionError(f"{needle!r} is on lines {hits} of {path}, expected exactly one")
    return hits[0]


@pytest.fixture(scope="session", autouse=True)
def _session_engine_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One engine cache folder for the whole session, never the home folder's.

    Every ``load_engine()`` of the session, in-process or in a subprocess that inherits the
    environment, shares it: the shipped knowledge base is built once, then read from the file.
    Tests of the cache itself point ``FAQBOT_CACHE_DIR`` at a folder of their own.
    """
    folder = tmp_path_factory.mktemp("engine-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("FAQBOT_CACHE_DIR", str(folder))
    try:
        yield folder
    finally:
        patch.undo()


@pytest.fixture(scope="session")
def shipped_kb() -> KnowledgeBase:
    """The shipped knowledge base, loaded once."""
    return load_knowledge_base(SHIPPED_KB)


@pytest.fixture(scope="session")
def engine(shipped_kb: KnowledgeBase) -> Engine:
    """An engine over the shipped knowledge base, built once."""
    return Engine.build(shipped_kb)


@pytest.fixture(scope="session")
def min_kb() -> KnowledgeBase:
    """The tiny fixture knowledge base ``tests/fixtures/kb_min``."""
    return load_knowledge_base(KB_MIN)


@pytest.fixture(scope="session")
def min_engine(min_kb: KnowledgeBase) -> Engine:
    """An engine over the tiny fixture knowledge base."""
    return Engine.build(min_kb)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    """A real PostgreSQL server on loopback for the whole session (tests/pgserver.py)."""
    server = PgServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def analytics_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """An empty analytics database of each backend: an SQLite file, a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "analytics.sqlite3"
    server: PgServer = request.getfixturevalue("postgres")
    return server.new_database()
