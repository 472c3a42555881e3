"""Every routing decision of a fixed query set, one JSON line each: to prove two engines route alike.

Queries: the shared dev set (``../shared/eval/dev.jsonl``), ``eval/internal.jsonl``,
``eval/hard.jsonl``, the ``--probes`` generated probes of a ``kbgen`` knowledge
base (``--entries``), and each query again with ``exclude`` set to the first
stored question (the lint's leave-one-out path).  Each line holds the decision,
the confidence, ``out_of_scope`` and every match (entry, question, confidence),
plus the extracted entities.  ``--engine build`` builds the engine in memory;
``--engine cache`` builds it into a fresh cache folder and routes with the engine
read back from the file (mapped); ``--engine rebuild --before DIR`` builds ``DIR``
into a fresh cache folder first, then puts ``--kb``'s files in its place and
rebuilds (the per-text cache path of a knowledge-base edit).  Run it under two checkouts and ``cmp`` the
outputs — the first line names the faqbot package that ran::

    PYTHONPATH=/work/main .venv/bin/python benchmarks/routing_fingerprint.py --kb K --engine build > before
    .venv/bin/python benchmarks/routing_fingerprint.py --kb K --engine cache > after
    tail -n +2 before | cmp - <(tail -n +2 after)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kbgen import generate_entries, probe_queries  # noqa: E402

import faqbot  # noqa: E402
from faqbot.answers.answering import Engine  # noqa: E402
from faqbot.kb.loader import load_knowledge_base  # noqa: E402

TODAY = date(2026, 11, 26)
EVAL_FILES = (HERE.parent.parent / "shared" / "eval" / "dev.jsonl", HERE.parent / "eval" / "internal.jsonl",
              HERE.parent / "eval" / "hard.jsonl")


def queries(entries: int, probes: int) -> list[str]:
    """The query set (see the module docstring); a missing eval file is an error, not a skip."""
    found: list[str] = []
    for path in EVAL_FILES:
        found.extend(json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    if entries:
        found.extend(q for q, _ in probe_queries(generate_entries(entries), probes))
    return found


def load(kb: Path, mode: str, before: Path | None = None, cache_dir: Path | None = None) -> Engine:
    """The engine built in memory, read back from an engine cache (a fresh one unless ``cache_dir``), or rebuilt after an edit."""
    if mode == "build":
        return Engine.build(load_knowledge_base(kb))
    work = Path(tempfile.mkdtemp(prefix="fingerprint-"))
    os.environ["FAQBOT_CACHE_DIR"] = str(cache_dir) if cache_dir is not None else str(work / "cache")
    from faqbot.answers.engine_cache import load_engine  # this checkout may not have it

    if mode == "rebuild":
        if before is None:
            raise SystemExit("--engine rebuild needs --before DIR")
        # One folder, first the knowledge base before the edit, then after it: the rebuild
        # finds the first build's per-text cache, as `faqbot ask` after an edit does.
        load_engine(shutil.copytree(before, work / "kb"))
        shutil.rmtree(work / "kb")
        kb = shutil.copytree(kb, work / "kb")
    load_engine(kb)  # builds and stores
    return load_engine(kb)  # reads the file back


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--engine", choices=("build", "cache", "rebuild"), default="build")
    parser.add_argument("--before", type=Path, help="with --engine rebuild: the knowledge base before the edit")
    parser.add_argument("--cache-dir", type=Path, help="with --engine cache: this cache folder, with what earlier builds left there")
    parser.add_argument("--entries", type=int, default=0, help="generated entries in --kb (for the probes)")
    parser.add_argument("--probes", type=int, default=300)
    args = parser.parse_args()
    engine = load(args.kb, args.engine, args.before, args.cache_dir)
    print(json.dumps({"faqbot": faqbot.__file__}))
    exclude = engine.kb.entries[0].question
    for query in queries(args.entries, args.probes):
        entities = engine.extractor.extract(query, TODAY)
        for excluded in (None, exclude):
            routing = engine.router.route(query, entities, top=5, exclude=excluded)
            print(json.dumps({
                "q": query, "exclude": excluded, "decision": routing.decision, "confidence": routing.confidence,
                "out_of_scope": routing.out_of_scope,
                "matches": [[m.entry_id, m.question, m.confidence] for m in routing.matches],
                "entities": [entities.product, entities.plan, str(entities.expiry_date)],
            }, ensure_ascii=False))


if __name__ == "__main__":
    main()
