"""The tables. Every row that alerts or audits depend on is append-or-update, never duplicated:
unique keys make a re-run over unchanged content a no-op."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Stored) -> int:
    """A stored row's primary key. SQLModel types `id` as `int | None` (None until the row is
    flushed); a row read back or flushed has one, and this says so to the type checker."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id


def _json(default: Any = None) -> Any:
    return Field(
        default_factory=(lambda: default() if callable(default) else default), sa_column=Column(JSON)
    )


class Jurisdiction(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True)  # slug, e.g. "pds-zhanhe"
    name: str  # 平顶山市湛河区
    parent: str | None = None  # 平顶山市
    deadline_overrides: dict = _json(dict)  # {"department": {"2024": "2025-01-28"}}
    level: str | None = None  # province | city | county (registry); None: as its name tells


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True)  # slug, e.g. "zhanhe-gongxin"
    name: str  # 湛河区工业和信息化局
    short_names: list = _json(list)  # ["湛河区工信局", "区工信局"]
    kind: str = "department"  # department | town | street | government | aggregate
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    entry_urls: list = _json(list)  # annual-report column URLs
    # The entry URLs that are this agency's own column (no other registry agency lists them, or
    # the registry says `own: true`): an untitled report there is this agency's.
    own_entries: list = _json(list)
    allowed_hosts: list = _json(list)
    deadline_overrides: dict = _json(dict)
    active: bool = True
    adapter: str = "auto"  # the list adapter (scrapers/adapters) when `auto` guesses wrong
    http_fallback: bool = False  # a broken certificate: the same URL over plain http


class CrawlRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    trigger: str = "cli"  # cli | schedule | manual | demo
    scope: str = "all"  # "all", a jurisdiction code or an agency code
    status: str = "running"  # running | completed | failed | abandoned (killed; the next run says so)
    last_seen_at: datetime | None = None  # the run's last sign of life (a heartbeat while it works)
    stats: dict = _json(dict)


class AgencyCrawl(SQLModel, table=True):
    """What happened when one run looked at one agency: the per-site health record."""

    id: int | None = Field(default=None, primary_key=True)
    crawl_run_id: int = Field(foreign_key="crawlrun.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    outcome: str  # ok | partial | unreachable | blocked | no_entry | error
    # Every column page (and every list entry that might be a report) was read: only then may
    # "no report found" be said (MISSING); otherwise the deadline check says 「无法核实」.
    complete: bool = False
    detail: str = ""
    evidence: dict = _json(dict)
    reports_found: int = 0
    at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One version of one fetched resource. Raw bytes live on disk under their sha256,
    written before anything parses them."""

    __table_args__ = (UniqueConstraint("url", "sha256", name="uq_document_url_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    url: str = Field(index=True)
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    sha256: str = Field(index=True)
    size: int = 0
    storage_path: str = ""
    etag: str | None = None
    last_modified: str | None = None
    role: str = "report"  # report | attachment
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)


class Report(SQLModel, table=True):
    """One parsed version of an agency's annual report for one year."""

    __table_args__ = (UniqueConstraint("agency_id", "year", "content_sha256", name="uq_report_version"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    year: int = Field(index=True)
    version: int = 1
    is_current: bool = True
    title: str | None = None
    url: str | None = None
    document_id: int | None = Field(default=None, foreign_key="document.id")
    content_sha256: str = ""
    published_at: datetime | None = None
    published_at_source: str | None = None  # meta PubDate / 发布日期 label / url / list / first_seen
    # What named the agency: title | label:发布机构 | meta:ContentSource | body | own_column …
    agency_source: str | None = None
    first_seen: datetime = Field(default_factory=utcnow)
    form: str = "unknown"
    # parsed | partial | unreadable (read, nothing usable) | unfetched (seen on the list, file failed)
    parse_status: str = "parsed"
    parse_problems: list = _json(list)
    cells: dict = _json(dict)  # the parsed report, ParsedReport.model_dump(mode="json")


class Finding(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("agency_id", "year", "fingerprint", name="uq_finding"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    year: int = Field(index=True)
    report_id: int | None = Field(default=None, foreign_key="report.id")
    rule: str = Field(index=True)
    severity: str
    status: str = "fail"  # fail | cannot_assess
    message: str
    evidence: dict = _json(dict)
    fingerprint: str
    state: str = "open"  # open | resolved | confirmed | dismissed
    review_comment: str | None = None
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class Alert(SQLModel, table=True):
    """The outbox: written in the same transaction as the event it announces,
    delivered afterwards."""

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(index=True, unique=True)
    kind: str  # finding | missing | late | published | resolved | health | health_recovered
    finding_id: int | None = Field(default=None, foreign_key="finding.id")
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    year: int | None = None
    severity: str = "info"
    tags: list = _json(list)  # apprise tags: "office", district code, agency code
    subject: str
    body: str
    payload: dict = _json(dict)  # what templates need (agency, rule, evidence, url)
    state: str = Field(default="pending", index=True)  # pending | sending (claimed by a run) | sent | failed
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None  # a pending alert's next try (None: now)
    # The delivery run that holds a `sending` alert, and until when: another run takes it over
    # only after that (a crashed or stuck run). See alerts/deliver.py.
    claim_token: str | None = Field(default=None, index=True)
    claimed_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class AlertDelivery(SQLModel, table=True):
    """One recipient (apprise URL, by the hash of its redacted form) that received one alert, and
    when: a retry goes only to the recipients without a row, and the office can see who got what."""

    __table_args__ = (UniqueConstraint("alert_id", "recipient", name="uq_alert_delivery"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    recipient: str
    sent_at: datetime = Field(default_factory=utcnow)
