"""The dialogue manager: one pure step of the conversation.

``step(engine, state, message, today)`` reads the customer's message in the
light of the state (an open billing form, numbered choices offered, the last
answer) and returns the reply and the next state.  It never reads a clock,
keeps nothing between calls, and treats ``state`` as untrusted (it comes back
from browsers): references the knowledge base no longer has are dropped.

A message holding a card number is masked before anything reads it; the
customer is told not to share card details and pointed to the account page,
and only what is left of the message is answered.

Order of interpretation, most specific first:

1. a numbered choice (「2」「②」, the choice's value, or its label's text);
2. with the form open: a bare cancel (「やめます」), a 「はい」 to go on, slot
   values and corrections (「いや、月額です」), or a question asked mid-form
   (answered, then an offer to go on);
3. otherwise: 「もっと詳しく」, a bare 「はい」/「いいえ」 (acknowledged: nothing was
   asked), a follow-up on the last answer (「モバイルの場合は？」「月額だったら？」),
   then the router's decision — for a short question that names no topic
   (「どこで？」), routed with the last answer's topic in front
   (:mod:`faqbot.dialogue.follow_ups` reads a message against the last answer).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

from faqbot.answers.answering import Engine, Suggestion, date_problem_text, suggest
from faqbot.dialogue import phrases
from faqbot.dialogue.choices import picked as picked_choice
from faqbot.dialogue.choices import sanitized
from faqbot.dialogue.control import ANSWER_KINDS, after_acknowledgement, control_turn
from faqbot.dialogue.follow_ups import (
    computed_before,
    follow_up,
    for_my_case,
    has_slots,
    in_context,
    is_follow_up,
    product_in_part,
)
from faqbot.dialogue.form import (
    ask,
    computed_dates,
    describe_changes,
    form_turn,
    missing,
    with_entities,
)
from faqbot.dialogue.handoff import handoff_reason
from faqbot.dialogue.handoff_turn import handoff_turn
from faqbot.dialogue.language import check_language, in_language, message_language, word
from faqbot.dialogue.meaning import asks_about_last_words
from faqbot.dialogue.one_shot import refused_beside, with_refused_beside_note
from faqbot.dialogue.product_hints import message_entities, prepare_names, product_hint
from faqbot.dialogue.replies import (
    CANCEL,
    RESUME,
    answer_reply,
    cancelled_reply,
    card_number_reply,
    clarify_reply,
    fallback_reply,
    product_noted_reply,
    question_prompt,
    simple_reply,
    with_card_warning,
)
from faqbot.dialogue.reply import (
    DECISION_DIALOGUE,
    KIND_CLARIFY,
    KIND_SMALLTALK,
    Reply,
)
from faqbot.dialogue.several_questions import other_questions
from faqbot.dialogue.state import DialogueState, initial_state
from faqbot.dialogue.statements import prepare as prepare_statements
from faqbot.dialogue.statements import small_talk_stand_in, told_not_asked
from faqbot.errors import InputError, MessageTooLongError
from faqbot.kb.dates import PROBLEM_PAST, DateProblem, date_problem
from faqbot.kb.knowledge import KIND_COMPUTE, KIND_FAQ, KnowledgeBase
from faqbot.kb.knowledge import KIND_SMALLTALK as ENTRY_SMALLTALK
from faqbot.kb.templating import LANGUAGES
from faqbot.routing.calibration import CLARIFY_CHOICES
from faqbot.routing.entities import Entities
from faqbot.routing.pleasantries import without_connectives
from faqbot.routing.verdict import DECISION_ANSWER, DECISION_CLARIFY, Routing
from faqbot.text.normalize import normalize
from faqbot.text.privacy import CARD_MASK, screen

#: Longest message accepted (characters); longer ones are not customer questions.
MAX_MESSAGE = 1000
_SUGGESTIONS = 3
# What is left of a message once its card number is masked must be this long (normalised) to be
# read as a question: 「カード番号は…です」 leaves 「かど番号は」 (5), a bare number leaves nothing.
_MIN_QUESTION_CHARS = 4

Turn = tuple[Reply, DialogueState]


def prepare(engine: Engine) -> None:
    """Build what the dialogue keeps per knowledge base, for every reply language, before serving.

    Built lazily, the first turn of each worker that needed them paid for them: decoding every
    entry of a 10k knowledge base took most of a second, and the worker's other requests waited.
    """
    for lang in LANGUAGES:
        kb = in_language(engine, lang).kb
        prepare_names(kb)
        prepare_statements(kb)


def step(engine: Engine, state: DialogueState, message: str, today: date, lang: str | None = None) -> Turn:
    """Answer ``message`` given ``state``; returns the reply and the new state (pure).

    The reply is in ``lang`` when given ("ja" or "en": the channel fixes it), else
    in the message's language, else in the conversation's (``state.lang``).
    Raises :class:`InputError` for a message that is not text or (:class:`MessageTooLongError`) longer than
    :data:`MAX_MESSAGE` characters, a ``state`` that is not a DialogueState, or an
    unsupported ``lang``.
    """
    if not isinstance(message, str):
        raise InputError(f"The message must be text, not {type(message).__name__}.")
    if len(message) > MAX_MESSAGE:
        raise MessageTooLongError(len(message), MAX_MESSAGE)
    if not isinstance(state, DialogueState):
        raise InputError("The dialogue state must be a DialogueState; use DialogueState.from_json.")
    state = sanitized(engine.kb, state)
    # A picked choice's value (「product:mobile」, sent by the widget's buttons) says nothing about language.
    picked_value = message.strip() in state.choices
    # 「英語でお願いします」 is answered in the language it asks for, unless the channel fixes one.
    asked = phrases.language_asked(message)
    lang = check_language(lang) or asked or (None if picked_value else message_language(engine.kb, message, today)) or state.lang
    lang = engine.kb.offered_language(lang)  # English to a Japanese-only knowledge base is answered in Japanese
    engine, state = in_language(engine, lang), (state if state.lang == lang else replace(state, lang=lang))
    # A card number may be split over messages: the state carries only how many digits are pending.
    screened = screen(message, state.card_digits)
    if screened.card:
        reply, new_state = _card_turn(engine, state, screened.text, today)
    else:
        reply, new_state = _turn(engine, state, message, today)
    # Copied only when something changes: a frozen value equal to the copy is the same value.
    if reply.lang != lang:
        reply = replace(reply, lang=lang)
    if new_state.lang != lang or new_state.card_digits != screened.card_tail:
        new_state = replace(new_state, lang=lang, card_digits=screened.card_tail)
    return reply, new_state


def _card_turn(engine: Engine, state: DialogueState, masked: str, today: date) -> Turn:
    """A message holding card data, ``masked``: warn, and answer only what is left.

    The number is masked before anything reads the message, so it can never reach
    a reply, the state or a recorded query.  A message that is little more than
    the number gets the warning alone (the state unchanged: an open form stays open).
    """
    if len(normalize(masked.replace(CARD_MASK, ""))) < _MIN_QUESTION_CHARS:
        return card_number_reply(engine, state)
    reply, new_state = _turn(engine, state, masked, today)
    return with_card_warning(engine, reply), new_state


def _turn(engine: Engine, state: DialogueState, message: str, today: date) -> Turn:
    text = message.strip()
    if not text:
        return question_prompt(engine, "dialogue_empty", state, KIND_CLARIFY)
    picked = picked_choice(engine.kb, state, text)
    if picked is not None:
        return _choose(engine, state, picked, today)
    number = phrases.picked_number(text)
    if number is not None and state.choices:
        return simple_reply("dialogue_pick", {"count": len(state.choices)}, state, KIND_CLARIFY)
    reason = handoff_reason(engine.kb, text)
    if reason is not None:
        return handoff_turn(engine, state, text, reason, today)
    if phrases.language_asked(text):
        # Answered in the language asked for (see step); an open form stays open.  Right after an
        # answer, that answer is what the customer wants in the other language (180th rule).
        if not state.form and state.last and engine.kb.entry(state.last).kind in ANSWER_KINDS:
            return follow_up(engine, replace(state, choices=()), today, "")
        return simple_reply("dialogue_language", {}, state, KIND_SMALLTALK)
    text = after_acknowledgement(engine.kb, text)  # 「承知しました。月額の場合は？」 asks 「月額の場合は？」
    if state.form:
        return _in_form(engine, state, text, today)
    return _idle(engine, state, text, today)


def _in_form(engine: Engine, state: DialogueState, text: str, today: date) -> Turn:
    bare = without_connectives(text)  # 「じゃあ、やめます」 abandons the form too (166th rule)
    if phrases.is_cancel(bare):
        return cancelled_reply(engine, state)
    if RESUME in state.choices:
        if phrases.is_yes(bare):
            return form_turn(engine, replace(state, choices=()), today)
        if phrases.is_no(bare):
            return cancelled_reply(engine, state)
    if phrases.is_dont_know(bare) and state.asking:
        # 「わからない」 is no question to route, nor a miss: the question says where to look.
        return ask(engine, state, state.asking, note=word(engine.kb, "dont_know"))
    entities = message_entities(engine, state, text, today)
    routing = engine.router.route(text, entities)
    kb = engine.kb
    routed = kb.entry(routing.intent) if routing.decision == DECISION_ANSWER else None
    asks_faq = _asks_faq(kb, text, routing)
    if asks_faq and len(engine.extractor.plans_named(text)) > 1:
        # A question naming both plans mid-form (「年額と月額の違いは？」) names neither as the customer's.
        entities = replace(entities, plan=None)
    problem = date_problem(text, today)
    if problem is not None:
        entities = replace(entities, expiry=None)
        if _refuses_date(problem, asks_faq):
            # A date we cannot use: keep the other facts, say what is wrong, ask for the expiry again.
            updated = replace(with_entities(state, entities), expiry=None, misses=0)
            return form_turn(engine, updated, today, problem=date_problem_text(problem, state.lang))
    if has_slots(entities):
        updated = with_entities(state, entities)
        if routed is not None and asks_faq:
            return answer_reply(engine, updated, routed, today, query=text, confidence=routing.confidence)
        note = describe_changes(kb, state, updated)
        hint = product_hint(kb, text) if updated.product is None else None
        return form_turn(engine, replace(updated, misses=0), today, note=note, hint=hint)
    if routed is not None:
        if routed.kind == KIND_COMPUTE:
            return form_turn(engine, replace(state, misses=0), today)
        return answer_reply(engine, state, routed, today, query=text, confidence=routing.confidence)
    if routing.decision == DECISION_CLARIFY:
        return clarify_reply(engine, state, _suggestions(kb, routing, CLARIFY_CHOICES), routing.confidence)
    hint = product_hint(kb, text) if state.asking == "product" else None
    if hint is not None:
        # 「トータルセキュリティ」 fits two products: offer those two, not the whole list.
        return ask(engine, replace(state, misses=0), "product", hint=hint)
    # Not understood: ask for the same slot again; from the second miss on, mention the support desk.
    missed = state.missed()
    gaps = missing(missed)
    note = word(kb, "misread")
    return form_turn(engine, replace(missed, asking=gaps[0] if gaps else None), today, note=note)


def _idle(engine: Engine, state: DialogueState, text: str, today: date) -> Turn:
    kb = engine.kb
    control = control_turn(engine, state, text, today)
    if control is not None:
        return control
    if asks_about_last_words(engine, state, text, today):
        # 「90日以内ってどういうこと？」 of the answer's own page pointer: the answer again, as for 「もう一度」.
        return follow_up(engine, replace(state, choices=()), today, "")
    entities = message_entities(engine, state, text, today)
    if phrases.compares(text) and len(engine.extractor.plans_named(text)) > 1:
        # 「年額と月額の違いは？」 after a billing date compares the plans: not a change of plan.
        entities = replace(entities, plan=None)
    routing = engine.router.route(text, entities)
    partly = product_in_part(engine, state, text, entities, routing, today)
    if partly is not None:
        return partly
    if state.last and has_slots(entities) and is_follow_up(engine, state, text, routing):
        refused = _refused_date(engine, state, text, entities, routing, today)
        if refused is not None:
            return refused
        updated = with_entities(state, entities)
        if phrases.is_correction(text) or _only_a_date(text, entities):
            # 「あ、毎月じゃなくて年払いだった」 after the notice answer that followed a billing date:
            # the fact corrected is the date's, and the date is worked out again.  So is a date
            # given alone there ("end of next month"): only the billing form asks for one.
            updated = replace(updated, last=computed_before(kb, state) or updated.last)
        return follow_up(engine, updated, today, describe_changes(kb, state, updated), previous=state)
    told = told_not_asked(engine, state, text, entities, today)
    if told is not None:
        return told
    routing = for_my_case(kb, text, in_context(engine, state, text, entities, routing))
    updated = with_entities(state, entities)
    if routing.decision == DECISION_ANSWER:
        return _answer_turn(engine, state, updated, text, routing, today)
    if routing.decision == DECISION_CLARIFY:
        return clarify_reply(engine, updated, _suggestions(kb, routing, CLARIFY_CHOICES), routing.confidence)
    if phrases.is_cancel(without_connectives(text)):
        # 「やめます」 with nothing open: acknowledge rather than count a miss.
        return cancelled_reply(engine, replace(state, choices=()))
    # Out of scope (the weather, another company's product): nothing in the KB is close.
    suggestions = () if routing.out_of_scope else _suggestions(kb, routing, _SUGGESTIONS)
    return fallback_reply(engine, updated, suggestions, routing.confidence, text)


def _only_a_date(text: str, entities: Entities) -> bool:
    """Does ``text`` say nothing but the date it names (「来月末」, "end of next month")?"""
    if entities.expiry is None:
        return False
    rest = unicodedata.normalize("NFKC", text).casefold().replace(entities.expiry.text.casefold(), " ")
    return not any(ch.isalnum() for ch in rest)


def _refused_date(
    engine: Engine, state: DialogueState, text: str, entities: Entities, routing: Routing, today: date
) -> Turn | None:
    """A follow-up whose date cannot be an expiry (「2026年12月3日」 after a billing date, today being the 4th).

    The date is refused and the expiry known before stays: it is neither recorded nor announced as
    changed.  The other facts the message names (「月額で、2026年12月3日」) are followed up as usual,
    after the refusal; with none, the refusal is the whole reply.  None when the date is usable, or
    when a past date belongs to a question (「2025年1月に解約したのに請求された？」), as mid-form.
    """
    problem = date_problem(text, today)
    if problem is None or not _refuses_date(problem, _asks_faq(engine.kb, text, routing)):
        return None
    kept = replace(entities, expiry=None)
    if not has_slots(kept):
        reply, unchanged = simple_reply("dialogue_date_problem", {"problem": problem}, replace(state, choices=()), KIND_CLARIFY)
        return replace(reply, intent=state.last or reply.intent), unchanged
    refusal = date_problem_text(problem, state.lang)
    updated = with_entities(state, kept)
    note = "\n".join(part for part in (refusal.strip(), describe_changes(engine.kb, state, updated)) if part)
    return follow_up(engine, updated, today, note, previous=state)


def _refuses_date(problem: DateProblem, asks_faq: bool) -> bool:
    """Is ``problem``'s date refused as an expiry?  Not a past date in a question the router
    answers with an FAQ entry (「2025年1月に解約したのに請求された？」): that question is answered."""
    return not (problem.code == PROBLEM_PAST and asks_faq)


def _asks_faq(kb: KnowledgeBase, text: str, routing: Routing) -> bool:
    """Is ``text`` a question the router answers with an FAQ entry (not a fact for the form)?"""
    routed = kb.entry(routing.intent) if routing.decision == DECISION_ANSWER else None
    return routed is not None and routed.kind == KIND_FAQ and phrases.looks_like_question(text)


def _answer_turn(
    engine: Engine, state: DialogueState, updated: DialogueState, text: str, routing: Routing, today: date
) -> Turn:
    """The turn for a message routed to an answer: a form opened for a computation, else the entry's answer."""
    kb = engine.kb
    entry = small_talk_stand_in(kb, kb.entry(routing.intent), state, lambda: {m.entry_id for m in routing.matches})
    if entry.kind == KIND_COMPUTE:
        opened = replace(updated, form=entry.id, choices=(), misses=0)
        problem = date_problem(text, today)
        return form_turn(
            engine,
            replace(opened, expiry=None) if problem else opened,
            today,
            intro=True,
            decision=DECISION_ANSWER,
            confidence=routing.confidence,
            problem=date_problem_text(problem, state.lang) if problem else "",
            hint=product_hint(kb, text) if opened.product is None else None,
        )
    if entry.kind == ENTRY_SMALLTALK and refused_beside(engine, text):
        reply, answered = answer_reply(engine, updated, entry, today, query=text, confidence=routing.confidence)
        return replace(reply, text=with_refused_beside_note(kb, reply.text)), answered
    again = entry.id == state.last and entry.kind == KIND_FAQ
    last = kb.entry(state.last) if state.last else None
    # Right after their billing date, a related question (「お知らせはいつ来る？」) gets their own dates too.
    computed = last is not None and last.kind == KIND_COMPUTE and entry.id in last.related
    dates = computed_dates(engine, updated, today) if computed else None
    others = other_questions(engine, text, entry.id) if entry.kind == KIND_FAQ else ()
    return answer_reply(
        engine, updated, entry, today, query=text, confidence=routing.confidence, again=again, dates=dates, others=others
    )


