"""inert(): customer text cannot drive a maintainer's terminal (issue 14).

The end-to-end test stores chat messages carrying CSI and OSC sequences in a
real analytics database and runs ``faqbot report`` under a pseudo-terminal, so
rich believes it is drawing on a terminal, exactly as for a maintainer.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faqbot.analytics import Recorder
from faqbot.text.inert import encodable, inert

ESC = "\x1b"
HOSTILE = (
    "\x1b[2J\x1b[31m解約したい\x1b[0m",  # clear the screen, paint it red
    "\x1b]8;;https://evil.example/\x1b\\ここをクリック\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b2J請求日\x9d0;title\x07",  # the same with 8-bit C1 controls
    "返金\r\x08\x7fして\u202eください",  # carriage return, backspace, DEL, bidi override
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[2J消して", "\u241b[2J消して"),
        ("\x1b]8;;https://x/\x07link", "\u241b]8;;https://x/\u2407link"),
        ("\x9b31m赤", "<U+009B>31m赤"),
        ("a\rb\x00c\x7f", "a\u240db\u2400c\u2421"),
        ("\u202eevil", "<U+202E>evil"),
        ("一行目\n\t二行目", "一行目\n\t二行目"),  # line breaks and tabs stay
        ("普通の質問です", "普通の質問です"),
    ],
)
def test_controls_are_made_visible(text: str, expected: str) -> None:
    assert inert(text) == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_no_control_character_survives(text: str) -> None:
    out = inert(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)


def _report_under_pty(db: Path, term: str) -> bytes:
    """Run ``faqbot report --db DB`` with its stdout on a pseudo-terminal; everything it wrote there.

    stderr is a pipe: the loading bar drawn there (cursor movement, the program's own) is not
    customer text, and the report itself is what a maintainer reads.
    """
    primary, secondary = pty.openpty()
    env = {**os.environ, "TERM": term, "COLUMNS": "120", "LINES": "50", "XDG_STATE_HOME": str(db.parent)}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "faqbot", "report", "--db", str(db)],
        stdin=subprocess.DEVNULL, stdout=secondary, stderr=subprocess.PIPE, env=env,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert process.wait(timeout=60) == 0, b"".join(chunks).decode("utf-8", "replace") + process.stderr.read().decode()
    return b"".join(chunks)


@pytest.fixture()
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "analytics.sqlite3"
    recorder = Recorder(db)
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    for text in HOSTILE:
        for _ in range(2):  # unanswered and low-confidence, so both example columns show it
            assert recorder.record_turn("web", text, "fallback", 0.1, True, False, None, at)
            assert recorder.record_turn("web", text, "cancel-howto", 0.3, False, False, None, at)
    return db


def test_report_on_a_plain_terminal_writes_no_escape_byte(hostile_db: Path) -> None:
    out = _report_under_pty(hostile_db, "dumb")
    assert "解約したい".encode() in out  # the stored text is there, only inert
    assert b"\x1b" not in out
    assert "\u241b[2J".encode() in out  # the sequence is shown, not obeyed
    assert "\x9b".encode() not in out and "\x9d".encode() not in out


def test_report_on_a_colour_terminal_writes_only_its_own_styles(hostile_db: Path) -> None:
    out = _report_under_pty(hostile_db, "xterm-256color").decode("utf-8")
    assert "\u241b]8;;https://evil.example/" in out
    # rich's own styling is SGR only (ESC [ … m); nothing the customer typed gets through.
    assert re.sub(r"\x1b\[[0-9;]*m", "", out).count(ESC) == 0
    assert "\r\x08" not in out and "\u202e" not in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("解約\ud800したい", "解約\ufffdしたい"),
        ("\udfff", "\ufffd"),
        ("😀 surrogate pair kept", "😀 surrogate pair kept"),
        ("plain", "plain"),
    ],
)
def test_lone_surrogates_become_replacement_characters(text: str, expected: str) -> None:
    assert encodable(text) == expected
    encodable(text).encode("utf-8")  # would raise on a lone surrogate
