"""``faqbot serve``: refuses a broken knowledge base before starting; several workers need, and share, one secret."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from faqbot.analytics import Recorder
from faqbot.cli import main
from faqbot.kb import SHIPPED_KB
from faqbot.web.localserver import free_port
from tests.serving import request, serve

FAQBOT = Path(sys.executable).parent / "faqbot"


def test_a_broken_knowledge_base_stops_serve_with_file_and_line(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(SHIPPED_KB, kb)
    (kb / "service.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--kb", str(kb), "--port", "0"])
    assert result.exit_code == 1
    assert "service.yaml:2: invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_a_bad_setting_stops_serve_with_one_sentence(monkeypatch: Any) -> None:
    monkeypatch.setenv("FAQBOT_SECRET", "too-short")
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "FAQBOT_SECRET must be at least 32 characters" in result.output


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_") or k.startswith("FAQBOT_CACHE")}


def test_several_workers_without_a_secret_stop_serve_with_one_sentence(monkeypatch: Any) -> None:
    monkeypatch.delenv("FAQBOT_SECRET", raising=False)
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--workers", "2"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: --workers 2 needs a shared secret: set FAQBOT_SECRET")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_uvicorn_factory_with_workers_and_no_secret_stops(tmp_path: Path) -> None:
    """Under plain ``uvicorn --factory --workers 2`` each worker would sign with its own secret."""
    env = {**_clean_env(), "FAQBOT_ANALYTICS": "off"}
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "faqbot.web.app:app_from_env",
         "--host", "127.0.0.1", "--port", str(free_port()), "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    # uvicorn's parent exits by itself (with status 0, its choice) once a worker fails to start.
    assert "Several workers need one shared secret: set FAQBOT_SECRET" in result.stderr
    assert "failed to start, stopping the parent process" in result.stderr
    assert "Traceback" not in result.stderr


def test_workers_share_the_secret(tmp_path: Path) -> None:
    # Never the maintainers' own database.
    env = {"FAQBOT_ANALYTICS": "on", "FAQBOT_ANALYTICS_DB": str(tmp_path / "analytics.sqlite3")}
    with serve(tmp_path, env=env) as server:
        # Concurrent connections spread over both workers (with a secret per worker, about
        # half of these were refused): every worker must accept a state any other one signed.
        status, data = request(server.base + "/api/v1/chat", {"message": "こんにちは"})
        assert status == 200, data
        follow_up = {"message": "解約したい", "state": data["state"]}
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda _: request(server.base + "/api/v1/chat", follow_up)[0], range(64)))
        assert statuses == [200] * 64
        # Both workers recorded every answered turn, concurrently, into the one SQLite file.
        turns = Recorder(tmp_path / "analytics.sqlite3").turns()
        assert [t.intent for t in turns].count("cancel-howto") == 64
        assert server.log_text().count("Started server process") == 2
