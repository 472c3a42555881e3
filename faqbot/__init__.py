"""faqbot: a Japanese FAQ assistant for Trend Micro's あんしん自動更新 service."""

__version__ = "0.1.0"
