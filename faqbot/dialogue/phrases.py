"""Conversation-control phrases: cancel, yes/no, 「もっと詳しく」, numbered picks, follow-ups.

These words steer the conversation rather than ask about the service, so they
live with the dialogue manager, not in the knowledge base.  They only ever
match a *whole* short message: 「解約したい」 or 「自動更新をやめたい」 is a question
about cancelling the service (the router's job), while a bare 「やめます」 typed
while the billing form is open abandons the form.
"""

from __future__ import annotations

import re
import unicodedata

from faqbot.routing.entities import after_correction
from faqbot.text.normalize import normalize_term

# Whole messages (normalised by :func:`_squash`) that abandon an open form.
_CANCEL = frozenset(
    _w
    for _w in (
        "やめます", "やめる", "やめて", "やめとく", "やめておきます", "やめました",
        "止めます", "止める", "辞めます",
        "キャンセル", "キャンセルします", "キャンセルで", "キャンセルしてください",
        "もういいです", "もういい", "もう結構です", "結構です", "いいです",
        "中止", "中止します", "中断", "中断します", "取り消し", "取り消します", "取消",
        "やっぱりいいです", "やっぱりやめます", "やっぱりやめる", "やっぱいいや", "やっぱりやめておきます",
        "やっぱりいい", "やっぱりいいや", "やめておく", "やめとこう",
        "cancel", "stop", "quit", "never mind", "nevermind",
    )
)
_YES = frozenset(
    (
        "はい", "うん", "ええ", "はいはい", "うんうん", "はーい", "お願いします", "おねがいします", "はいお願いします",
        "続ける", "続けます", "続けて", "続けてください", "続きを", "続きをお願いします",
        "再開", "再開します", "ok", "okです", "オッケー", "yes", "y", "sure",
    )
)
_NO = frozenset(("いいえ", "いえ", "いや", "いいや", "no", "n", "しない", "しません", "大丈夫です"))
# Whole messages saying the customer does not know what the form asks (「わからない」).
_DONT_KNOW = frozenset(
    (
        "わからない", "分からない", "わかりません", "分かりません", "わかんない", "不明", "不明です",
        "知らない", "知りません", "覚えていない", "覚えてない", "覚えていません", "忘れた", "忘れました",
        "確認できない", "どれかわからない", "don't know", "dont know", "i don't know", "i do not know", "do not know",
        "not sure", "i'm not sure", "no idea", "i have no idea", "i don't remember", "i forgot",
    )
)
_MORE = frozenset(
    (
        "もっと詳しく", "もっと詳しく教えて", "もっと詳しく教えてください", "詳しく", "詳しく教えて",
        "詳しく教えてください", "詳細", "詳細を教えて", "もっと", "ほかには", "他には", "その他",
        "関連する質問", "関連する質問は", "関連", "もっと知りたい", "more", "tell me more", "details",
        # A bare 「なんで？」 after an answer asks for more than it says; routed, it matched whichever
        # entry shared the last answer's topic (cancel-howto after the auto-cancellation answer).
        "なんで", "なぜ", "どうして", "なんでですか", "なぜですか", "どうしてですか", "why", "how come",
    )
)
# Whole messages asking for the last answer once more.
_AGAIN = frozenset(
    (
        "もう一回", "もう一度", "もう1回", "もう一回説明して", "もう一度説明して", "もう一度説明してください",
        "もう一回お願いします", "もう一度お願いします", "もう一度教えて", "もう一度教えてください", "もう一回教えて",
        "もう一回言って", "もう一度言ってください", "さっきの答えをもう一度", "もう一度見せて",
        # 「本当に？」 doubts the answer: it is given again, as it stands.
        "本当に", "本当ですか", "ほんとに", "ほんと", "ほんとうに", "really", "are you sure",
        "again", "say that again", "repeat", "repeat that", "once more", "one more time", "can you repeat that",
    )
)
# Whole messages saying the last answer's steps did not work for the customer (「できない」 after them).
_STUCK = frozenset(
    (
        "できない", "できません", "できなかった", "できませんでした", "うまくいかない", "うまくいきません",
        "うまくいかなかった", "うまくいきませんでした", "無理でした", "無理だった", "だめでした", "だめだった",
        "ダメでした", "ダメだった", "その通りにやってもできない", "やってみたけどできない", "やってみたけどだめ",
        "it doesn't work", "it does not work", "it didn't work", "that didn't work", "doesn't work",
        "didn't work", "not working", "still not working", "i can't do it", "i couldn't do it",
    )
)
# The same failure put as a condition (「それでもわからなかったら？」): what to do when the steps fail.
_STUCK_IF = frozenset(
    (
        "わからなかったら", "分からなかったら", "わからない場合は", "分からない場合は", "できなかったら",
        "できない場合は", "うまくいかなかったら", "うまくいかない場合は", "だめだったら", "ダメだったら",
        "だめなら", "ダメなら", "無理だったら", "解決しなかったら", "解決しない場合は",
        "if it doesn't work", "what if it doesn't work", "if that doesn't work", "what if that doesn't work",
        "and if it doesn't work",
    )
)
# What may follow a condition and still ask only "what then?" (「…できなかったらどうすればいい？」).
_THEN_WHAT = ("どうすればいいですか", "どうすればいい", "どうすれば", "どうしたらいいですか", "どうしたらいい", "どうしたら")
# Whole sentences or clauses announcing that a question follows: nothing is asked yet.  Routed,
# 「相談」 matched the contact entry (「ちょっと相談いい？」 got the support desk) and 「質問」 the
# small talk's choices.  General Japanese and English, written for faqbot.
_ANNOUNCE = frozenset(
    (
        "質問があります", "質問があるんですが", "質問があるのですが", "質問があるんだけど", "質問です",
        "質問いいですか", "質問してもいいですか", "質問していいですか", "質問いい", "質問してもいい",
        "聞きたいことがあります", "聞きたいことがあるんですが", "聞きたいことがあるのですが",
        "聞きたいことがあるんだけど", "聞きたいことがある", "お聞きしたいことがあります",
        "お伺いしたいことがあります", "教えてほしいことがあります", "教えてほしいことがあるんですが",
        "相談があります", "相談があるんですが", "相談いいですか", "相談いい", "相談してもいいですか",
        "ちょっといいですか", "ちょっといい", "聞きたいんですが", "聞いてもいいですか", "聞いてもいい",
        "聞きたいんですけど", "聞きたいんだけど", "聞きたいのですが", "お聞きしたいのですが", "質問なんですが",
        "質問なんですけど", "教えてほしいんですけど", "教えてほしいんですが",
        # Bare 「教えて」 after an answer asks about that answer; 「ちょっと」 makes it an opener.
        "ちょっと教えて", "ちょっと教えてください", "ちょっと教えてほしい",
        "i have a question", "i have a quick question", "quick question", "can i ask something",
        "can i ask you something", "can i ask a question", "may i ask a question",
    )
)
# Whole messages asking the bot to use a language, by the language they ask for.
_LANGUAGE_ASKED = {
    "en": (
        "英語でお願いします", "英語で", "英語で話して", "英語で話せますか", "英語は使えますか", "英語で答えて",
        "english please", "in english please", "in english", "can you speak english", "do you speak english",
    ),
    "ja": (
        "日本語でお願いします", "日本語で", "日本語で話して", "日本語で話せますか", "日本語は使えますか", "日本語で答えて",
        "japanese please", "in japanese please", "in japanese", "can you speak japanese", "do you speak japanese",
    ),
}
# Endings of a short follow-up about the last answer: 「モバイルの場合は？」「月額だったら？」.
_FOLLOW_UP_ENDINGS = (
    "の場合は", "の場合", "場合は", "だったら", "だったらどう", "ならどう", "なら", "では", "でも", "だと", "は",
    "の時は", "のときは", "ならば",
    # 「月額に変えたらどうなる？」「年額にしたら？」: the answer again with the fact changed.
    "たら", "たらどうなる", "たらどうなりますか", "たらどうなるの", "とどうなる", "とどうなりますか",
)
# Words that mark a message as correcting what was said before: 「モバイルじゃなくてクラウドでした」,
# 「期限を間違えました、4月30日です」.  With a product, plan or date in it, such a message changes
# the last answer's facts whatever else the router finds in it.
# (「…じゃなくて…」 itself is the entity extractor's pattern: :func:`faqbot.routing.entities.after_correction`.)
_CORRECTION_MARKS = (
    "間違え", "まちがえ", "訂正", "違いました", "ちがいました",
    # English is compared with its spaces (see _squash_text).
    "actually", "i mean", "correction", "i was wrong", "my mistake", "my bad",
)
# Words that suppose a changed fact: a follow-up however the router reads the rest of it.
_SUPPOSING_MARKS = ("たら", "なら", "場合", "だと", "とどうなる")
# Words of a comparison: a message naming two plans with one of them names neither as the customer's.
_COMPARISON_MARKS = ("違い", "ちがい", "比較", "比べ", "くらべ", "どっち", "どちらが", "difference", "compare")
# Beginnings of an English follow-up: "what about mobile?", "and if it were monthly?".
_FOLLOW_UP_STARTS = ("what about", "how about", "and if", "what if", "and for", "and with", "if it", "and the", "and on")
_CLEAR_COVERAGE_RATIO = 1.5  # how much more of one label a text must cover to name it
_FOLLOW_UP_MAX = 30  # characters; longer messages are questions of their own
_NUMBER = re.compile(r"(\d{1,2})(?:番目?|つ目|個目|で|です|でお願いします|番でお願いします)?")
_KANJI_NUMBER = re.compile(r"([一二三四五六七八九十])(?:番目?|つ目)")
# Words that open a change of mind before a pick (「やっぱり1で」, 「じゃあ2番」).
_PICK_OPENER = re.compile(r"^(?:やっぱり|やっぱ|じゃあ|じゃ|では|それでは|えっと|えーと|うーん)")
_KANJI_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
# Trailing punctuation and fillers that do not change a control phrase.
# Endings that state a wish or a request: 「解約したいです」「教えてほしい」「変更をお願いします」.
_REQUEST_ENDINGS = ("たいです", "たいんです", "たいのですが", "ほしい", "ほしいです", "欲しい", "欲しいです", "お願いします", "お願い")
_TRAILING = re.compile(r"[\s。．.、,!！?？ー〜~…]+$")


