"""The next-billing-date form: fill product, plan and expiry over one or more turns.

Only what is still missing is asked, one question at a time, with numbered
choices where there are few (products, plans).  When every slot is known the
billing date is computed; a slot the calculator rejects (a plan the product
is not sold on, an expiry in the past) is cleared and asked again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import date

from faqbot.answers.answering import Engine, billing_context, billing_for, missing_slots
from faqbot.dialogue.handoff import make_handoff
from faqbot.dialogue.language import approx_date, date_text, word
from faqbot.dialogue.remembered import remembered
from faqbot.dialogue.reply import (
    DECISION_DIALOGUE,
    HANDOFF_MISSES,
    KIND_BILLING,
    KIND_FORM,
    KIND_SUPPORT,
    Choice,
    Fact,
    Link,
    Reply,
)
from faqbot.dialogue.state import SLOTS, DialogueState
from faqbot.errors import ExpiryInPastError, InputError, PlanNotOfferedError, UnknownPlanError
from faqbot.kb.billing import BillingResult
from faqbot.kb.dates import PROBLEM_PAST, DateProblem, FoundDate
from faqbot.kb.knowledge import Entry, KnowledgeBase
from faqbot.kb.templating import render_system, render_text
from faqbot.routing.entities import Entities, after_correction, pointer_words
from faqbot.text.normalize import normalize_term

# 「月額版 (1か月間)」 → 「月額版」: the period in brackets reads badly mid-sentence.
_NAME_SUFFIX = re.compile(r"\s*[（(][^()（）]*[)）]\s*$")
# Misses in a row after which the support desk is offered.
SUPPORT_AFTER_MISSES = 2
#: Fewest characters (normalised) of a partial product name that narrow the choices (「TS」 does not).
MIN_PARTIAL = 4


def short_plan_name(kb: KnowledgeBase, plan_id: str) -> str:
    """The plan's name without its bracketed period, or the id if unknown."""
    for plan in kb.plans:
        if plan.id == plan_id:
            return _NAME_SUFFIX.sub("", plan.name) or plan.name
    return plan_id


def entities_of(state: DialogueState) -> Entities:
    """The state's slots as :class:`Entities` (what answering functions take)."""
    expiry = FoundDate(state.expiry, "day", state.expiry.isoformat()) if state.expiry else None
    return Entities(product=state.product, plan=state.plan, expiry=expiry)


def with_entities(state: DialogueState, entities: Entities) -> DialogueState:
    """``state`` with the slots ``entities`` names overwritten (newer facts win)."""
    return replace(
        state,
        product=entities.product or state.product,
        plan=entities.plan or state.plan,
        expiry=entities.expiry_date or state.expiry,
    )


def describe_changes(kb: KnowledgeBase, old: DialogueState, new: DialogueState) -> str:
    """「プランを年額版から月額版に変更しました。」 for each slot the customer corrected."""
    notes = []
    for slot in ("product", "plan", "expiry"):
        before, after = getattr(old, slot), getattr(new, slot)
        if before is not None and after is not None and before != after:
            changed = word(kb, "changed").format(
                slot=word(kb, slot).lower() if kb.lang == "en" else word(kb, slot),
                before=_slot_text(kb, slot, before),
                after=_slot_text(kb, slot, after),
            )
            notes.append(changed)
    return (" " if kb.lang == "en" else "").join(notes)


def known_slots(kb: KnowledgeBase, state: DialogueState) -> list[str]:
    """The filled slots as display texts, in asking order."""
    return [_slot_text(kb, s, getattr(state, s)) for s in SLOTS if getattr(state, s) is not None]


def missing(state: DialogueState) -> tuple[str, ...]:
    """The slots still empty, in the order they are asked (the single-turn rule)."""
    return missing_slots(entities_of(state))


