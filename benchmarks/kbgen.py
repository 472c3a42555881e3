"""Large synthetic knowledge bases for the scale benchmarks.

``generate_kb(dest, distractors, seed)`` copies the shipped knowledge base into
``dest`` and adds ``distractors`` generated FAQ entries (five questions each:
the question and four alternates) under ``dest/faq/gen-*.yaml``.  The shipped
entries stay, so the labelled dev set can still be scored against a knowledge
base that has grown a thousand-fold around them.

The generated entries read like the rest of a large support site: a product or
service (a router, a household-accounts app, a cloud backup…), one of its
features (login, notifications, payment method, contract…) and a problem or an
action (「が表示されない」「を変更したい」), phrased five ways — plain, polite,
keyword, how-to and casual.  The vocabulary deliberately shares support words
with the shipped FAQ (契約, 更新, 支払い, メール, アカウント, パスワード…), so the
distractors compete for real instead of being trivially far away.  Product
words are not the shipped product names: those are masked by the router, and
a distractor about ウイルスバスター's own renewal would be a second right answer.
No word contains a subject the shipped knowledge base declares out of scope
(動画配信サービス, 領収書…): the router rightly refuses those, whatever the entry.

The copy keeps the shipped knowledge base's **decision**: its ``service.yaml`` states, as
``router.threshold``, the cut the shipped knowledge base's own fit chooses (the best score
alone, sixty-seventh rule of ``docs/calibration-floor-rule.md``: 0.3016).  The benchmarks ask
whether the shipped entries are still found, and answered as the shipped knowledge base
answers them, as distractors grow around them; a mixture that is 99.8 % generated entries
would otherwise fit its own decision on the generated questions (templated paraphrases, 89 %
right held out), which refuses far more of the shipped dev questions (10k: in-scope 0.808
against 0.910).  ``inherit_decision=False`` leaves the copy to fit its own.

The lexical weight is fitted per knowledge base (the shipped one fits 0.1).  With
``state_weight=True`` (``--shipped-weight``) a copy states the source's weight, stated or fitted,
as ``router.lexical_weight``: the shipped entries ranked as the shipped KB ranks them, for accuracy
among distractors.  By default a weight the source states is removed, so the scale and build
benchmarks' mixtures fit their own on their questions, as any knowledge base's build does.

Deterministic: the same ``distractors`` and ``seed`` give byte-identical files.

    .venv/bin/python benchmarks/kbgen.py OUT_DIR --entries 10000 [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from faqbot.kb import SHIPPED_KB

# Entries per generated YAML file (a big site splits its FAQ into many files).
ENTRIES_PER_FILE = 1000
QUESTIONS_PER_ENTRY = 5

PRODUCTS = (
    "家計簿アプリ", "クラウドバックアップ", "フォトストレージ", "Wi-Fiルーター", "ネットワークカメラ",
    "プリンター", "メールソフト", "タブレット", "スマートウォッチ", "スマートスピーカー",
    "音楽配信サービス", "ライブ配信アプリ", "電子書籍アプリ", "オンラインストレージ", "会計ソフト",
    "年賀状ソフト", "翻訳アプリ", "ファイル共有サービス", "電子マネーアプリ", "ポイントカードアプリ",
    "オンライン会議ツール", "チャットアプリ", "カレンダーアプリ", "地図アプリ", "健康管理アプリ",
    "学習アプリ", "ネットバンキング", "フリマアプリ", "通販サイト", "ホームページ作成ツール",
    "ドライブレコーダー", "見守りサービス", "データ復旧ソフト", "画像編集ソフト", "動画編集ソフト",
    "PDF編集ソフト", "タスク管理アプリ", "メモアプリ", "名刺管理アプリ", "勤怠管理システム",
    "給与計算ソフト", "請求書作成サービス", "予約管理システム", "顧客管理システム", "在庫管理アプリ",
    "ECサイト構築サービス", "クラウド電話", "ビデオ通話アプリ", "子ども向けタブレット", "ゲーム機",
    "スマートテレビ", "カーナビ", "ロボット掃除機", "スマートロック", "電子ペーパー端末",
    "外付けハードディスク", "USBメモリ", "NAS", "ワイヤレスイヤホン", "キーボード",
    "マウス", "モニター", "ウェブカメラ", "ルーター管理アプリ", "迷惑電話対策サービス",
    "クラウド年賀状", "オンライン学習サービス", "語学アプリ", "株取引アプリ", "保険アプリ",
)

FEATURES = (
    "ログイン", "パスワード", "二段階認証", "通知", "同期", "バックアップ", "復元", "共有設定",
    "プロフィール", "登録メールアドレス", "支払い方法", "請求書", "ニックネーム", "ポイント", "お問い合わせ履歴",
    "アカウント", "データ移行", "言語設定", "表示設定", "音量", "画面の明るさ", "ダウンロード",
    "アップロード", "検索機能", "お気に入り", "閲覧履歴", "ファームウェア", "アプリのアップデート",
    "契約プラン", "月額プラン", "会員登録", "メールマガジン", "お知らせメール", "ユーザー名",
    "本人確認", "利用明細", "保存容量", "自動バックアップ", "オフラインモード", "ダークモード",
    "位置情報", "カメラの権限", "連絡先の取り込み", "招待コード", "家族共有", "端末の登録",
    "ライセンスキー", "初期設定", "セキュリティ設定", "利用規約への同意",
)

# (plain, polite, keyword, how-to stem): 「家計簿アプリの通知が届かない」 /
# 「…が届きません」 / 「… 届かない」 / 「…が届かないときの対処法」.
PROBLEMS = (
    ("ができない", "ができません", "できない", "ができないときの対処法"),
    ("が表示されない", "が表示されません", "表示されない", "が表示されないときの対処法"),
    ("でエラーが出る", "でエラーが出ます", "エラー", "でエラーが出たときの対処法"),
    ("が遅い", "がとても遅いです", "遅い", "が遅いときの改善方法"),
    ("が反映されない", "が反映されません", "反映されない", "が反映されないときの確認方法"),
    ("が届かない", "が届きません", "届かない", "が届かないときの確認方法"),
    ("が消えてしまった", "が消えてしまいました", "消えた", "が消えたときの復旧方法"),
    ("が途中で止まる", "が途中で止まってしまいます", "止まる", "が止まるときの対処法"),
    ("がおかしい", "の動作がおかしいです", "不具合", "の不具合の直し方"),
    ("が使えない", "が使えなくなりました", "使えない", "が使えないときの対処法"),
    ("に失敗する", "に失敗してしまいます", "失敗", "に失敗するときの対処法"),
    ("が二重になっている", "が二重に登録されています", "二重", "の重複を直す方法"),
)

# (plain, polite, keyword, how-to stem)
ACTIONS = (
    ("を変更したい", "を変更したいのですが", "変更", "を変更する方法"),
    ("を設定したい", "を設定したいです", "設定", "を設定する手順"),
    ("を確認したい", "を確認したいのですが", "確認", "を確認する方法"),
    ("を削除したい", "を削除したいです", "削除", "を削除する手順"),
    ("を無効にしたい", "を無効にしたいのですが", "無効", "をオフにする方法"),
    ("を有効にしたい", "を有効にしたいです", "有効", "をオンにする方法"),
    ("をリセットしたい", "をリセットしたいのですが", "リセット", "を初期化する方法"),
    ("を追加したい", "を追加したいです", "追加", "を追加する手順"),
    ("を解除したい", "を解除したいのですが", "解除", "を解除する方法"),
    ("を更新したい", "を更新したいです", "更新", "を更新する手順"),
    ("を解約したい", "を解約したいのですが", "解約", "を解約する方法"),
    ("を再発行したい", "を再発行してほしいです", "再発行", "を再発行する手順"),
)

TOPICS = PROBLEMS + ACTIONS

# Openers and closers that real customers wrap around the same request.
_OPENERS = ("", "すみません、", "初めて使っています。", "急ぎです。", "教えてください。", "質問です。")
_CLOSERS = ("どうすればいいですか", "どうしたらよいでしょうか", "方法を教えてください", "何か原因はありますか")
_CASUAL_ENDS = ("んだけど", "けど、どうすれば？", "。助けて", "…なんで？")


@dataclass(frozen=True)
class GeneratedEntry:
    """One synthetic FAQ entry: id, category, the five questions and an answer, and its parts."""

    id: str
    category: str
    questions: tuple[str, ...]
    answer: str
    product: str
    feature: str
    topic: str  # the plain form: 「が表示されない」「を変更したい」


def _combinations(count: int, rng: random.Random) -> list[tuple[str, str, tuple[str, str, str, str]]]:
    total = len(PRODUCTS) * len(FEATURES) * len(TOPICS)
    if count > total:
        raise ValueError(f"at most {total} distinct synthetic entries can be generated, not {count}")
    picks = rng.sample(range(total), count)
    out = []
    for pick in picks:
        pick, t = divmod(pick, len(TOPICS))
        p, f = divmod(pick, len(FEATURES))
        out.append((PRODUCTS[p], FEATURES[f], TOPICS[t]))
    return out


def generate_entries(count: int, seed: int = 7) -> list[GeneratedEntry]:
    """``count`` distinct synthetic entries, the same for the same ``seed``."""
    rng = random.Random(seed)
    entries = []
    for i, (product, feature, (plain, polite, keyword, howto)) in enumerate(_combinations(count, rng)):
        questions = (
            f"{product}の{feature}{plain}",
            f"{rng.choice(_OPENERS)}{product}で{feature}{polite}。{rng.choice(_CLOSERS)}",
            f"{product} {feature} {keyword}",
            f"{product}の{feature}{howto}を教えてください",
            f"{feature}{plain}{rng.choice(_CASUAL_ENDS)}（{product}）",
        )
        answer = (
            f"{product}の{feature}{plain}場合は、アプリの設定画面から"
            f"「{feature}」を開き、画面の案内に従って操作してください。\n"
            f"解決しない場合は、{product}のサポートページをご確認ください。\n"
        )
        entries.append(
            GeneratedEntry(f"gen-{i:05d}", f"{product}について", questions, answer, product, feature, plain)
        )
    return entries


def probe_queries(entries: list[GeneratedEntry], count: int, seed: int = 11) -> list[tuple[str, str]]:
    """``count`` labelled queries ``(text, entry id)`` in a phrasing no stored question uses.

    They measure accuracy on the generated part of the knowledge base, where
    the dev set says nothing: 「家計簿アプリを使っています。通知が届かないです」.
    """
    rng = random.Random(seed)
    picks = rng.sample(entries, min(count, len(entries)))
    return [(f"{e.product}を使っています。{e.feature}{e.topic}です", e.id) for e in picks]


def _yaml_text(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; no quoting rules to get wrong.
    return json.dumps(value, ensure_ascii=False)


def write_entries(folder: Path, entries: list[GeneratedEntry]) -> list[Path]:
    """Write ``entries`` as ``folder/gen-NNNN.yaml`` files; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(entries), ENTRIES_PER_FILE):
        chunk = entries[start : start + ENTRIES_PER_FILE]
        lines = ["category: 製品・サービス全般のよくある質問", "entries:"]
        for entry in chunk:
            lines.append(f"  - id: {entry.id}")
            lines.append(f"    question: {_yaml_text(entry.questions[0])}")
            lines.append("    alternates:")
            lines.extend(f"      - {_yaml_text(q)}" for q in entry.questions[1:])
            lines.append(f"    answer: {_yaml_text(entry.answer)}")
        path = folder / f"gen-{start // ENTRIES_PER_FILE:04d}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def generate_kb(
    dest: Path | str,
    distractors: int,
    seed: int = 7,
    source: Path | None = None,
    inherit_decision: bool = True,
    state_weight: bool = False,
) -> Path:
    """Copy the shipped knowledge base (or ``source``) into ``dest`` and add ``distractors`` entries.

    ``dest`` must not exist yet or be empty; the result loads with
    :func:`faqbot.kb.loader.load_knowledge_base`.  ``inherit_decision``: state the source's
    fitted score cut as the copy's ``router.threshold``; ``state_weight``: state the source's
    lexical weight, stated or fitted (see the module docstring).
    """
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; pass a new folder")
    shutil.copytree(source or SHIPPED_KB, dest, dirs_exist_ok=True)
    unstate_the_weight(dest / "service.yaml")
    unstate_the_decision(dest / "service.yaml")  # stated again below as the threshold, or fitted anew
    if state_weight:
        _state_the_weight(source or SHIPPED_KB, dest / "service.yaml")
    if inherit_decision:
        _state_the_decision(source or SHIPPED_KB, dest / "service.yaml")
    if distractors:
        write_entries(dest / "faq", generate_entries(distractors, seed))
    return dest


