"""Server configuration: one frozen value, read from the environment at the edge.

Every knob has a documented default (see ``docs/embedding.md``).  The hardening
work adds its limits here too, so the app factory and the middleware read one
object instead of the environment.
"""

from __future__ import annotations

import ipaddress
import logging
import multiprocessing
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from faqbot.analytics.outbox import outbox_path
from faqbot.errors import InputError
from faqbot.kb.timezones import DEFAULT_TIMEZONE, time_zone

log = logging.getLogger("faqbot.web")

ENV_SECRET = "FAQBOT_SECRET"
ENV_KB = "FAQBOT_KB"
ENV_CORS_ORIGINS = "FAQBOT_CORS_ORIGINS"
ENV_MAX_MESSAGE_CHARS = "FAQBOT_MAX_MESSAGE_CHARS"
ENV_MAX_BODY_BYTES = "FAQBOT_MAX_BODY_BYTES"
ENV_STATE_MAX_AGE = "FAQBOT_STATE_MAX_AGE"
ENV_REQUEST_TIMEOUT = "FAQBOT_REQUEST_TIMEOUT"
ENV_RATE_LIMIT = "FAQBOT_RATE_LIMIT"
ENV_RATE_BURST = "FAQBOT_RATE_BURST"
ENV_TURN_CACHE = "FAQBOT_TURN_CACHE"
ENV_HEADER_TIMEOUT = "FAQBOT_HEADER_TIMEOUT"
ENV_TRUSTED_PROXIES = "FAQBOT_TRUSTED_PROXIES"
#: Set by process managers (uvicorn, gunicorn, Heroku-style platforms) to the number of workers.
ENV_WEB_CONCURRENCY = "WEB_CONCURRENCY"
ENV_HANDOFF_URL = "FAQBOT_HANDOFF_URL"
ENV_HANDOFF_SECRET = "FAQBOT_HANDOFF_SECRET"
ENV_HANDOFF_TIMEOUT = "FAQBOT_HANDOFF_TIMEOUT"
# --- "today" (issue 12): the date in Japan; a client's `today` only on a test server ---
ENV_TZ = "FAQBOT_TZ"
ENV_ALLOW_CLIENT_TODAY = "FAQBOT_ALLOW_CLIENT_TODAY"
_TRUE = ("1", "true", "yes", "on")

DEFAULT_MAX_MESSAGE_CHARS = 500
# A chat request carries the signed state besides the message, so leave room for it.
DEFAULT_MAX_BODY_BYTES = 32 * 1024
DEFAULT_STATE_MAX_AGE = 24 * 60 * 60
# A turn takes milliseconds; a request still running after this is stuck or a slow-body attack.
DEFAULT_REQUEST_TIMEOUT = 10.0
# API requests per minute per client IP, per worker process (0 turns the limit off).  A customer
# types a message every few seconds; the headroom is for offices behind one NAT address.
DEFAULT_RATE_LIMIT = 300
DEFAULT_RATE_BURST = 60  # requests a client may send at once before the per-minute rate applies
# Chat turns remembered per worker (0: off).  A turn with its rendered reply is a few KB,
# so the default costs a few MB and covers a help page's popular questions many times over.
DEFAULT_TURN_CACHE = 2048
# A client gets this long to send a request's headers (from connecting, or from the end of the
# previous response); a browser sends them in one packet, a slow-loris attacker never finishes.
DEFAULT_HEADER_TIMEOUT = 5.0
# Shorter secrets are guessable; 32 random bytes in URL-safe base64 are 43 characters.
MIN_SECRET_CHARS = 32
#: How to make a secret, for the messages that ask for one.
SECRET_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
# Seconds one webhook attempt to the desk may take; a few attempts must fit in one request.
DEFAULT_HANDOFF_TIMEOUT = 3.0


class ConfigError(InputError):
    """A server setting (environment variable or option) is invalid."""

    code = "invalid_config"


