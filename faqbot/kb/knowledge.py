"""The knowledge base as immutable values.

:func:`faqbot.kb.loader.load_knowledge_base` builds a :class:`KnowledgeBase`
from the YAML folder; everything above (entities, router, dialogue, front
ends) reads these values and never the YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path

from faqbot.errors import UnknownEntryError, UnknownProductError
from faqbot.kb.entry_table import EntryList, EntryTable
from faqbot.kb.rules import NoticeRule, ProductTerms
from faqbot.text.normalize import normalize_term
from faqbot.text.suggest import did_you_mean

#: Entry kinds: stored FAQ answers, computed answers, conversation glue.
KIND_FAQ = "faq"
KIND_COMPUTE = "compute"
KIND_SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Service:
    """The service the bot answers about and where customers can look further."""

    name: str
    company: str
    # Where customers see their contract (a member page); None: the service has no customer accounts.
    account: str | None
    support_desk: str
    support_url: str | None = None
    # How a customer reaches a person; None where the source page does not say,
    # and the answer then says where to look instead of inventing a number.
    support_phone: str | None = None
    support_hours: str | None = None
    support_form_url: str | None = None
    # The same names in English (``service.en`` in service.yaml); None: not translated.
    english: Service | None = None

    def in_language(self, lang: str) -> Service:
        """These settings with their names in ``lang`` (the original where untranslated)."""
        if lang == "en" and self.english is not None:
            return self.english
        return self


@dataclass(frozen=True)
class HandoffPhrases:
    """Phrases that hand the customer over to a person (``knowledge/handoff.yaml``).

    ``complaint`` and ``refund`` replies apologise first; ``asked`` is a request
    for a person or the desk itself.
    """

    complaint: tuple[str, ...] = ()
    # Complaints about a case the source page does not answer (「解約したのに請求」): complaints too, with
    # the apology and ``complaint_reply`` only, never an entry's answer, whatever the router reads in.
    unanswered: tuple[str, ...] = ()
    refund: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()
    # The entry whose answer is the desk itself (「問い合わせ窓口はどこですか」): a request for a person
    # answers it, whatever the router makes of the words (「人間に代わって」).  None: no such entry.
    entry: str | None = None
    # What a complaint is told after the apology when it asks nothing the bot answers: a template
    # like an answer's (the service's names filled in), and its English twin.  None: the desk only.
    complaint_reply: str | None = None
    complaint_reply_en: str | None = None
    # What a refund demand is told after the apology when no entry answers it, likewise.
    refund_reply: str | None = None
    refund_reply_en: str | None = None

    def in_language(self, lang: str) -> HandoffPhrases:
        """The phrases with the replies in ``lang`` (Japanese where untranslated); the phrase lists unchanged."""
        if lang != "en":
            return self
        return replace(
            self,
            complaint_reply=self.complaint_reply_en or self.complaint_reply,
            refund_reply=self.refund_reply_en or self.refund_reply,
        )


@dataclass(frozen=True)
class RouterSettings:
    """Routing settings of a knowledge base.

    ``target_precision``: the share of answered messages that must be right;
    ``target_refusal``: the share of messages about something the knowledge base does not
    answer that must be refused.  The router fits its answering threshold (a probability)
    for the stricter of the two when the engine is built.
    ``threshold``: a hand-set floor on the best entry's character score instead, the rule
    from before calibration (None: the fitted threshold decides).
    ``lexical_weight``: the lexical channel's weight in the fused ranking score, stated
    instead of fitted (None: fitted when the engine is built).
    ``min_confidence``: answer when the calibrated probability reaches this, instead of the
    cut fitted for the two targets (None: the fitted cut); the probability model is still
    fitted, so ``faqbot eval``'s precision–coverage table reads on the same scale (with too few
    examples to fit one, the best score stands in for the probability, as it does for the cut).
    ``score_cut``: answer when the best score reaches this, the decision a build of this knowledge
    base fitted, stated so that an edit elsewhere does not move it (as ``lexical_weight`` holds the
    weight; None: the fitted decision); the probability model is still fitted for the confidences,
    and ``faqbot check`` says what the fit would choose now.
    At most one of ``threshold``, ``min_confidence`` and ``score_cut`` may be stated.
    ``word_vectors``: the name of a word-vector table to rank with too, when it is installed
    (``faqbot vectors install NAME``; None: none).  Optional: without it installed the knowledge
    base is routed as if it named none.
    """

    target_precision: float = 0.9
    # Nine off-topic messages in ten refused: issue 11's stated requirement (fallback recall ≥ 0.90).
    target_refusal: float = 0.9
    threshold: float | None = None
    clarify_margin: float = 0.03
    lexical_weight: float | None = None
    min_confidence: float | None = None
    word_vectors: str | None = None
    score_cut: float | None = None


@dataclass(frozen=True)
class SupportPages:
    """Support-page titles an answer points to: for everyone, and per product."""

    common: tuple[str, ...] = ()
    by_product: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (title, url) for pages the YAML gives a URL for ({title, url} items); the seed names none.
    urls: tuple[tuple[str, str], ...] = ()

    def url(self, title: str) -> str | None:
        """The URL of the page titled ``title``, or None when the knowledge base has none."""
        return dict(self.urls).get(title)

    def for_product(self, product_id: str | None) -> tuple[str, ...]:
        """Titles for one product (its own, then the common ones).

        Without a product, every title is returned: the customer picks theirs.
        """
        if product_id is None:
            titles = list(self.common)
            for _, own in self.by_product:
                titles.extend(t for t in own if t not in titles)
            return tuple(titles)
        own = dict(self.by_product).get(product_id, ())
        return own + tuple(t for t in self.common if t not in own)

    def products(self) -> tuple[str, ...]:
        """Product ids that have product-specific pages."""
        return tuple(pid for pid, _ in self.by_product)


@dataclass(frozen=True)
class Note:
    """One remark of an answer (``notes`` in the YAML); ``about`` words say when it is the one asked about."""

    text: str
    text_en: str | None = None
    about: tuple[str, ...] = ()

    def in_language(self, lang: str) -> Note:
        """The note in ``lang`` (the original where untranslated)."""
        return replace(self, text=self.text_en or self.text) if lang == "en" else self


@dataclass(frozen=True)
class Entry:
    """One thing the bot can answer: an FAQ entry, a computation or small talk."""

    id: str
    kind: str
    category: str
    question: str
    alternates: tuple[str, ...]
    answer: str  # jinja2 template source
    pages: SupportPages = field(default_factory=SupportPages)
    related: tuple[str, ...] = ()
    source: str = ""  # file the entry was loaded from, for file:line messages
    line: int = 0
    alternate_lines: tuple[int, ...] = ()  # line of each alternate, for file:line messages
    # English question and answer (``question_en`` / ``answer_en``): faithful translations.
    question_en: str | None = None
    answer_en: str | None = None
    notes: tuple[Note, ...] = ()  # remarks listed after the answer; the one asked about first
    # What a short follow-up to this answer (「それはなぜ？」「どこで？」) is about; empty: the noun
    # phrase the question marks (faqbot/dialogue/ellipsis.py: topic_of).
    topic: str = ""
    # The entry this one stands for once something has been answered, when the message's words fit
    # it too: 「どうも」 greets a newcomer and thanks after an answer (``after_answer: thanks`` on the
    # greeting; 「こんにちは」 fits no thanks and stays a greeting).  Empty: itself.
    after_answer: str = ""
    # The entry this one stands for while the conversation has not begun (nothing answered, asked
    # or missed yet): 「お疲れ様です」 opens a message in Japanese working life and 「お疲れさまでした」
    # closes one, and the router reads the two alike (``opening: greeting`` on goodbye).  Empty: itself.
    opening: str = ""
    # Whole messages that acknowledge an answer (「了解しました」, "got it"): right after one, the
    # dialogue gives this small-talk entry's reply without routing them (one or two words are what
    # the character channel reads worst).  Empty: none.
    acknowledgements: tuple[str, ...] = ()

    def notes_about(self, query: str) -> tuple[Note, ...]:
        """The notes whose ``about`` words the (normalised) query mentions; empty when none does."""
        norm = normalize_term(query)
        if not norm:
            return ()
        return tuple(n for n in self.notes if any(w and w in norm for w in map(normalize_term, n.about)))

    def in_language(self, lang: str) -> Entry:
        """The entry with its question and answer in ``lang`` (the original where untranslated)."""
        if lang != "en" or not (self.question_en or self.answer_en or any(n.text_en for n in self.notes)):
            return self  # nothing translated: the same value (most entries of a large knowledge base)
        return replace(
            self,
            question=self.question_en or self.question,
            answer=self.answer_en or self.answer,
            notes=tuple(n.in_language(lang) for n in self.notes),
        )

    @property
    def questions(self) -> tuple[str, ...]:
        """The canonical question followed by every alternate."""
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class Plan:
    """A renewal plan (monthly, annual) and the words customers use for it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    name_en: str | None = None

    def in_language(self, lang: str) -> Plan:
        """The plan named in ``lang`` (the original name where untranslated)."""
        return replace(self, name=self.name_en or self.name) if lang == "en" else self


