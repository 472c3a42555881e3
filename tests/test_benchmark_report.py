"""Tests of benchmarks/report.py's pure parts: targets, tables, sections and the `--quick` label.

Every figure and every expected cell here is written by hand; nothing runs a benchmark.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import report  # noqa: E402
from report_table import Row, Section, Target, ratio_text, render_section, render_table, summary, verdict  # noqa: E402


@pytest.mark.parametrize(
    ("target", "value", "peer", "met"),
    [
        (Target(3.0, unit=" ms"), 2.99, None, True),
        (Target(3.0, unit=" ms"), 3.0, None, True),
        (Target(3.0, unit=" ms"), 3.01, None, False),
        (Target(0.62, ">="), 0.625, None, True),
        (Target(0.62, ">="), 0.619, None, False),
        (Target(0, "=="), 0, None, True),
        (Target(0, "=="), 12, None, False),
        # hit@1 above BM25's: 0.493 against 0.472 meets it, a tie does not.
        (Target(1.0, ">", of_peer=True), 0.493, 0.472, True),
        (Target(1.0, ">", of_peer=True), 0.472, 0.472, False),
        # 1,181 req/s against /healthz's 14,726 is 8.0 %: not ≥ 20 %; 3,000 against 14,726 is 20.4 %.
        (Target(0.20, ">=", unit="%", of_peer=True), 1181, 14726, False),
        (Target(0.20, ">=", unit="%", of_peer=True), 3000, 14726, True),
        # 0.183 s against the import floor's 0.140 s is 1.31×: within 1.6×.
        (Target(1.6, of_peer=True), 0.183, 0.140, True),
        (Target(1.6, of_peer=True), 0.25, 0.140, False),
    ],
)
def test_target_compares_the_figure_or_its_ratio_to_the_peer(target: Target, value: float, peer: float | None, met: bool) -> None:
    assert target.met(value, peer) is met


def test_a_target_judged_against_a_missing_or_zero_peer_is_not_judged() -> None:
    assert Target(1.0, ">", of_peer=True).met(0.5, None) is None
    assert Target(1.0, ">", of_peer=True).met(0.5, 0.0) is None


@pytest.mark.parametrize(
    ("target", "text"),
    [
        (Target(3.0, unit=" ms"), "≤ 3 ms"),
        (Target(0.62, ">="), "≥ 0.62"),
        (Target(1.0, ">", of_peer=True), "> peer"),
        (Target(1.6, of_peer=True), "≤ 1.6× peer"),
        (Target(0.20, ">=", unit="%", of_peer=True), "≥ 20 % of peer"),
        (Target(0, "=="), "= 0"),
    ],
)
def test_target_text(target: Target, text: str) -> None:
    assert str(target) == text


def test_an_unknown_comparison_is_refused() -> None:
    with pytest.raises(ValueError, match="one of"):
        Target(1.0, "<")


def test_the_issues_targets_are_the_constants_it_names() -> None:
    assert [str(t) for t in (report.RECALL_AT_10, report.NDCG_AT_10, report.ANSWERED_PRECISION, report.HIT_AT_1_ABOVE_BM25)] == [
        "≥ 0.62", "≥ 0.52", "≥ 0.7", "> peer"]
    assert [str(t) for t in (report.ROUTE_P95_10K_MS, report.ROUTE_P95_50K_MS, report.BUILD_10K_S)] == ["≤ 3 ms", "≤ 8 ms", "≤ 10 s"]
    assert [str(t) for t in (report.ASK_VS_IMPORTS, report.ASK_S, report.ASK_50K_S, report.ASK_50K_MB)] == [
        "≤ 1.6× peer", "≤ 0.3 s", "≤ 0.5 s", "≤ 250 MB"]
    assert [str(t) for t in (report.EDIT_10K_S, report.EDIT_ONE_FILE_10K_S, report.EDIT_50K_S, report.EDIT_50K_MB)] == [
        "≤ 3 s", "≤ 1 s", "≤ 15 s", "≤ 400 MB"]
    assert [str(t) for t in (report.CHAT_VS_HEALTHZ, report.CHAT_P99_MS, report.SERVER_ERRORS,
                             report.SECOND_WORKER_VS_FIRST, report.RELOAD_FAILURES)] == [
        "≥ 20 % of peer", "≤ 20 ms", "= 0", "≤ 25 % of peer", "= 0"]


def test_table_from_given_figures() -> None:
    rows = [
        Row("p95 at 10k entries (ms)", 2.5, 50.0, 1.5, Target(3.0, unit=" ms"), digits=2),
        Row("never-repeated chat (req/s)", 1181.0, 14726.0, 0.9, Target(0.20, ">=", unit="%", of_peer=True), digits=0,
            percent=True),
        Row("answered share, odd half", 0.136),
        Row("cold `load_engine` at 10k (s)", None, 1.2, 2.0, Target(10.0, unit=" s"), missing="edit_stages.py exited with 1 (boom)"),
    ]
    assert render_table(rows) == "\n".join([
        "| figure | faqbot | peer | faqbot ÷ peer | load before | target | met? |",
        "|---|---|---|---|---|---|---|",
        "| p95 at 10k entries (ms) | 2.50 | 50.00 | 0.05× | 1.50 | ≤ 3 ms | yes |",
        "| never-repeated chat (req/s) | 1,181 | 14,726 | 8.0 % | 0.90 | ≥ 20 % of peer | **no** |",
        "| answered share, odd half | 0.136 | – | – | – |  |  |",
        "| cold `load_engine` at 10k (s) | – | 1.200 | – | 2.00 | ≤ 10 s | not measured: edit_stages.py exited with 1 (boom) |",
    ])


def test_quick_run_judges_nothing_and_says_why() -> None:
    row = Row("p95 at 1k entries (ms)", 9.0, 50.0, 1.0, Target(3.0, unit=" ms"), digits=2, why="the host was busy.")
    assert verdict(row, quick=False) == "**no**"
    assert verdict(row, quick=True) == "not judged (`--quick`)"
    section = Section("Router latency", ["`benchmarks/bench_route.py …`"], [row])
    assert "- *p95 at 1k entries (ms)* missed: the host was busy." in render_section(section)
    assert "missed" not in render_section(section, quick=True)
    assert summary([section], quick=True) == (
        "Targets: not judged in a `--quick` run (smaller sizes and shorter runs than the targets name).")


def test_figures_missed_for_one_reason_share_one_line() -> None:
    rows = [Row("req/s", 400.0, 8000.0, target=Target(0.2, ">=", unit="%", of_peer=True), why="a turn costs 2 ms."),
            Row("p99 (ms)", 42.0, 9.0, target=Target(20.0), why="a turn costs 2 ms."),
            Row("errors", 0, 0, target=Target(0, "=="), why="never shown: met.")]
    text = render_section(Section("Server", [], rows))
    assert text.endswith("\n\n- *req/s*, *p99 (ms)* missed: a turn costs 2 ms.")


@pytest.mark.parametrize(("value", "peer", "percent", "text"), [
    (1.36, 328.82, False, "0.0041×"), (0.74, 98.14, False, "0.0075×"), (0.183, 0.140, False, "1.31×"),
    (0, 7004, True, "0.0 %"), (413, 8638, True, "4.8 %"), (1.0, None, False, "–"), (1.0, 0.0, False, "–"),
])
def test_ratio_text(value: float, peer: float | None, percent: bool, text: str) -> None:
    assert ratio_text(Row("x", value, peer, percent=percent)) == text


def test_summary_counts_met_missed_and_unmeasured() -> None:
    section = Section("S", [], [
        Row("a", 1.0, target=Target(2.0)),
        Row("b", 3.0, target=Target(2.0)),
        Row("c", None, target=Target(2.0), missing="it failed"),
        Row("d", 5.0),
    ])
    assert summary([section]) == "Targets met: **1 of 3**. Not met: S: b. Not measured: S: c."


def test_quick_header_names_what_shrank_and_the_full_one_does_not() -> None:
    quick = report.header("2026-12-05 10:00 UTC", "abc1234", "2 CPUs", "report.py --quick", 1.5, report.QUICK)
    assert "**Quick smoke run (`--quick`)**: 1k and 2k entries instead of 10k and 50k" in quick
    assert "no figure is judged against its target" in quick
    full = report.header("2026-12-05 10:00 UTC", "abc1234", "2 CPUs", "report.py", 21.0, report.FULL)
    assert "Quick" not in full
    assert "| commit | `abc1234` |" in full and "| date | 2026-12-05 10:00 UTC (21.0 minutes) |" in full
    assert "[`docs/benchmarks-log.md`](benchmarks-log.md)" in full


def test_route_section_from_a_scripts_figures_and_from_a_failed_run() -> None:
    figures = {"p50_ms": 0.5, "p95_ms": 2.5, "naive_p50_ms": 10.0, "naive_p95_ms": 50.0, "load_average": [1.5, 1.0, 0.8]}
    runs = {10_000: report.Run(figures, 0.7), 50_000: report.Run(None, 0.9, "bench_route.py exited with 1 (boom)")}
    table = render_section(report.route_section(runs, ["a", "b"], report.FULL))
    assert "| p95 at 10k entries (ms) | 2.50 | 50.00 | 0.05× | 1.50 | ≤ 3 ms | yes |" in table
    assert "| p95 at 50k entries (ms) | – | – | – | 0.90 | ≤ 8 ms | not measured: bench_route.py exited with 1 (boom) |" in table


def test_server_section_turns_memory_into_the_second_workers_share() -> None:
    wrk = {"p50_ms": 5.0, "requests": 10_000, "errors": 0, "server_cpu_ms_per_request": 1.6, "load_average_before": "0.9 0.8 0.7"}
    figures = {"faqbot": {
        "healthz": {**wrk, "rps": 14_000.0, "p99_ms": 3.0, "server_cpu_ms_per_request": 0.1},
        "chat_unique": {**wrk, "rps": 1_400.0, "p99_ms": 18.0},
        "chat_cached": {**wrk, "rps": 7_000.0, "p99_ms": 4.0},
        "memory_after_load": {"workers": [{"rss_mib": 200.0, "uss_mib": 150.0}, {"rss_mib": 180.0, "uss_mib": 30.0}]},
    }}
    text = render_section(report.server_section(report.Run(figures, 0.5), "benchmarks/bench_server.py …"))
    assert "| never-repeated chat (req/s) | 1,400 | 14,000 | 10.0 % | 0.90 | ≥ 20 % of peer | **no** |" in text
    assert "| never-repeated chat, p99 (ms) | 18.0 | 3.0 | 6.00× | 0.90 | ≤ 20 ms | yes |" in text
    assert "(MiB); peer: the first worker's RSS | 30.0 | 200.0 | 15.0 % | 0.90 | ≤ 25 % of peer | yes |" in text
    assert "Turn-cache hits (popular messages over and over; not the headline): 7,000 req/s, 50.0 % of `/healthz`" in text


@pytest.mark.parametrize(("value", "load"), [("1.25 0.71 0.77", 1.25), ([0.5, 0.4, 0.3], 0.5), (2.0, 2.0), (None, None)])
def test_first_load_reads_every_scripts_form(value: object, load: float | None) -> None:
    assert report.first_load(value) == load


def test_sizes_and_megabytes() -> None:
    assert [report.size_label(n) for n in (10_000, 50_000, 1000, 1500, 500)] == ["10k", "50k", "1k", "1,500", "500"]
    assert report.mb(100) == pytest.approx(104.8576)
    assert report.mb(None) is None


def test_startup_section_judges_a_billing_question_at_50k_as_well() -> None:
    # A billing question once decoded every entry at 50k (0.75 s, 215 MB) while the cancel question
    # took 0.2 s: each kind gets its own rows, judged against the same targets.
    timing = {"median_s": 0.2, "peak_rss_mb": 110.0}
    figures = {"load_average_before": [0.5, 0.5, 0.5], "ask": {"median_s": 0.18, "peak_rss_mb": 70.0},
               "import_runtime_deps": {"median_s": 0.15, "peak_rss_mb": 40.0}, "ask --kb kb50": timing,
               "ask billing --kb kb50": {"median_s": 0.75, "peak_rss_mb": 215.0}}
    text = render_section(report.startup_section(report.Run(figures, 0.5), report.FULL, "bench_startup.py"))
    assert "| `faqbot ask`, 50k entries: median (s) | 0.200 | 0.150 | 1.33× | 0.50 | ≤ 0.5 s | yes |" in text
    assert "| `faqbot ask`, 50k entries, a billing question: median (s) | 0.750 | 0.150 | 5.00× | 0.50 | ≤ 0.5 s | **no** |" in text
    # MiB as the script measures them, shown in MB: 215 MiB is 225 MB, 40 MiB 42 MB
    assert "| `faqbot ask`, 50k entries, a billing question: peak RSS (MB) | 225 | 42 | 5.38× | 0.50 | ≤ 250 MB | yes |" in text
    assert "*`faqbot ask`, 50k entries, a billing question: median (s)* missed: a billing question reads" in text


def test_generality_section_adds_word_vector_rows_only_when_they_were_measured() -> None:
    half = {"faqbot": {"recall_at_10": 0.625, "ndcg_at_10": 0.521, "precision_at_10": 0.135, "hit_at_1": 0.447,
                       "answered": 0.136, "answered_precision": 0.824},
            "bm25": {"recall_at_10": 0.595, "ndcg_at_10": 0.477, "precision_at_10": 0.129, "hit_at_1": 0.398}}
    figures = {"entries": 1786, "queries": 749, "build_s": 3.0, "threshold": 0.726, "load_average_before": 0.5,
               "even": half, "odd": half}
    plain = render_section(report.generality_section(report.Run(figures, 0.5), "bench_generality.py DIR"))
    assert "with word vectors" not in plain
    vectored = {**figures, "vector_weight": 0.5, "vector_build_s": 2.1,
                "odd_vectors": {"recall_at_10": 0.669, "ndcg_at_10": 0.547, "hit_at_1": 0.465, "answered_precision": 0.794}}
    table = render_section(report.generality_section(report.Run(vectored, 0.5), "bench_generality.py DIR --vectors F"))
    assert "| with word vectors: Recall@10, odd half | 0.669 | 0.595 |" in table
    assert "| with word vectors: answered precision, odd half | 0.794 |" in table
    assert "with word vectors: Recall@10, even half" not in table  # measured for the odd half only here
    assert "λ 0.5 fitted on the KB's own questions, engine built in 2.1 s" in table
