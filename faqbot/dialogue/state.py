"""The conversation state: a small, plain value that travels to the browser and back.

It holds ids, slot values and counters only — never answer texts — so a
stateless web server can send it with every reply and take it back with the
next message.  :meth:`DialogueState.from_json` treats its input as hostile:
anything but the exact shape written by :meth:`DialogueState.to_json` raises
:class:`~faqbot.errors.InputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from faqbot.errors import InputError
from faqbot.kb.templating import LANGUAGES

#: Version of the JSON shape; bump when it changes incompatibly.
STATE_VERSION = 1
#: Slot names of the billing form, in the order they are asked.
SLOTS = ("product", "plan", "expiry")

_MAX_CHOICES = 20
_MAX_ID = 80
# Ids and choice values are short ASCII tokens written by this package
# (``entry:billing-timing``, ``product:mobile``, ``resume``).
_TOKEN = re.compile(rf"[a-z0-9][a-z0-9:_\-]{{0,{_MAX_ID - 1}}}")
_KEYS = {"v", "form", "asking", "product", "plan", "expiry", "last", "choices", "misses"}
# Keys a state may lack: states written before they existed are still accepted.
_OPTIONAL_KEYS = {"lang", "card_digits"}
_MAX_MISSES = 100
# How many digits of an unfinished card number the last message ended with (never the digits
# themselves: the state travels to the browser); optional so older tokens still load.
_CARD_DIGITS = "card_digits"
_MAX_CARD_DIGITS = 18


@dataclass(frozen=True)
class DialogueState:
    """Where the conversation stands.

    ``product``/``plan``/``expiry`` are what the customer has told us about their
    contract (the billing form's slots, also used to answer follow-ups);
    ``form`` is the compute entry whose form is open (None: no form open);
    ``asking`` the slot the last reply asked for; ``last`` the entry answered
    last (for 「モバイルの場合は？」); ``choices`` the values of the numbered
    choices offered last (choice *n* is ``choices[n-1]``); ``misses`` the
    fallbacks in a row; ``lang`` the language of the last reply (a bare
    「2」 is answered in the language the conversation is in).
    """

    form: str | None = None
    asking: str | None = None
    product: str | None = None
    plan: str | None = None
    expiry: date | None = None
    last: str | None = None
    choices: tuple[str, ...] = ()
    misses: int = 0
    card_digits: int = 0
    lang: str = "ja"

    def missed(self) -> DialogueState:
        """This state with one more fallback in a row, counted up to the most a state may carry.

        Unbounded, a state that arrived with the most (it comes from the browser) would leave
        with one more than :meth:`from_json` accepts back.
        """
        return replace(self, misses=min(self.misses + 1, _MAX_MISSES))

    def begun(self) -> bool:
        """Has anything but small talk happened: an answer, a form, a fact told, a choice offered, a miss?"""
        return self != DialogueState(lang=self.lang)

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-ready dict (the expiry as YYYY-MM-DD)."""
        return {
            "v": STATE_VERSION,
            "form": self.form,
            "asking": self.asking,
            "product": self.product,
            "plan": self.plan,
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "last": self.last,
            "choices": list(self.choices),
            "misses": self.misses,
            _CARD_DIGITS: self.card_digits,
            "lang": self.lang,
        }

    @classmethod
    def from_json(cls, data: Any) -> DialogueState:
        """Rebuild a state from :meth:`to_json` output; raises InputError on anything else."""
        if not isinstance(data, dict):
            raise InputError(f"The dialogue state must be a JSON object, not {type(data).__name__}.")
        keys = set(data) - _OPTIONAL_KEYS
        if keys != _KEYS or not set(data) <= _KEYS | _OPTIONAL_KEYS:
            extra, missing = sorted(map(str, set(data) - _KEYS - _OPTIONAL_KEYS)), sorted(_KEYS - keys)
            raise InputError(
                f"The dialogue state has unexpected keys {extra} / lacks keys {missing}; "
                "send back the state exactly as it was received."
            )
        if data["v"] != STATE_VERSION or isinstance(data["v"], bool):
            raise InputError(f"Unsupported dialogue state version {data['v']!r}; start a new conversation.")
        asking = _token_or_none(data, "asking")
        if asking is not None and asking not in SLOTS:
            raise InputError(f"The dialogue state asks for an unknown slot {asking!r}.")
        choices = data["choices"]
        if not isinstance(choices, list) or len(choices) > _MAX_CHOICES:
            raise InputError(f"The dialogue state's choices must be a list of at most {_MAX_CHOICES} values.")
        misses = data["misses"]
        if not isinstance(misses, int) or isinstance(misses, bool) or not 0 <= misses <= _MAX_MISSES:
            raise InputError(f"The dialogue state's misses must be an integer 0..{_MAX_MISSES}, not {misses!r}.")
        card_digits = data.get(_CARD_DIGITS, 0)
        if not isinstance(card_digits, int) or isinstance(card_digits, bool) or not 0 <= card_digits <= _MAX_CARD_DIGITS:
            raise InputError(f"The dialogue state's card_digits must be an integer 0..{_MAX_CARD_DIGITS}.")
        return cls(
            form=_token_or_none(data, "form"),
            asking=asking,
            product=_token_or_none(data, "product"),
            plan=_token_or_none(data, "plan"),
            expiry=_date_or_none(data["expiry"]),
            last=_token_or_none(data, "last"),
            choices=tuple(_token(c, "choices") for c in choices),
            misses=misses,
            card_digits=card_digits,
            lang=_lang(data.get("lang", "ja")),
        )

    def forget_form(self) -> DialogueState:
        """The state with the form closed (the slots stay: they are still true)."""
        return replace(self, form=None, asking=None)


def initial_state() -> DialogueState:
    """The state of a conversation that has not started."""
    return DialogueState()


def _lang(value: Any) -> str:
    if value not in LANGUAGES:
        raise InputError(f"The dialogue state's lang must be one of {', '.join(LANGUAGES)}, not {str(value)[:10]!r}.")
    return str(value)


def _token(value: Any, key: str) -> str:
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise InputError(f"The dialogue state's {key} holds an invalid value {str(value)[:40]!r}.")
    return value


def _token_or_none(data: dict[str, Any], key: str) -> str | None:
    value = data[key]
    return None if value is None else _token(value, key)


def _date_or_none(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InputError(f"The dialogue state's expiry must be YYYY-MM-DD or null, not {str(value)[:40]!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"The dialogue state's expiry {value!r} is not a real date.") from exc
