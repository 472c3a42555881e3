"""Messages that tell the customer's situation and ask nothing yet.

「ウイルスバスター モバイルを使っています」「iPhoneを使っています」「こんにちは、先月引っ越しました」:
routed, their words matched whichever question holds them (「…を使っていて」 → the fee).  They are
noted (a product), asked about (the products a device points to) or greeted, and the conversation
waits for the question.  A fact the router is sure an entry is about (「こんにちは、先月パソコンを
買い替えました」, uninstall-not-cancel's situation) is left to it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, replace
from datetime import date

from faqbot.answers.answering import Engine
from faqbot.dialogue import ellipsis, phrases
from faqbot.dialogue.follow_ups import has_slots, names_only_slots
from faqbot.dialogue.form import ask, with_entities
from faqbot.dialogue.product_hints import product_hint
from faqbot.dialogue.remembered import remembered
from faqbot.dialogue.replies import announced_reply, answer_reply, product_noted_reply
from faqbot.dialogue.reply import DECISION_DIALOGUE, KIND_CLARIFY, Reply
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KIND_SMALLTALK as ENTRY_SMALLTALK
from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.routing.entities import Entities
from faqbot.routing.pleasantries import sentences_or_clauses
from faqbot.routing.topic_slot import context_nouns
from faqbot.routing.verdict import DECISION_ANSWER, FALLBACK
from faqbot.text.analysis import words
from faqbot.text.normalize import normalize_term


def told_not_asked(
    engine: Engine, state: DialogueState, text: str, entities: Entities, today: date
) -> tuple[Reply, DialogueState] | None:
    """The reply to a message that tells the customer's situation and asks nothing yet, or None.

    「ウイルスバスター モバイルを使っています」 first: the product is noted; 「iPhoneを使っています」: the
    products a device points to are offered; 「こんにちは、先月パソコンを買い替えました」: greeted.
    Routed, such words matched whichever question holds them (「…を使っていて」 → the fee).
    """
    kb = engine.kb
    before = _announced(engine, text)
    if before is not None:
        return announced_reply(engine, with_entities(state, entities), today, noted=bool(before and entities.product))
    opening = _opening(engine, text)
    # 「ウイルスバスター モバイルを使っています」, or after a greeting "Hello, I have Virus Buster for Mac".
    named_only = names_only_slots(engine, text) or (opening is not None and names_only_slots(engine, opening.rest))
    if not state.last and named_only:
        opener = _small_talk_entry(engine, state, opening).id if opening is not None else FALLBACK
        if entities.product:
            return product_noted_reply(engine, with_entities(state, entities), opener)
        hint = product_hint(kb, text)
        if hint is not None:
            reply, asked = ask(engine, replace(with_entities(state, entities), misses=0), "product", hint=hint)
            return replace(reply, intent=opener, kind=KIND_CLARIFY), asked
    acknowledged = False
    if opening is None and state.last:
        # 「あ、母のパソコンに入れてたわ。了解」 after an answer: told, then the answer acknowledged;
        # 「はいはい、どうも」: a bare yes before it tells nothing either.
        opening = _closing(engine, text)
        acknowledged = opening is not None and phrases.is_yes(opening.rest)
    if opening is None or (state.last and has_slots(entities)):
        return None
    # 「こんにちは。質問してもいいですか？」 asks only whether it may ask: greeted, like
    # 「こんにちは、質問があります」, whatever its ending (eighty-third rule).
    if not (acknowledged or _a_statement(engine, opening.rest) or phrases.announces(opening.rest)):
        return None
    noted = with_entities(state, entities)
    if entities.product and not state.last:
        return product_noted_reply(engine, noted, _small_talk_entry(engine, state, opening).id)
    return answer_reply(engine, noted, _small_talk_entry(engine, state, opening), today, query=text, decision=DECISION_DIALOGUE)


def small_talk_stand_in(kb: KnowledgeBase, entry: Entry, state: DialogueState, offered: Callable[[], Collection[str]]) -> Entry:
    """The entry a small-talk ``entry`` stands for in ``state``: its ``opening`` before the conversation
    has begun (「お疲れ様です」 first is hello, not goodbye), its ``after_answer`` after an answer when
    ``offered()`` — the entries the message's routing offers, asked only then — holds that one too
    (「どうも」 is then thanks, not hello); else itself."""
    if entry.opening and not state.begun():
        return kb.entry(entry.opening)
    if entry.after_answer and state.last and entry.after_answer in offered():
        return kb.entry(entry.after_answer)
    return entry


def _small_talk_entry(engine: Engine, state: DialogueState, opening: _Opening) -> Entry:
    """The entry that answers ``opening`` (:func:`small_talk_stand_in`, its part routed alone)."""
    return small_talk_stand_in(
        engine.kb, engine.kb.entry(opening.intent), state, lambda: {m.entry_id for m in engine.router.route(opening.part).matches}
    )


def _announced(engine: Engine, text: str) -> str | None:
    """What comes before a closing announcement (「Macを使ってるんだけど、」 of 「…、ちょっと聞いてもいい？」),
    when it is nothing or names only the customer's products; None for any other message.

    After a greeting (「こんにちは、質問があります」) the greeting is the reply, as before.
    """
    parts = sentences_or_clauses(text)
    if not parts or not phrases.announces(parts[-1]):
        return None
    before = text[: text.rindex(parts[-1])].strip()
    # 「…を自動更新で使っています」: the service's own name says no more than the product does.
    context = context_nouns() | {w.lemma for w in words(engine.kb.service.name)}
    return before if not before or ellipsis.names_only(before, engine.extractor.name_forms, context) else None


# unidic's lemmas of the auxiliaries that negate (〜ない, 〜ません, 〜ず): a problem reported.
_NEGATIONS = frozenset({"ない", "ず", "ぬ"})


@dataclass(frozen=True)
class _Opening:
    """The small-talk entry a message opens with, in a sentence or clause of its own, and what follows."""

    intent: str
    rest: str
    part: str  # the small-talk sentence or clause itself


def _opening(engine: Engine, text: str) -> _Opening | None:
    parts = sentences_or_clauses(text)
    if len(parts) < 2 or len(normalize_term(parts[0])) > _longest_small_talk(engine.kb):
        return None  # a clause longer than every small-talk question is none of them: not routed
    intent = _small_talk_of(engine, parts[0])
    return _Opening(intent, text[text.index(parts[0]) + len(parts[0]) :], parts[0]) if intent is not None else None


def _closing(engine: Engine, text: str) -> _Opening | None:
    """The small-talk entry a message closes with, in a sentence or clause of its own, and what precedes it."""
    parts = sentences_or_clauses(text)
    if len(parts) < 2 or len(normalize_term(parts[-1])) > _longest_small_talk(engine.kb):
        return None
    intent = _small_talk_of(engine, parts[-1])
    return _Opening(intent, text[: text.rindex(parts[-1])], parts[-1]) if intent is not None else None


# What short opening clauses route to, per knowledge base and language: 「すみません、」 opens
# thousands of messages, and a route costs milliseconds on a large knowledge base.
_OPENERS: dict[Hashable, str | None] = {}


def _small_talk_of(engine: Engine, clause: str) -> str | None:
    """The small-talk entry ``clause`` routes to alone, or None."""
    kb = engine.kb

    def route() -> str | None:
        routed = engine.router.route(clause)
        small_talk = routed.decision == DECISION_ANSWER and kb.entry(routed.intent).kind == ENTRY_SMALLTALK
        return routed.intent if small_talk else None

    return remembered(_OPENERS, (kb.content_hash, kb.lang, clause), route, 2048)


# The longest small-talk question of each knowledge base (by content and language), normalised.
_LONGEST: dict[Hashable, int] = {}


def _longest_small_talk(kb: KnowledgeBase) -> int:
    def longest() -> int:
        questions = (q for entry in kb.entries_of_kind(ENTRY_SMALLTALK) for q in entry.questions)
        return max(map(len, map(normalize_term, questions)), default=0)

    return remembered(_LONGEST, (kb.content_hash, kb.lang), longest, 8)


def _a_statement(engine: Engine, rest: str) -> bool:
    """Does what follows a small-talk opener only tell the customer's situation, asking nothing?

    It has a predicate (「こんにちは、カードの変更」 names what it asks, in keywords), asks nothing by its
    ending (:func:`phrases.asks`), reports no problem (a negation: 「すみません、カードが使えません」 is
    the question), and the router is not sure of it alone (below the knowledge base's target
    precision: 「こんにちは、請求が二回来ています」 is about an entry).  「どうも、古いPCの
    ウイルスバスターは消しました」 tells.
    """
    if phrases.asks(rest) or "?" in rest or "？" in rest:
        return False
    cut = words(rest)
    if not any(w.pos[0] in ("動詞", "助動詞") for w in cut) or any(w.lemma in _NEGATIONS for w in cut):
        return False
    read = engine.router.route(rest)
    return not (read.decision == DECISION_ANSWER and read.confidence >= engine.kb.settings.target_precision)


def prepare(kb: KnowledgeBase) -> None:
    """Compute what this module keeps per knowledge base (here: for ``kb``'s language)."""
    _longest_small_talk(kb)
