"""Personal data as customers type it: every separator, both widths, split over two messages.

Shared by the property tests (hypothesis strategies) and the browser tests (a
seeded sample, so Python and the widget's JavaScript see the same cases).
Issue 14 lists the formats a probe got through; each is one of the choices here.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from hypothesis import strategies as st

from faqbot.text.privacy import luhn_valid

#: Between digit groups: ASCII and full-width punctuation, every kind of space, zero width too.
SEPARATORS = (
    "", " ", "  ", "-", ".", "/", ",", "_", " - ",
    "\u00a0", "\u2009", "\u202f", "\u200b", "\u2060", "\u3000",  # no-break, thin, narrow, zero-width, joiner, ideographic
    "－", "．", "／", "，", "＿", "ー", "‐", "−",  # full-width and look-alike forms
)
GROUPINGS = ((4,), (4, 6, 5), (3,), (5,), (2,), (19,))
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
_WIDE_ASCII = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
#: Text around the data: Japanese prose with and without a card word.
BEFORES = ("", "カード番号は", "これです: ", "支払いに", "card: ", "念のため ")
AFTERS = ("", "です", "。よろしく", " で払えますか？", " thanks")
SPLIT_BEFORES = ("カード番号は", "クレジットカード ", "card no. ", "カードは")


@dataclass(frozen=True)
class Card:
    """A Luhn-valid number (ASCII digits) and how it was typed."""

    digits: str
    typed: str


def luhn_complete(body: str) -> str:
    """``body`` plus the check digit that makes it Luhn-valid."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def typed_card(digits: str, sizes: tuple[int, ...], separator: str, wide: bool) -> str:
    groups: list[str] = []
    i = 0
    while i < len(digits):
        size = sizes[len(groups) % len(sizes)]
        groups.append(digits[i : i + size])
        i += size
    typed = separator.join(groups)
    return typed.translate(_WIDE) if wide else typed


def wide(text: str) -> str:
    """``text`` with every printable ASCII character in its full-width form."""
    return "".join(_WIDE_ASCII.get(ch, ch) for ch in text)


def _email(user: str, domain: str, full: bool) -> str:
    address = f"{user}@{domain}"
    return wide(address) if full else address


def _phone(groups: tuple[str, ...], separator: str, full: bool) -> str:
    phone = separator.join(groups)
    return phone.translate(_WIDE) if full else phone


def squeeze(text: str) -> str:
    """``text`` as a leak check reads it: NFKC, digits ASCII, lower case, only letters, digits and @."""
    out = []
    for ch in text:
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else unicodedata.normalize("NFKC", ch))
    return "".join(ch for ch in "".join(out).lower() if ch.isalnum() or ch == "@")


def leaked(secret: str, text: str) -> bool:
    """Does ``text`` hold ``secret`` in any width or grouping?"""
    return squeeze(secret) in squeeze(text)


# ---------------------------------------------------------------- hypothesis strategies


@st.composite
def cards(draw: st.DrawFn) -> Card:
    length = draw(st.integers(13, 19))
    digits = luhn_complete(draw(st.text("0123456789", min_size=length - 1, max_size=length - 1)))
    typed = typed_card(digits, draw(st.sampled_from(GROUPINGS)), draw(st.sampled_from(SEPARATORS)), draw(st.booleans()))
    return Card(digits, typed)


@st.composite
def split_cards(draw: st.DrawFn) -> tuple[Card, str, str]:
    """A card and the two messages it was typed in (the cut between digit groups or inside one)."""
    card = draw(cards())
    digit_positions = [i for i, ch in enumerate(card.typed) if ch.isdigit()]
    cut = draw(st.integers(4, len(digit_positions) - 4))  # four or more digits in each half
    at = digit_positions[cut]
    first = draw(st.sampled_from(SPLIT_BEFORES)) + card.typed[:at]
    second = card.typed[at:] + draw(st.sampled_from(AFTERS))
    return card, first, second


emails = st.builds(
    _email,
    st.from_regex(r"[a-z][a-z0-9._+]{0,10}[a-z0-9]", fullmatch=True).filter(lambda u: ".." not in u),
    st.sampled_from(["example.com", "example.co.jp", "mail.example.jp", "ex-ample.net"]),
    st.booleans(),
)
phones = st.builds(
    _phone,
    st.sampled_from([("090", "1234", "5678"), ("080", "9876", "5432"), ("03", "1234", "5678"), ("0120", "123", "456")]),
    st.sampled_from([s for s in SEPARATORS if s not in ("", "_", ",")] + ["", "-"]),
    st.booleans(),
)


# ---------------------------------------------------------------- a seeded sample (for the browser)


@dataclass(frozen=True)
class Sample:
    """One conversation of one or two messages, the personal data in it, and whether it is a card."""

    messages: tuple[str, ...]
    secret: str
    card: bool


def samples(count: int, seed: int = 14) -> list[Sample]:
    """``count`` conversations holding personal data, reproducibly: whole cards, split cards, e-mails, phones."""
    rng = random.Random(seed)
    out: list[Sample] = []
    for i in range(count):
        length = rng.randint(13, 19)
        digits = luhn_complete("".join(rng.choice("0123456789") for _ in range(length - 1)))
        typed = typed_card(digits, rng.choice(GROUPINGS), rng.choice(SEPARATORS), rng.random() < 0.5)
        kind = i % 4
        if kind == 0:
            out.append(Sample((rng.choice(BEFORES) + typed + rng.choice(AFTERS),), digits, True))
        elif kind == 1:
            positions = [j for j, ch in enumerate(typed) if ch.isdigit()]
            at = positions[rng.randint(4, len(positions) - 4)]
            out.append(Sample((rng.choice(SPLIT_BEFORES) + typed[:at], typed[at:] + rng.choice(AFTERS)), digits, True))
        elif kind == 2:
            email = _email(rng.choice(["taro", "hanako.y", "a.b+c", "support2"]), "example.co.jp", rng.random() < 0.5)
            out.append(Sample(("連絡先は" + email + "です",), email, False))
        else:
            phone = _phone(("090", "1234", "5678"), rng.choice([" ", "-", ".", "/", "\u3000", "－", "．"]), rng.random() < 0.5)
            out.append(Sample(("電話番号 " + phone,), phone, False))
    return out
