"""Reading a message against the last answer: follow-ups, corrections and elliptical questions.

After an answer a customer rarely starts afresh: 「モバイルの場合は？」 and 「月額に変えたらどうなる？」
change a fact of the last answer, 「あ、Macでした」 and 「年額じゃなくて月額でした」 correct one,
「トータルセキュリティだと？」 names a product only in part, and 「どこで？」 leaves its topic to the
last answer altogether.  The dialogue manager (:mod:`faqbot.dialogue.manager`) asks this module,
before it takes the router's decision as it stands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from faqbot.answers.answering import Engine
from faqbot.dialogue import ellipsis, phrases
from faqbot.dialogue.form import ask, form_turn, with_entities
from faqbot.dialogue.product_hints import product_hint
from faqbot.dialogue.replies import answer_reply, unchanged_answer, unchanged_reply
from faqbot.dialogue.reply import DECISION_DIALOGUE, KIND_CLARIFY, Reply
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KIND_COMPUTE, KIND_FAQ, KnowledgeBase
from faqbot.kb.knowledge import KIND_SMALLTALK as ENTRY_SMALLTALK
from faqbot.routing.calibration import CLARIFY_CHOICES
from faqbot.routing.entities import Entities, after_correction
from faqbot.routing.pleasantries import without_connectives
from faqbot.routing.topic_slot import aspect_nouns, context_nouns
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, DECISION_FALLBACK, Match, Routing


def in_context(engine: Engine, state: DialogueState, text: str, entities: Entities, routing: Routing) -> Routing:
    """The routing of an elliptical question (「どこで？」) with the last answer's topic put in front.

    Messages that name their own topic (:func:`faqbot.dialogue.ellipsis.is_elliptical`) keep their
    own routing, and so do messages with a word the knowledge base never uses, and small talk the
    router recognises (「何ができるの？」) unless the reading with the topic matches better.  A message the router would ask about
    (「変更方法は？」: the card or the e-mail address?) is settled by the last answer when, read
    with its topic, it goes to one of the entries the router offered (:func:`_settled`).  A short
    English question pointing back that the router cannot answer alone, or that names nothing of its
    own ("Where do I do that?"), is read after the last answer's question (:func:`_read_back`); so is a
    short English question the router refuses though the knowledge base knows its words by their stems.
    """
    kb = engine.kb
    if not state.last:
        return routing
    bare = without_connectives(text)  # 「ちなみにどこで？」 asks 「どこで？」, "And where?" asks "where?" (191st rule)
    pointing = ellipsis.points_back(text) or ellipsis.bare_interrogative(bare)  # "Where?" (195th rule)
    if pointing and (routing.decision != DECISION_ANSWER or not ellipsis.names_its_own(text)):
        # "Where do I do that?" has nothing of its own to be answered on, even where the router
        # answers it ("where" is the contact entry's word): "that" is the last answer.
        return _read_back(engine, state, text, entities, routing)
    if _refused_in_english(engine, text, routing):
        # "How many days before?" after the notice answer: refused alone, in the knowledge base's
        # words but for their inflection ("days" where it says "day") — asked after the last question.
        return _read_back(engine, state, text, entities, routing)
    also = ellipsis.also_asked(text)
    if also and not has_slots(entities):
        return _also(engine, state, also, entities, routing)
    if not ellipsis.is_elliptical(bare):
        if ellipsis.restates(bare, _last_topic(kb, state), engine.router.char_channel.canonical) or ellipsis.judges_only(bare):
            # 「変更の手続きは？」 after the card change names only the last answer's topic and how: the
            # router alone answers it with the e-mail change, whose question shares the same words.
            # 「ダメなの？」 names nothing but its verdict on the last answer (160th rule).
            return _answered_with_last_topic(engine, state, bare, entities, routing)
        if routing.decision == DECISION_CLARIFY:
            return _settled(engine, state, text, entities, routing)
        if routing.decision == DECISION_FALLBACK and ellipsis.is_short(text) and engine.router.analyze(text).topic_terms:
            # 「変え方おしえて」 after the e-mail answer: too little of its own to route alone, and
            # nothing the knowledge base does not know — asked about the last answer's topic.  A
            # message with no content word (「ありがとう」 where no small talk is stored) asks nothing.
            return _answered_with_last_topic(engine, state, bare, entities, routing)
        return routing
    read = _with_last_topic(engine, state, bare, entities)
    if read is None:
        return routing
    if routing.decision == DECISION_ANSWER and (
        kb.entry(routing.intent).kind == ENTRY_SMALLTALK or ellipsis.names_own_topic(text)
    ):
        # Small talk the router recognises (「何ができるの？」) stands, unless the reading with the
        # topic matches better: 「じゃあどこで？」 shares only 「じゃあ」 with the goodbye.  So does the
        # answer to a message that points back but names a topic of its own (「それって解約もできる？」
        # after the sign-up how-to is about cancelling, not signing up): its 「も」 marks 解約 as another
        # thing than the last answer's, so the reading may find a third entry but not bring that back.
        back = read.intent == state.last != routing.intent and ellipsis.adds_a_topic(text)
        return read if _matches_better(read, routing) and not back and not _asks_pointed(engine, text, routing) else routing
    return read


def _refused_in_english(engine: Engine, text: str, routing: Routing) -> bool:
    """Is ``text`` a short English question the router refuses, though not as out of scope, whose
    words the knowledge base uses, inflections aside (168th rule)?"""
    if routing.decision != DECISION_FALLBACK or routing.out_of_scope or not ellipsis.asks_in_english(text):
        return False
    return not engine.router.novelty.fires(engine.router.analyze(text), by_stem=True)


def _asks_pointed(engine: Engine, text: str, routing: Routing) -> bool:
    """Does the thing 「その」 points at name what the message's own best match is about?

    「その窓口ってどこ？」 after the cancellation answer (which sends a customer who cannot log in to
    the support desk) asks about the desk, and the contact entry's question names 窓口; 「その手続き
    ってスマホからでもできる？」 points at the last answer's procedure, which its own match (「…からでも
    申し込めますか」) does not name.
    """
    pointed = ellipsis.pointed_nouns(text)
    return bool(pointed) and bool(routing.matches) and not set(pointed).isdisjoint(
        engine.router.analyze(routing.matches[0].question).terms
    )


def for_my_case(kb: KnowledgeBase, text: str, routing: Routing) -> Routing:
    """「私の場合だと何日ごろ？」: a question the router gives to an entry a compute entry lists as related
    (the billing timing, the notice), asked for the customer's own case, is that compute entry's —
    their own dates, worked out, rather than the general rule."""
    if routing.decision == DECISION_FALLBACK or not routing.matches or not phrases.about_my_case(text):
        return routing
    top = routing.matches[0]
    compute = next((e for e in kb.entries_of_kind(KIND_COMPUTE) if top.entry_id in e.related), None)
    if compute is None:
        return routing
    own = Match(compute.id, compute.question, top.confidence)
    return replace(routing, decision=DECISION_ANSWER, matches=(own, *(m for m in routing.matches if m.entry_id != compute.id)))


def _with_last_topic(engine: Engine, state: DialogueState, text: str, entities: Entities) -> Routing | None:
    """``text`` (the message after its connectives: 「ちなみにどこで？」 is read as 「<topic> どこで？」, 191st rule)
    routed with the last answer's topic in front; None when it has no topic or ``text`` holds a word the
    knowledge base never uses.

    「それって手数料かかる？」: a word the knowledge base never uses is asked about, and the last
    answer's topic in front would outweigh it — the message keeps its own routing.  An adverb
    (「つまり何？」) says how something is asked, not what about: it is not counted; and a change of
    mind (「いや、やっぱりいいです」) asks about nothing (187th and 188th rules).
    """
    if phrases.is_cancel(text):
        return None
    analysis = engine.router.analyze(text)
    adverbs = ellipsis.adverbs(text)
    known = engine.router.novelty.knows
    if not all(known(t, r) or t in adverbs for t, r in zip(analysis.terms, analysis.readings, strict=True)):
        return None
    topic = _last_topic(engine.kb, state)
    return engine.router.route(f"{topic} {text}", entities) if topic else None


def _answered_with_last_topic(engine: Engine, state: DialogueState, text: str, entities: Entities, routing: Routing) -> Routing:
    """:func:`_with_last_topic`'s reading when it is answered, else ``routing`` as it stands."""
    read = _with_last_topic(engine, state, text, entities)
    return read if read is not None and read.decision == DECISION_ANSWER else routing


