"""Knowledge bases written by others for other services: what faqbot makes of their authors' questions.

Four user trials wrote, from the docs alone, a knowledge base for a service that is not the
shipped one, with a labelled file of their own questions written before any routing was seen
(``tests/fixtures/``): an internet provider (21 entries, one English alternate per entry), a
city's bulky-waste desk (29 entries, no products, no billing), and — run blind, their files first
routed by the nineteenth session's rules — a fitness club and a city library (26 FAQ entries each,
eight to ten alternates per entry, Japanese only). Issue 11 promises a support team
can point faqbot at such a knowledge base and trust it; this prints, for each, in one run: the
decision in force, in-scope top-1, fallback precision and recall, the in-scope messages refused
although the right entry ranked first, the ranking (Recall@10, MRR), and whether the probability is
one on these messages (mean P(right) against the share whose best entry is right). Figures only; nothing
is asserted, and nothing here may be tuned on (the files are evaluation data).

    .venv/bin/python benchmarks/bench_other_kbs.py
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

from faqbot.answers.answering import Engine
from faqbot.kb.loader import load_knowledge_base
from faqbot.quality.evaluation import decision_text, load_examples, predict, score

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
KNOWLEDGE_BASES = (
    ("internet provider (helper-49)", FIXTURES / "kb_other_service", FIXTURES / "other_service_eval.jsonl"),
    ("bulky-waste desk (helper-55)", FIXTURES / "kb_bulky_waste", FIXTURES / "bulky_waste_eval.jsonl"),
    ("fitness club (helper-61, blind)", FIXTURES / "kb_fitness_club", FIXTURES / "fitness_club_eval.jsonl"),
    ("city library (helper-62, blind)", FIXTURES / "kb_library", FIXTURES / "library_eval.jsonl"),
)
TODAY = date(2026, 12, 4)


def main() -> None:
    """Print one JSON line per knowledge base."""
    print(json.dumps({"load_average": os.getloadavg()}))
    for name, kb_dir, labelled in KNOWLEDGE_BASES:
        started = time.perf_counter()
        engine = Engine.build(load_knowledge_base(kb_dir))
        built = time.perf_counter() - started
        report = score(predict(engine, load_examples(labelled), TODAY))
        print(json.dumps({
            "kb": name,
            "entries": len(engine.kb.entries),
            "build_s": round(built, 2),
            "decision": decision_text(engine),
            "lexical_weight": engine.router.lexical_weight,
            "in_scope_top1": round(report.in_scope_accuracy, 3),
            "fallback_precision": round(report.fallback_precision, 3),
            "fallback_recall": round(report.fallback_recall, 3),
            "refused_right": f"{report.refused_right} of {report.in_scope}",
            "answered_precision": round(report.answered_precision, 3),
            # The smallest lexical weight that ranks the labelled entries first most often (eval's table).
            "best_weight": min(report.weights, key=lambda w: (-w.hit_at_1, w.weight)).weight if report.weights else None,
            "ranked_first_at_best_weight": round(max((w.hit_at_1 for w in report.weights), default=0.0), 3),
            # None when the weight in force is not a row of the table (the fit can choose 0.1, 0.25, 32, 64).
            "ranked_first_now": next((round(w.hit_at_1, 3) for w in report.weights if w.weight == engine.router.lexical_weight), None),
            "recall_at_10": round(report.ranking.recall_at_10, 3),
            "mrr": round(report.ranking.mrr, 3),
            "judged": report.reliability.judged,
            "mean_p_right": round(report.reliability.mean_probability, 3),
            "share_right": round(report.reliability.share_right, 3),
            "verdict": report.reliability.verdict,
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