def _state_the_decision(source: Path, service: Path) -> None:
    """Write ``source``'s fitted score cut into the copy's ``service.yaml`` as ``router.threshold``."""
    from faqbot.answers.engine_cache import load_engine  # the source's engine, cached: not built per copy

    router = load_engine(source).router
    if router.kb.settings.threshold is not None:
        return  # the copy states it already
    # The cut the source states (137th rule), else the one its fit chose: the same 0.2883 today.
    stated = router.kb.settings.score_cut
    cut = router.calibration.score_cut if stated is None else stated
    if cut is None:
        return  # a probability cut: not expressible as a threshold on the score
    _state(service, f"threshold: {cut:.4f}")


def _state_the_weight(source: Path, service: Path) -> None:
    """Write ``source``'s lexical weight (stated or fitted) into the copy's ``service.yaml``."""
    from faqbot.answers.engine_cache import load_engine  # cached, as for the decision

    _state(service, f"lexical_weight: {load_engine(source).router.lexical_weight:g}")


def _state(service: Path, setting: str) -> None:
    """Add ``setting`` (``key: value``) first under ``service``'s ``router:`` section, opening one if it has none."""
    text = service.read_text(encoding="utf-8")
    if "\nrouter:\n" not in text:
        text += "router:\n"
    service.write_text(text.replace("\nrouter:\n", f"\nrouter:\n  {setting}\n", 1), encoding="utf-8")


def unstate_the_weight(service: Path) -> None:
    """Remove a stated ``router.lexical_weight`` (and the comment lines just above it) from ``service``."""
    _unstate(service, "lexical_weight")


def unstate_the_decision(service: Path) -> None:
    """Remove a stated ``router.score_cut`` (and the comment lines just above it) from ``service``."""
    _unstate(service, "score_cut")


def _unstate(service: Path, key: str) -> None:
    lines = service.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.strip().startswith(f"{key}:")), None)
    if at is None:
        return
    start = at
    while start > 0 and lines[start - 1].strip().startswith("#"):
        start -= 1
    service.write_text("".join(lines[:start] + lines[at + 1 :]), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="new folder for the knowledge base")
    parser.add_argument("--entries", type=int, default=10_000, help="synthetic entries to add")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shipped-weight", action="store_true",
                        help="state the shipped KB's lexical weight (accuracy among distractors); "
                             "default: the mixture fits its own, as the scale benchmarks need")
    args = parser.parse_args()
    generate_kb(args.dest, args.entries, args.seed, state_weight=args.shipped_weight)
    print(f"{args.dest}: shipped knowledge base + {args.entries} synthetic entries")


if __name__ == "__main__":
    main()