def _also(engine: Engine, state: DialogueState, noun: str, entities: Entities, routing: Routing) -> Routing:
    """「カードも」 after the e-mail change: the last answer's question about ``noun``, when that is answered."""
    last = engine.kb.entry(state.last or "")
    question = ellipsis.with_topic(last.question, noun) if last.kind == KIND_FAQ else ""
    read = engine.router.route(question, entities) if question else None
    return read if read is not None and read.decision == DECISION_ANSWER else routing


def _matches_better(read: Routing, routing: Routing) -> bool:
    """Is ``read`` an answer whose best match scores above ``routing``'s best?"""
    return read.decision == DECISION_ANSWER and bool(read.matches) and (
        not routing.matches or read.matches[0].confidence > routing.matches[0].confidence
    )


def _settled(engine: Engine, state: DialogueState, text: str, entities: Entities, routing: Routing) -> Routing:
    """A clarification the last answer settles: read with its topic, the message goes to one of the offered entries.

    Only the entries the router itself offered can come out of it, so the context
    chooses between readings the message already has; it never brings the last answer
    back to a message that is about something else.
    """
    topic = _last_topic(engine.kb, state)
    if not topic:
        return routing
    offered = {m.entry_id for m in routing.matches[:CLARIFY_CHOICES]}
    read = engine.router.route(f"{topic} {text}", entities)
    return read if read.decision == DECISION_ANSWER and read.intent in offered else routing