@dataclass(frozen=True)
class WebConfig:
    """Everything the web app needs besides the knowledge base itself."""

    secret: str
    kb_dir: Path | None = None  # None: the shipped knowledge base
    cors_origins: tuple[str, ...] = ()  # empty: same origin only
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    state_max_age: int = DEFAULT_STATE_MAX_AGE  # seconds a signed state stays valid
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT  # seconds, body upload included
    # API requests per minute per client IP and worker; 0: off.  Off for apps built in code
    # (tests, embedding); the server reads FAQBOT_RATE_LIMIT, default DEFAULT_RATE_LIMIT.
    rate_limit: int = 0
    rate_burst: int = DEFAULT_RATE_BURST
    turn_cache: int = DEFAULT_TURN_CACHE  # chat turns remembered per worker; 0: off
    header_timeout: float = DEFAULT_HEADER_TIMEOUT  # seconds for a request's headers to arrive
    # Proxies (addresses or CIDR networks) whose X-Forwarded-For is believed; empty: nobody's,
    # so rate limits key on the connecting address and a faked header buys no new bucket.
    trusted_proxies: tuple[str, ...] = ()
    # Handoff to a person (faqbot.web.handoff): the desk's webhook, its HMAC secret, the seconds
    # per attempt, and the outbox file (from_env always sets one; None keeps nothing, so a failed
    # delivery is refused with 503); no URL: the widget shows contact points only.
    handoff_url: str | None = None
    handoff_secret: str = ""
    handoff_timeout: float = DEFAULT_HANDOFF_TIMEOUT
    handoff_outbox: Path | None = None
    # "today" is the date in this zone; a request's own `today` is honoured only on a test server.
    timezone: str = DEFAULT_TIMEZONE
    allow_client_today: bool = False

    def __post_init__(self) -> None:
        try:
            time_zone(self.timezone)
        except InputError as exc:
            raise ConfigError(f"{ENV_TZ}: {exc}") from None
        if len(self.secret) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"{ENV_SECRET} must be at least {MIN_SECRET_CHARS} characters; generate one with: {SECRET_HINT}"
            )
        for name, value in (
            ("max_message_chars", self.max_message_chars),
            ("max_body_bytes", self.max_body_bytes),
            ("state_max_age", self.state_max_age),
        ):
            if value < 1:
                raise ConfigError(f"{name} must be a positive number, not {value}.")
        if not 0 < self.request_timeout <= 3600:
            raise ConfigError(f"request_timeout must be between 0 and 3600 seconds, not {self.request_timeout}.")
        if not 0 < self.header_timeout <= 300:
            raise ConfigError(f"header_timeout must be between 0 and 300 seconds, not {self.header_timeout}.")
        if self.turn_cache < 0:
            raise ConfigError(f"turn_cache must be 0 (off) or more, not {self.turn_cache}.")
        if self.rate_limit < 0 or self.rate_burst < 1:
            raise ConfigError(
                f"rate_limit must be 0 (off) or more and rate_burst at least 1, not {self.rate_limit}/{self.rate_burst}."
            )
        _check_handoff(self)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, shared: bool = False) -> WebConfig:
        """Read the ``FAQBOT_*`` variables; an unset secret becomes a random one, with a warning.

        ``shared``: several processes serve the same clients, so a secret of their own
        would make each refuse the others' conversations; an unset secret is a ConfigError.
        """
        env = os.environ if env is None else env
        secret = env.get(ENV_SECRET, "")
        if not secret and shared:
            raise ConfigError(
                f"Several workers need one shared secret: set {ENV_SECRET} (e.g. to the output of {SECRET_HINT}) and start again."
            )
        if not secret:
            secret = generate_secret()
            log.warning(
                "%s is not set: using a random secret for this process only. Conversations will not "
                "survive a restart and other processes cannot continue them. Set %s in production.",
                ENV_SECRET,
                ENV_SECRET,
            )
        kb = env.get(ENV_KB, "")
        return cls(
            secret=secret,
            kb_dir=Path(kb) if kb else None,
            cors_origins=parse_origins(env.get(ENV_CORS_ORIGINS, "")),
            max_message_chars=_int(env, ENV_MAX_MESSAGE_CHARS, DEFAULT_MAX_MESSAGE_CHARS),
            max_body_bytes=_int(env, ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
            state_max_age=_int(env, ENV_STATE_MAX_AGE, DEFAULT_STATE_MAX_AGE),
            request_timeout=_float(env, ENV_REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT),
            rate_limit=_int(env, ENV_RATE_LIMIT, DEFAULT_RATE_LIMIT),
            rate_burst=_int(env, ENV_RATE_BURST, DEFAULT_RATE_BURST),
            turn_cache=_int(env, ENV_TURN_CACHE, DEFAULT_TURN_CACHE),
            header_timeout=header_timeout_from_env(env),
            trusted_proxies=parse_proxies(env.get(ENV_TRUSTED_PROXIES, "")),
            handoff_url=env.get(ENV_HANDOFF_URL, "").strip() or None,
            handoff_secret=env.get(ENV_HANDOFF_SECRET, ""),
            handoff_timeout=_float(env, ENV_HANDOFF_TIMEOUT, DEFAULT_HANDOFF_TIMEOUT),
            handoff_outbox=outbox_path(env) if env.get(ENV_HANDOFF_URL, "").strip() else None,
            timezone=env.get(ENV_TZ, "").strip() or DEFAULT_TIMEZONE,
            allow_client_today=env.get(ENV_ALLOW_CLIENT_TODAY, "").strip().lower() in _TRUE,
        )


def _check_handoff(config: WebConfig) -> None:
    """A handoff webhook needs an http(s) URL, a secret the desk can verify with, and a sane timeout."""
    if config.handoff_url is None:
        return
    if not config.handoff_url.startswith(("http://", "https://")):
        raise ConfigError(f"{ENV_HANDOFF_URL} must be an http(s) URL, not {config.handoff_url!r}.")
    if len(config.handoff_secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"{ENV_HANDOFF_SECRET} must be set, at least {MIN_SECRET_CHARS} characters, when {ENV_HANDOFF_URL} is; "
            "share it with the desk, which checks each delivery's signature with it."
        )
    if not 0 < config.handoff_timeout <= 60:
        raise ConfigError(f"{ENV_HANDOFF_TIMEOUT} must be between 0 and 60 seconds, not {config.handoff_timeout}.")


def header_timeout_from_env(env: Mapping[str, str] | None = None) -> float:
    """``FAQBOT_HEADER_TIMEOUT`` in seconds (default :data:`DEFAULT_HEADER_TIMEOUT`)."""
    return seconds_setting(os.environ if env is None else env, ENV_HEADER_TIMEOUT, DEFAULT_HEADER_TIMEOUT, 300)


def parse_proxies(text: str) -> tuple[str, ...]:
    """Comma- or space-separated proxy addresses or networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``)."""
    proxies = []
    for item in text.replace(",", " ").split():
        try:
            proxies.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                f"{ENV_TRUSTED_PROXIES}: {item!r} is not an IP address or network; use e.g. 10.0.0.5 or 10.0.0.0/8."
            ) from None
    return tuple(proxies)


