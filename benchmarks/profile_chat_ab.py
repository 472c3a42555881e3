"""chat5's two per-turn changes on and off in one process, interleaved: what they save a never-repeated turn.

Builds the app of ``faqbot serve`` over ``--kb`` as ``profile_chat.py`` does and feeds it
never-repeated ``POST /api/v1/chat`` requests straight through ASGI, in blocks of
``--block`` turns, alternating (ABBA) between

* after: this checkout as it is (``PackedStrings.take`` in compiled code, the state
  signer made once), and
* before: the same process with those two as they were at 8e9435b (the numpy/``str``
  reading of packed strings, itsdangerous' serializer making a signer per token).

Both sides share the process, the engine's mapped pages and the machine's load, so
the ratio is steadier than two processes' (or servers') figures on a busy host.
Prints the load average, CPU per turn of every block and the median ratio of pairs.

    .venv/bin/python benchmarks/profile_chat_ab.py --kb KB10K --entries 10000 --blocks 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, TextIO, cast

from itsdangerous import Serializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import chat_messages  # noqa: E402
from procmem import load_average  # noqa: E402
from profile_chat import _run  # noqa: E402

from faqbot.answers.engine_cache import load_engine  # noqa: E402
from faqbot.routing import postings  # noqa: E402
from faqbot.text import packed  # noqa: E402
from faqbot.web.app import create_app, freeze_startup_objects  # noqa: E402
from faqbot.web.config import WebConfig  # noqa: E402
from faqbot.web.observe import access_log, install_access_log  # noqa: E402


class _PlainSerializer(URLSafeTimedSerializer):
    """The state serializer of 8e9435b: itsdangerous' own signer per token (no zlib, as then)."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument("--blocks", type=int, default=16, help="blocks of turns, half of them each way")
    parser.add_argument("--block", type=int, default=400, help="turns a block")
    args = parser.parse_args()
    if postings.kernels is None:
        raise SystemExit("the compiled module is not built (or FAQBOT_POSTINGS=numpy): nothing to compare")

    _, unique = chat_messages(args.entries)
    warm = 300
    stride = max(1, len(unique) // (args.block * args.blocks + warm))
    bodies = [json.dumps({"message": m, "today": "2026-11-26"}, ensure_ascii=False).encode() for m in unique[::stride]]
    install_access_log()
    cast(logging.StreamHandler[TextIO], access_log.handlers[0]).setStream(open(os.devnull, "w"))  # noqa: SIM115 - the server's log line, written nowhere
    secret = "p" * 43
    app = create_app(WebConfig(secret=secret, kb_dir=args.kb, allow_client_today=True), engine=load_engine(args.kb))
    freeze_startup_objects()
    logging.getLogger("faqbot").setLevel(logging.WARNING)
    chat_api = next(r.endpoint.__self__ for r in app.routes if getattr(r, "path", "") == "/api/v1/chat")  # type: ignore[attr-defined]
    signer = chat_api.signer
    serializers = {True: signer._serializer, False: _PlainSerializer(secret, salt="faqbot.dialogue-state.v1")}
    takes = {True: postings.kernels.take_strings, False: None}

    def configure(after: bool) -> None:
        packed.use_compiled_take(takes[after])
        signer._serializer = serializers[after]

    cpu: dict[bool, list[float]] = {True: [], False: []}
    asyncio.run(_run(app, bodies[:warm]))
    load_before = load_average()
    for i in range(args.blocks):
        block = bodies[warm + i * args.block : warm + (i + 1) * args.block]
        after = (i % 2 == 1) if (i // 2) % 2 == 0 else (i % 2 == 0)  # ABBA: before, after, after, before, …
        configure(after)
        start = time.process_time()
        asyncio.run(_run(app, block))
        cpu[after].append(1000 * (time.process_time() - start) / len(block))
    configure(True)
    ratios = [b / a for a, b in zip(cpu[False], cpu[True], strict=True)]
    print(json.dumps({
        "turns_per_block": args.block, "load_average_before": load_before, "load_average_after": load_average(),
        "before_cpu_ms_per_turn": [round(x, 3) for x in cpu[False]], "after_cpu_ms_per_turn": [round(x, 3) for x in cpu[True]],
        "before_median_ms": round(statistics.median(cpu[False]), 3), "after_median_ms": round(statistics.median(cpu[True]), 3),
        "after_vs_before_pairs": [round(x, 3) for x in ratios], "after_vs_before_median": round(statistics.median(ratios), 3),
    }))


if __name__ == "__main__":
    main()
