"""Portal health: a site that cannot be checked N runs in a row is announced once
(「无法检查」), and once more when it works again. An episode is identified by its first
failed crawl, so re-runs never repeat either message.

In the deadline season of an agency (its report not seen, the deadline near or past) the
deadline check says 「无法核实」 at once instead, so the health alert is held back: two alerts
about one unreadable portal, one of them days late, would only confuse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlmodel import Session, select

from alerts import kinds
from alerts.outbox import enqueue
from models import queries
from models.tables import Agency, Alert, Jurisdiction
from nianbao.store.record import alert_tags

FAILED = ("unreachable", "blocked")
LONGEST_EPISODE = 500  # failed crawls counted back at most


class CrawlFacts(Protocol):
    """The columns of an `AgencyCrawl` that health needs (a row of `_recent`)."""

    id: int | None
    outcome: str
    at: datetime
    detail: str


def _episode(crawls: Sequence[CrawlFacts]) -> list[CrawlFacts]:
    """The leading run of failed crawls in a newest-first list."""
    run = []
    for crawl in crawls:
        if crawl.outcome not in FAILED:
            break
        run.append(crawl)
    return run


def record_health(
    session: Session,
    agency: Agency,
    jurisdiction: Jurisdiction,
    *,
    alert_after: int = 3,
    in_deadline_season: bool = False,
) -> str | None:
    """Enqueue a health or recovery alert if this agency's latest crawl calls for one; return its kind.

    Reads the newest few crawls (enough for an episode of `alert_after`, the usual case being a
    crawl that worked after one that worked), and the whole episode only when one reaches past them."""
    few = alert_after + 2
    crawls = _recent(session, agency, few)
    if len(crawls) == few and crawls[-1].outcome in FAILED:
        crawls = _recent(session, agency, LONGEST_EPISODE)
    if not crawls:
        return None
    base = {
        "agency": agency.name,
        "url": (agency.entry_urls or [None])[0],
    }
    failing = _episode(crawls)
    if len(failing) >= alert_after and not in_deadline_season:
        first = failing[-1]
        alert = enqueue(
            session,
            kind=kinds.HEALTH.name,
            dedup_key=kinds.HEALTH.dedup_key(agency=agency.code, episode=first.id),
            agency=agency,
            year=None,
            severity=kinds.HEALTH.fixed_severity,
            tags=alert_tags(agency, jurisdiction),
            payload=base
            | {
                "outcome": failing[0].outcome,
                "failures": len(failing),
                "since": first.at.isoformat(timespec="minutes"),
                "detail": failing[0].detail[:300],
            },
        )
        return "health" if alert else None
    if crawls[0].outcome in FAILED:
        return None
    previous = _episode(crawls[1:])
    if len(previous) >= alert_after and _announced(
        session, kinds.HEALTH.dedup_key(agency=agency.code, episode=previous[-1].id)
    ):
        first = previous[-1]
        alert = enqueue(
            session,
            kind=kinds.HEALTH_RECOVERED.name,
            dedup_key=kinds.HEALTH_RECOVERED.dedup_key(agency=agency.code, episode=first.id),
            agency=agency,
            year=None,
            severity=kinds.HEALTH_RECOVERED.fixed_severity,
            tags=alert_tags(agency, jurisdiction),
            payload=base
            | {"failures": len(previous), "recovered_at": crawls[0].at.isoformat(timespec="minutes")},
        )
        return "health_recovered" if alert else None
    return None


def _recent(session: Session, agency: Agency, limit: int) -> Sequence[CrawlFacts]:
    """The agency's newest `limit` crawls, newest first, as rows of the columns health reads."""
    rows = session.exec(queries.recent_crawls(limit), params={"agency_id": agency.id}).all()
    return cast("Sequence[CrawlFacts]", rows)  # named rows: .id, .outcome, .at, .detail


def _announced(session: Session, dedup_key: str) -> bool:
    """Whether the episode's 「无法检查」 went out: recovery is only news to whoever heard of it."""
    return session.exec(select(Alert.id).where(Alert.dedup_key == dedup_key)).first() is not None