def _choose(engine: Engine, state: DialogueState, value: str, today: date) -> Turn:
    """Act on a picked choice value."""
    kb = engine.kb
    state = replace(state, choices=(), misses=0)
    if value == CANCEL:
        return cancelled_reply(engine, state)
    if value == RESUME:
        if state.form:
            return form_turn(engine, state, today)
        return question_prompt(engine, "dialogue_empty", state, KIND_CLARIFY)
    kind, _, ident = value.partition(":")
    if kind in ("product", "plan"):
        updated = replace(state, product=ident) if kind == "product" else replace(state, plan=ident)
        note = describe_changes(kb, state, updated)
        if updated.form:
            return form_turn(engine, updated, today, note=note)
        if updated.last:
            return follow_up(engine, updated, today, note)
        if kind == "product":
            return product_noted_reply(engine, updated)  # picked after 「iPhoneを使っています」
        return question_prompt(engine, "dialogue_empty", updated, KIND_SMALLTALK)
    entry = kb.entry(ident)
    if entry.kind == KIND_COMPUTE:
        opened = replace(state, form=entry.id, misses=0)
        return form_turn(engine, opened, today, intro=True)
    return answer_reply(engine, state, entry, today, decision=DECISION_DIALOGUE)


def _suggestions(kb: KnowledgeBase, routing: Routing, count: int) -> tuple[Suggestion, ...]:
    return tuple(suggest(kb, m) for m in routing.matches[:count])


__all__ = ["MAX_MESSAGE", "initial_state", "step"]