def in_worker_pool(env: Mapping[str, str] | None = None) -> bool:
    """Is this process one of several serving the same clients?

    True in a process started by a multiprocessing supervisor (``uvicorn --workers N``,
    ``faqbot serve --workers N``; also ``uvicorn --reload``, where a per-process
    secret would forget every conversation at each reload) or when
    ``WEB_CONCURRENCY`` asks for more than one worker.
    """
    env = os.environ if env is None else env
    try:
        concurrency = int(env.get(ENV_WEB_CONCURRENCY, "") or 1)
    except ValueError:
        concurrency = 1
    return concurrency > 1 or multiprocessing.parent_process() is not None


def generate_secret() -> str:
    """A fresh random signing secret (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def parse_origins(text: str) -> tuple[str, ...]:
    """Comma- or space-separated origins such as ``https://help.example.jp``; ``*`` allows any."""
    origins = tuple(o.strip().rstrip("/") for o in text.replace(",", " ").split() if o.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ConfigError(
                f"{ENV_CORS_ORIGINS}: {origin!r} is not an origin; use e.g. https://help.example.jp"
            )
    return origins


def seconds_setting(env: Mapping[str, str], name: str, default: float, upper: float) -> float:
    """The number of seconds in variable ``name`` (``default`` when unset); raises ConfigError outside (0, upper]."""
    value = _float(env, name, default)
    if not 0 < value <= upper:
        raise ConfigError(f"{name} must be a number of seconds between 0 and {upper:g}, not {value:g}.")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {text!r}.") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {text!r}.") from None
    if value != value:  # NaN compares false with everything, so it would pass any range check
        raise ConfigError(f"{name} must be a number of seconds, not {text!r}.")
    return value
