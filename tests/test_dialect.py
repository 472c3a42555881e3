"""Tests of faqbot.text.dialect: regional forms read as standard Japanese, standard text untouched."""

from __future__ import annotations

import pytest

from faqbot.answers.answering import Engine
from faqbot.text.dialect import forms, key_of, standard_japanese


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("延長せんでほしいんやけど、どうしたらええ？", "延長しないでほしいんだけど、どうしたらいい？"),
        ("いつ切れるんか覚えとらんのやけど", "いつ切れるのか覚えていないのだけど"),
        ("おおきに！", "ありがとう！"),
        ("何聞けばええの？", "何聞けばいいの？"),
        ("メールが届かへん", "メールが届かない"),
        ("ログインできひん", "ログインできない"),
        ("わからへんかった", "わからなかった"),
        ("カードが使えへん", "カードが使えない"),
        ("まだ解約せんと使っとる", "まだ解約しないと使っている"),
        ("せえへんかったらどうなるん", "しなかったらどうなるん"),
        ("メール来えへんかった", "メール来なかった"),
        ("まだ見てへんかった", "まだ見ていなかった"),
        ("カード使えへんかった", "カード使えなかった"),
        ("まだ置いとる", "まだ置いている"),
        ("解約しとらんのに請求が来た", "解約していないのに請求が来た"),
        ("もう済んどる", "もう済んでいる"),
        ("どないしたらええ", "どうしたらいい"),
        ("ちゃうの？", "違うの？"),
        ("それはあかん", "それはだめ"),
        ("よくわからん", "よくわからない"),
        ("どないしたらええの", "どうしたらいいの"),
    ],
)
def test_regional_forms_are_read_as_standard_japanese(written: str, standard: str) -> None:
    assert standard_japanese(written) == standard


@pytest.mark.parametrize(
    "text",
    [
        "解約できませんでした",  # ません is no せん
        "たいへん助かりました",  # へん inside a word
        "メールを受けとった",  # 受け取る, not the progressive
        "声を聞きとる",  # 聞き取る
        "アプリが消えちゃう",  # the standard contraction of 〜てしまう
        "やろうと思っています",  # volitional, not the copula
        "ええ、そうです",  # 「ええ」 as yes
        "更新料はいくらですか",
        "How much is it?",
        "",
    ],
)
def test_standard_japanese_is_left_as_it_is(text: str) -> None:
    assert standard_japanese(text) == text


def test_the_router_reads_a_regional_message_as_its_standard_form(engine: Engine) -> None:
    written = "自動更新をやめたいんやけど、どうしたらええ？"
    standard = "自動更新をやめたいんだけど、どうしたらいい？"
    routing = engine.router.route(written)
    assert routing.query == written  # the message as the customer wrote it
    assert (routing.decision, routing.intent) == (engine.router.route(standard).decision, "cancel-howto")


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("おおきに", "おおきに"),
        ("(?<=[かがさたばらわ])へんかった", "へんかった"),
        ("(?:でけ|でき)へんかった", "へんかった"),
        ("(?<=[一-龥])せん(?=で|と|かった)", "せん"),
        ("(?<![ぁ-ゖ])ちゃう", "ちゃう"),
    ],
)
def test_a_forms_key_is_the_longest_run_of_letters_every_match_holds(pattern: str, key: str) -> None:
    assert key_of(pattern) == key


def test_every_shipped_form_has_a_key_of_two_letters_or_more() -> None:
    # The key is what keeps standard text cheap: a one-letter key (「ん」) would run the pattern on nearly every text.
    short = [form.pattern for form in forms() if len(form.key) < 2]
    assert short == []
