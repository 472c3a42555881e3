"""Which products a message hints at: 「クラウドの月額」 is ウイルスバスター クラウド, 「iPhoneで使ってる」
points to the products sold for it, 「プレミアム」 to the editions named so.

The extractor wants a product named outright; in a conversation a part of a name, or a
device a product is sold for, often says enough — or narrows the choices the customer
is offered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import date

from faqbot.answers.answering import Engine
from faqbot.dialogue.remembered import remembered
from faqbot.dialogue.state import DialogueState
from faqbot.kb.knowledge import KnowledgeBase
from faqbot.routing.entities import Entities, after_correction, pointer_words
from faqbot.text.normalize import normalize_term

#: Fewest characters (normalised) of a partial product name that narrow the choices (「TS」 does not).
MIN_PARTIAL = 4


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
    return words.casefold() in _questions_without_names(kb)


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
        service = [normalize_term(n) for each in services for n in (each.company, each.account or "", each.name)]
        forms = {piece: normalize_term(piece) for piece in self.named | words}
        self.forms = {
            piece: form for piece, form in forms.items()
            if len(form) >= MIN_PARTIAL and not any(form in name for name in service)
        }
        self.pointers = pointer_words(kb)
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
_UNNAMED: dict[Hashable, str] = {}


def _names_of(kb: KnowledgeBase) -> _Names:
    # By content and language: the English view of a knowledge base has the English names.
    return remembered(_NAMES, (kb.content_hash, kb.lang), lambda: _Names(kb), 8)


def _questions_without_names(kb: KnowledgeBase) -> str:
    """``kb``'s questions, joined and case-folded, with every name and alias cut out; made once per
    knowledge base and language.

    Apart from :class:`_Names`: it reads every entry, which a packed knowledge base decodes one by
    one (0.06 s at 10,000 entries, before the cutting), and few messages need it — a one-shot
    ``faqbot ask`` about billing paid it for nothing.  Raw text, not normalised: one C search for
    the words as a name spells them (normalising 250k questions one by one took most of a second,
    in a served request).
    """

    def make() -> str:
        cut = sorted({n.casefold() for p in kb.products for n in (p.name, *p.aliases)} - {""}, key=len, reverse=True)
        joined = "\n".join(q for entry in kb.entries for q in entry.questions).casefold()
        return re.sub("|".join(map(re.escape, cut)), "\n", joined) if cut else joined

    return remembered(_UNNAMED, (kb.content_hash, kb.lang), make, 8)


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
    """Build the name index and the questions without names for ``kb`` (in its language)."""
    _names_of(kb)
    _questions_without_names(kb)