# The last message squashed and its squashed form: a turn asks up to eight control-phrase
# questions of one message (language, pick, yes, no, more, again, cancel, comparison).
_last_squashed: tuple[str, str] = ("", "")


def _squash(message: str) -> str:
    """:func:`_squash_text` of ``message``, made once for the several questions a turn asks of it."""
    global _last_squashed
    last = _last_squashed
    if last[0] == message:
        return last[1]
    text = _squash_text(message)
    _last_squashed = (message, text)
    return text


def _squash_text(message: str) -> str:
    """NFKC, lower case, no spaces or trailing punctuation: the form control phrases are compared in."""
    text = unicodedata.normalize("NFKC", message).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    text = _TRAILING.sub("", text)
    text = text.lstrip("、,。 ")
    return re.sub(r"[、,]\s*", "", text).replace(" ", "") if not text.isascii() else text


_CANCEL_N = frozenset(_squash(w) for w in _CANCEL)
_YES_N = frozenset(_squash(w) for w in _YES)
_NO_N = frozenset(_squash(w) for w in _NO)
_MORE_N = frozenset(_squash(w) for w in _MORE)
_DONT_KNOW_N = frozenset(_squash(w) for w in _DONT_KNOW)
_AGAIN_N = frozenset(_squash(w) for w in _AGAIN)
_STUCK_N = frozenset(_squash(w) for w in _STUCK)
_STUCK_IF_N = frozenset(_squash(w) for w in _STUCK_IF)
# Words that say "still" in front of a failure: 「それでもダメでした」「やっぱりできない」.
_STILL = ("それでも", "やっぱり", "やはり", "まだ", "still")
# Words before an announced question that leave it one: 「ちょっと相談いい？」「また聞いてもいい？」.
_SOFTENERS = ("ちょっと", "また")
_ANNOUNCE_N = frozenset(_squash(w) for w in _ANNOUNCE)
_LANGUAGE_ASKED_N = {_squash(w): lang for lang, phrases in _LANGUAGE_ASKED.items() for w in phrases}