def form_turn(
    engine: Engine,
    state: DialogueState,
    today: date,
    *,
    intro: bool = False,
    note: str = "",
    decision: str = DECISION_DIALOGUE,
    confidence: float = 1.0,
    problem: str = "",
    hint: ProductHint | None = None,
) -> tuple[Reply, DialogueState]:
    """Ask for the next missing slot of ``state.form``, or compute the billing when none is.

    ``problem`` says why a value the customer sent was not taken (an impossible date);
    ``hint``: words of the message that fit some products, offered alone when the product is asked.
    """
    kb = engine.kb
    entry = kb.entry(state.form) if state.form else None
    if entry is None:
        raise InputError("form_turn needs an open form.")  # a programming error at the edges
    intro_text = render_text(kb, entry, kb.product(state.product) if state.product else None) if intro else ""
    gaps = missing(state)
    if gaps:
        slot = "expiry" if problem and "expiry" in gaps else gaps[0]
        return ask(
            engine, state, slot, intro=intro_text, note=note, problem=problem, decision=decision,
            confidence=confidence, hint=hint,
        )
    try:
        result = billing_for(engine, state.product or "", state.plan or "", state.expiry or today, today)
    except (PlanNotOfferedError, UnknownPlanError) as exc:
        return ask(engine, replace(state, plan=None), "plan", intro=intro_text, note=note, problem=str(exc))
    except ExpiryInPastError:
        # Worded in the conversation's language (the calculator's own message is for staff tools).
        past = DateProblem(PROBLEM_PAST, date_text(kb, state.expiry or today))
        return ask(
            engine, replace(state, expiry=None), "expiry", intro=intro_text, note=note,
            problem=date_problem_text(past, kb.lang),
        )
    return billing_reply(engine, entry, state, result, note, decision, confidence)


def ask(
    engine: Engine,
    state: DialogueState,
    slot: str,
    *,
    intro: str = "",
    note: str = "",
    problem: str = "",
    decision: str = DECISION_DIALOGUE,
    confidence: float = 1.0,
    hint: ProductHint | None = None,
) -> tuple[Reply, DialogueState]:
    """Ask for ``slot``, offering numbered choices for products and plans.

    ``hint``: words of the customer's that fit some products (「トータルセキュリティ」): when the
    product is asked, only those products are offered.
    """
    kb = engine.kb
    narrowing = hint if slot == "product" and hint is not None else None
    choices = slot_choices(kb, state, slot, narrowing.products if narrowing else ())
    offer_support = state.misses >= SUPPORT_AFTER_MISSES
    text = render_system(
        "dialogue_ask",
        {
            "intro": intro,
            "problem": problem,
            "note": note,
            # The summary of the form so far; a product asked about the last answer has no form.
            "known": known_slots(kb, state) if state.form else [],
            "asking": slot,
            "plans": [c.label for c in choices] if slot == "plan" else [],
            "service": kb.service,
            "offer_support": offer_support,
            "plans_confirmed": _plans_confirmed(kb, state),
            "narrowed": narrowing.words if narrowing else "",
        },
        kb.lang,
    )
    links = (Link(kb.service.support_desk, kb.service.support_url),) if offer_support else ()
    handoff = make_handoff(kb, state, HANDOFF_MISSES, "") if offer_support else None
    reply = Reply(
        text=text,
        intent=state.form or "",
        decision=decision,
        confidence=confidence,
        choices=choices,
        links=links,
        kind=KIND_SUPPORT if offer_support else KIND_FORM,
        handoff=handoff,
    )
    return reply, replace(state, asking=slot, choices=tuple(c.value for c in choices))


def date_problem_text(problem: DateProblem, lang: str) -> str:
    """The sentence saying what is wrong with a typed date and what to type instead."""
    return render_system("dialogue_date_problem", {"problem": problem}, lang)


def _plans_confirmed(kb: KnowledgeBase, state: DialogueState) -> bool:
    """Does the page say which plans the chosen product is sold on? (unknown product: no caveat yet)"""
    return state.product is None or kb.product(state.product).plans is not None


