"""A real `faqbot serve` keeps no personal data in any format: benchmarks/privacy_probe.py, bounded.

The probe sends seeded samples of every format (whole and split card numbers
with every separator and width, e-mails, phones) through chat, search, FAQ
lookup, feedback and billing, then searches the API replies, the server log
(uvicorn's access log included) and the analytics database.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import privacy_probe  # noqa: E402

SAMPLES = 80  # 20 of each kind; the script's default is 400


def test_no_format_leaks_and_every_card_is_warned_about(tmp_path: Path) -> None:
    result = privacy_probe.probe(SAMPLES, tmp_path)
    assert result.samples == SAMPLES and result.requests > SAMPLES * 5
    assert result.leaks == []
    assert result.unwarned == []
    assert result.leaked_bytes == 0
