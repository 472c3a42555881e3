"""Engine builds: a cold build, and the first answer after a one-file knowledge-base edit.

For each size (generated with ``kbgen.py``: the shipped KB plus N entries) and
each faqbot checkout given (this one, and ``--baseline DIR`` for another one,
e.g. ``main``), in alternating order, one run prints:

* **cold**: ``faqbot ask`` with an empty cache folder (the whole build);
* **edit**: ``faqbot ask`` after one question in one generated file was changed
  to a never-seen text (the engine cache misses; the per-text cache, where the
  checkout has one, hits for everything else);
* **warm**: ``faqbot ask`` again, nothing changed (the engine cache hits);
* **edit_other_file**: ``faqbot ask`` after a question of another generated file (the first
  one) was changed too;
* peak RSS of each (the largest process: ``wait4``'s ``ru_maxrss``, taken by a small launcher:
  see ``child_run.py``), and its CPU seconds
  (user + system, with the child processes it waited for);
* two peers measured in the same run: ``load_knowledge_base`` alone (a floor
  every rebuild pays today) and rank_bm25's ``BM25Okapi`` built over the
  character bigrams of the same stored questions (a textbook index of the same
  texts), each printed as a ratio to the edit figure (and the first one's peak RSS);
* the load average before each measurement (the machine is shared).

Every ask uses a question never asked before (the run's nonce); every edit
writes a question never written before.  Each figure is the median of
``--rounds`` rounds (A/B alternating within a round).

    nice -n 10 .venv/bin/python benchmarks/bench_rebuild.py --entries 10000 --baseline /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from child_run import run_child  # noqa: E402
from kbgen import generate_kb  # noqa: E402

_QUESTION = re.compile(r'(question: ")([^"]*)(")')


@dataclass(frozen=True)
class Run:
    """One process: wall time in seconds, peak RSS in MiB, the load average before it, and CPU seconds.

    ``cpu``: user + system time of the process and the child processes it waited for
    (the kana-reading and analysing children): what the build cost, whatever the load.
    """

    seconds: float
    rss_mib: float
    load: float
    cpu: float = 0.0


def run(code_dir: Path, args: list[str], cache: Path) -> Run:
    """Run ``python -m faqbot ARGS`` with ``code_dir``'s faqbot first on the path.

    Started through :func:`child_run.run_child`: this process has generated the knowledge base and
    is large, and a child it started itself would report this process's peak as its own.
    """
    env = dict(os.environ, PYTHONPATH=str(code_dir), FAQBOT_CACHE_DIR=str(cache))
    env.pop("FAQBOT_CACHE", None)
    load = os.getloadavg()[0]
    # In the checkout's folder: ``python -m`` puts the working directory first on the path.
    with tempfile.TemporaryFile() as errors:
        child = run_child([sys.executable, *args], env=env, cwd=code_dir, stderr=errors)
        errors.seek(0)
        if child.code != 0:
            raise SystemExit(f"{args} failed in {code_dir}: {errors.read().decode()}")
    return Run(child.seconds, child.peak_mib, load, child.cpu)


def ask(code_dir: Path, kb: Path, cache: Path, question: str) -> Run:
    return run(code_dir, ["-m", "faqbot", "ask", "--kb", str(kb), "--today", "2026-12-01", question], cache)


def edit_one_file(kb: Path, text: str, which: int = -1) -> None:
    """Change the first question of one generated file (``which``: by position, the last one by default) to ``text``."""
    path = sorted((kb / "faq").glob("gen-*.yaml"))[which]
    content = path.read_text(encoding="utf-8")
    path.write_text(_QUESTION.sub(lambda m: m.group(1) + text + m.group(3), content, count=1), encoding="utf-8")


PEER_LOAD = "from faqbot.kb.loader import load_knowledge_base; import sys; load_knowledge_base(sys.argv[1])"
PEER_BM25 = """
import sys
from rank_bm25 import BM25Okapi
from faqbot.kb.loader import load_knowledge_base
from faqbot.text.normalize import normalize
kb = load_knowledge_base(sys.argv[1])
docs = [normalize(q) for e in kb.entries for q in e.questions]
import time
start = time.perf_counter()
BM25Okapi([[d[i:i + 2] for i in range(len(d) - 1)] or [d] for d in docs])
print(time.perf_counter() - start)
"""


def peer_bm25(kb: Path) -> float:
    """rank_bm25 index build time over the character bigrams of the stored questions (in-process figure)."""
    out = subprocess.run(
        [sys.executable, "-c", PEER_BM25, str(kb)], env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO,
        check=True, capture_output=True, text=True,
    )
    return float(out.stdout.strip())


def measure(label: str, code: Path, kb_source: Path, work: Path, nonce: str, rnd: int) -> dict[str, Run]:
    """Cold, edit and warm asks for one checkout on its own copy of the knowledge base."""
    kb = work / f"kb-{label}"
    cache = work / f"cache-{label}"
    shutil.rmtree(cache, ignore_errors=True)
    if not kb.exists():
        shutil.copytree(kb_source, kb)
    cold = ask(code, kb, cache, f"解約したい {nonce}-{label}-{rnd}-cold")
    edit_one_file(kb, f"{nonce}{label}{rnd}の設定方法を教えてください")
    edit = ask(code, kb, cache, f"請求日はいつ？ {nonce}-{label}-{rnd}-edit")
    warm = ask(code, kb, cache, f"カードを変更したい {nonce}-{label}-{rnd}-warm")
    edit_one_file(kb, f"{nonce}{label}{rnd}の解除手順を知りたい", which=0)
    other = ask(code, kb, cache, f"支払い方法は？ {nonce}-{label}-{rnd}-other")
    return {"cold": cold, "edit": edit, "warm": warm, "edit_other_file": other}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[10000])
    parser.add_argument("--baseline", type=Path, help="another faqbot checkout to measure side by side (e.g. /work/main)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    checkouts = [("this", REPO)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    for label, code in checkouts:
        where = subprocess.run(
            [sys.executable, "-c", "import faqbot; print(faqbot.__file__)"], cwd=code,
            env=dict(os.environ, PYTHONPATH=str(code)), check=True, capture_output=True, text=True,
        ).stdout.strip()
        if not where.startswith(str(code)):
            raise SystemExit(f"{label}: {code} runs faqbot from {where}")
        print(json.dumps({label: where}), flush=True)
    nonce = secrets.token_hex(3)
    report: dict[str, object] = {"load_average_start": os.getloadavg(), "nonce": nonce, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as tmp:
        work = Path(tmp)
        for entries in args.entries:
            kb = generate_kb(work / f"kb-{entries}", entries, 7)
            figures: dict[str, dict[str, list[Run]]] = {label: {} for label, _ in checkouts}
            for rnd in range(args.rounds):
                # Alternate the order each round: A/B, then B/A.
                order = checkouts if rnd % 2 == 0 else checkouts[::-1]
                for label, code in order:
                    for kind, result in measure(f"{label}-{entries}", code, kb, work, nonce, rnd).items():
                        figures[label].setdefault(kind, []).append(result)
            load_kb = [run(REPO, ["-c", PEER_LOAD, str(kb)], work / "unused") for _ in range(args.rounds)]
            bm25 = statistics.median(peer_bm25(kb) for _ in range(args.rounds))
            load_kb_s = round(statistics.median(r.seconds for r in load_kb), 2)
            size: dict[str, object] = {
                "peer_load_knowledge_base_s": load_kb_s,
                "peer_load_knowledge_base_rss_mib": round(max(r.rss_mib for r in load_kb)),
                "peer_rank_bm25_build_s": round(bm25, 2),
            }
            for label, kinds in figures.items():
                row: dict[str, object] = {
                    kind: {
                        "s": round(statistics.median(r.seconds for r in runs), 2),
                        "rss_mib": round(max(r.rss_mib for r in runs)),
                        "load": round(statistics.median(r.load for r in runs), 2),
                        "cpu_s": round(statistics.median(r.cpu for r in runs), 2),
                    }
                    for kind, runs in kinds.items()
                }
                edit_s = statistics.median(r.seconds for r in kinds["edit"])
                row["edit_over_load_kb"] = round(round(edit_s, 2) / load_kb_s, 2)
                row["edit_over_bm25_build"] = round(round(edit_s, 2) / bm25, 2)
                size[label] = row
            if args.baseline:
                this, base = size["this"], size["baseline"]
                size["speedup"] = {k: round(base[k]["s"] / this[k]["s"], 2) for k in ("cold", "edit", "warm", "edit_other_file")}  # type: ignore[index]
            report["sizes"][str(entries)] = size  # type: ignore[index]
            print(json.dumps({str(entries): size}, ensure_ascii=False), flush=True)
    report["load_average_end"] = os.getloadavg()
    print(json.dumps({"load_average": report["load_average_start"], "load_average_end": report["load_average_end"]}))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
