"""The topic-slot rule on a knowledge base's own material: what it refuses, with and without it.

Issue 11's near-domain off-topic message (「パスポートの更新はどこでできますか」) shares a
knowledge-base question's frame except its noun; :mod:`faqbot.routing.topic_slot` refuses
a message whose unknown noun fills a known action noun's argument.  This script measures,
on the knowledge base's own material only (no evaluation set is read), in one run:

* **negatives** (its out-of-scope examples and ``routing/data/offdomain.yaml``): the share
  the router refuses with the rule and without it (the rule switched off in the same
  process; with a hand-set ``router.threshold`` the calibrated model does not decide);
* **positives** (its questions and alternates, small talk excluded), each with its own
  text left out of the vocabulary as the veto's fit scores them: the share the rule fires
  on; and the same with a context clause put in front (:data:`CONTEXTS`: who, when, which
  device — customers' messages carry words the knowledge base never uses, its own
  questions far fewer);
* the calibrated model's targets, 5-fold cross-validated (``calibration_fit.cross_validate``),
  with and without the rule: they decide a knowledge base that states no floor.

    .venv/bin/python benchmarks/bench_near_domain.py [--kb knowledge]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from faqbot.kb.knowledge import KIND_SMALLTALK
from faqbot.kb.loader import load_knowledge_base
from faqbot.routing import decision as decision_module
from faqbot.routing.calibration_fit import cross_validate, fit_calibration
from faqbot.routing.novelty_fit import offdomain_questions
from faqbot.routing.router import Router
from faqbot.routing.topic_slot import unknown_argument
from faqbot.routing.verdict import DECISION_FALLBACK

# Context a customer adds to a question (written before measuring; general, not from any
# evaluation set): who it is for, when, on what, why.  Put in front of each question.
CONTEXTS = (
    "先月から",
    "昨日、",
    "息子の",
    "妻に頼まれて",
    "会社のパソコンで",
    "スマホから",
    "引っ越したので",
    "初めてなのですが、",
    "友人の",
    "新しい",
    "2台目の",
    "母の代わりに",
    "タブレットの",
    "iPadの",
    "Windowsの",
    "古いパソコンの",
    "法人の",
    # Added with the device and organisation nouns of context_nouns.yaml (2026-12-03), written
    # before measuring them: some in the list, some not (Galaxy, 全員, 事業主, 仕事用).
    "Androidの",
    "Macの",
    "Galaxyの",
    "家族全員の",
    "個人事業主の",
    "仕事用の",
)


def left_out_known(router: Router) -> Callable[[str], Callable[[str, str], bool]]:
    """For a question, ``knows(lemma, reading)`` with that question's own words left out of the vocabulary."""
    from faqbot.routing.novelty_fit import veto_material
    from faqbot.routing.router_build import _TEMPLATE_TAG

    material = veto_material(router.kb, lambda texts: [router.analyze(t) for t in texts], _TEMPLATE_TAG)
    term_df: Counter[str] = Counter()
    reading_df: Counter[str] = Counter()
    for doc in (*material.vocabulary, *material.questions):
        term_df.update(set(doc.terms))
        reading_df.update(set(doc.readings))
    veto = router.novelty

    def for_question(question: str) -> Callable[[str, str], bool]:
        own = router.analyze(question)
        terms, readings = set(own.terms), set(own.readings)

        def knows(term: str, reading: str) -> bool:
            seen = term_df[term] - (term in terms) > 0 or reading_df[reading] - (reading in readings) > 0
            return seen or veto.contains_known(reading)

        return knows

    return for_question


def rule_off() -> contextlib.AbstractContextManager[object]:
    """The topic slot's unknown-argument rule switched off while the block runs (the decision reads it)."""
    return mock.patch.object(decision_module, "unknown_argument", lambda *_: None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=Path("knowledge"))
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}")
    kb = load_knowledge_base(args.kb)
    started = time.perf_counter()
    router = Router.build(kb)
    print(f"build {time.perf_counter() - started:.1f} s; veto threshold {router.novelty.threshold:.3f}")
    negatives = [t for t in (*kb.out_of_scope, *offdomain_questions()) if t.strip()]
    questions = [q for e in kb.entries if e.kind != KIND_SMALLTALK for q in e.questions if q.strip()]

    def refused() -> list[str]:
        return [t for t in negatives if router.route(t).decision == DECISION_FALLBACK]

    refused_with = refused()
    with rule_off():  # the rule off, everything else the same
        refused_without = refused()
    n, with_rule, without = len(negatives), len(refused_with), len(refused_without)
    print(f"negatives refused ({n}): without the rule {without / n:.3f} ({without}), with {with_rule / n:.3f} ({with_rule})")
    print("  refused only with the rule:", [t for t in refused_with if t not in set(refused_without)])
    print("  answered even with the rule:", [t for t in negatives if t not in set(refused_with)])

    known_without = left_out_known(router)

    def fires_on(text: str, question: str) -> bool:
        return unknown_argument(router.words(text), known_without(question), router.novelty.weight) is not None

    fires = sum(fires_on(q, q) for q in questions)
    print(f"positives, each left out ({len(questions)}): the rule fires on {fires / len(questions):.4f} ({fires})")
    total = fired = 0
    for context in CONTEXTS:
        hits = sum(fires_on(context + q, q) for q in questions)
        total += len(questions)
        fired += hits
        print(f"  with context {context!r}: fires on {hits / len(questions):.4f} ({hits})")
    print(f"positives with a context clause ({total}): the rule fires on {fired / total:.4f} ({fired})")

    cases: list[tuple[str, contextlib.AbstractContextManager[object]]] = [
        ("without the rule", rule_off()), ("with the rule", contextlib.nullcontext()),
    ]
    for label, switch in cases:
        with switch:
            fit = fit_calibration(router, kb.settings.target_precision)
        cv = cross_validate(fit)
        print(
            f"calibration {label}: rules refuse {fit.refused_negatives} negatives before the model; "
            f"CV refusal {cv.refusal:.3f}, precision {cv.precision:.3f}, answered {cv.answered:.3f}; "
            f"threshold {fit.calibration.threshold:.3f}"
        )
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
