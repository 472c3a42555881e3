"""``faqbot eval --html FILE``: the evaluation as a self-contained page with two charts.

* a confusion matrix as a heat map: the intents involved in at least one
  error (expected or predicted), with the diagonal, so the page stays
  readable however many entries the knowledge base has;
* a precision–coverage curve: raising the confidence threshold answers fewer
  messages (coverage) and gets more of them right (precision); the
  knowledge base's own threshold is marked.

Each chart has its data table.  Imported only when a page is asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from faqbot.quality.evaluation import Prediction, Report
from faqbot.routing.verdict import FALLBACK
from faqbot.text.charts import curve, heatmap
from faqbot.text.htmlpage import figure, page, table, write_page

#: Intents drawn when there is no error to focus on.
_NO_ERROR_LABELS = 10


@dataclass(frozen=True)
class Confusion:
    """Counts of (expected, predicted) over the intents shown."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # rows: expected, columns: predicted


@dataclass(frozen=True)
class CurvePoint:
    """Answering only at ``threshold`` or above: the share answered and the share of those right."""

    threshold: float
    coverage: float
    precision: float


def confusion(predictions: Sequence[Prediction]) -> Confusion:
    """The confusion matrix over the intents involved in an error (or the most frequent, without errors)."""
    pairs = Counter((p.example.intent, p.intent) for p in predictions)
    involved = {label for (a, b) in pairs if a != b for label in (a, b)}
    if not involved:
        support = Counter(p.example.intent for p in predictions)
        involved = {label for label, _ in support.most_common(_NO_ERROR_LABELS)}
    labels = tuple(sorted(involved, key=lambda label: (label == FALLBACK, label)))
    return Confusion(labels, tuple(tuple(pairs[(a, b)] for b in labels) for a in labels))


def precision_coverage(predictions: Sequence[Prediction]) -> tuple[CurvePoint, ...]:
    """One point per distinct confidence of an answered prediction, lowest threshold first."""
    answered = sorted((p for p in predictions if p.intent != FALLBACK), key=lambda p: -p.confidence)
    total = len(predictions)
    points: list[CurvePoint] = []
    right = 0
    for i, p in enumerate(answered):
        right += p.intent == p.example.intent
        if i + 1 == len(answered) or answered[i + 1].confidence != p.confidence:
            points.append(CurvePoint(p.confidence, (i + 1) / total, right / (i + 1)))
    return tuple(reversed(points))


def _at(points: Sequence[CurvePoint], threshold: float) -> CurvePoint | None:
    """The point the router works at: the lowest threshold at or above ``threshold``."""
    return next((pt for pt in points if pt.threshold >= threshold), None)


def _confusion_section(c: Confusion) -> str:
    svg = heatmap("confusion", "Confusion matrix: expected intent by predicted intent", c.labels, c.labels,
                  c.counts) if c.labels else None
    rows = [(label, *row) for label, row in zip(c.labels, c.counts, strict=True)]
    data = table("混同行列 (行: 正解, 列: 予測)", ("正解 \\ 予測", *c.labels), rows,
                 numeric=tuple(range(1, len(c.labels) + 1)))
    return figure("sec-confusion", "混同行列 (間違いのあった質問)", svg, data)


def _curve_section(points: Sequence[CurvePoint], threshold: float) -> str:
    marked = _at(points, threshold)
    svg = curve(
        "coverage", "Precision against coverage as the confidence threshold rises",
        [pt.coverage for pt in points], [pt.precision for pt in points], "coverage (share answered)",
        "precision (share right)", (marked.coverage, marked.precision) if marked else None,
    ) if points else None
    rows = [(f"{pt.threshold:.3f}", f"{pt.coverage:.3f}", f"{pt.precision:.3f}") for pt in points]
    data = table("しきい値ごとの回答率と正解率", ("しきい値", "回答率", "正解率"), rows, numeric=(0, 1, 2))
    return figure("sec-coverage", f"正解率と回答率 (設定のしきい値 {threshold:.2f} を赤で表示)", svg, data)


def eval_html(name: str, report: Report, predictions: Sequence[Prediction], threshold: float) -> str:
    """The whole page for an evaluation of set ``name``."""
    intro = (
        f'<p>評価データ: {escape(name)}</p><ul class="summary">'
        f"<li>件数: {report.total}</li><li>正解率: {report.accuracy:.3f}</li>"
        f"<li>対象内の正解率: {report.in_scope_accuracy:.3f}</li>"
        f"<li>フォールバックの適合率: {report.fallback_precision:.3f}</li>"
        f"<li>フォールバックの再現率: {report.fallback_recall:.3f}</li></ul>"
    )
    body = [_confusion_section(confusion(predictions)), _curve_section(precision_coverage(predictions), threshold)]
    return page("faqbot 評価レポート", intro, body)


def write_eval_html(name: str, report: Report, predictions: Sequence[Prediction], threshold: float, path: Path) -> None:
    """Write the page to ``path`` (raises InputError when it cannot be written)."""
    write_page(path, eval_html(name, report, predictions, threshold))
