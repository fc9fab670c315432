"""An agency-year's verdict (on time, late, missing, due soon, could not check) from what the
database knows: the dates against the deadline, and whether the latest crawl read the
agency's columns in full. Apart from `watch` (which records and alerts on it): the compliance
matrix needs the verdict only, not the findings and alerts machinery."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from models.tables import row_id
from nianbao.deadlines.calendar import Status, Verdict, assess, deadline_for
from nianbao.deadlines.facts import YearFacts, year_facts
from nianbao.store.registry import RegistrySettings


class HasOverrides(Protocol):
    """A jurisdiction as a deadline reads it."""

    @property
    def deadline_overrides(self) -> dict: ...


class AgencyTerms(HasOverrides, Protocol):
    """An agency as a deadline reads it: an `Agency` row, or these columns read alone (the
    compliance matrix of thousands of agencies does not load whole rows)."""

    @property
    def id(self) -> int | None: ...

    @property
    def kind(self) -> str: ...


def agency_verdict(
    session: Session,
    agency: AgencyTerms,
    jurisdiction: HasOverrides,
    year: int,
    now: datetime,
    rules: RegistrySettings,
    facts: YearFacts | None = None,
) -> Verdict:
    """On time / late / missing / due soon / could not check for one agency-year, from what the
    database knows (`facts`, read for many agencies at once by `year_facts`; read here for this
    one when not given). "Missing" and "due soon" need the latest crawl to have read the
    agency's columns in full; else the answer is UNVERIFIABLE (unless an earlier full reading
    already found it missing: that finding stands until a reading says otherwise)."""
    if facts is None:
        facts = year_facts(session, [row_id(agency)], year)[row_id(agency)]
    verdict = dated_verdict(agency, jurisdiction, year, now, rules, facts.published_at, facts.date_source)
    if verdict.status not in (Status.MISSING, Status.DUE_SOON):
        return verdict
    crawl = facts.crawl
    if crawl is not None and crawl.complete:
        return verdict
    if verdict.status == Status.MISSING and facts.open_missing:
        return verdict
    return replace(
        verdict,
        status=Status.UNVERIFIABLE,
        crawl_outcome=crawl.outcome if crawl else "not_crawled",
        crawl_detail=(crawl.detail if crawl else "尚未抓取该单位的栏目") or "",
        phase="overdue" if verdict.status == Status.MISSING else "due_soon",
    )


def dated_verdict(
    agency: AgencyTerms,
    jurisdiction: HasOverrides,
    year: int,
    now: datetime,
    rules: RegistrySettings,
    published_at: datetime | None,
    source: str | None,
) -> Verdict:
    """The verdict from the dates alone (what was published when, against the deadline)."""
    deadline = deadline_for(
        agency.kind,
        year,
        jurisdiction_overrides=jurisdiction.deadline_overrides,
        agency_overrides=agency.deadline_overrides,
    )
    return assess(
        deadline,
        published_at=published_at,
        date_source=source,
        now=now,
        inclusive=rules.deadline_inclusive,
        grace_days=rules.grace_days,
        due_soon_days=rules.due_soon_days,
    )
