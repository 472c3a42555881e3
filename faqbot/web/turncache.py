"""A bounded memo of recent chat turns, so a popular question is answered once per worker.

:func:`faqbot.dialogue.step` is pure: the same state, message and date always
give the same reply and new state.  A help widget hears the same few
questions over and over (quick-reply buttons, related-question buttons, the
question everybody asks after a price change), so each worker keeps the
last few thousand turns and their rendered payload, least recently used
out first.  The signed state token is not kept: it carries a timestamp, so
each reply is signed afresh.

Messages holding personal data (a card number, an e-mail address, a phone
number) are never kept: the cache must not be a second place where such
data lives.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from faqbot.dialogue import DialogueState, Reply
from faqbot.text.privacy import mask_personal_data


@dataclass(frozen=True)
class CachedTurn:
    """One computed turn: the reply, its JSON payload (text and HTML) and the new state."""

    reply: Reply
    payload: dict[str, Any]
    state: DialogueState


@dataclass(frozen=True)
class TurnKey:
    """What a turn depends on: the state it starts from, the message, the date and the fixed language."""

    state: DialogueState
    message: str
    today: date
    lang: str | None = None  # None: the reply follows the message's language


class TurnCache:
    """Least-recently-used turns, at most ``size`` of them (0 keeps nothing).

    Used from the event loop only, so it needs no lock.
    """

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"The turn cache size must be 0 (off) or more, not {size}.")
        self.size = size
        self._turns: OrderedDict[TurnKey, CachedTurn] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: TurnKey) -> CachedTurn | None:
        """The cached turn for ``key`` (now the most recently used), or None."""
        turn = self._turns.get(key)
        if turn is None:
            self.misses += 1
            return None
        self._turns.move_to_end(key)
        self.hits += 1
        return turn

    def put(self, key: TurnKey, turn: CachedTurn) -> bool:
        """Keep ``turn`` unless the cache is off or the message holds personal data; True if kept."""
        if self.size == 0 or mask_personal_data(key.message, key.state.card_digits) != key.message:
            return False
        self._turns[key] = turn
        self._turns.move_to_end(key)
        while len(self._turns) > self.size:
            self._turns.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._turns)

    def __contains__(self, key: object) -> bool:
        return key in self._turns
