"""Elliptical questions: 「どこで？」 after the card-change answer asks where to change the *card*.

A customer who has just read an answer asks the next thing without naming the
topic again: 「どこで？」, 「いつまでに？」, 「それはいつ頃？」.  Routed alone, such a
message has nothing but function words, and the router matches whichever question
shares them.  Read in the light of the last answer it is clear: the last answer's
topic (:func:`topic_of` its entry's question) is put in front of the message and
the whole is routed.

Only a short Japanese question qualifies, and only one with no content word of its
own (no full verb, adjective, price word, or common or proper noun other than
interrogatives and times), or one that opens with a demonstrative pointing back
(「それって手数料かかる？」).  A message naming what it asks (「申し込みは？」「やめたい
んだけど？」) is routed as it is; small talk (「ありがとう」) is not a question.
(English was tried, the topic taken from the English question less its function
words: "When is it charged?" and "Where?" then went back to the last answer or to
the overview more often than to the right entry, so English is routed as it is.)
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence

from faqbot.dialogue.phrases import looks_like_question
from faqbot.routing.topic_slot import aspect_nouns
from faqbot.text.analysis import Word, is_english_function_word, words
from faqbot.text.normalize import has_hiragana, has_kanji, normalize_term

#: Longest message (characters, without spaces) read as elliptical: longer ones say what they ask.
MAX_CHARS = 15
#: Longest English message (words) read as pointing back at the last answer.
MAX_WORDS = 8
# English words that point back at what was just said, and that open a question.
_EN_BACK = frozenset({"that", "it", "this", "there", "those", "these", "then"})
# The English question words that ask for a piece of information ("Where?" alone asks where to do what was said).
_EN_WH = frozenset({"how", "where", "when", "what", "which", "who"})
_EN_QUESTION_WORDS = frozenset(
    {"where", "when", "how", "what", "why", "which", "who", "can", "could", "do", "does", "is", "are", "will", "should"}
)
# Words that point back at what was just said: 「それって…」「その場合…」.
_DEMONSTRATIVES = frozenset({"それ", "その", "これ", "この", "そこ", "あれ", "あの", "そちら", "こちら", "そっち"})
# The determiner that points back whatever follows it (「その手続きって…」): a question opening with it is
# elliptical at any length.  「この」 may point at a thing in front of the customer (「このメールは何？」).
_POINTING_BACK = "その"
# The demonstratives that determine a noun (「その窓口」): what follows is the thing pointed at.
_DETERMINERS = frozenset({"その", "この", "あの"})
# Adverbs that, with 言う, ask or point at a kind: 「どういう」「こういう」「そういう」「ああいう」.
_KIND_ADVERBS = frozenset({"どう", "こう", "そう", "ああ"})
# unidic files these interrogatives as common nouns; they ask, they name no topic.
_INTERROGATIVE_NOUNS = frozenset({"いつ頃", "何時", "何処", "如何"})
# ... but 「いくら」 (unidic: 幾ら, adverbial like a time word) asks for a price: 「いくら？」 after the
# card-change answer is not about the card change, so it names a topic.
_PRICE = frozenset({"幾ら", "いくら"})
# English verbs that say only that the customer has the thing named ("I use a Mac", "I'm on Android").
_EN_HAVING = frozenset({"use", "using", "used", "have", "got", "own", "running", "i'm", "it's"})
# unidic lemmas that only say the customer has the product: 「Macを使っています」「モバイルの契約者です」.
_JA_HAVING = frozenset({"使う", "利用", "使用", "契約", "持つ", "入れる", "加入", "購入", "買う"})
# unidic's verbs that may serve grammar (動詞-非自立可能) and here do: 「年額にしたら？」 says nothing
# but the plan, 「母のスマホに入れてあげた」 (benefactive 上げる) nothing but the product.  The other verbs of that class carry meaning (忘れる: 「パスワード忘れた」 is no product).
_LIGHT_VERBS = frozenset(
    {"為る", "成る", "居る", "有る", "出来る", "来る", "行く", "仕舞う", "置く", "貰う", "呉れる", "上げる", "遣る", "見る", "下さる", "頂く"}
)
_KATAKANA = re.compile(r"[\u30a1-\u30fa]")
# Nouns that judge what is asked about, naming nothing of their own: 「カードじゃないとダメ？」 asks whether
# the card is a must (unidic files 駄目, 無理, 大丈夫 as common nouns).
_VERDICTS = frozenset({"駄目", "無理", "大丈夫", "必要", "不要", "可能", "不可"})
# Nouns that point or apologise without naming anything: 「Macのほうです」「…のやつ」「こと」「もの」, and
# 「ごめん」 (unidic files 御免 as a common noun).
_FORMAL_NOUNS = frozenset({"方", "奴", "物", "事", "御免"})
# The particles that mark what a question is about, and those that join nouns inside that phrase
# (「あんしん自動更新の申し込み方法」).  Not と or や: of 「延長期間と更新料は」 the last noun is kept, as
# a customer asking about the fee names the fee, and the period would pull the question back.
_TOPIC_MARKERS = frozenset({"は", "を", "が"})
_LINKS = frozenset({"の", "・"})
# A bracketed aside: 「送信先（メールアドレス）」.
_ASIDE = re.compile(r"[（(][^）)]*[）)]")
# Interrogatives that make a short message a question even without 「？」 or a question ending
# (:func:`faqbot.dialogue.phrases.looks_like_question`): 「いつまでに」.
_INTERROGATIVES = (
    "いつ",
    "どこ",
    "どう",
    "どれ",
    "どの",
    "どちら",
    "何",
    "なに",
    "なん",
    "いくら",
    "誰",
    "なぜ",
    "どうして",
)


def is_elliptical(message: str) -> bool:
    """Is ``message`` a short Japanese question that leaves its topic to the conversation (or one of any
    length opening with 「その」)?"""
    text = unicodedata.normalize("NFKC", message).strip()
    compact = "".join(text.split())
    if not compact or compact.isascii() or not _is_question(compact):
        return False
    if len(compact) > MAX_CHARS:
        # 「その手続きってスマホからでもできる？」: その points back at any length (119th rule); a long
        # message is parsed only when it starts so (「そのうち」 starts so too: the parse tells).
        return compact.startswith(_POINTING_BACK) and words(compact)[0].surface == _POINTING_BACK
    cut = words(compact)
    if cut and cut[0].surface in _DEMONSTRATIVES:
        return True
    return not _names_topic(cut)


def adverbs(message: str) -> frozenset[str]:
    """The lemmas of ``message``'s adverbs (「つまり」 as 詰まり): they say how something is asked, not what about."""
    return frozenset(w.lemma for w in _compact_words(message) if w.pos[0] == "副詞")


