"""The dialogue API: state JSON, step's contract, rendering and the control phrases."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue import (
    Choice,
    DialogueState,
    Fact,
    Handoff,
    Link,
    Reply,
    ellipsis,
    help_reply,
    initial_state,
    phrases,
    render_reply_html,
    render_reply_text,
    reply_json,
    step,
)
from faqbot.dialogue.language import detect_language, message_language
from faqbot.errors import InputError
from faqbot.kb.loader import load_knowledge_base
from faqbot.text.normalize import normalize_term
from tests.conftest import make_kb, replace_once

TODAY = date(2026, 11, 26)


def _play(engine: Engine, *messages: str) -> tuple[Reply, DialogueState]:
    state = initial_state()
    reply: Reply | None = None
    for message in messages:
        reply, state = step(engine, state, message, TODAY)
    assert reply is not None
    return reply, state


# --- state JSON -------------------------------------------------------------

FULL_STATE = DialogueState(
    form="next-billing-date",
    asking="expiry",
    product="mobile",
    plan="annual",
    expiry=date(2027, 4, 30),
    last="payment-methods",
    choices=("resume", "cancel"),
    misses=1,
)


@pytest.mark.parametrize("state", [initial_state(), FULL_STATE])
def test_state_round_trips_through_json_text(state: DialogueState) -> None:
    text = json.dumps(state.to_json())
    assert DialogueState.from_json(json.loads(text)) == state


def test_state_json_is_the_documented_shape() -> None:
    assert FULL_STATE.to_json() == {
        "v": 1,
        "form": "next-billing-date",
        "asking": "expiry",
        "product": "mobile",
        "plan": "annual",
        "expiry": "2027-04-30",
        "last": "payment-methods",
        "choices": ["resume", "cancel"],
        "misses": 1,
        "card_digits": 0,
        "lang": "ja",
    }


@pytest.mark.parametrize(
    ("state", "begun"),
    [
        (DialogueState(), False),
        (DialogueState(lang="en"), False),  # the language alone: nothing has happened yet
        (DialogueState(last="cancel-howto"), True),
        (DialogueState(misses=1), True),
        (DialogueState(product="mac"), True),
        (DialogueState(form="next-billing-date", asking="expiry"), True),
    ],
)
def test_a_state_has_begun_once_anything_but_small_talk_happened(state: DialogueState, begun: bool) -> None:
    assert state.begun() is begun


def test_a_state_without_card_digits_still_loads() -> None:
    """Tokens signed before the field existed continue their conversation."""
    data = FULL_STATE.to_json()
    del data["card_digits"]
    assert DialogueState.from_json(data) == FULL_STATE


def test_state_without_lang_is_read_as_japanese() -> None:
    # States sent before the conversation's language was kept are still accepted.
    data = {k: v for k, v in FULL_STATE.to_json().items() if k != "lang"}
    assert DialogueState.from_json(data).lang == "ja"


def test_state_with_unknown_lang_is_refused() -> None:
    with pytest.raises(InputError, match="lang"):
        DialogueState.from_json({**FULL_STATE.to_json(), "lang": "fr"})


def _with(**changes: Any) -> dict[str, Any]:
    data = FULL_STATE.to_json()
    data.update(changes)
    return data


GARBAGE: list[Any] = [
    None,
    "state",
    42,
    [],
    {},
    {"v": 1},
    {**FULL_STATE.to_json(), "extra": 1},
    _with(v=2),
    _with(card_digits=-1),
    _with(card_digits=19),
    _with(card_digits="8"),
    _with(card_digits=True),
    _with(v=True),
    _with(v="1"),
    _with(form=3),
    _with(form="Next Billing"),
    _with(form="<script>"),
    _with(asking="colour"),
    _with(product=["mobile"]),
    _with(plan="a" * 200),
    _with(expiry="2027-02-30"),
    _with(expiry="31/03/2027"),
    _with(expiry=20270331),
    _with(last={"id": "x"}),
    _with(choices="resume"),
    _with(choices=[1, 2]),
    _with(choices=["entry:about"] * 21),
    _with(choices=["entry:<b>"]),
    _with(misses=-1),
    _with(misses=1.5),
    _with(misses=True),
    _with(misses=10**9),
]


@pytest.mark.parametrize("data", GARBAGE, ids=[str(i) for i in range(len(GARBAGE))])
def test_from_json_rejects_garbage(data: Any) -> None:
    with pytest.raises(InputError):
        DialogueState.from_json(data)


def test_state_stays_small_and_holds_no_answer_text(engine: Engine) -> None:
    _, state = _play(engine, "あんしん自動更新を解約したい", "モバイルの場合は？")
    text = json.dumps(state.to_json(), ensure_ascii=False)
    assert len(text) < 400
    assert "解約について" not in text  # ids only, never the answer


# --- step's contract --------------------------------------------------------


@pytest.mark.parametrize("message", [None, 42, b"bytes"])
def test_step_rejects_non_text(engine: Engine, message: Any) -> None:
    with pytest.raises(InputError):
        step(engine, initial_state(), message, TODAY)


def test_step_rejects_an_overlong_message(engine: Engine) -> None:
    with pytest.raises(InputError):
        step(engine, initial_state(), "あ" * 1001, TODAY)


def test_step_is_pure(engine: Engine) -> None:
    state = initial_state()
    first = step(engine, state, "次の請求日はいつですか？", TODAY)
    second = step(engine, state, "次の請求日はいつですか？", TODAY)
    assert first == second
    assert state == initial_state()


def test_empty_message_asks_for_a_question_and_keeps_the_state(engine: Engine) -> None:
    _, state = _play(engine, "次の請求日はいつですか？")
    reply, after = step(engine, state, "   ", TODAY)
    assert "入力してください" in reply.text
    assert after == state


def test_stale_references_from_an_old_state_are_dropped(engine: Engine) -> None:
    stale = DialogueState(form="no-such-entry", asking="plan", product="no-such-product", last="gone",
                          choices=("entry:gone", "entry:about"))
    reply, state = step(engine, stale, "1", TODAY)
    assert state.product is None and state.form is None
    assert reply.intent != "about"  # the choices were dropped, so 「1」 picks nothing


def test_a_number_out_of_range_asks_again_and_keeps_the_choices(engine: Engine) -> None:
    _, state = _play(engine, "次の請求日はいつですか？", "ウイルスバスター モバイル")
    reply, after = step(engine, state, "7", TODAY)
    assert "1〜2" in reply.text
    assert after.choices == state.choices


@pytest.mark.parametrize("pick", ["product", "２", "②", "2番"])
def test_plan_choice_by_number_in_any_width(engine: Engine, pick: str) -> None:
    reply, state = _play(engine, "次の請求日はいつですか？", "ウイルスバスター モバイル")
    number = next(c.number for c in reply.choices if c.value == "plan:annual")
    message = str(number) if pick == "product" else pick
    # The shipped plans are listed monthly, annual: the written picks below all mean 2.
    assert pick == "product" or number == 2, f"the annual plan is choice {number}, not 2"
    _, after = step(engine, state, message, TODAY)
    assert after.plan == "annual" and after.asking == "expiry"


def test_product_picked_by_number(engine: Engine) -> None:
    reply, state = _play(engine, "次の請求日はいつですか？")
    number = next(c.number for c in reply.choices if c.value == "product:mobile")
    _, after = step(engine, state, str(number), TODAY)
    assert after.product == "mobile"


def test_choice_value_sent_back_by_a_widget_is_accepted(engine: Engine) -> None:
    _, state = _play(engine, "次の請求日はいつですか？")
    _, after = step(engine, state, "product:mac", TODAY)
    assert after.product == "mac"


def test_plans_offered_are_those_the_product_is_sold_on(engine: Engine) -> None:
    reply, _ = _play(engine, "次の請求日はいつですか？", "ウイルスバスター モバイル")
    assert [c.value for c in reply.choices] == ["plan:monthly", "plan:annual"]


def test_goodbye_forgets_the_conversation_but_the_product(engine: Engine) -> None:
    reply, state = _play(engine, "ウイルスバスター モバイル 年額 2027年3月31日 次の請求日", "さようなら")
    assert reply.intent == "goodbye"
    assert state == replace(initial_state(), product="mobile")  # plan, expiry and the flow forgotten


_TOLD_EXPIRY = ("トータルセキュリティ プレミアム 年額 有効期限2027年3月10日 次の請求日は？", "有効期限は2026年12月20日です")


def test_a_past_date_after_a_billing_date_is_refused_and_the_expiry_kept(engine: Engine) -> None:
    _, before = _play(engine, *_TOLD_EXPIRY)
    reply, after = step(engine, before, "2026年11月3日", TODAY)
    assert "今日より前の日付" in reply.text
    assert "変更しました" not in reply.text
    assert after.expiry == date(2026, 12, 20) == before.expiry


def test_a_past_date_with_a_new_plan_changes_the_plan_only(engine: Engine) -> None:
    _, before = _play(engine, *_TOLD_EXPIRY)
    reply, after = step(engine, before, "月額で、2026年11月3日だったら？", TODAY)
    assert "今日より前の日付" in reply.text and "プランを年額版から月額版に変更しました" in reply.text
    assert "有効期限を2026年12月20日から" not in reply.text
    assert (after.plan, after.expiry) == ("monthly", date(2026, 12, 20))


def test_misses_reset_after_an_answer(engine: Engine) -> None:
    _, state = _play(engine, "明日の天気を教えてください", "解約したい")
    assert state.misses == 0
    reply, _ = step(engine, state, "おすすめのレストランはどこですか？", TODAY)
    assert reply.kind == "fallback"


def test_help_reply_offers_examples(engine: Engine) -> None:
    reply, state = help_reply(engine, initial_state(), TODAY)
    assert reply.intent == "help" and reply.choices
    assert state.choices == tuple(c.value for c in reply.choices)


# --- rendering --------------------------------------------------------------

HOSTILE = Reply(
    text='<script>alert("x")</script>\n2行目 & more',
    intent="about",
    decision="answer",
    confidence=0.5,
    choices=(Choice(1, "<img src=x onerror=alert(1)>", 'entry:"x'),),
    links=(Link("<b>page</b>", "javascript:alert(1)"), Link("安全なページ", "https://example.com/?a=1&b=2")),
    facts=(Fact("<i>label</i>", "<u>value</u>"),),
    kind="answer",
)


def test_html_escapes_every_supplied_string() -> None:
    html = str(render_reply_html(HOSTILE))
    for raw in ("<script>", "<img", "<b>page", "<i>label", "<u>value", 'entry:"x'):
        assert raw not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html  # only http(s) URLs become links
    assert 'href="https://example.com/?a=1&amp;b=2"' in html
    assert "<br>" in html  # line breaks of the text survive as markup


def test_text_rendering_lists_facts_choices_and_links() -> None:
    text = render_reply_text(HOSTILE)
    assert text.startswith('<script>alert("x")</script>\n2行目 & more')
    assert "  <i>label</i>: <u>value</u>" in text
    assert "  1. <img src=x onerror=alert(1)>" in text
    assert "参考ページ:" in text and "  - 安全なページ <https://example.com/?a=1&b=2>" in text


def test_reply_json_shape() -> None:
    assert reply_json(replace(HOSTILE, links=(Link("p"),))) == {
        "text": HOSTILE.text,
        "intent": "about",
        "decision": "answer",
        "confidence": 0.5,
        "kind": "answer",
        "choices": [{"number": 1, "label": "<img src=x onerror=alert(1)>", "value": 'entry:"x'}],
        "links": [{"title": "p", "url": None}],
        "facts": [{"label": "<i>label</i>", "value": "<u>value</u>"}],
        "handoff": None,
        "lang": "ja",
    }


def test_reply_json_carries_a_handoff() -> None:
    handoff = Handoff(reason="asked", desk="サポート窓口", summary="客: 人と話したい", phone=None, url="https://example.jp/help")
    assert reply_json(replace(HOSTILE, handoff=handoff))["handoff"] == {
        "reason": "asked",
        "desk": "サポート窓口",
        "phone": None,
        "hours": None,
        "form_url": None,
        "url": "https://example.jp/help",
        "summary": "客: 人と話したい",
    }


# --- control phrases ----------------------------------------------------------


@pytest.mark.parametrize(
    "message, cancel",
    [
        ("やめます", True),
        ("やめます。", True),
        ("キャンセル", True),
        ("キャンセルします", True),
        ("もういいです", True),
        ("やっぱりやめます！", True),
        ("中止", True),
        # Questions about cancelling the SERVICE are not form cancels:
        ("やっぱりやめておきます", True),
        ("解約したい", False),
        ("あんしん自動更新をやめたい", False),
        ("キャンセルの方法を教えて", False),
        ("自動更新をキャンセルしたい", False),
    ],
)
def test_is_cancel(message: str, cancel: bool) -> None:
    assert phrases.is_cancel(message) is cancel


_WHOLE_MESSAGE_PHRASES = {
    # 「有効期限がわからない」 names what is not known: a question, not a bare 「わからない」.
    phrases.is_dont_know: [("わからない", True), ("分かりません。", True), ("覚えていない", True), ("不明", True),
                           ("I don't know", True), ("I do not know.", True), ("有効期限がわからない", False),
                           ("わかりました", False), ("", False)],
    phrases.is_more: [("もっと詳しく", True), ("なんで？", True), ("どうしてですか", True), ("Why?", True),
                      ("なんで請求されたの？", False), ("解約したい", False),
                      ("もう少し詳しく", True), ("もうちょっと詳しく教えて", True), ("もう少し安くならない？", False)],  # 192nd rule
    phrases.is_again: [("もう一度", True), ("もう一回説明して！", True), ("もう１回", True), ("Say that again", True),
                       ("もう一度申し込みたい", False), ("もう一回請求された", False), ("again?", True), ("", False),
                       ("本当に？", True), ("Really?", True), ("本当に解約できる？", False),
                       # a pointer at the last answer in front (172nd rule)
                       ("さっきのもう一回", True), ("先ほどの回答をもう一度お願いします", True), ("the answer again", True),
                       ("さっきの解約", False), ("今の料金をもう一度", False),
                       # asking whether it is wrong or right doubts it too (175th rule)
                       ("間違いじゃない？", True), ("合ってる？", True), ("Is that right?", True),
                       ("カード番号が間違ってない？", False)],
    # 「ログインできない」 names what failed: a question of its own.
    phrases.is_stuck: [("できない", True), ("うまくいきません。", True), ("やってみたけどだめ", True), ("It didn't work", True),
                       ("ログインできない", False), ("解約できない", False), ("できますか", False), ("", False),
                       ("それでもダメでした", True), ("やっぱりできない", True), ("まだ解約できない", False),
                       ("Still not working", True), ("それでもわからなかったら？", True), ("ダメなら？", True),
                       ("うまくいかなかったらどうすればいいですか", True), ("What if it doesn't work?", True),
                       ("解約できなかったら？", False), ("どうすればいい？", False), ("ログインできない場合は？", False),
                       # "however often I try" says "still", and a bare ダメ after it fails (170th rule).
                       ("何回やってもダメ", True), ("それでもダメ", True), ("何度やってもできない", True),
                       ("どうしてもできない", True), ("ダメ？", False), ("無理", False), ("何度やってもログインできない", False)],
    # A question announced, not asked; one that names its topic is asked.
    phrases.about_my_case: [("私の場合だと何日ごろ？", True), ("じゃあわたしの場合、お知らせは？", True),
                            ("In my case, when is it?", True), ("請求はいつ？", False), ("私のカード", False)],
    phrases.announces: [("質問があります", True), ("ちょっと相談いい？", True), ("聞きたいことがあるんですが。", True),
                        ("I have a question", True), ("解約について質問があります", False),
                        ("相談窓口はありますか", False), ("質問", False), ("", False),
                        # 「ちょっと」 makes 「教えて」 an opener; bare, after an answer, it asks about that answer.
                        ("ちょっと教えてください", True), ("聞きたいんですけど", True), ("教えて", False),
                        ("解約について教えてください", False),
                        # The te-form and 「…んですけど」 (161st rule): they got the support desk.
                        ("ちょっと聞きたいことがあって", True), ("相談があって", True), ("聞きたいことがあるんですけど", True)],
}


@pytest.mark.parametrize(
    ("predicate", "message", "expected"),
    [(predicate, message, expected) for predicate, rows in _WHOLE_MESSAGE_PHRASES.items() for message, expected in rows],
    ids=lambda value: getattr(value, "__name__", repr(value)),
)
def test_whole_message_phrases(predicate: Callable[[str], bool], message: str, expected: bool) -> None:
    assert predicate(message) is expected


@pytest.mark.parametrize(
    "message, lang",
    [("英語でお願いします", "en"), ("Do you speak Japanese?", "ja"), ("日本語で！", "ja"), ("English please", "en"),
     ("英語で請求書は出せますか", None), ("日本語", None),
     # the other common ways (179th rule)
     ("Can you answer in English?", "en"), ("Reply in English", "en"), ("英語でも大丈夫ですか", "en"),
     ("日本語で回答してください", "ja"), ("Can we talk in Japanese?", "ja"), ("Can I get the invoice in English?", None)],
)
def test_language_asked(message: str, lang: str | None) -> None:
    assert phrases.language_asked(message) == lang


@pytest.mark.parametrize(
    "message, back",
    [("Where do I do that?", True), ("when does it arrive", True), ("How much is it?", True),
     ("Where do I change my card?", False), ("that", False), ("それはいつ？", False),
     ("Is it possible to cancel the renewal after the notice has been sent to me?", False)],
)
def test_points_back(message: str, back: bool) -> None:
    assert ellipsis.points_back(message) is back


@pytest.mark.parametrize(
    "message, only",
    [("トータルセキュリティです", True), ("月額は？", True), ("Macです", True), ("プレミアム", True),
     ("モバイルの更新料は？", False), ("解約したい", False), ("ありがとう", False),
     ("月額にしたら？", True),  # する serves grammar
     ("パスワード忘れた", False),  # 忘れる does not (unidic marks both 非自立可能); パスワード is no product here
     ("I use a Mac", True), ("I have a Mac", True), ("I use a Mac for work", False)],
)
def test_names_only(message: str, only: bool) -> None:
    names = ["ウイルスバスター トータルセキュリティ プレミアム", "ウイルスバスター for Mac", "mac", "月額版", "月額", "モバイル", "パスワードマネージャー"]
    assert ellipsis.names_only(message, {normalize_term(n) for n in names}) is only


@pytest.mark.parametrize(
    "message, comparison",
    [("年額と月額の違いは？", True), ("月額と年額どっちがいい？", True), ("月額から年額に変えたらどうなる？", False)],
)
def test_compares(message: str, comparison: bool) -> None:
    assert phrases.compares(message) is comparison


@pytest.mark.parametrize(
    "message, supposing",
    [("月額に変えたらどうなる？", True), ("モバイルの場合は？", True), ("Macだと？", True), ("モバイルの更新料は？", False)],
)
def test_supposes(message: str, supposing: bool) -> None:
    assert phrases.supposes(message) is supposing


@pytest.mark.parametrize(
    "message, correction",
    [("モバイルじゃなくてクラウドでした", True), ("年額ではなく月額", True), ("期限を間違えました、4月30日です", True),
     ("月額だったら？", False), ("解約したい", False)],
)
def test_is_correction(message: str, correction: bool) -> None:
    assert phrases.is_correction(message) is correction


@pytest.mark.parametrize(
    "message, number",
    [("1", 1), ("１", 1), ("②", 2), ("2番", 2), ("3番目", 3), ("二番", 2), ("1つ目", 1), ("10", 10),
     ("やっぱり1で", 1), ("じゃあ2番", 2), ("やっぱり2027", None),
     ("2027", None), ("1月", None), ("はい", None), ("", None)],
)
def test_picked_number(message: str, number: int | None) -> None:
    assert phrases.picked_number(message) == number


@pytest.mark.parametrize(
    "message, offered, place",
    [("最初の方", 2, 1), ("後者で", 2, 2), ("上の", 3, 1), ("一番下", 3, 3), ("じゃあ最後の", 3, 3),
     ("The latter", 2, 2), ("the first one", 2, 1), ("second", 3, 2), ("second", 1, None),
     ("最初に聞いた件", 2, None), ("上", 0, None)],
)
def test_picked_ordinal(message: str, offered: int, place: int | None) -> None:
    # Ordinal words pick among the choices offered; "last" is the last of them (185th rule).
    assert phrases.picked_ordinal(message, offered) == place


@pytest.mark.parametrize(
    "message, follow_up",
    [("モバイルの場合は？", True), ("月額だったら？", True), ("Macでは?", True), ("年額なら", True),
     ("月額に変えたらどうなる？", True), ("年額にしたら？", True), ("モバイルにするとどうなりますか", True),
     ("モバイルの解約方法を詳しく教えてください", False)],
)
def test_is_follow_up(message: str, follow_up: bool) -> None:
    assert phrases.is_follow_up(message) is follow_up


@pytest.mark.parametrize(
    "message, index",
    [("クラウド", 0), ("ウイルスバスター クラウド", 0), ("デジタルライフ", 1), ("mac", 2), ("ウイルスバスター", None), ("x", None)],
)
def test_match_label_prefers_the_label_named_most_completely(message: str, index: int | None) -> None:
    labels = ("ウイルスバスター クラウド", "ウイルスバスター クラウド+ デジタルライフサポート プレミアム", "ウイルスバスター for Mac")
    assert phrases.match_label(message, labels) == index


def test_references_carry_the_url_the_knowledge_base_has(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path,
        {"faq/other.yaml": replace_once(
            "      all: [契約内容・有効期限の確認方法]",
            "      all: [{title: 契約内容・有効期限の確認方法, url: 'https://example.jp/check'}]",
        )},
    )
    engine = Engine.build(load_knowledge_base(root))
    reply, _ = step(engine, initial_state(), "契約内容と有効期限を確認したい", date(2026, 11, 26))
    assert Link("契約内容・有効期限の確認方法", "https://example.jp/check") in reply.links
    assert "  - 契約内容・有効期限の確認方法 <https://example.jp/check>" in render_reply_text(reply)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Hi", "en"),
        ("When is my next billing date?", "en"),
        ("次の請求日はいつ？", "ja"),
        ("Macの請求日は？", "ja"),  # Japanese with a product name in letters
        ("PayPayは？", "ja"),  # one word in letters, a Japanese particle: a name in a Japanese question
        ("Galaxyです", "ja"),
        ("Is PayPay OK?", "en"),
        ("Virus Buster Cloudの解約方法", "ja"),  # a name of several words in a Japanese request
        ("PayPay", "en"),  # letters alone still read as English, as "OK" and "Hi" do
        ("2", None),  # a bare number: keep the conversation's language
        ("2027/3/31", None),
        ("a", None),
        ("", None),
    ],
)
def test_detect_language(message: str, expected: str | None) -> None:
    assert detect_language(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Mobile Security", None),  # a product's keyword in letters: the conversation's language stays
        ("Virus Buster Cloud", None),  # a product's English name
        ("VBC", None),  # an alias
        ("annual", None),  # a plan word
        ("March 31, 2027", None),  # a date
        ("Mobile Security annual March 31, 2027", None),
        ("Mobile Securityです", "ja"),  # two words in letters, but all a name: the Japanese decides
        ("年額", None),  # a plan word in Japanese: an English conversation stays English
        ("I use a Mac", "en"),  # an English sentence around a name
        ("What about monthly?", "en"),
        ("PayPay", "en"),  # no name of this knowledge base: letters read as English
    ],
)
def test_message_language_leaves_out_names_and_dates(engine: Engine, message: str, expected: str | None) -> None:
    assert message_language(engine.kb, message, TODAY) == expected


def test_a_handoff_summary_quoting_a_lone_surrogate_can_be_sent_as_utf8(engine: Engine) -> None:
    # A JSON "\ud800" escape reaches the Python API as a lone surrogate; the desk's summary
    # quotes the message, and must still encode (found by tests/test_properties_dialogue.py).
    state = initial_state()
    for message in ("qqq zzz", "\ud800 xxx 人と話したい"):
        reply, state = step(engine, state, message, date(2026, 11, 26))
    assert reply.handoff is not None
    assert "\ufffd" in reply.handoff.summary
    reply.handoff.summary.encode("utf-8")


def test_a_handoff_summary_is_labelled_in_the_conversations_language(engine: Engine) -> None:
    # The summary quotes questions and names in the conversation's language; its labels follow.
    state = initial_state()
    for message in ("qqq zzz", "xxx yyy", "I want to talk to a person"):
        reply, state = step(engine, state, message, date(2026, 11, 26))
    assert reply.handoff is not None
    assert "Customer's message: I want to talk to a person" in reply.handoff.summary
    assert "お客さまのメッセージ" not in reply.handoff.summary


@pytest.mark.parametrize(
    ("message", "intent", "noted"),
    [
        ("ウイルスバスター モバイルを使っています", "fallback", "ウイルスバスター モバイルですね"),
        ("こんにちは、Macを使っています", "greeting", "ウイルスバスター for Macですね"),
        ("どうも。会社のPCにトータルセキュリティ スタンダードを入れてます", "greeting", "ウイルスバスター トータルセキュリティ スタンダードですね"),
        ("iPhoneでウイルスバスター使ってます", "fallback", "ウイルスバスター モバイルですね"),
    ],
)
def test_first_message_naming_only_a_product_is_noted(engine: Engine, message: str, intent: str, noted: str) -> None:
    reply, state = _play(engine, message)
    assert (reply.kind, reply.intent) == ("clarify", intent)
    assert noted in reply.text
    assert state.product is not None


@pytest.mark.parametrize("message", ["iPhoneを使っています", "I use an iPhone", "スマホです"])
def test_first_message_naming_only_a_device_offers_its_products(engine: Engine, message: str) -> None:
    reply, state = _play(engine, message)
    assert (reply.kind, reply.intent) == ("clarify", "fallback")
    assert [choice.value for choice in reply.choices] == ["product:mobile"]
    assert state.product is None


def test_a_complaint_naming_a_product_keeps_it(engine: Engine) -> None:
    reply, state = _play(engine, "ウイルスバスター モバイルの身に覚えのない請求が来てる。ふざけないで")
    assert reply.kind == "handoff"
    assert state.product == "mobile"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("担当者につないでください", "contact"),  # a request for a person is the desk's question
        ("返金しろ、担当者につないで", "contact"),  # a refund demand that asks for a person too
        ("返金してほしい", "fallback"),  # the page says nothing of refunds
        ("ふざけるな", "fallback"),  # a complaint asks nothing
    ],
)
def test_a_hand_over_carries_the_entry_it_answers(engine: Engine, message: str, intent: str) -> None:
    reply, _ = _play(engine, message)
    assert (reply.kind, reply.intent) == ("handoff", intent)


@pytest.mark.parametrize(
    ("expiry", "refused"),
    [
        ("04/03/2027", "「04/03/2027」は月と日（または年）の順序が分からず、2通りに読めます。"),
        ("27/3/31", "「27/3/31」は月と日（または年）の順序が分からず、2通りに読めます。"),
        ("31/03/2027", None),  # one reading only: 2027-03-31
    ],
)
def test_an_ambiguous_slash_date_is_refused_not_guessed(engine: Engine, expiry: str, refused: str | None) -> None:
    reply, state = _play(engine, "次の請求日を知りたい", "モバイル", "年額", expiry)
    if refused is None:
        assert "2027年2月28日頃" in reply.text and state.asking is None
    else:
        assert refused in reply.text and "2027-03-04" in reply.text and state.asking == "expiry"


@pytest.mark.parametrize("message", ["明日の東京の天気は？", "ｘｙｚ"])
def test_a_miss_at_the_most_misses_a_state_carries_stays_a_state_it_accepts(engine: Engine, message: str) -> None:
    # Found by hypothesis: a browser's state with misses=100 left a fallback turn with 101, which
    # from_json refuses; the count stops at the most a state may carry.
    state = DialogueState.from_json({**initial_state().to_json(), "misses": 100})
    _, after = step(engine, state, message, TODAY)
    assert after.misses == 100
    assert DialogueState.from_json(json.loads(json.dumps(after.to_json()))) == after