def slot_choices(
    kb: KnowledgeBase, state: DialogueState, slot: str, only: tuple[str, ...] = ()
) -> tuple[Choice, ...]:
    """Numbered choices for a slot: every product (or those in ``only``), or the plans the chosen product is sold on."""
    if slot == "product":
        products = [p for p in kb.products if not only or p.id in only]
        return tuple(Choice(i, p.name, f"product:{p.id}") for i, p in enumerate(products, start=1))
    if slot == "plan":
        offered = kb.product(state.product).plans if state.product else None
        plans = [p for p in kb.plans if offered is None or p.id in offered]
        return tuple(Choice(i, short_plan_name(kb, p.id), f"plan:{p.id}") for i, p in enumerate(plans, start=1))
    return ()


def billing_reply(
    engine: Engine,
    entry: Entry,
    state: DialogueState,
    result: BillingResult,
    note: str,
    decision: str,
    confidence: float,
) -> tuple[Reply, DialogueState]:
    """The computed billing date as text and facts; closes the form, keeps the slots for follow-ups."""
    kb = engine.kb
    plan_name = short_plan_name(kb, result.plan)
    context = {**billing_context(kb, result), "note": note, "plan_name": plan_name}
    text = render_system("dialogue_billing", context, kb.lang)
    facts = (
        Fact(word(kb, "product"), kb.product(result.product_id).name),
        Fact(word(kb, "plan"), plan_name),
        Fact(word(kb, "expiry"), date_text(kb, result.expiry)),
        *date_facts(kb, result),
    )
    related = [r for r in entry.related if kb.has_entry(r)]
    choices = tuple(Choice.for_entry(i, r, kb.entry(r).question) for i, r in enumerate(related, start=1))
    links = tuple(Link(t, entry.pages.url(t)) for t in entry.pages.for_product(result.product_id))
    reply = Reply(text, entry.id, decision, confidence, choices, links, facts, KIND_BILLING)
    new_state = replace(state.forget_form(), last=entry.id, choices=tuple(c.value for c in choices), misses=0)
    return reply, new_state


def computed_dates(engine: Engine, state: DialogueState, today: date) -> BillingResult | None:
    """The billing computed from the state's product, plan and expiry, or None when one is missing or unusable."""
    if not (state.product and state.plan and state.expiry):
        return None
    try:
        return billing_for(engine, state.product, state.plan, state.expiry, today)
    except (PlanNotOfferedError, UnknownPlanError, ExpiryInPastError):
        return None


def date_facts(kb: KnowledgeBase, result: BillingResult) -> tuple[Fact, ...]:
    """The computed billing date and notice date as facts."""
    return (
        Fact(word(kb, "next_billing"), approx_date(kb, result.billing_date, result.approx)),
        Fact(word(kb, "notice"), approx_date(kb, result.notice_date, result.approx)),
    )


def _slot_text(kb: KnowledgeBase, slot: str, value: object) -> str:
    if slot == "product" and isinstance(value, str):
        return next((p.name for p in kb.products if p.id == value), value)
    if slot == "plan" and isinstance(value, str):
        return short_plan_name(kb, value)
    if isinstance(value, date):
        return date_text(kb, value)
    return str(value)


@dataclass(frozen=True)
class ProductHint:
    """Words of a message that fit some of the products but name none outright (「クラウド」)."""

    words: str
    products: tuple[str, ...]  # ids, in the knowledge base's order
    pointer: bool = False  # a word in no name that points to products (「iPhone」), not a part of a name


def message_entities(engine: Engine, state: DialogueState, text: str, today: date) -> Entities:
    """What ``text`` says of the contract, a product named in part included when its words settle it.

    The extractor wants a product named outright; in a conversation 「クラウドの月額」 means
    ウイルスバスター クラウド, and 「プレミアムも同じ？」 after トータルセキュリティ スタンダード the
    premium edition of it (:func:`settled_product`).
    """
    entities = engine.extractor.extract(text, today)
    if entities.product is not None:
        return entities
    hint = product_hint(engine.kb, after_correction(text))
    product = settled_product(engine.kb, hint, state.product) if hint is not None else None
    return replace(entities, product=product) if product is not None else entities