def _read_back(engine: Engine, state: DialogueState, text: str, entities: Entities, routing: Routing) -> Routing:
    """An English question pointing back ("Where do I do that?") that the router cannot answer alone,
    read after the last answer's whole question.

    That reading is taken when it is answered (but not as the last answer again when the router
    itself asked between other entries on a word of the message), or when it asks between
    entries one of which is the last answer's: "When does it arrive?" after the notice answer points at the notice, and
    the router's doubt (billing time or notice?) is the doubt "it" settles.  Otherwise the
    message keeps its own routing.
    """
    last = engine.kb.entry(state.last or "")
    if last.kind != KIND_FAQ:
        return routing
    read = engine.router.route(f"{last.question} {text}", entities)
    asked = {m.entry_id for m in routing.matches[:CLARIFY_CHOICES]}
    if read.intent == last.id and routing.decision == DECISION_CLARIFY and last.id not in asked and ellipsis.names_its_own(text):
        # "And when is it charged?" after the fee answer asks between the billing time and date
        # by a word of its own: the last question in front must not bring the fee back.
        return routing
    if read.decision == DECISION_ANSWER:
        return read
    offered = read.matches[:CLARIFY_CHOICES]
    if read.decision == DECISION_CLARIFY and any(m.entry_id == last.id for m in offered):
        first = tuple(m for m in read.matches if m.entry_id == last.id)
        return replace(read, decision=DECISION_ANSWER, matches=first + tuple(m for m in read.matches if m.entry_id != last.id))
    return routing


def _last_topic(kb: KnowledgeBase, state: DialogueState) -> str:
    """The last answer's topic: its entry's ``topic``, else the noun phrase its question marks
    (:func:`faqbot.dialogue.ellipsis.topic_of`); empty after small talk or a date."""
    last = kb.entry(state.last or "")
    if last.kind != KIND_FAQ:
        return ""
    return last.topic or ellipsis.topic_of(last.question)


def product_in_part(
    engine: Engine, state: DialogueState, text: str, entities: Entities, routing: Routing, today: date
) -> tuple[Reply, DialogueState] | None:
    """A follow-up or correction naming a product only in part: offer the products the words fit.

    「トータルセキュリティだと？」 after the fee answer, or 「モバイルじゃなくてクラウドでした」 after a
    billing date: the words fit two products.  After a billing date the form opens again, the
    other facts kept; after an answer, the customer picks the product and the answer follows.
    """
    kb = engine.kb
    last = kb.entry(state.last) if state.last else None
    if last is None or last.kind == ENTRY_SMALLTALK or entities.product:
        return None
    named_only = names_only_slots(engine, text)
    if not (phrases.is_correction(text) or phrases.is_follow_up(text) or named_only):
        return None
    if not named_only and _asks_another_question(kb, state, routing):
        # 「トータルセキュリティの更新料は？」 after the card answer asks the fee.  A message naming
        # nothing but products asks nothing else, whatever the router made of its phrasing
        # (「モバイルじゃなくてクラウドでした」 matched 「更新時期じゃなくても申し込める？」 on じゃなくて).
        return None
    hint = product_hint(kb, after_correction(text))
    if hint is None:
        return None
    if last.kind == KIND_COMPUTE:
        reopened = replace(with_entities(state, entities), form=last.id, product=None, choices=(), misses=0)
        return form_turn(engine, reopened, today, hint=hint)
    reply, asked = ask(engine, replace(with_entities(state, entities), misses=0), "product", hint=hint)
    return replace(reply, intent=last.id, kind=KIND_CLARIFY), asked  # about the last answer; no form is open


