"""WebConfig: environment variables, defaults, and refusing bad settings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from faqbot.web.config import ConfigError, WebConfig, in_worker_pool, parse_origins, parse_proxies

GOOD = "g" * 32


def test_defaults_from_an_environment_with_only_a_secret() -> None:
    config = WebConfig.from_env({"FAQBOT_SECRET": GOOD})
    assert config == WebConfig(
        secret=GOOD, kb_dir=None, cors_origins=(), max_message_chars=500, max_body_bytes=32768, state_max_age=86400,
        request_timeout=10.0, rate_limit=300, rate_burst=60, header_timeout=5.0, trusted_proxies=(),
    )


def test_every_variable_is_read() -> None:
    env = {
        "FAQBOT_SECRET": GOOD,
        "FAQBOT_KB": "/srv/kb",
        "FAQBOT_CORS_ORIGINS": "https://help.example.jp, https://www.example.jp/",
        "FAQBOT_MAX_MESSAGE_CHARS": "300",
        "FAQBOT_MAX_BODY_BYTES": "9000",
        "FAQBOT_STATE_MAX_AGE": "600",
        "FAQBOT_REQUEST_TIMEOUT": "2.5",
        "FAQBOT_RATE_LIMIT": "0",
        "FAQBOT_RATE_BURST": "5",
        "FAQBOT_HEADER_TIMEOUT": "1.5",
        "FAQBOT_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16 ::1",
    }
    assert WebConfig.from_env(env) == WebConfig(
        secret=GOOD,
        kb_dir=Path("/srv/kb"),
        cors_origins=("https://help.example.jp", "https://www.example.jp"),
        max_message_chars=300,
        max_body_bytes=9000,
        state_max_age=600,
        request_timeout=2.5,
        rate_limit=0,
        rate_burst=5,
        header_timeout=1.5,
        trusted_proxies=("10.0.0.5/32", "192.168.0.0/16", "::1/128"),
    )


def test_a_missing_secret_becomes_a_random_one_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="faqbot.web"):
        first = WebConfig.from_env({})
        second = WebConfig.from_env({})
    assert first.secret != second.secret
    assert len(first.secret) >= 32
    assert "FAQBOT_SECRET is not set" in caplog.text


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"FAQBOT_SECRET": "short"}, "at least 32 characters"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_MAX_MESSAGE_CHARS": "lots"}, "FAQBOT_MAX_MESSAGE_CHARS must be a whole number"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_MAX_BODY_BYTES": "0"}, "max_body_bytes must be a positive number"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_STATE_MAX_AGE": "-1"}, "state_max_age must be a positive number"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_CORS_ORIGINS": "help.example.jp"}, "is not an origin"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_REQUEST_TIMEOUT": "soon"}, "FAQBOT_REQUEST_TIMEOUT must be a number of seconds"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_REQUEST_TIMEOUT": "nan"}, "FAQBOT_REQUEST_TIMEOUT must be a number of seconds"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_REQUEST_TIMEOUT": "0"}, "request_timeout must be between"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_RATE_LIMIT": "-1"}, "rate_limit must be 0"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_RATE_BURST": "0"}, "rate_burst at least 1"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_HEADER_TIMEOUT": "0"}, "FAQBOT_HEADER_TIMEOUT must be a number of seconds between 0 and 300"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_HEADER_TIMEOUT": "slow"}, "FAQBOT_HEADER_TIMEOUT must be a number of seconds"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_TRUSTED_PROXIES": "proxy.local"}, "'proxy.local' is not an IP address"),
        ({"FAQBOT_SECRET": GOOD, "FAQBOT_TRUSTED_PROXIES": "10.0.0.0/40"}, "is not an IP address or network"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        WebConfig.from_env(env)


@pytest.mark.parametrize(
    ("text", "origins"),
    [
        ("", ()),
        ("*", ("*",)),
        ("https://a.example https://b.example", ("https://a.example", "https://b.example")),
        ("http://localhost:3000,", ("http://localhost:3000",)),
    ],
)
def test_parse_origins(text: str, origins: tuple[str, ...]) -> None:
    assert parse_origins(text) == origins


@pytest.mark.parametrize(
    ("text", "proxies"),
    [("", ()), ("127.0.0.1", ("127.0.0.1/32",)), ("10.1.2.3/8,fd00::/8", ("10.0.0.0/8", "fd00::/8"))],
)
def test_parse_proxies(text: str, proxies: tuple[str, ...]) -> None:
    assert parse_proxies(text) == proxies


def test_shared_workers_refuse_a_missing_secret_in_one_sentence() -> None:
    with pytest.raises(ConfigError) as caught:
        WebConfig.from_env({}, shared=True)
    message = str(caught.value)
    assert message.startswith("Several workers need one shared secret: set FAQBOT_SECRET")
    assert message.endswith("and start again.") and "\n" not in message
    assert WebConfig.from_env({"FAQBOT_SECRET": GOOD}, shared=True).secret == GOOD


@pytest.mark.parametrize(("concurrency", "pooled"), [("", False), ("1", False), ("4", True), ("many", False)])
def test_web_concurrency_marks_a_worker_pool(concurrency: str, pooled: bool) -> None:
    # The test process itself was not started by a multiprocessing supervisor.
    assert in_worker_pool({"WEB_CONCURRENCY": concurrency}) is pooled
def test_today_settings_default_to_japan_and_no_client_today() -> None:
    config = WebConfig.from_env({"FAQBOT_SECRET": GOOD})
    assert (config.timezone, config.allow_client_today) == ("Asia/Tokyo", False)


@pytest.mark.parametrize(("value", "allowed"), [("1", True), ("true", True), ("yes", True), ("0", False), ("", False)])
def test_client_today_is_allowed_only_by_the_test_flag(value: str, allowed: bool) -> None:
    env = {"FAQBOT_SECRET": GOOD, "FAQBOT_ALLOW_CLIENT_TODAY": value, "FAQBOT_TZ": "UTC"}
    config = WebConfig.from_env(env)
    assert (config.timezone, config.allow_client_today) == ("UTC", allowed)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match="FAQBOT_TZ.*Mars/Olympus"):
        WebConfig.from_env({"FAQBOT_SECRET": GOOD, "FAQBOT_TZ": "Mars/Olympus"})