def is_cancel(message: str) -> bool:
    """True for a bare 「やめます」/「キャンセル」/「もういいです」 (the whole message)."""
    return _squash(message) in _CANCEL_N


def is_yes(message: str) -> bool:
    """True for a bare 「はい」/「続けます」/「お願いします」."""
    return _squash(message) in _YES_N


def is_no(message: str) -> bool:
    """True for a bare 「いいえ」/「いや」."""
    return _squash(message) in _NO_N


def is_dont_know(message: str) -> bool:
    """True for a bare 「わからない」/「不明」/「覚えていない」: the customer cannot say what was asked."""
    return _squash(message) in _DONT_KNOW_N


def is_more(message: str) -> bool:
    """True for 「もっと詳しく」 and the like: show related questions."""
    return _squash(message) in _MORE_N


def is_again(message: str) -> bool:
    """True for 「もう一度説明して」 and the like: the last answer once more."""
    return _squash(message) in _AGAIN_N


def is_stuck(message: str) -> bool:
    """True for a bare 「できない」/「うまくいかない」/"it didn't work": the last answer's steps failed the customer.

    「それでも」「やっぱり」「まだ」 in front say the same (「それでもダメでした」), and so does the failure
    put as a condition, alone or asking what then (「わからなかったら？」「できなかったらどうすればいい？」).
    """
    whole = _squash(message)
    for text in (whole, *(whole.removeprefix(word).lstrip() for word in _STILL if whole.startswith(word))):
        then = next((word for word in _THEN_WHAT if text.endswith(word)), "")
        if text in _STUCK_N or text.removesuffix(then) in _STUCK_IF_N:
            return True
    return False


