"""The one personal-data detector: card numbers, e-mail addresses and phone numbers.

Every path that stores, logs, echoes or displays customer text goes through
:func:`screen` (or its shorthands :func:`mask_personal_data` and
:func:`contains_card_number`); the help widget applies the same rules, handed
to it as data by :func:`faqbot.text.pii_rules.rules_json`.  What a maintainer
needs to improve the knowledge base — order numbers, dates, prices, product
names — survives.

The text is normalised first (:func:`normalise`: NFKC, every Unicode decimal
digit as ASCII), so full-width forms (``４１１１．１１１１…``,
``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ``) read like ASCII; masks are applied to the
original text, so everything else is kept as typed.  Card numbers are 13–19
digits in groups separated by any Unicode space (no-break, thin, zero-width,
ideographic …) or by . / , _ - and their look-alikes, and must pass the Luhn
check.  A card number split over two messages (「カード番号は4111 1111」 then
「1111 1111です」) is caught without keeping any digit: the first message's
:attr:`Screened.card_tail` (how many digits it ended with) is all the caller
carries to the next one.  Phone numbers follow Japanese formats
(03-1234-5678, 090.1234.5678, 0120-123-456, 03(1234)5678, +81 90 1234 5678).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from faqbot.text import pii_rules as rules
from faqbot.text.pii_rules import CARD_MASK, EMAIL_MASK, PHONE_MASK

_RUN = re.compile(rules.DIGIT_RUN)
_HINT = re.compile(rules.CARD_HINT)
_HEAD = re.compile(rules.HEAD_RUN)
_TRAILER = re.compile(rules.TRAILER)
_CONTEXT = re.compile(rules.CARD_CONTEXT, re.IGNORECASE)
_EMAIL = re.compile(rules.EMAIL)
_PHONE = re.compile(rules.PHONE)
_GROUP = re.compile(r"[0-9]+")
# Every rule needs an ASCII digit (card numbers, phone numbers, a card number's continuation)
# or an "@" (e-mail addresses) in the normalised text.  normalise() writes a character as its
# NFKC form, or a decimal digit (Unicode category Nd) as an ASCII one, and NFKC never folds a
# digit or "@" into another character, so a text whose NFKC form holds neither has nothing to
# mask: most messages, screened without the per-character pass (16 → 1.7 µs a message).
_MAY_HOLD = re.compile(r"[\d@]")


def _nothing_to_mask(text: str) -> bool:
    return _MAY_HOLD.search(unicodedata.normalize("NFKC", text)) is None


@dataclass(frozen=True)
class Screened:
    """A text with its personal data masked.

    ``card``: it held card data (a whole number, the rest of one begun in the
    previous message, or a long unfinished one) — the customer is warned.
    ``card_tail``: how many digits of an unfinished card number it ends with
    (0: none); pass it as ``pending_card_digits`` when screening the next message.
    """

    text: str
    card: bool
    card_tail: int


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    mask: str


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC ``text`` with every decimal digit as ASCII, and the source index of each output character."""
    if text.isascii():
        return text, list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        digit = unicodedata.decimal(ch, None)
        piece = str(digit) if digit is not None else unicodedata.normalize("NFKC", ch)
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


def luhn_valid(digits: str) -> bool:
    """True when the ASCII digit string passes the Luhn checksum."""
    if not digits.isdigit() or not digits.isascii():
        return False
    # Every second digit from the right is doubled (digits summed): a table instead of arithmetic,
    # since masking a long run of short groups checks many windows.
    kept, doubled = digits[-1::-2], digits[-2::-2].translate(_DOUBLED)
    total = sum(kept.encode()) + sum(doubled.encode()) - 48 * len(digits)  # 48: ord("0")
    return total % 10 == 0


_DOUBLED = str.maketrans("0123456789", "0246813579")


def screen(text: str, pending_card_digits: int = 0) -> Screened:
    """``text`` with card numbers, e-mail addresses and phone numbers masked, and what was found.

    ``pending_card_digits`` is the previous message's :attr:`Screened.card_tail`:
    the leading digits of ``text`` that complete such a number are masked too.
    """
    if not text or _nothing_to_mask(text):
        return Screened(text, False, 0)
    norm, origin = normalise(text)
    return _screen_normalised(text, norm, origin, pending_card_digits)


def _screen_normalised(text: str, norm: str, origin: list[int], pending_card_digits: int) -> Screened:
    """:func:`screen` of ``text``, whose :func:`normalise` is ``norm`` and ``origin``, by every rule."""
    spans: list[_Span] = []
    tail = _continuation(norm, pending_card_digits, spans)
    continued = list(spans)
    spans.extend(_card_spans(norm, spans))
    end_tail = _unfinished_tail(norm, spans, continued)
    if end_tail is not None:
        tail = end_tail
    card = bool(spans)
    _add(spans, (_Span(m.start(), m.end(), EMAIL_MASK) for m in _EMAIL.finditer(norm)))
    _add(spans, (_Span(m.start(), m.end(), PHONE_MASK) for m in _PHONE.finditer(norm) if _is_phone(m.group())))
    return Screened(_apply(text, origin, spans), card, tail)


