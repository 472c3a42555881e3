"""Grouping benchmark: meaning-based grouping against the string-ratio grouping it replaced.

Groups the labelled messages of an evaluation set (default: the public dev set
and the repo's hard set) twice — with :func:`faqbot.analytics.grouping.group_messages`
and with the old method (rapidfuzz ratio ≥ 70 on normalised text, first match
wins) as the peer — and prints, for each, the wall time and how well the
groups agree with the labels: pairwise precision (two messages in one group
have one intent) and pairwise recall (two messages with one intent share a
group).  Fallback-labelled messages are left out: their label says only
"unanswerable", not one meaning.  Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_grouping.py [--set FILE ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

from rapidfuzz import fuzz

from faqbot.analytics.grouping import SOURCE_FALLBACK, Message, group_messages
from faqbot.answers.engine_cache import load_engine
from faqbot.quality.evaluation import Example, load_examples
from faqbot.routing.verdict import FALLBACK
from faqbot.text.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "eval" / "hard.jsonl"]


def ratio_groups(texts: Sequence[str], cutoff: float = 70.0) -> list[list[str]]:
    """The replaced method: a text joins the first group whose seed is ``cutoff`` alike."""
    groups: list[tuple[str, list[str]]] = []
    for text in texts:
        form = normalize(text) or text
        home = next((g for g in groups if fuzz.ratio(form, g[0]) >= cutoff), None)
        if home is None:
            groups.append((form, [text]))
        else:
            home[1].append(text)
    return [members for _, members in groups]


def pairwise(groups: Sequence[Sequence[str]], label: dict[str, str]) -> tuple[float, float]:
    """(precision, recall) of "same group" against "same label" over every pair of messages."""
    together = {frozenset(p) for g in groups for p in combinations(g, 2)}
    texts = [t for g in groups for t in g]
    same = {frozenset((a, b)) for a, b in combinations(texts, 2) if label[a] == label[b]}
    right = len(together & same)
    return (right / len(together) if together else 1.0, right / len(same) if same else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", type=Path, default=None)
    args = parser.parse_args()
    examples: list[Example] = [e for path in (args.sets or SETS) for e in load_examples(path)]
    label: dict[str, str] = {}
    for e in examples:
        if e.intent != FALLBACK:
            label.setdefault(e.query, e.intent)
    texts = list(label)
    router = load_engine(None).router
    started = time.perf_counter()
    meaning = [[p.text for p in g.phrasings] for g in group_messages([Message(t, SOURCE_FALLBACK) for t in texts], router)]
    meaning_s = time.perf_counter() - started
    started = time.perf_counter()
    ratio = ratio_groups(texts)
    ratio_s = time.perf_counter() - started
    print(f"{len(texts)} labelled in-scope messages, {len(set(label.values()))} intents")
    print(f"{'method':<28} {'groups':>6} {'pair precision':>15} {'pair recall':>12} {'time':>8}")
    for name, groups, seconds in (("meaning (engine + terms)", meaning, meaning_s), ("string ratio >= 70 (peer)", ratio, ratio_s)):
        precision, recall = pairwise(groups, label)
        print(f"{name:<28} {len(groups):>6} {precision:>15.3f} {recall:>12.3f} {seconds:>7.2f}s")
    print(f"time ratio, meaning / string ratio: {meaning_s / ratio_s:.1f}×")


if __name__ == "__main__":
    main()
