"""faqbot lookup / show / products / report: plain output (stdout is not a terminal) and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqbot.cli import main
from tests.test_analytics_report import record_fixture

TODAY = ["--today", "2026-11-26"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lookup_plain_is_an_aligned_table() -> None:
    code, out, _ = run("lookup", "解約したい", "--top", "2", *TODAY)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "「解約したい」の検索結果"
    assert lines[1].split() == ["#", "ID", "信頼度", "分類", "/", "質問", "/", "製品別"]
    rank, entry, confidence, category = lines[2].split()
    assert (rank, entry, category) == ("1", "cancel-howto", "あんしん自動更新の解約について")
    assert 0.5 < float(confidence) <= 1.0
    assert lines[3].strip() == "あんしん自動更新を解約（停止）したい"
    assert lines[4].strip() == "製品別: なし (共通の回答)"
    assert lines[5].split()[:2] == ["2", "auto-cancellation"]
    assert lines[-1] == "詳しく: faqbot show cancel-howto"
    # Plain output: no colour codes, no box drawing, nothing wider than 80 columns.
    assert "\x1b[" not in out and "│" not in out
    assert all(len(line) <= 80 for line in lines)


def test_lookup_with_product_marks_product_specific_text() -> None:
    code, out, _ = run("lookup", "申し込み方法", "--product", "mobile", "--top", "1", *TODAY)
    assert code == 0
    assert out.splitlines()[0] == "「申し込み方法」の検索結果 (製品: mobile)"
    assert "apply-howto" in out
    assert "製品別: mobile 向け: あり" in out
    assert out.splitlines()[-1] == "詳しく: faqbot show apply-howto --product mobile"


def test_lookup_json() -> None:
    code, out, _ = run("lookup", "解約したい", "--top", "2", "--json", *TODAY)
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "解約したい" and data["product"] is None
    first = data["results"][0]
    assert (first["rank"], first["id"], first["category"], first["question"], first["products"]) == (
        1, "cancel-howto", "あんしん自動更新の解約について", "あんしん自動更新を解約（停止）したい", [],
    )
    assert [r["rank"] for r in data["results"]] == [1, 2]
    assert 0.0 <= first["confidence"] <= 1.0


def test_lookup_json_reads_one_query_per_line_from_stdin() -> None:
    result = CliRunner().invoke(main, ["lookup", "--json", "--top", "3", "-", *TODAY], input="解約したい\nクレカを変更したい\n\n")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["query"] for row in rows] == ["解約したい", "クレカを変更したい", ""]
    assert [row["results"][0]["id"] for row in rows[:2]] == ["cancel-howto", "change-card"]
    assert all(len(row["results"]) <= 3 for row in rows)


def test_lookup_json_lists_products_with_specific_pages() -> None:
    code, out, _ = run("lookup", "自動更新の申し込み方法", "--top", "1", "--json", *TODAY)
    (first,) = json.loads(out)["results"]
    assert first["id"] == "apply-howto"
    assert first["products"] == [
        "virusbuster-cloud", "total-security-standard", "total-security-premium", "mobile",
        "password-manager", "home-network", "home-network-security",
    ]


def test_show_plain_for_a_product() -> None:
    code, out, _ = run("show", "apply-howto", "--product", "mobile", *TODAY)
    assert code == 0
    assert out.splitlines()[:2] == [
        "[apply-howto] あんしん自動更新の申し込み方法を教えてください",
        "分類: あんしん自動更新の申請・決済について / 製品: ウイルスバスター モバイル (mobile)",
    ]
    assert "ウイルスバスター モバイルであんしん自動更新をお申し込みいただく" in out
    assert "参考ページ:\n  - ウイルスバスター モバイル あんしん自動更新の申し込み方法\n" in out
    assert "  - あんしん自動更新はいつ申し込めますか？ (apply-timing)" in out


def test_show_json() -> None:
    code, out, _ = run("show", "payment-methods", "--product", "virusbuster-cloud", "--json", *TODAY)
    assert code == 0
    data = json.loads(out)
    assert (data["id"], data["kind"], data["product"], data["question"]) == (
        "payment-methods", "faq", "virusbuster-cloud", "クレジットカード以外で支払えますか？",
    )
    assert data["pages"][:3] == [
        "ウイルスバスター クラウド かんたんコンビニ決済での契約更新方法",
        "ウイルスバスター クラウド 振込用紙での契約更新方法",
        "ウイルスバスター クラウド 請求書(銀行振込)での契約更新方法",
    ]
    assert data["answer"].startswith("あんしん自動更新はクレジットカード決済のみとなります。")
    assert data["source"].startswith("faq/apply-payment.yaml:")


def test_products_plain_shows_missing_facts_as_not_listed() -> None:
    code, out, _ = run("products")
    assert code == 0
    assert "■ ウイルスバスター トータルセキュリティ スタンダード (total-security-standard)" in out.splitlines()
    assert "年額版 (1年間): 有効期限の当月25日前後" in out
    assert "更新料        未掲載" in out
    assert "URL           未掲載" in out
    assert "支払い方法    クレジットカード決済のみ" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_products_json() -> None:
    code, out, _ = run("products", "--json")
    data = json.loads(out)
    assert len(data) == 10
    mobile = next(p for p in data if p["id"] == "mobile")
    assert mobile["plans"] == [
        {"id": "monthly", "name": "月額版 (1か月間)", "billing": "有効期限の当月末頃"},
        {"id": "annual", "name": "年額版 (1年間)", "billing": "有効期限の前月末頃"},
    ]
    # The seed names monthly and annual plans for パスワードマネージャー only: for mobile both
    # plans' rules are shown, as unconfirmed.
    assert mobile["plans_confirmed"] is False
    assert next(p for p in data if p["id"] == "password-manager")["plans_confirmed"] is True
    assert mobile["renewal_routes"] == ["ウイルスバスター モバイル (Android/iOS) のライセンス更新方法一覧"]
    assert (mobile["price"], mobile["url"], mobile["payment_method"], mobile["notice_months_before"]) == (
        None, None, "クレジットカード決済のみ", 1,
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "analytics.sqlite3"
    record_fixture(path)
    return path


def test_report_plain(db: Path) -> None:
    code, out, _ = run("report", "--since", "2026-11-01", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert "会話ターン: 10  回答できず: 5 (50.0%)  聞き返し: 1" in lines
    assert "cancel-howto              2  40.0%" in lines
    assert "3  g7ec008     2  near miss: out of scope (0.24)     返金してほしい [カード番号]" in lines
    assert "                                                     返金してほしいです" in lines
    assert "cancel-howto     2   1" in lines


def test_report_json(db: Path) -> None:
    code, out, _ = run("report", "--since", "2026-11-01", "--json", "--db", str(db))
    data = json.loads(out)
    assert (data["turns"], data["fallbacks"], data["fallback_rate"]) == (10, 5, 0.5)
    assert data["disliked"] == [{"intent": "cancel-howto", "down": 2, "up": 1}, {"intent": "billing-timing", "down": 1, "up": 0}]


def test_report_csv(db: Path) -> None:
    code, out, _ = run("report", "--csv", "--since", "2026-11-01", "--db", str(db))
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["section", "key", "count", "value", "example"]
    assert ["group", "g3725c6", "2", "near miss: out of scope", "ポイントで払えますか"] in rows
    assert ["group", "ge29112", "3", "alternate for next-billing-date", "請求日はいつ"] in rows


def test_report_html_writes_a_page_with_four_charts(db: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code, out, _ = run("report", "--since", "2026-11-01", "--db", str(db), "--html", str(page))
    assert code == 0 and "会話ターン: 10" in out
    html = page.read_text(encoding="utf-8")
    for chart in ("days", "groups", "intents", "votes"):
        assert f'aria-labelledby="{chart}-title"' in html
    assert html.count("<table>") == 4 and "<script" not in html
    assert "返金してほしい [カード番号]" in html  # the group table, with the masked wording
    assert "4111" not in html


def test_report_html_to_an_unwritable_path_is_one_sentence(db: Path, tmp_path: Path) -> None:
    code, _, err = run("report", "--db", str(db), "--html", str(tmp_path / "no" / "such" / "report.html"))
    assert code == 1
    assert err.startswith(f"Error: Cannot write the HTML page to {tmp_path / 'no' / 'such' / 'report.html'}: ")
    assert err.endswith("; pass a writable --html path.\n")


def test_report_uses_the_environment_database(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_ANALYTICS_DB", str(db))
    code, out, _ = run("report", "--json")
    assert json.loads(out)["turns"] == 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "no-such-entry"], "Error: Unknown entry id 'no-such-entry'; run `faqbot lookup` to find the id you want.\n"),
        (["show", "cancel-hwto"],
         "Error: Unknown entry id 'cancel-hwto' (did you mean 'cancel-howto'?); run `faqbot lookup` to find the id you want.\n"),
        (["lookup", "解約", "--top", "0"], "Error: --top must be 1 or more, not 0; try --top 5.\n"),
        (["lookup"], "Error: faqbot lookup needs a QUERY outside an interactive terminal; e.g. faqbot lookup 解約したい.\n"),
        (["report", "--json", "--csv"], "Error: --json and --csv cannot be combined; pick one of them.\n"),
        (["report", "--since", "2026-13-01"], None),
        (["lookup", "解約", "--product", "nope"], None),
    ],
)
def test_errors_are_one_sentence(args: list[str], message: str | None, tmp_path: Path) -> None:
    code, out, err = run(*args, *(["--db", str(tmp_path / "x.db")] if args[0] == "report" else []))
    assert code == 1 and out == ""
    assert err.startswith("Error: ") and err.count("\n") == 1
    if message is not None:
        assert err == message
    if "nope" in args:
        assert "'nope'" in err and "faqbot products" in err


# --product is read by one resolver in billing, lookup and show: (typed, product id) — by hand
PRODUCT_SPELLINGS = [
    ("mobile", "mobile"),
    ("モバイル", "mobile"),
    ("ウイルスバスター モバイル", "mobile"),
    ("バスターモバイル", "mobile"),
    ("ウイルスバスター for Mac", "mac"),
]


@pytest.mark.parametrize(("typed", "product"), PRODUCT_SPELLINGS)
def test_lookup_and_show_read_product_names_as_billing_does(typed: str, product: str) -> None:
    code, out, err = run("lookup", "解約", "--product", typed, "--json", *TODAY)
    assert code == 0, err
    assert json.loads(out)["product"] == product
    code, out, err = run("show", "apply-howto", "--product", typed, "--json", *TODAY)
    assert code == 0, err
    assert json.loads(out)["product"] == product


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["lookup", "解約", "--product", "mobil"], "Did you mean ウイルスバスター モバイル (mobile)?"),
        (["show", "apply-howto", "--product", "mobil"], "Did you mean ウイルスバスター モバイル (mobile)?"),
        (["lookup", "解約", "--product", "クラウド"], "fits 2 products"),
        (["show", "apply-howto", "--product", "クラウド"], "fits 2 products"),
    ],
)
def test_lookup_and_show_product_errors_are_billings(args: list[str], expected: str) -> None:
    code, out, err = run(*args, *TODAY)
    billing = CliRunner().invoke(
        main, ["billing", "--product", args[-1], "--plan", "annual", "--expiry", "2027-03-31", *TODAY]
    ).stderr
    assert (code, out) == (1, "")
    assert expected in err and err == billing


def test_report_without_database_names_the_path(tmp_path: Path) -> None:
    code, _, err = run("report", "--db", str(tmp_path / "none.sqlite3"))
    assert code == 1
    assert err == f"Error: No analytics database at {tmp_path / 'none.sqlite3'}; record some conversations first or pass --db PATH.\n"


@pytest.mark.parametrize("command", ["lookup", "show", "products", "report", "learn"])
def test_help_has_an_example(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0 and "Example" in out and f"faqbot {command}" in out
