"""Signed conversation state: the server keeps nothing, the client carries a token.

The dialogue state (:meth:`DialogueState.to_json`) is wrapped with the
knowledge base's content hash, signed and timestamped with itsdangerous, and
sent to the client as an opaque string.  Any worker holding the same secret
can verify it; a token that was altered, signed with another secret, is too
old, or belongs to another version of the knowledge base is refused with a
4xx (see :class:`StateError`), so a client can never inject a state the
server did not write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, Serializer, SignatureExpired, Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import _lazy_sha1

from faqbot.dialogue import DialogueState
from faqbot.errors import InputError
from faqbot.web.errors import ApiError

# Separates state tokens from anything else ever signed with the same secret.
_SALT = "faqbot.dialogue-state.v1"
_TURN_SALT = "faqbot.turn.v1"
# Longer than any token this server writes (a few hundred characters); cheap to refuse early.
_MAX_TOKEN_CHARS = 8192


class _KeyedTimestampSigner(TimestampSigner):
    """itsdangerous' timestamp signer (HMAC-SHA1) with the signing key derived once, not per signature.

    The same tokens: the key is what :meth:`derive_key` gives, computed on first use;
    the MAC is the same HMAC-SHA1, through :func:`hmac.digest`'s one C call.
    """

    _signing_key: bytes | None = None

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        if secret_key is not None:
            return super().derive_key(secret_key)
        if self._signing_key is None:
            self._signing_key = super().derive_key()
        return self._signing_key

    def get_signature(self, value: str | bytes) -> bytes:
        if self.digest_method is not _lazy_sha1 and self.digest_method is not hashlib.sha1:
            return super().get_signature(value)
        return base64_encode(hmac.digest(self.derive_key(), want_bytes(value), "sha1"))


class _StateSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer, minus the zlib attempt on every dump, with one signer.

    A state is about two hundred bytes of JSON, which zlib barely shortens, and
    trying cost a fifth of a remembered turn's time.  Loading is unchanged, so a
    compressed token issued before still verifies.  The signer of this serializer's
    own salt is made once (itsdangerous made one, and derived its key, per token).
    """

    default_signer = _KeyedTimestampSigner
    _own_signer: TimestampSigner | None = None

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and want_bytes(salt) != self.salt:
            return super().make_signer(salt)
        if self._own_signer is None:
            self._own_signer = super().make_signer()  # type: ignore[assignment]
        return self._own_signer  # type: ignore[return-value]


class StateSigner:
    """Turns dialogue states into signed tokens and back."""

    def __init__(self, secret: str, kb_hash: str, max_age: int) -> None:
        self._serializer = _StateSerializer(secret, salt=_SALT)
        self._kb_hash = kb_hash
        self._max_age = max_age

    def dumps(self, state: DialogueState) -> str:
        """The signed token for ``state``."""
        token = self._serializer.dumps({"kb": self._kb_hash, "state": state.to_json()})
        return token if isinstance(token, str) else token.decode("ascii")

    def loads(self, token: Any) -> DialogueState:
        """The state inside ``token``; raises :class:`ApiError` (400) for anything not ours."""
        if not isinstance(token, str):
            raise ApiError(422, "invalid_type", f"'state' must be the string returned by the last reply, not {_kind(token)}.")
        if len(token) > _MAX_TOKEN_CHARS:
            raise _invalid()
        try:
            payload = self._serializer.loads(token, max_age=self._max_age)
        except SignatureExpired:
            raise ApiError(400, "state_expired", "The conversation state has expired; start a new conversation (send no state).") from None
        except BadData:
            raise _invalid() from None
        if not isinstance(payload, dict) or payload.get("kb") != self._kb_hash:
            raise ApiError(
                400,
                "state_expired",
                "The conversation was started with another version of the knowledge base; start a new conversation (send no state).",
            )
        try:
            return DialogueState.from_json(payload.get("state"))
        except InputError:
            # Only reachable with our own secret; still never trust it blindly.
            raise _invalid() from None


def _invalid() -> ApiError:
    return ApiError(
        400,
        "invalid_state",
        "The conversation state is not one this server issued (altered or signed with another secret); "
        "start a new conversation (send no state).",
    )


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


@dataclass(frozen=True)
class SignedTurn:
    """A chat turn this server answered: its id and the intent of its reply.

    ``intent`` is "" for a token issued without one (before tokens carried it): the vote's own
    ``intent`` is then taken as it is.
    """

    id: str
    intent: str


class TurnSigner:
    """Issues a signed id for each chat turn, so a 👍/👎 names a turn this server answered.

    Feedback is counted once per turn id; signing keeps a client from inventing
    ids to stuff the report (it can only rate turns it really had), and from rating
    a turn under another answer's intent.  A token is ``<id>.<intent>.<HMAC-SHA256 of
    "<id>.<intent>">`` (``<id>.<HMAC of the id>`` when the reply had no intent), with a
    key derived once from the secret: every chat reply issues one, and itsdangerous
    derived its key on each call (measured: a third of a remembered turn's time).
    """

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode("utf-8"), _TURN_SALT.encode("ascii"), hashlib.sha256).digest()

    def _mac(self, signed: str) -> str:
        return hmac.new(self._key, signed.encode("utf-8"), hashlib.sha256).hexdigest()

    def issue(self, intent: str = "") -> str:
        """A new turn's token (a random id and the reply's ``intent``, signed)."""
        signed = f"{secrets.token_hex(16)}.{intent}" if intent else secrets.token_hex(16)
        return f"{signed}.{self._mac(signed)}"

    def verify(self, token: str) -> SignedTurn:
        """The turn inside ``token``; raises :class:`ApiError` (400 ``invalid_turn``) for anything not ours."""
        signed, _, mac = token.rpartition(".")
        turn_id, _, intent = signed.partition(".")
        if not (turn_id.isascii() and turn_id.isalnum() and mac.isascii() and hmac.compare_digest(mac, self._mac(signed))):
            raise ApiError(
                400, "invalid_turn", "The field 'turn' is not one this server issued; send the 'turn' of the chat response."
            )
        return SignedTurn(turn_id, intent)