def is_follow_up(engine: Engine, state: DialogueState, text: str, routing: Routing) -> bool:
    """Does a message naming a product/plan/date refer back to the last answer?

    Yes when it is phrased as one (「モバイルの場合は？」), or when the router finds
    no other question in it and it names no thing of its own (「製品はモバイルでした」).
    """
    kb = engine.kb
    if state.last and kb.entry(state.last).kind == ENTRY_SMALLTALK:
        return False  # 「こんにちは」 then 「モバイルの料金は？」: a greeting has no facts to follow up on
    if names_only_slots(engine, text):
        return True  # 「月額は？」「Macです」: nothing but a fact, whatever the router made of its words
    if phrases.is_follow_up(text) or phrases.is_correction(text):
        if _names_another_question(engine, state, text, routing):
            return False
        return phrases.supposes(text) or not _asks_another_question(kb, state, routing)
    if routing.decision != DECISION_ANSWER:
        # Refused or in doubt: a correction or a fact (「違う、スタンダードでした」), unless it names a
        # thing of its own (「Macのバックアップのやり方も教えて」), which keeps the router's decision.
        return not ellipsis.names_a_thing(text, engine.extractor.name_forms, context_nouns())
    routed = kb.entry(routing.intent)
    if routed.kind == ENTRY_SMALLTALK:
        return True  # 「あ、Macでした」 names a product: a correction, not a goodbye (「…でした」)
    return routed.id == state.last or (routed.kind == KIND_COMPUTE and kb.entry(state.last or "").kind == KIND_COMPUTE)


def _names_another_question(engine: Engine, state: DialogueState, text: str, routing: Routing) -> bool:
    """Does a message phrased as a follow-up name a thing of its own that the router answers elsewhere?

    「月額の場合の請求日は？」 after the fee answer supposes the monthly plan, but asks the billing date:
    請求日 is no name, no context noun and no aspect of the last topic (167th rule).
    """
    if routing.decision != DECISION_ANSWER or routing.intent == state.last:
        return False
    return ellipsis.names_a_thing(text, engine.extractor.name_forms, context_nouns() | aspect_nouns())


def _asks_another_question(kb: KnowledgeBase, state: DialogueState, routing: Routing) -> bool:
    """After an FAQ answer, does the router answer the message with another FAQ entry?

    「モバイルの更新料は？」 ends like 「モバイルの場合は？」 but asks the fee, and the router (which
    masks the product name) answers it with the fee entry; a true follow-up has nothing of its own
    to route (fallback, a clarification, small talk).  Not asked of a message that supposes a
    changed fact (「月額に変えたらどうなる？」, which routes to the card entries on 変える), nor after a
    billing date, where every phrasing keeps recomputing.
    """
    last = kb.entry(state.last) if state.last else None
    if last is None or last.kind != KIND_FAQ or routing.decision != DECISION_ANSWER:
        return False
    routed = kb.entry(routing.intent)
    return routed.kind == KIND_FAQ and routed.id != last.id


def follow_up(
    engine: Engine, state: DialogueState, today: date, note: str, previous: DialogueState | None = None
) -> tuple[Reply, DialogueState]:
    """Answer the last question again with the changed facts (recomputing a billing date)."""
    entry = engine.kb.entry(state.last or "")
    if entry.kind == KIND_COMPUTE:
        return form_turn(engine, replace(state, form=entry.id, choices=()), today, note=note)
    if previous is not None:
        unchanged = unchanged_answer(engine, entry, previous, state, today)
        if unchanged is not None:
            # 「月額だったら？」 after an answer that does not depend on the plan: say so, don't repeat it.
            return unchanged_reply(engine, state, entry, previous, unchanged)
    return answer_reply(engine, state, entry, today, decision=DECISION_DIALOGUE)


def computed_before(kb: KnowledgeBase, state: DialogueState) -> str | None:
    """The compute entry whose answer this conversation gave before its last FAQ answer, if any.

    Only the billing form asks for an expiry date, so a state that holds one has had a date worked
    out (or was given one to work out).
    """
    if state.expiry is None or kb.entry(state.last or "").kind == KIND_COMPUTE:
        return None
    return next((entry.id for entry in kb.entries_of_kind(KIND_COMPUTE)), None)


def names_only_slots(engine: Engine, text: str) -> bool:
    """Does ``text`` name nothing but products or plans, and whose or where (:func:`faqbot.dialogue.ellipsis.names_only`)?"""
    return ellipsis.names_only(text, engine.extractor.name_forms, context_nouns())


def has_slots(entities: Entities) -> bool:
    """Does the message name a product, a plan or a date?"""
    return entities.product is not None or entities.plan is not None or entities.expiry is not None
