"""Conversation-control phrases: cancel, yes/no, 「もっと詳しく」, numbered picks, follow-ups.

These words steer the conversation rather than ask about the service, so they
live with the dialogue manager, not in the knowledge base.  They only ever
match a *whole* short message: 「解約したい」 or 「自動更新をやめたい」 is a question
about cancelling the service (the router's job), while a bare 「やめます」 typed
while the billing form is open abandons the form.

The phrases themselves are data, ``data/phrases.yaml`` beside this module (knowledge in
YAML, logic in Python); this module says how each list is compared with a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from faqbot.routing.entities import after_correction
from faqbot.text.normalize import normalize_term
from faqbot.text.shipped import shipped_table

_TABLE = "phrases.yaml"
_CLEAR_COVERAGE_RATIO = 1.5  # how much more of one label a text must cover to name it
_FOLLOW_UP_MAX = 30  # characters; longer messages are questions of their own
_NUMBER = re.compile(r"(\d{1,2})(?:番目?|つ目|個目|で|です|でお願いします|番でお願いします)?")
_KANJI_NUMBER = re.compile(r"([一二三四五六七八九十])(?:番目?|つ目)")
_KANJI_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
# What may follow an ordinal word as it follows a number: 「後者で」「最初のです」.
_PICK_TAIL = re.compile(r"(?:でお願いします|で|です)$")
# Trailing punctuation and fillers that do not change a control phrase.
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


class _Phrases:
    """The shipped phrases (``data/phrases.yaml``, which says what each list is for), ready to compare.

    The whole-message lists and the customer's-own-case words are in :func:`_squash_text`'s form,
    as the message is; the others are as written, in their order.  (A plain class: a dataclass
    would cost every import of this module ~1 ms to build.)
    """

    def __init__(self, table: dict[str, Any]) -> None:
        def words(key: str) -> tuple[str, ...]:
            return _strings(table[key], key)

        def squashed(key: str) -> frozenset[str]:
            return frozenset(_squash_text(word) for word in words(key))

        self.cancel = squashed("cancel")
        self.yes = squashed("yes")
        self.no = squashed("no")
        self.dont_know = squashed("dont_know")
        self.more = squashed("more")
        self.again = squashed("again")
        self.again_pointers = squashed("again_pointers")
        self.stuck = squashed("stuck")
        self.stuck_if = squashed("stuck_if")
        self.then_what = words("then_what")
        self.still = words("still")
        self.stuck_after_still = squashed("stuck_after_still")
        self.announce = squashed("announce")
        self.softeners = words("softeners")
        self.language_asked = {  # phrase → the language it asks for
            _squash_text(word): str(lang)
            for lang, rows in table["language_asked"].items()
            for word in _strings(rows, f"language_asked.{lang}")
        }
        self.my_case = tuple(_squash_text(word) for word in words("my_case"))
        self.follow_up_endings = words("follow_up_endings")
        self.follow_up_starts = words("follow_up_starts")
        self.correction_marks = words("correction_marks")
        self.supposing_marks = words("supposing_marks")
        self.comparison_marks = words("comparison_marks")
        self.request_endings = words("request_endings")
        self.question_endings = words("question_endings")
        self.pick_opener = re.compile("^(?:" + "|".join(map(re.escape, words("pick_openers"))) + ")")
        self.ordinals = {
            _squash_text(str(word)): place for place, ordinals in table["ordinals"].items() for word in ordinals
        }


@cache
def _phrases() -> _Phrases:
    """The shipped table, read and prepared when the first question is asked of a message.

    Not at import: importing the dialogue (a server's start-up, `faqbot ask`'s hand-off) does
    not read it, and a process that asks nothing of a message never does.
    """
    return _Phrases(shipped_table(__file__, _TABLE))


def _strings(rows: list[Any], key: str) -> tuple[str, ...]:
    """``rows`` of the table's list ``key``, which must all be strings (an unquoted ``no`` is read as False)."""
    others = [row for row in rows if not isinstance(row, str)]
    if others:
        raise ValueError(f"{_TABLE}: {key} holds {others!r}, not strings: quote them")
    return tuple(rows)


def is_one_of(message: str, whole_messages: tuple[str, ...]) -> bool:
    """Is ``message``, compared as the control phrases are, one of ``whole_messages`` (a knowledge
    base's, such as a small-talk entry's acknowledgements)?"""
    return _squash(message) in _squashed(whole_messages)


@lru_cache(maxsize=64)
def _squashed(whole_messages: tuple[str, ...]) -> frozenset[str]:
    return frozenset(map(_squash_text, whole_messages))


def _after_prefixes(text: str, prefixes: Iterable[str]) -> list[str]:
    """What ``text`` says after each of ``prefixes`` it starts with (「それでもダメ」 after 「それでも」)."""
    return [text.removeprefix(prefix).lstrip() for prefix in prefixes if text.startswith(prefix)]


def is_cancel(message: str) -> bool:
    """True for a bare 「やめます」/「キャンセル」/「もういいです」 (the whole message)."""
    return _squash(message) in _phrases().cancel