@dataclass(frozen=True)
class Product:
    """A product of the catalogue, with the names customers use and its renewal terms."""

    id: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[tuple[str, ...], ...]
    plans: tuple[str, ...] | None  # None: the source does not say which plans are sold
    renewal_routes: tuple[str, ...]
    terms: ProductTerms
    price: str | None = None
    url: str | None = None
    name_en: str | None = None

    def in_language(self, lang: str) -> Product:
        """The product named in ``lang`` (the original name where untranslated)."""
        return replace(self, name=self.name_en or self.name) if lang == "en" else self


@dataclass(frozen=True)
class Renewal:
    """Renewal facts shared by every product.

    ``statement_label``: where the ``statement_descriptors`` appear, in the knowledge base's
    words (the seed: 「クレジットカード会社のご利用明細書」); empty: the answer says "statement"
    without naming whose.  ``statement_label_en``: the same in English.
    """

    payment_method: str
    notice: NoticeRule
    statement_descriptors: tuple[str, ...]
    statement_label: str = ""
    statement_label_en: str = ""

    def in_language(self, lang: str) -> Renewal:
        """These facts with the statement's label in ``lang`` (empty where untranslated: the generic wording)."""
        if lang != "en":
            return self
        return replace(self, statement_label=self.statement_label_en)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything faqbot knows, loaded and validated."""

    root: Path
    service: Service
    settings: RouterSettings
    renewal: Renewal
    entries: EntryList | EntryTable  # as loaded; packed when read from the engine cache
    products: tuple[Product, ...]
    plans: tuple[Plan, ...]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]
    out_of_scope: tuple[str, ...]
    out_of_scope_subjects: tuple[str, ...]
    content_hash: str
    handoff: HandoffPhrases = field(default_factory=HandoffPhrases)
    lang: str = "ja"  # the language answers are rendered in (see :meth:`in_language`)
    # The languages the knowledge base answers in (service.yaml's ``languages``); Japanese is the source.
    languages: tuple[str, ...] = ("ja", "en")
    # products.yaml's ``mention_suffixes``: words that, right after a product's name or alias,
    # belong to naming it ("the Mac version", as 「Mac版」); masked with the name.
    mention_suffixes: tuple[str, ...] = ()
    # products.yaml's ``other_expiries``: things with an expiry of their own (the card), whose date a
    # message gives is not the licence's (「カードの有効期限が来月」).
    other_expiries: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, object]:
        # Pickled (the engine cache) with its entries packed, so that a cached engine maps
        # them and decodes only those it reads (faqbot.kb.entry_table); cached look-ups
        # are left out and rebuilt on demand.
        state: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        state["entries"] = self.entries.packed()
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def pack_entries(self, spill: Path | None = None) -> None:
        """Hold the entries packed from now on, as a cached engine holds them (the same entries, decoded when read).

        For a freshly built engine about to be written to the engine file: the table is what the
        file stores anyway, and the entries as objects (~120 MB at 50,000 entries, their texts
        included) are freed before the write.  ``spill``: a folder where the table's bytes are
        written and mapped from (see :meth:`EntryList.packed`), so they do not stand in the heap
        beside those objects either.  In place, since the router and the channels built from
        this knowledge base hold it too.
        """
        object.__setattr__(self, "entries", self.entries.packed(spill))
        self.__dict__.pop("_english", None)  # its entries are the objects' English views: rebuilt on demand

    @cached_property
    def ids(self) -> Sequence[str]:
        """Every entry id, in the entries' order (a packed table gives them without decoding entries)."""
        return self.entries.ids

    @cached_property
    def entry_ids(self) -> frozenset[str]:
        """Every entry id (computed once: a dialogue turn checks ids several times)."""
        return frozenset(self.ids)

    def _find(self, entry_id: str) -> Entry | None:
        pos = self.entries.position(entry_id)
        return self.entries[pos] if pos >= 0 else None

    @cached_property
    def _english(self) -> KnowledgeBase:
        return replace(
            self,
            service=self.service.in_language("en"),
            entries=self.entries.in_language("en"),
            products=tuple(p.in_language("en") for p in self.products),
            plans=tuple(p.in_language("en") for p in self.plans),
            handoff=self.handoff.in_language("en"),
            renewal=self.renewal.in_language("en"),
            lang="en",
        )

    def in_language(self, lang: str) -> KnowledgeBase:
        """The knowledge base with every text in ``lang`` ("ja" or "en"), for rendering answers.

        Ids, aliases and alternates stay as they are, so routing is unaffected;
        an untranslated text stays in Japanese (``faqbot check`` reports it).
        """
        return self._english if self.offered_language(lang) == "en" else self

    def offered_language(self, lang: str) -> str:
        """``lang`` when the knowledge base answers in it, else Japanese (a Japanese-only one answers English in Japanese)."""
        return lang if lang in self.languages else "ja"

    def entry(self, entry_id: str) -> Entry:
        """The entry with ``entry_id``; raises :class:`UnknownEntryError`."""
        entry = self._find(entry_id)
        if entry is not None:
            return entry
        raise UnknownEntryError(
            f"Unknown entry id {entry_id!r}{did_you_mean(entry_id, self.ids)}; "
            "run `faqbot lookup` to find the id you want."
        )

    def has_entry(self, entry_id: str) -> bool:
        """True when an entry with ``entry_id`` exists."""
        return self.entries.position(entry_id) >= 0

    def product(self, product_id: str) -> Product:
        """The product with ``product_id``; raises :class:`UnknownProductError`."""
        for product in self.products:
            if product.id == product_id:
                return product
        known = ", ".join(p.id for p in self.products)
        raise UnknownProductError(f"Unknown product id {product_id!r}; use one of: {known}.")

    @cached_property
    def computes_billing(self) -> bool:
        """Whether the billing calculator is offered: products with renewal rules and a computed answer (compute.yaml).

        A service without products (a city's waste desk) has none; ``faqbot billing`` and the
        billing API then say so, and the chat never asks for a product.
        """
        return bool(self.products) and len(self.entries.positions_of_kind(KIND_COMPUTE)) > 0

    def entries_of_kind(self, kind: str) -> tuple[Entry, ...]:
        """Entries of one kind, in file order (a packed knowledge base decodes only those)."""
        return tuple(self.entries[int(i)] for i in self.entries.positions_of_kind(kind))
