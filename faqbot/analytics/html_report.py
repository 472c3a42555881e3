"""``faqbot report --html FILE``: the report as a self-contained page with charts.

Four charts, each with its data table: turns and fallback rate per day, the
biggest to-do groups, answers by entry, and 👍/👎 per entry.  Imported only
when a page is asked for (it pulls in matplotlib through the charts module).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from faqbot.analytics.report import Report
from faqbot.text.charts import GREEN, RED, Series, bar_chart, time_chart
from faqbot.text.htmlpage import figure, page, table, write_page

#: Groups drawn in the chart (the table lists every group of the report).
CHART_GROUPS = 10


def _days(report: Report) -> str:
    days = report.days
    svg = time_chart(
        "days", "Turns per day and the share that fell back",
        [d.day for d in days], [d.turns for d in days], [d.fallback_rate for d in days],
    ) if days else None
    rows = [(d.day, d.turns, d.fallbacks, f"{d.fallback_rate:.1%}") for d in days]
    return figure("sec-days", "会話ターンと回答できなかった割合 (日ごと)", svg,
                  table("日ごとの会話ターン", ("日付", "ターン", "回答できず", "割合"), rows, numeric=(1, 2, 3)))


def _groups(report: Report) -> str:
    shown = report.groups[:CHART_GROUPS]
    svg = bar_chart(
        "groups", "Biggest groups of unanswered questions",
        [f"{g.id} {g.label}" for g in shown], [Series("messages", tuple(float(g.count) for g in shown))],
        xlabel="messages",
    ) if shown else None
    rows = [
        (g.id, g.count, g.label_text, f"{g.confidence:.2f}", " / ".join(p.text for p in g.phrasings))
        for g in report.groups
    ]
    data = table("答えられなかった質問のグループ", ("ID", "件数", "判定", "信頼度", "言い回し"), rows, numeric=(1, 3))
    return figure("sec-groups", "答えられなかった質問 (意味でまとめて)", svg, data, open_table=True)


def _intents(report: Report) -> str:
    svg = bar_chart(
        "intents", "Answers by entry",
        [i.intent for i in report.intents], [Series("answers", tuple(float(i.count) for i in report.intents))],
        xlabel="answers",
    ) if report.intents else None
    rows = [(i.intent, i.count, f"{i.share:.1%}") for i in report.intents]
    return figure("sec-intents", "回答した質問 (エントリーごと)", svg,
                  table("エントリーごとの回答数", ("エントリー", "件数", "割合"), rows, numeric=(1, 2)))


def _votes(report: Report) -> str:
    votes = report.votes
    svg = bar_chart(
        "votes", "Thumbs up and down per entry", [v.intent for v in votes],
        [Series("up", tuple(float(v.up) for v in votes), GREEN),
         Series("down", tuple(float(v.down) for v in votes), RED)],
        xlabel="votes",
    ) if votes else None
    rows = [(v.intent, v.up, v.down) for v in votes]
    return figure("sec-votes", "👍 / 👎 (エントリーごと)", svg,
                  table("エントリーごとの評価", ("エントリー", "👍", "👎"), rows, numeric=(1, 2)))


def report_html(report: Report) -> str:
    """The whole page for ``report``."""
    since = f"{report.since.isoformat()} 以降" if report.since else "全期間"
    intro = (
        f'<p>{escape(since)}</p><ul class="summary">'
        f"<li>会話ターン: {report.turns}</li>"
        f"<li>回答できず: {report.fallbacks} ({report.fallback_rate:.1%})</li>"
        f"<li>聞き返し: {report.clarified}</li></ul>"
    )
    body = [_days(report), _groups(report), _intents(report), _votes(report)]
    return page("faqbot 分析レポート", intro, body)


def write_report_html(report: Report, path: Path) -> None:
    """Write the page to ``path`` (raises InputError when it cannot be written)."""
    write_page(path, report_html(report))
