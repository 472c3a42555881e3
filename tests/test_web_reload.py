"""Live knowledge-base reloads of ``faqbot serve`` (SIGHUP and --watch), under load, on loopback.

A client loop sends chat turns on new connections all along; not one may fail
while the workers are replaced, and afterwards the entry added to the knowledge
base answers.  A broken knowledge base is reported ``file:line`` and the old one
keeps serving, with the same workers.

The server serves the tiny fixture knowledge base (tests/fixtures/kb_min): what is proved is
how workers are replaced while requests keep arriving, which does not depend on the knowledge
base's size, and it builds in a fraction of a second where the shipped one takes several
(twice per test: at start and at the reload).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from faqbot.kb.loader import load_knowledge_base
from faqbot.web.reload import KbWatcher
from faqbot.web.workers import reuse_port_supported
from tests.conftest import KB_MIN, make_kb
from tests.serving import Load, request, serve

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="the forking supervisor is Linux only")

NEW_ENTRY = """\
category: テスト
entries:
  - id: goldfish-tank
    question: 金魚の水槽はどこで洗えばいいですか？
    alternates:
      - 金魚の水槽を洗う場所
      - 水槽の洗い方を知りたい
    answer: |
      水槽の洗い方は、{{ service.account }}ではご案内していません。
"""
NEW_QUESTION = "金魚の水槽はどこで洗えばいいですか？"


def _intent(base: str, message: str) -> str:
    status, data = request(base + "/api/v1/chat", {"message": message})
    assert status == 200, data
    return str(data["reply"]["intent"])


@pytest.mark.parametrize(
    ("workers", "args", "signal_it"),
    [(2, (), True), (1, (), True), (2, ("--watch",), False)],
    ids=["sighup-2-workers", "sighup-1-worker", "watch-2-workers"],
)
def test_a_reload_under_load_fails_no_request_and_the_new_entry_answers(
    tmp_path: Path, workers: int, args: tuple[str, ...], signal_it: bool
) -> None:
    kb = make_kb(tmp_path, source=KB_MIN)
    entries = len(load_knowledge_base(kb).entries) + 1  # and the new one
    with serve(tmp_path, "--kb", str(kb), *args, workers=workers) as server:
        assert _intent(server.base, NEW_QUESTION) != "goldfish-tank"
        before = server.workers()
        with Load(server.base, intent="cancel") as load:
            load.wait_for(10)
            (kb / "faq" / "goldfish.yaml").write_text(NEW_ENTRY, encoding="utf-8")
            if signal_it:
                os.kill(server.process.pid, signal.SIGHUP)
            server.wait_for_log(f"reload: serving {entries} entries on every worker")
            load.wait_for(10)  # and keeps being served by the new workers
        assert load.failures == [], load.failures[:5]
        assert load.sent >= 20
        server.wait_for_workers(workers, other_than=tuple(before))
        for _ in range(2 * workers):  # new connections, spread over every worker
            assert _intent(server.base, NEW_QUESTION) == "goldfish-tank"
        assert "Traceback" not in server.log_text()


def test_a_broken_knowledge_base_is_logged_with_file_and_line_and_the_old_one_keeps_serving(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, source=KB_MIN)
    with serve(tmp_path, "--kb", str(kb)) as server:
        status, health = request(server.base + "/healthz")
        before = server.workers()
        with Load(server.base, intent="cancel") as load:
            load.wait_for(5)
            (kb / "service.yaml").write_text("name: [unclosed\n", encoding="utf-8")
            os.kill(server.process.pid, signal.SIGHUP)
            server.wait_for_log("still serving the previous one")
            load.wait_for(5)
        assert load.failures == [], load.failures[:5]
        log = server.log_text()
        assert "ERROR: reload: service.yaml:2: invalid YAML" in log
        assert request(server.base + "/healthz") == (status, health)
        assert server.workers() == before
        assert _intent(server.base, "解約したい") == "cancel"


def test_the_watcher_fires_once_per_change_after_the_folder_holds_still(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, source=KB_MIN)
    watcher = KbWatcher(kb)
    assert [watcher.poll(), watcher.poll()] == [False, False]
    (kb / "faq" / "goldfish.yaml").write_text(NEW_ENTRY, encoding="utf-8")
    assert watcher.poll() is False  # just changed: maybe still being written
    assert watcher.poll() is True  # the same at two polls in a row: reload
    assert watcher.poll() is False  # once
    path = kb / "faq" / "goldfish.yaml"
    os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 1_000_000))
    assert [watcher.poll(), watcher.poll()] == [False, True]
    path.unlink()
    assert [watcher.poll(), watcher.poll(), watcher.poll()] == [False, True, False]