def names_own_topic(message: str) -> bool:
    """Does ``message`` hold a content word of its own (「それって解約もできる？」: 解約), beside any pointer back?"""
    return _names_topic(_compact_words(message))


def _names_topic(cut: Sequence[Word]) -> bool:
    # 「どういう」 is cut into どう + 言う, a full verb: it asks "what kind", it says nothing.
    said = (w for i, w in enumerate(cut) if not (w.lemma == "言う" and i and cut[i - 1].surface in _KIND_ADVERBS))
    return any(_names_a_topic(w) for w in said)


def pointed_nouns(message: str) -> tuple[str, ...]:
    """The nouns a leading determiner points at (「その窓口ってどこ？」: 窓口), as lemmas; empty when none.

    The noun compound right after 「その」「この」「あの」: the thing of the conversation the message asks about.
    """
    cut = _compact_words(message)
    if len(cut) < 2 or cut[0].surface not in _DETERMINERS or (cut[1].pos[0] == "名詞" and not _is_thing(cut[1])):
        return ()  # 「その場合」「そのうち」: the determiner points at an adverbial noun, no thing
    nouns = itertools.takewhile(_in_noun_phrase, cut[1:])
    return tuple(w.lemma for w in nouns if _is_thing(w))


def adds_a_topic(message: str) -> bool:
    """Does ``message`` add a topic with 「も」 (「それって解約もできる？」: cancelling too), a content word
    the particle marks as another thing than the one just talked about?"""
    cut = _compact_words(message)
    return any(_names_a_topic(w) and n.surface == "も" and n.pos[0] == "助詞" for w, n in itertools.pairwise(cut))


