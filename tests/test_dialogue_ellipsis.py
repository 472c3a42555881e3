"""Elliptical questions: which messages leave their topic to the conversation, and what the topic is."""

from __future__ import annotations

import pytest

from faqbot.answers.answering import Engine
from faqbot.dialogue.ellipsis import (
    adds_a_topic,
    adverbs,
    also_asked,
    bare_interrogative,
    is_elliptical,
    is_short,
    judges_only,
    names_a_thing,
    names_its_own,
    names_own_topic,
    pointed_nouns,
    restates,
    topic_of,
    with_topic,
)


@pytest.mark.parametrize(
    ("message", "elliptical"),
    [
        ("いつ払うの？", False),  # 払う says what is asked: routed as it is
        ("やめたいんだけど？", False),
        ("どこで？", True),
        ("いつまでに", True),  # an interrogative makes it a question without 「？」
        ("それって手数料かかる？", True),  # a demonstrative points back, whatever it names
        ("届かなかったら？", False),
        ("どうやるの？", True),  # やる is auxiliary-like (非自立可能): no content of its own
        ("いくら？", False),  # asks for a price: routed as it is
        ("例えばどういうとき？", True),  # どういう (どう + 言う) asks what kind; とき is a time word
        ("どういう場合？", True),
        ("何て言うの？", False),  # 言う said outright
        ("それはいつ頃？", True),  # unidic's common noun いつ頃 asks, it names nothing
        ("申し込みは？", False),  # names its own topic
        ("ありがとう", False),  # not a question
        ("わかりました", False),
        ("When?", False),  # English: not read this way
        ("更新料はいつ請求されますか？", False),
        ("それで、登録しているクレジットカードの有効期限が切れたらどうなりますか？", False),  # too long to be elliptical
        ("その手続きってスマホからでもできる？", True),  # その points back at any length (119th rule)
        ("その場合の請求はいつ頃になるのでしょうか？", True),
        ("それって手続きはスマホからでもできるんですか？", False),  # other demonstratives: short ones only
        ("このメールに書いてある請求って何のことですか？", False),  # この may point at a thing in front of them
        ("その手続きはスマホからでもできます", False),  # not a question
        ("", False),
    ],
)
def test_is_elliptical(message: str, elliptical: bool) -> None:
    assert is_elliptical(message) is elliptical


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("延長期間と更新料はいくらですか？", "更新料"),  # the last of nouns joined by と
        ("更新料はいつ請求されますか？", "更新料"),
        ("請求の前にお知らせはありますか？", "お知らせ"),
        ("登録しているクレジットカードを変更したい", "クレジットカード 変更"),  # with the action after を
        ("契約内容や有効期限を確認するには？", "有効期限 確認"),
        # の joins; the aspect the question asked (方法) is not what a follow-up is about
        ("あんしん自動更新の申し込み方法を教えてください", "あんしん自動更新の申し込み"),
        ("方法を教えてください", "方法"),  # nothing but the aspect: kept
        ("クレジットカード以外で支払えますか？", "クレジットカード以外"),  # no は/を/が: the nouns
    ],
)
def test_topic_of(question: str, topic: str) -> None:
    assert topic_of(question) == topic


@pytest.mark.parametrize(
    ("message", "own"),
    [
        ("Where do I do that?", False),  # question, function and pointing words only
        ("How do I do it?", False),
        ("And when is it charged?", True),
        ("Where can I change it?", True),
    ],
)
def test_names_its_own(message: str, own: bool) -> None:
    assert names_its_own(message) is own


@pytest.mark.parametrize(
    ("message", "noun"),
    [
        ("カードも", "カード"),
        ("メールアドレスも？", "メールアドレス"),
        ("お知らせメールも", "お知らせメール"),
        ("私も", ""),  # a pronoun: "me too" asks nothing about a thing
        ("それも", ""),
        ("カードは？", ""),  # not "too": a question of its own
        ("カードを変えたいのですがメールアドレスも", ""),  # longer than an elliptical question
        ("変えたいも", ""),  # not a noun phrase
    ],
)
def test_also_asked(message: str, noun: str) -> None:
    assert also_asked(message) == noun


@pytest.mark.parametrize(
    ("question", "noun", "swapped"),
    [
        ("お知らせメールの送信先（メールアドレス）を変更したい", "カード", "カードを変更したい"),
        ("登録しているクレジットカードを変更したい", "メールアドレス", "登録しているメールアドレスを変更したい"),
        ("あんしん自動更新の申し込み方法は？", "解約", "解約方法は?"),  # the aspect noun stays
        ("いつ請求されますか", "カード", ""),  # no topic marked: nothing to swap
    ],
)
def test_with_topic(question: str, noun: str, swapped: str) -> None:
    assert with_topic(question, noun) == swapped


@pytest.mark.parametrize(
    ("message", "short"),
    [("変え方おしえて", True), ("how do I change it", False), ("", False), ("自動更新の解約方法を詳しく教えてください", False)],
)
def test_is_short(message: str, short: bool) -> None:
    assert is_short(message) == short


@pytest.mark.parametrize(
    ("message", "names"),
    [("それって解約もできる？", True), ("それって無料？", True), ("それってどこで？", False), ("それっていつ？", False),
     ("どうやって？", False), ("", False)],
)
def test_names_own_topic(message: str, names: bool) -> None:
    # A content word besides the pointer back (解約, 無料); interrogatives and manner adverbs say nothing.
    assert names_own_topic(message) == names


