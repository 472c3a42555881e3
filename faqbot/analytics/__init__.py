"""Unanswered-question analytics: record each turn's outcome, then report on it.

``Recorder.from_env()`` is what the chat and the server use; ``faqbot report``
reads the same database through :func:`build_report`.
"""

from faqbot.analytics.report import Report, build_report, report_json, report_rows
from faqbot.analytics.store import (
    ENV_DB,
    ENV_SWITCH,
    AnalyticsError,
    AnalyticsSettings,
    FeedbackRecord,
    Recorder,
    TurnRecord,
    analytics_settings,
    database_url,
    default_db_path,
)

__all__ = [
    "ENV_DB",
    "ENV_SWITCH",
    "AnalyticsError",
    "AnalyticsSettings",
    "FeedbackRecord",
    "Recorder",
    "Report",
    "TurnRecord",
    "analytics_settings",
    "build_report",
    "database_url",
    "default_db_path",
    "report_json",
    "report_rows",
]