def restates(message: str, topic: str, same: Callable[[str], str] = str) -> bool:
    """Is ``message`` a short question naming nothing but words of ``topic`` and aspects of it?

    「変更の手続きは？」 after the card-change answer (topic 「クレジットカード 変更」): 変更 is the topic's,
    手続き asks how; nothing else is named, so the message asks about the last answer's topic.  At
    least one word must be the topic's: 「手順は？」 alone names only an aspect.  ``same``: a word as
    the knowledge base's synonyms read it, so that 「クレカ」 is the topic 「クレジットカード以外」's word (181st rule).
    """
    cut = _short_question_words(message)
    if not topic or cut is None:
        return False
    own = {same(w.lemma) for w in _compact_words(topic) if _names_a_topic(w)}
    named = _named_besides_verdicts(cut)
    aspects = aspect_nouns()
    topical = [same(lemma) in own for lemma in named]
    return any(topical) and all(is_own or lemma in aspects for is_own, lemma in zip(topical, named, strict=True))


def judges_only(message: str) -> bool:
    """Is ``message`` a short question that names nothing but a verdict (「ダメなの？」「無理ですか」)?

    It judges what was just answered: after the card-handling answer 「ダメなの？」 asks whether the
    family card is refused, and routed alone its 駄目 matched whichever question holds it.
    """
    cut = _short_question_words(message)
    return cut is not None and any(w.lemma in _VERDICTS for w in cut) and not _named_besides_verdicts(cut)


def _short_question_words(message: str) -> tuple[Word, ...] | None:
    """The words of ``message`` when it is a short Japanese question (:func:`is_short`), else None."""
    compact = "".join(unicodedata.normalize("NFKC", message).split())
    return words(compact) if is_short(message) and _is_question(compact) else None


def _named_besides_verdicts(cut: tuple[Word, ...]) -> list[str]:
    """The lemmas of the content words in ``cut`` that name something: the verdicts (駄目, 必要) judge
    what is asked about and name nothing (147th rule)."""
    return [w.lemma for w in cut if _names_a_topic(w) and w.lemma not in _VERDICTS]


def _compact_words(message: str) -> tuple[Word, ...]:
    """The words of ``message`` (NFKC) with its spaces taken out, as a question's words are read here."""
    return words("".join(unicodedata.normalize("NFKC", message).split()))


def is_short(message: str) -> bool:
    """Is ``message`` Japanese and no longer than an elliptical question may be (「変え方おしえて」)?"""
    compact = "".join(unicodedata.normalize("NFKC", message).split())
    return bool(compact) and len(compact) <= MAX_CHARS and not compact.isascii()


def also_asked(message: str) -> str:
    """The noun phrase of 「カードも」「メアドも？」 ("the card too"), or "" for any other message.

    Such a message asks the last question again about another thing; routed alone it has
    nothing but the noun, and the noun's commonest question wins.
    """
    text = unicodedata.normalize("NFKC", message).strip().rstrip("?？!！。.…")
    cut = words(text)
    if not is_short(text) or len(cut) < 2 or cut[-1].surface != "も" or cut[-1].pos[0] != "助詞":
        return ""
    span = cut[:-1]
    return "".join(w.surface for w in span) if all(map(_in_noun_phrase, span)) else ""


def with_topic(question: str, noun: str) -> str:
    """``question`` (an entry's question) about ``noun`` instead of its topic, or "" when it marks none.

    「お知らせメールの送信先（メールアドレス）を変更したい」 with 「カード」 → 「カードを変更したい」.
    """
    cut = words(_ASIDE.sub("", question))  # an aside in brackets is part of the topic it follows
    marker = next((i for i, w in enumerate(cut) if w.surface in _TOPIC_MARKERS and w.pos[0] == "助詞"), None)
    start, end = _phrase_span(cut, marker) if marker is not None else (0, 0)
    if start == end:
        return ""
    return "".join(w.surface for w in cut[:start]) + noun + "".join(w.surface for w in cut[end:])


def points_back(message: str) -> bool:
    """Is ``message`` a short English question pointing back at what was just said ("Where do I do that?")?

    English is not read as elliptical (see the module docstring); a question this short
    that says "that" or "it" is, but only where the router cannot answer it alone
    (:func:`faqbot.dialogue.follow_ups.in_context`).
    """
    tokens = _english_question_words(message)
    return tokens is not None and any(t.strip(",.'") in _EN_BACK for t in tokens)