def settled_product(kb: KnowledgeBase, hint: ProductHint, current: str | None) -> str | None:
    """The one product ``hint`` must mean, or None when the customer has to be asked.

    One product fits; or ``current``, the product named before, fits; or one fitting product's
    name ends with the words while the others' go on (「クラウド」: ウイルスバスター クラウド, not
    ウイルスバスター クラウド+ デジタルライフサポート プレミアム); or one fitting product shares more
    of its name with ``current``.  A pointer (「iPhone」) settles nothing: a device runs more than
    one product; nor does a word the questions use on its own (:func:`_ordinary_word`), nor one
    English word (:func:`_english_word`).
    """
    if hint.pointer or _ordinary_word(kb, hint.words) or _english_word(hint.words):
        return None
    if len(hint.products) == 1:
        return hint.products[0]
    if current in hint.products:
        return current
    form = normalize_term(hint.words)
    ending = [p for p in hint.products if normalize_term(kb.product(p).name).endswith(form)]
    if len(ending) == 1:
        return ending[0]
    if current is None:
        return None
    # Words most names hold (ウイルスバスター) are the brand: sharing them says nothing.
    brand = {w for w in _name_words(kb, current) if sum(w in _name_words(kb, p.id) for p in kb.products) * 2 >= len(kb.products)}
    before = _name_words(kb, current) - brand
    shared = {p: len(before & _name_words(kb, p)) for p in hint.products}
    most = max(shared.values(), default=0)
    best = [p for p, count in shared.items() if count == most]
    return best[0] if len(best) == 1 and most > 0 else None


def _english_word(words: str) -> bool:
    """One English word of a name (「Free」, 「Home」, 「Cloud」) is too often an ordinary word: "Is it
    free?" named no Free Wi-Fi Protection.  Such words are offered, never settled."""
    return words.isascii() and len(words.split()) == 1


def _ordinary_word(kb: KnowledgeBase, words: str) -> bool:
    """Do ``kb``'s questions use ``words`` outside product names (「パスワードを忘れた」)? Then they
    name no product by themselves: 「パスワード忘れた」 is no パスワードマネージャー."""
    return words.casefold() in _names_of(kb).questions_without_names


def _name_words(kb: KnowledgeBase, product: str) -> set[str]:
    return {normalize_term(w) for w in kb.product(product).name.split()}


def product_hint(kb: KnowledgeBase, text: str) -> ProductHint | None:
    """What in ``text`` fits some products but not all: the whole text, else a word of a product name.

    「トータルセキュリティ」 is held by two products' names; 「クラウドの年額です」 holds 「クラウド」, a
    word of two names.  A message naming one product outright is the entity extractor's; this
    is for words that fit several, so the form offers just those.  Words shorter than
    :data:`MIN_PARTIAL` characters (normalised) fit too much to narrow anything.  Last, a word
    that is in no name but points to products (「iPhone」; :func:`~faqbot.routing.entities.pointer_words`).
    """
    norm = normalize_term(text)
    if len(norm) < MIN_PARTIAL:
        return None
    # A word that names no product but points to some (「iPhone」: ウイルスバスター モバイル is for
    # Android/iOS) narrows the products a name's part fits (「Android版のウイルスバスター」).
    pointer = next((p for p in _names_of(kb).pointers if p.form in norm and len(p.products) < len(kb.products)), None)
    found = _name_hint(kb, text, norm)
    if pointer is None:
        return found
    narrowed = tuple(p for p in pointer.products if found is None or p in found.products)
    return ProductHint(pointer.spelling, narrowed or pointer.products, pointer=True)


