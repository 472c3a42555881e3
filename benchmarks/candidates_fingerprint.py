"""Every candidate array of ``Router.candidates`` and every ``Routing``, hashed bit for bit: to prove a scoring change exact.

``routing_snapshot.py`` compares decisions and confidences rounded to 4 places;
this compares the raw arrays (owners, fused, character and lexical scores, best
questions, the lexical channel's field scores and ceiling, the out-of-scope
score) of every message, with ``exclude`` and held-out variants for every
seventh one, as SHA-256 prefixes of their bytes and dtypes.  Messages: the
labelled sets and probes of ``routing_fingerprint.py``, then ``--messages`` of
the never-repeated chat messages of ``bench_server.py``, then a few kana,
half-width and one-character ones.  The engine is read from ``--cache`` (built
there first when missing).  Run it under two checkouts and ``cmp`` the outputs::

    PYTHONPATH=/work/main .venv/bin/python benchmarks/candidates_fingerprint.py --kb KB10K --entries 10000 --cache C1 > before
    .venv/bin/python benchmarks/candidates_fingerprint.py --kb KB10K --entries 10000 --cache C2 > after
    cmp before after
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import chat_messages  # noqa: E402
from routing_fingerprint import queries as labelled_queries  # noqa: E402

import faqbot  # noqa: E402
from faqbot.answers.engine_cache import load_engine  # noqa: E402

TODAY = date(2026, 11, 26)
ODD = ["けいやく いつまで", "かいやくしたい", "ｶｲﾔｸ", "a", "", "？", "解", "ﾊﾟｽﾜｰﾄﾞ わすれた", "へんこう　できない　めーる"]


def digest(*arrays: object) -> str:
    """A short SHA-256 of the arrays' dtypes and bytes."""
    found = hashlib.sha256()
    for array in arrays:
        values = np.ascontiguousarray(np.asarray(array))
        found.update(str(values.dtype).encode())
        found.update(values.tobytes())
    return found.hexdigest()[:20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (for the probes)")
    parser.add_argument("--messages", type=int, default=3000, help="never-repeated chat messages")
    parser.add_argument("--cache", type=Path, required=True, help="engine cache folder")
    args = parser.parse_args()
    os.environ["FAQBOT_CACHE_DIR"] = str(args.cache)
    engine = load_engine(args.kb)
    router = engine.router
    messages = labelled_queries(args.entries, 200) + chat_messages(args.entries)[1][: args.messages] + ODD
    stored = len(router.char_channel.texts)
    print(f"# {faqbot.__file__}: {len(messages)} messages", file=sys.stderr)
    for i, message in enumerate(messages):
        entities = engine.extractor.extract(message, TODAY)
        found = router.candidates(message, entities)
        line: list[object] = [message, digest(found.owners, found.fused, found.char, found.lexical, found.char_doc)]
        line += [repr(found.out_of_scope), found.out_of_scope_doc]
        if found.fields is not None:
            fields = found.fields
            line.append(digest(fields.question, fields.answer, fields.pages, fields.per_question) + repr(fields.ceiling))
        line.append(repr(router.route(message, entities)))
        if i % 7 == 0:
            left_out = router.char_channel.texts[(i * 7919) % stored]
            other = router.candidates(message, entities, exclude=left_out)
            line.append(digest(other.owners, other.fused, other.char, other.lexical, other.char_doc))
            held = [(i * 104729 + k * 13) % stored for k in range(3)]
            other = router.candidates(message, None, held_out=held)
            line.append(digest(other.owners, other.fused, other.char, other.lexical, other.char_doc))
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
