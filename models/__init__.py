"""Database tables (SQLModel) and the engine/session helpers."""

from models.tables import (
    Agency,
    AgencyCrawl,
    Alert,
    CrawlRun,
    Document,
    Finding,
    Jurisdiction,
    Report,
)

__all__ = ["Agency", "AgencyCrawl", "Alert", "CrawlRun", "Document", "Finding", "Jurisdiction", "Report"]