class _Names:
    """What product hints read of a knowledge base's names, made once per knowledge base (a hint is
    looked for in most messages of a conversation, and remaking this cost ~2 ms a message)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.names = {p.id: [normalize_term(n) for n in (p.name, *p.aliases)] for p in kb.products}
        # Words of every name and alias, and runs of words of each product's name ("Total Security").
        self.named = {span for product in kb.products for span in _word_runs(product.name)}
        words = {piece for product in kb.products for name in product.aliases for piece in name.split()}
        # The company's and the service's own names (トレンドマイクロアカウント) are no product's words.
        services = (kb.service, kb.service.in_language("en"))
        service = [normalize_term(n) for each in services for n in (each.company, each.account, each.name)]
        forms = {piece: normalize_term(piece) for piece in self.named | words}
        self.forms = {
            piece: form for piece, form in forms.items()
            if len(form) >= MIN_PARTIAL and not any(form in name for name in service)
        }
        self.pointers = pointer_words(kb)
        # The questions, joined and case-folded, with every name and alias cut out.  Raw text, not
        # normalised: one C search for the words as a name spells them, and a 50k-entry knowledge
        # base joins in a few milliseconds (normalising its 250k questions one by one took most of
        # a second, in a served request).
        cut = sorted({n.casefold() for p in kb.products for n in (p.name, *p.aliases)} - {""}, key=len, reverse=True)
        joined = "\n".join(q for entry in kb.entries for q in entry.questions).casefold()
        self.questions_without_names = re.sub("|".join(map(re.escape, cut)), "\n", joined) if cut else joined
        self._holding: dict[str, tuple[str, ...]] = {}

    def holding(self, form: str) -> tuple[str, ...]:
        """The products whose name or an alias holds ``form``."""
        return tuple(product for product, names in self.names.items() if any(form in name for name in names))

    def holding_piece(self, piece: str) -> tuple[str, ...]:
        """:meth:`holding` for one of :attr:`forms`' pieces, remembered (messages are not)."""
        found = self._holding.get(piece)
        if found is None:
            found = self._holding[piece] = self.holding(self.forms[piece])
        return found


_NAMES: dict[Hashable, _Names] = {}


def _names_of(kb: KnowledgeBase) -> _Names:
    # By content and language: the English view of a knowledge base has the English names.
    return remembered(_NAMES, (kb.content_hash, kb.lang), lambda: _Names(kb), 8)


def _name_hint(kb: KnowledgeBase, text: str, norm: str) -> ProductHint | None:
    """The whole text, else the longest word of a product name, that fits some products but not all."""
    index = _names_of(kb)
    whole = index.holding(norm)
    if 0 < len(whole) < len(kb.products):
        return ProductHint(text.strip(), whole)
    # One English word of a name counts as a name only capitalised, as names are written: "What
    # about Cloud?" names one, "Is it free?" does not name Free Wi-Fi Protection.
    written = unicodedata.normalize("NFKC", text)
    pieces = [
        piece for piece, form in index.forms.items()
        if form in norm and (not _plain_english_word(piece) or _capitalised_in(piece, written))
    ]
    # Longest first; of equals, the one written in a product's name (「クラウド」, not an alias's 「くらうど」).
    for piece in sorted(pieces, key=lambda p: (-len(index.forms[p]), p not in index.named, p)):
        fits = index.holding_piece(piece)
        if 0 < len(fits) < len(kb.products):
            return ProductHint(piece, fits)
    return None


def _plain_english_word(piece: str) -> bool:
    """One capitalised English word ("Free", "Cloud"), not a run ("Total Security") or a compound ("TotalSecurity")."""
    return piece.isascii() and piece.isalpha() and piece[:1].isupper() and piece[1:].islower()


def _capitalised_in(piece: str, text: str) -> bool:
    """Does ``text`` hold ``piece`` with a capital first letter ("Cloud", "CLOUD"; not "cloud"),
    spaces aside ("TotalSecurity" in "Total Security")?"""
    squeezed, wanted = "".join(text.split()), "".join(piece.split()).casefold()
    lowered = squeezed.casefold()
    start = lowered.find(wanted)
    while start != -1:
        if squeezed[start].isupper():
            return True
        start = lowered.find(wanted, start + 1)
    return False


def _word_runs(name: str) -> set[str]:
    """Every run of consecutive words of ``name``: "Total Security" of "Virus Buster Total Security Standard"."""
    words = name.split()
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def prepare_names(kb: KnowledgeBase) -> None:
    """Build the name index (with the questions without names) for ``kb`` (in its language)."""
    _names_of(kb)