def is_yes(message: str) -> bool:
    """True for a bare 「はい」/「続けます」/「お願いします」."""
    return _squash(message) in _phrases().yes


def is_no(message: str) -> bool:
    """True for a bare 「いいえ」/「いや」."""
    return _squash(message) in _phrases().no


def is_dont_know(message: str) -> bool:
    """True for a bare 「わからない」/「不明」/「覚えていない」: the customer cannot say what was asked."""
    return _squash(message) in _phrases().dont_know


def is_more(message: str) -> bool:
    """True for 「もっと詳しく」 and the like: show related questions."""
    return _squash(message) in _phrases().more


def is_again(message: str) -> bool:
    """True for 「もう一度説明して」 and the like: the last answer once more."""
    text, table = _squash(message), _phrases()
    # 「さっきのもう一回」: a pointer at the last answer, then an again phrase (172nd rule).
    return text in table.again or any(rest in table.again for rest in _after_prefixes(text, table.again_pointers))


def is_stuck(message: str) -> bool:
    """True for a bare 「できない」/「うまくいかない」/"it didn't work": the last answer's steps failed the customer.

    「それでも」「やっぱり」「何度やっても」 in front say the same (「それでもダメでした」; after them a bare 「ダメ」
    too), and so does the failure put as a condition, alone or asking what then (「わからなかったら？」
    「できなかったらどうすればいい？」).
    """
    whole, table = _squash(message), _phrases()
    after_still = _after_prefixes(whole, table.still)
    if any(text in table.stuck_after_still for text in after_still):
        return True  # 「それでもダメ」: a bare ダメ is a failure only after a still word
    for text in (whole, *after_still):
        then = next((word for word in table.then_what if text.endswith(word)), "")
        if text in table.stuck or text.removesuffix(then) in table.stuck_if:
            return True
    return False


def announces(part: str) -> bool:
    """True for a whole sentence or clause announcing a question to come (「質問があります」「ちょっと相談いい？」)."""
    text, table = _squash(part), _phrases()
    # A softener in front leaves an announcement one (「ちょっと相談いい？」「また聞いてもいい？」).
    return text in table.announce or any(rest in table.announce for rest in _after_prefixes(text, table.softeners))


def about_my_case(message: str) -> bool:
    """Does ``message`` ask about the customer's own case (「私の場合だと…」, "in my case")?"""
    text = _squash(message)
    return any(mark in text for mark in _phrases().my_case)


def language_asked(message: str) -> str | None:
    """The language 「英語でお願いします」 or "Do you speak Japanese?" asks for ("en", "ja"), or None."""
    return _phrases().language_asked.get(_squash(message))


def picked_ordinal(message: str, offered: int) -> int | None:
    """The 1-based place 「最初の方」「後者で」"the last one" picks among ``offered`` choices, or None (185th rule)."""
    table = _phrases()
    text = table.pick_opener.sub("", _squash(message))
    place = table.ordinals.get(text) or table.ordinals.get(_PICK_TAIL.sub("", text))
    index = {"first": 1, "second": 2, "last": offered}.get(place or "")
    return index if index is not None and 1 <= index <= offered else None


def picked_number(message: str) -> int | None:
    """The number in 「2」「２」「②」「2番」「二番目」「やっぱり1で」, or None when the message is not a bare pick."""
    text = _phrases().pick_opener.sub("", _squash(message))
    match = _NUMBER.fullmatch(text)
    if match:
        return int(match.group(1))
    match = _KANJI_NUMBER.fullmatch(text)
    if match:
        return _KANJI_DIGITS[match.group(1)]
    return None


def is_follow_up(message: str) -> bool:
    """True for a short 「〜の場合は？」「〜だったら？」 style message (entities decide what changes)."""
    text, table = _squash(message), _phrases()
    if len(text) > _FOLLOW_UP_MAX:
        return False
    return text.endswith(table.follow_up_endings) or (text.isascii() and text.startswith(table.follow_up_starts))


def is_correction(message: str) -> bool:
    """True for a message that corrects something said before (「…じゃなくて…」「間違えました」)."""
    text = _squash(message)
    return after_correction(text) != text or any(mark in text for mark in _phrases().correction_marks)


def supposes(message: str) -> bool:
    """True for a message that supposes a changed fact (「月額に変えたら」「モバイルの場合」「Macだと」)."""
    text = _squash(message)
    return any(mark in text for mark in _phrases().supposing_marks)


def compares(message: str) -> bool:
    """True for a message that compares things (「年額と月額の違いは？」「どっちがいい？」)."""
    text = _squash(message)
    return any(mark in text for mark in _phrases().comparison_marks)


def asks(message: str) -> bool:
    """Does ``message`` ask or request something (「…ますか？」, 「…変えたい」, 「…したいです。」, 「…してほしい」)?"""
    return looks_like_question(message) or _squash(message).endswith(_phrases().request_endings)


def looks_like_question(message: str) -> bool:
    """True when the message reads as a question rather than a bare fact such as 「いや、月額です」."""
    stripped = unicodedata.normalize("NFKC", message).strip()
    if stripped.endswith(("?", "？")):
        return True
    return _squash(message).endswith(_phrases().question_endings)


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