def announces(part: str) -> bool:
    """True for a whole sentence or clause announcing a question to come (「質問があります」「ちょっと相談いい？」)."""
    text = _squash(part)
    # 「ちょっと」 softens any of them (「ちょっと相談いい？」「ちょっと質問です」), and 「また」 repeats one
    # (「また聞いてもいい？」 after an answer).
    return text in _ANNOUNCE_N or any(text.removeprefix(word) in _ANNOUNCE_N for word in _SOFTENERS if text.startswith(word))


# Words that ask for the customer's own case: 「私の場合だと何日ごろ？」 wants their date, not the rule.
_MY_CASE = (
    "私の場合", "わたしの場合", "自分の場合", "うちの場合", "僕の場合", "ぼくの場合", "俺の場合",
    "私のケース", "自分のケース", "in my case", "for my plan", "for my subscription",
)
_MY_CASE_N = tuple(_squash(w) for w in _MY_CASE)


def about_my_case(message: str) -> bool:
    """Does ``message`` ask about the customer's own case (「私の場合だと…」, "in my case")?"""
    text = _squash(message)
    return any(mark in text for mark in _MY_CASE_N)


def language_asked(message: str) -> str | None:
    """The language 「英語でお願いします」 or "Do you speak Japanese?" asks for ("en", "ja"), or None."""
    return _LANGUAGE_ASKED_N.get(_squash(message))


def picked_number(message: str) -> int | None:
    """The number in 「2」「２」「②」「2番」「二番目」「やっぱり1で」, or None when the message is not a bare pick."""
    text = _PICK_OPENER.sub("", _squash(message))
    match = _NUMBER.fullmatch(text)
    if match:
        return int(match.group(1))
    match = _KANJI_NUMBER.fullmatch(text)
    if match:
        return _KANJI_DIGITS[match.group(1)]
    return None


def is_follow_up(message: str) -> bool:
    """True for a short 「〜の場合は？」「〜だったら？」 style message (entities decide what changes)."""
    text = _squash(message)
    if len(text) > _FOLLOW_UP_MAX:
        return False
    return text.endswith(_FOLLOW_UP_ENDINGS) or (text.isascii() and text.startswith(_FOLLOW_UP_STARTS))


def is_correction(message: str) -> bool:
    """True for a message that corrects something said before (「…じゃなくて…」「間違えました」)."""
    text = _squash(message)
    return after_correction(text) != text or any(mark in text for mark in _CORRECTION_MARKS)


def supposes(message: str) -> bool:
    """True for a message that supposes a changed fact (「月額に変えたら」「モバイルの場合」「Macだと」)."""
    text = _squash(message)
    return any(mark in text for mark in _SUPPOSING_MARKS)


def compares(message: str) -> bool:
    """True for a message that compares things (「年額と月額の違いは？」「どっちがいい？」)."""
    text = _squash(message)
    return any(mark in text for mark in _COMPARISON_MARKS)


def asks(message: str) -> bool:
    """Does ``message`` ask or request something (「…ますか？」, 「…変えたい」, 「…したいです。」, 「…してほしい」)?"""
    return looks_like_question(message) or _squash(message).endswith(_REQUEST_ENDINGS)


def looks_like_question(message: str) -> bool:
    """True when the message reads as a question rather than a bare fact such as 「いや、月額です」."""
    stripped = unicodedata.normalize("NFKC", message).strip()
    if stripped.endswith(("?", "？")):
        return True
    text = _squash(message)
    return text.endswith(("か", "の", "たい", "教えて", "教えてください", "ください", "知りたい"))


def match_label(message: str, labels: tuple[str, ...]) -> int | None:
    """Index of the label the message names: equal to it, or a part clearly covering more of it than of any other."""
    norm = normalize_term(message)
    if not norm:
        return None
    normed = [normalize_term(label) for label in labels]
    for i, label in enumerate(normed):
        if norm == label:
            return i
    if len(norm) < 3:
        return None
    containing = sorted(
        ((len(norm) / len(normed[i]), i) for i, label in enumerate(normed) if norm in label), reverse=True
    )
    if not containing:
        return None
    if len(containing) == 1:
        return containing[0][1]
    # 「クラウド」 names both 「… クラウド」 and 「… クラウド+ デジタルライフサポート プレミアム」: the
    # label it covers far more of is meant.  「ウイルスバスター」 covers every label about
    # equally: ambiguous.
    (best, index), (second, _) = containing[0], containing[1]
    return index if best >= _CLEAR_COVERAGE_RATIO * second else None