@pytest.mark.parametrize(
    ("message", "adds"),
    [("それって解約もできる？", True), ("カードも変えられる？", True), ("それもできる？", False), ("私も知りたい", False),
     ("どこで変更できますか", False), ("", False)],
)
def test_adds_a_topic(message: str, adds: bool) -> None:
    # 「も」 after a content word marks another thing than the one just talked about; after a pronoun
    # (それ, 私) it adds nothing to route on.
    assert adds_a_topic(message) == adds


@pytest.mark.parametrize(
    ("message", "nouns"),
    [("その窓口ってどこ？", ("窓口",)), ("そのサポート窓口の電話番号は？", ("サポート", "窓口")),
     ("このメールは何？", ("メール",)), ("その手続きってスマホからでもできる？", ("手続き",)),
     ("その場合は？", ()), ("それってどこ？", ()), ("窓口はどこ？", ()), ("そのうち解約したい", ()), ("", ())],
)
def test_pointed_nouns(message: str, nouns: tuple[str, ...]) -> None:
    # The compound right after a determiner, as lemmas; a pronoun (それ), no determiner, or an adverbial
    # noun (場合, unidic 副詞可能: it names no thing) points at none.
    assert pointed_nouns(message) == nouns


@pytest.mark.parametrize(
    ("message", "topic", "restated"),
    [("変更の手続きは？", "クレジットカード 変更", True), ("変更方法は？", "クレジットカード 変更", True),
     ("カードの変更は？", "クレジットカード 変更", True),  # unidic cuts クレジットカード in two
     ("メールの変更は？", "クレジットカード 変更", False),
     ("申し込みの手続きは？", "クレジットカード 変更", False), ("手順は？", "クレジットカード 変更", False),
     ("更新料はいつ払うの？", "更新料", False), ("変更の手続きをしました", "クレジットカード 変更", False),
     ("変更の手続きは？", "", False),
     # Verdicts (駄目, 必要) judge what is asked about, naming nothing (147th rule).
     ("カードじゃないとダメ？", "クレジットカード以外", True), ("カードは必要？", "クレジットカード以外", True),
     ("メールじゃないとダメ？", "クレジットカード以外", False)],
)
def test_restates(message: str, topic: str, restated: bool) -> None:
    # Only the topic's words and aspect nouns (手続き, 方法, 手順), one of them the topic's; a question.
    assert restates(message, topic) == restated


@pytest.mark.parametrize(
    ("message", "restated"),
    [("クレカでもいい？", True), ("クレジットカードでもいい？", True), ("メアドでもいい？", False)],
)
def test_a_synonym_of_a_topic_word_is_the_topics(engine: Engine, message: str, restated: bool) -> None:
    # 「クレカ」 and 「クレジットカード」 are one word to the router (synonyms.yaml), so to the topic too (181st rule).
    same = engine.router.char_channel.canonical
    assert restates(message, "クレジットカード以外", same) == restated
    assert not restates("クレカでもいい？", "クレジットカード以外")  # read as written, クレカ is not the topic's lemma


_FORMS = ("mac", "もばいる", "月額")  # names as the extractor's name_forms hold them (normalize_term)


@pytest.mark.parametrize(
    ("message", "thing"),
    [
        ("Macの領収書がほしい", True),
        ("モバイルの動作が重いんだけど", True),
        ("あ、Macのほうでした", False),  # 方: points, names nothing
        ("ごめん、月額だった", False),  # 御免: an apology unidic files as a noun
        ("会社のMacのやつです", False),  # 会社: whose (a context noun); 奴: points
        ("ﾓﾊﾞｲﾙ ﾃﾞｼﾀ", False),  # katakana: unidic would make デシタ a noun
        ("What about the Mac receipt?", False),  # English: parts of speech not read
    ],
)
def test_names_a_thing(message: str, thing: bool) -> None:
    assert names_a_thing(message, _FORMS, frozenset({"会社"})) is thing


@pytest.mark.parametrize(
    ("message", "judged"),
    [("ダメなの？", True), ("ダメなんですか？", True), ("無理ですか", True), ("必要？", True),
     ("カードはダメなの？", False),  # names a thing: routed with it (restates may still read it)
     ("ダメだ", False),  # no question
     ("どうなの？", False),  # no verdict
     ("Is that not allowed?", False)],  # Japanese only, as every short reading here
)
def test_judges_only(message: str, judged: bool) -> None:
    # A short question naming nothing but a verdict judges the last answer (160th rule).
    assert judges_only(message) == judged


@pytest.mark.parametrize(
    ("message", "lemmas"),
    [("つまり何？", {"詰まり"}), ("結局どうなるの？", {"どう"}), ("それって手数料かかる？", set())],
)
def test_adverbs(message: str, lemmas: set[str]) -> None:
    # unidic's 副詞 as its lemmas (つまり is 詰まり, as the analyser's terms spell it); 結局 is an
    # adverbial noun (名詞 副詞可能), not an adverb.
    assert adverbs(message) == lemmas


@pytest.mark.parametrize(
    ("message", "bare"),
    [("Where?", True), ("how?", True), ("When？", True), ("Where", False), ("Where do I do that?", False),
     ("Why?", False), ("どこで？", False)],
)
def test_bare_interrogative(message: str, bare: bool) -> None:
    # One English question word and a question mark (195th rule); "Why?" asks for more, a control phrase.
    assert bare_interrogative(message) is bare