def bare_interrogative(message: str) -> bool:
    """Is ``message`` one English question word and a question mark ("Where?", "How?")?  The caller takes
    its connectives off first ("And where?")."""
    tokens = _english_question_words(message)
    return tokens is not None and len(tokens) == 1 and tokens[0] in _EN_WH and message.rstrip().endswith(("?", "？"))


def asks_in_english(message: str) -> bool:
    """Is ``message`` a short English question ("How many days before?"), at most :data:`MAX_WORDS` words?"""
    return _english_question_words(message) is not None


def _english_question_words(message: str) -> list[str] | None:
    """The lower-case words of ``message`` when it is a short English question, else None."""
    text = unicodedata.normalize("NFKC", message).strip().casefold()
    tokens = text.rstrip("?!. ").replace("?", " ").split()
    if not text.isascii() or not tokens or len(tokens) > MAX_WORDS:
        return None
    return tokens if text.endswith("?") or tokens[0] in _EN_QUESTION_WORDS else None


def names_its_own(message: str) -> bool:
    """Does an English ``message`` hold a word of its own beyond function words ("charged" in
    "And when is it charged?"; "Where do I do that?" has none)?"""
    tokens = (t.strip(",.'?!") for t in unicodedata.normalize("NFKC", message).casefold().split())
    return any(t and t not in _EN_BACK and t not in _EN_QUESTION_WORDS and not is_english_function_word(t) for t in tokens)


def names_only(message: str, forms: Collection[str], context: Collection[str] = ()) -> bool:
    """Is every content word of ``message`` part of one of ``forms`` (the products' and plans' names, normalised)?

    「トータルセキュリティです」 and 「月額は？」 say nothing but a fact of the customer's contract;
    routed, their words matched whichever question holds them (月額 → the billing time).
    ``context``: nouns that only say whose or where (「会社のPCに…を入れてます」), not counted.
    """
    cut = words(unicodedata.normalize("NFKC", message).strip())
    content = [w for w in cut if _names_a_topic(w) and not _says_having(w)]
    # A word is part of a form when it is inside their joined text (one C search, not one per form).
    joined = "\n".join(forms)
    named = [normalize_term(w.surface) in joined for w in content]
    others = (w for w, name in zip(content, named, strict=True) if not name)
    return any(named) and all(w.lemma in context or w.surface.casefold() in context for w in others)


def names_a_thing(message: str, forms: Collection[str], context: Collection[str] = ()) -> bool:
    """Does ``message`` name a thing of its own beside ``forms`` (the products' and plans' names, normalised)?

    A common or proper noun that is no part of a name, no context noun (whose, where) and no
    formal noun: 「Macのバックアップのやり方も教えて」 names バックアップ, a new question, while
    「あ、違った、Macのほうです」 and 「ごめんなさい、年額でした」 name nothing but the product or the
    plan.  Japanese only: an English word's part of speech is not known here, nor that of a
    message written in katakana (unidic cuts an unknown run of it into nouns: 「ﾓﾊﾞｲﾙ ﾃﾞｽ」 → デス).
    """
    text = unicodedata.normalize("NFKC", message).strip()
    if _in_katakana(text):
        return False
    joined = "\n".join(forms)
    return any(
        _is_thing(w) and normalize_term(w.surface) not in joined and w.lemma not in context
        for w in words(text)
        if not w.surface.isascii()
    )


def _in_katakana(text: str) -> bool:
    """Is the Japanese of ``text`` (NFKC) all katakana: some, and no hiragana or kanji?"""
    return _KATAKANA.search(text) is not None and not has_hiragana(text) and not has_kanji(text)


def _says_having(word: Word) -> bool:
    """A word that only builds "I use a Mac" / "I'm on the monthly plan" / 「Macを使っています」 around the name."""
    if word.surface.isascii():
        return is_english_function_word(word.surface) or word.surface in _EN_HAVING
    return word.lemma in _JA_HAVING


