"""Every labelled query's routing, as JSON lines: to prove a build change leaves routing unchanged.

Run it on two versions of faqbot (or two ways of building the engine) and compare
the files: every query of ``../shared/eval/dev.jsonl``, ``eval/internal.jsonl`` and
``eval/hard.jsonl`` with its decision, matches and confidences.

    .venv/bin/python benchmarks/routing_snapshot.py KB_DIR OUT.jsonl
    PYTHONPATH=/work/main .venv/bin/python benchmarks/routing_snapshot.py KB_DIR BEFORE.jsonl
    cmp BEFORE.jsonl OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.kb.loader import load_knowledge_base

_REPO = Path(__file__).resolve().parents[1]
EVAL_SETS = (_REPO.parent / "shared" / "eval" / "dev.jsonl", _REPO / "eval" / "internal.jsonl", _REPO / "eval" / "hard.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kb", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    engine = Engine.build(load_knowledge_base(args.kb))
    router = engine.router
    lines = [json.dumps({"lexical_weight": router.lexical_weight, "novelty": router.novelty.threshold})]
    for path in EVAL_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            query = json.loads(line)["q"]
            routing = router.route(query)
            matches = [[m.entry_id, m.question, m.confidence] for m in routing.matches]
            lines.append(json.dumps([query, routing.decision, routing.confidence, routing.out_of_scope, matches], ensure_ascii=False))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} queries → {args.out}")


if __name__ == "__main__":
    main()