def mask_personal_data(text: str, pending_card_digits: int = 0) -> str:
    """``text`` with card numbers, e-mail addresses and phone numbers replaced by placeholders.

    Placeholders are ``[カード番号]``, ``[メールアドレス]`` and ``[電話番号]``; order numbers,
    dates and prices are left as they are.
    """
    return screen(text, pending_card_digits).text


def contains_card_number(text: str) -> bool:
    """True when ``text`` holds card data (see :attr:`Screened.card`)."""
    return screen(text).card


def _continuation(norm: str, pending: int, spans: list[_Span]) -> int:
    """Mask the leading digits that finish a card number begun earlier; the digits still pending."""
    if pending <= 0:
        return 0
    head = _HEAD.match(norm)
    if head is None:
        return 0
    total = pending + _digit_count(head.group())
    first = _GROUP.search(norm, head.start())
    start = first.start() if first else head.start()
    if rules.CARD_MIN_DIGITS <= total <= rules.CARD_MAX_DIGITS:
        spans.append(_Span(start, head.end(), CARD_MASK))
        return 0
    if total < rules.CARD_MIN_DIGITS and _TRAILER.fullmatch(norm, head.end()):
        spans.append(_Span(start, head.end(), CARD_MASK))  # a third part may follow
        return total
    return 0


def _card_spans(norm: str, taken: list[_Span]) -> list[_Span]:
    """Luhn-valid 13–19 digit numbers, each a whole run or whole groups of one."""
    found: list[_Span] = []
    if not _HINT.search(norm):
        return found
    for run in _RUN.finditer(norm):
        if _overlaps(taken, run.start(), run.end()):
            continue
        groups = [(run.start() + g.start(), run.start() + g.end(), g.group()) for g in _GROUP.finditer(run.group())]
        i = 0
        while i < len(groups):
            best: tuple[int, int, int] | None = None
            digits = ""
            # Windows of whole groups starting at i, growing only while they can still be a
            # card: linear in the run, so thousands of short groups cannot make this
            # quadratic.  The longest valid window wins (4111 1111 1111 1111 is one card).
            for j in range(i, len(groups)):
                digits += groups[j][2]
                if len(digits) > rules.CARD_MAX_DIGITS:
                    break
                if len(digits) >= rules.CARD_MIN_DIGITS and luhn_valid(digits):
                    best = (groups[i][0], groups[j][1], j)
            if best is None:
                i += 1
                continue
            found.append(_Span(best[0], best[1], CARD_MASK))
            i = best[2] + 1
    return found


def _unfinished_tail(norm: str, spans: list[_Span], continued: list[_Span]) -> int | None:
    """Digits of a card number the message may end in the middle of; None: the continuation's count stands.

    A digit run at the very end counts when it is (or holds) a card number — a Luhn-valid
    prefix of a longer one looks complete — or when the message mentions a card; such a run
    of :data:`~faqbot.text.pii_rules.CARD_TAIL_MASK_DIGITS` digits or more is masked by itself.
    """
    last = None
    for last in _RUN.finditer(norm):  # noqa: B007 - the last run is the one wanted
        pass
    if last is None or not _TRAILER.fullmatch(norm, last.end()):
        return 0
    if _overlaps(continued, last.start(), last.end()):
        return None
    count = _digit_count(last.group())
    if count >= rules.CARD_MAX_DIGITS:
        return 0
    if _overlaps(spans, last.start(), last.end()):
        return count
    if not _CONTEXT.search(norm):
        return 0
    if count >= rules.CARD_TAIL_MASK_DIGITS:
        spans.append(_Span(last.start(), last.end(), CARD_MASK))
    return count


def _is_phone(candidate: str) -> bool:
    digits = "".join(ch for ch in candidate if ch.isdigit())
    if candidate.startswith("+"):
        national = digits[2:]  # after the country code 81
        if national.startswith("0"):  # +81 (0)3-1234-5678: the trunk 0 written anyway
            national = national[1:]
        return 9 <= len(national) <= 10
    if not 10 <= len(digits) <= 11:
        return False
    if len(digits) == 11:
        # 11 digits: mobile/IP (070/080/090/050) or free dial 0800 with 7 digits.
        return digits[:3] in rules.MOBILE_PREFIXES or digits.startswith("0800")
    return digits[1] != "0" or digits.startswith(rules.FREE_DIAL_PREFIXES)


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _overlaps(spans: list[_Span], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _add(spans: list[_Span], candidates: Iterable[_Span]) -> None:
    """Add each candidate span that does not overlap one already found (earlier kinds win)."""
    for span in candidates:
        if not _overlaps(spans, span.start, span.end):
            spans.append(span)


def _apply(text: str, origin: list[int], spans: list[_Span]) -> str:
    """Replace the spans (positions in the normalised text) in the original ``text``."""
    out = text
    last_start = len(text) + 1
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        start, end = origin[span.start], origin[span.end - 1] + 1
        end = min(end, last_start)  # one source character may expand into two spans
        if start >= end:
            continue
        out = out[:start] + span.mask + out[end:]
        last_start = start
    return out


__all__ = [
    "CARD_MASK", "EMAIL_MASK", "PHONE_MASK", "Screened", "contains_card_number",
    "luhn_valid", "mask_personal_data", "normalise", "screen",
]