def topic_of(question: str) -> str:
    """The topic of ``question`` (an entry's question): the noun phrase its first は, を or が marks.

    「延長期間と更新料はいくらですか？」 → 「更新料」 (the last of nouns joined by と or や); an action noun right after the
    particle belongs to the topic (「クレジットカードを変更したい」 → 「クレジットカード 変更」).  Only
    the topic, not the whole question: with every word of the last question in front, the
    elliptical question's own words (「どこで」) would be outweighed and the last answer
    would come back whatever was asked.  Without such a phrase, the question's nouns.
    """
    cut = words(question)
    marker = next((i for i, w in enumerate(cut) if w.surface in _TOPIC_MARKERS and w.pos[0] == "助詞"), None)
    phrase = _phrase_before(cut, marker) if marker is not None else ""
    if not phrase:
        return "".join(w.surface for w in cut if _in_noun_phrase(w))
    after = cut[marker + 1] if marker is not None and marker + 1 < len(cut) else None
    return f"{phrase} {after.surface}" if after is not None and "サ変可能" in after.pos[2:3] else phrase


def _phrase_before(cut: Sequence[Word], marker: int) -> str:
    """The nouns (with their prefixes, suffixes and joining particles) that end just before ``marker``."""
    start, end = _phrase_span(cut, marker)
    return "".join(w.surface for w in cut[start:end])


def _phrase_span(cut: Sequence[Word], marker: int) -> tuple[int, int]:
    """Where :func:`_phrase_before`'s phrase starts and ends in ``cut`` (equal when there is none)."""
    start = marker
    while start > 0 and (_in_noun_phrase(cut[start - 1]) or cut[start - 1].surface in _LINKS):
        start -= 1
    while start < marker and not _in_noun_phrase(cut[start]):
        start += 1
    end = _trimmed(cut, start, marker)
    # 「申し込み方法」: the method is what the question asked; what a follow-up is about is its owner.
    if end - start > 1 and cut[end - 1].lemma in aspect_nouns():
        end = _trimmed(cut, start, end - 1)
    return start, end


def _trimmed(cut: Sequence[Word], start: int, end: int) -> int:
    """``end`` moved back past what is not part of a noun phrase (a joining 「の」)."""
    while end > start and not _in_noun_phrase(cut[end - 1]):
        end -= 1
    return end


def _in_noun_phrase(word: Word) -> bool:
    """A noun, or a prefix, suffix or adjectival noun that is part of one (「お知らせ」「更新料」「有効期限」)."""
    return word.pos[0] in ("名詞", "接頭辞", "形状詞") or word.pos[:2] == ("接尾辞", "名詞的")


def _is_question(compact: str) -> bool:
    return looks_like_question(compact.rstrip("!！。.…ー〜~")) or compact.startswith(_INTERROGATIVES)


def _names_a_topic(word: Word) -> bool:
    """A content word: a full verb or adjective (「払う」「やめる」「高い」), or a common or proper noun
    that is not an interrogative (「いくら」) nor a time word (「今」).

    Verbs count: 「やめたいんだけど？」 after the card-change answer asks to cancel, and with the
    last answer's topic in front it went back to the card change.  So do the verbs unidic marks
    as possibly auxiliary when they are not light (「忘れる」, not 「する」「なる」).
    """
    if word.pos[:2] in (("動詞", "一般"), ("形容詞", "一般")) or word.lemma in _PRICE:
        return True
    if word.pos[:2] == ("動詞", "非自立可能"):
        return word.lemma not in _LIGHT_VERBS
    return _is_noun(word)


def _is_noun(word: Word) -> bool:
    """A common or proper noun that is not an interrogative (「いくら」) nor a time word (「今」)."""
    if word.pos[0] != "名詞" or word.pos[1:2] not in (("普通名詞",), ("固有名詞",)):
        return False
    return (
        word.lemma not in _INTERROGATIVE_NOUNS
        and word.surface not in _INTERROGATIVE_NOUNS
        and "副詞可能" not in word.pos[2:3]
    )


def _is_thing(word: Word) -> bool:
    """A noun (:func:`_is_noun`) that names something: not one that points or apologises (「ほう」「やつ」「ごめん」)."""
    return _is_noun(word) and word.lemma not in _FORMAL_NOUNS
