"""Keeping personal data out of the server's logs.

uvicorn's access log writes every request line, query string included
(``GET /api/v1/search?q=…``), so a card number typed into a search would land
in the log.  :class:`MaskPersonalData` runs each record's arguments through
:func:`faqbot.text.privacy.mask_personal_data` (after percent-decoding, so
``4111%201111…`` is caught too) before any handler formats it.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote_plus

from faqbot.text.privacy import mask_personal_data

#: Loggers whose records may quote request data.
MASKED_LOGGERS = ("uvicorn.access", "uvicorn.error", "faqbot.web")


def mask_log_value(value: object) -> object:
    """``value`` with personal data masked when it is text; anything else unchanged."""
    if not isinstance(value, str):
        return value
    decoded = unquote_plus(value)
    masked = mask_personal_data(decoded)
    if masked != decoded or decoded == value:  # nothing was percent-encoded: no second look needed
        return masked
    return mask_personal_data(value)


class MaskPersonalData(logging.Filter):
    """A filter that masks card numbers, e-mail addresses and phone numbers in a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_personal_data(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_log_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: mask_log_value(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: an exception's message may quote input.
            record.exc_text = mask_personal_data(logging.Formatter().formatException(record.exc_info))
        return True


def install_log_masking() -> None:
    """Attach the filter to :data:`MASKED_LOGGERS` (once; safe to call for every app built)."""
    for name in MASKED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPersonalData) for f in logger.filters):
            logger.addFilter(MaskPersonalData())
