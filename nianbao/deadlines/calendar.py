"""The legal deadline calendar and the on-time / late / missing verdict for one agency-year.

Basis (spec §1): 条例 第四十九条 and 国办公开办函〔2021〕30号 §二. Departments, towns, streets
and the district government itself publish by Y+1-01-31; the district aggregate report by
Y+1-02-20 (条例 outer limit 03-31); every report for Y ≤ 2018 by Y+1-03-31. Local notices
may set earlier dates: overrides per jurisdiction (per kind, per year) and per agency.
Portal dates are Beijing time, so all comparisons are on Asia/Shanghai calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Status(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # deadline (plus grace) passed, nothing found
    DUE_SOON = "due_soon"  # not yet published, deadline within the reminder window
    PENDING = "pending"  # not yet published, deadline still far
    # Missing or due soon as far as the database knows, but the last crawl could not read the
    # agency's columns in full: whether it published cannot be said (「无法核实」).
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Deadline:
    due: date
    basis: str  # Chinese: where the date comes from
    outer_limit: date | None = None


def legal_deadline(kind: str, year: int) -> Deadline:
    """The national default for an agency kind and report year."""
    if year <= 2018:
        return Deadline(date(year + 1, 3, 31), "原《条例》第三十一条：每年3月31日前")
    if kind == "aggregate":
        return Deadline(
            date(year + 1, 2, 20),
            "国办公开办函〔2021〕30号 §二(二)：本级政府年度报告2月20日前（条例上限3月31日）",
            outer_limit=date(year + 1, 3, 31),
        )
    return Deadline(date(year + 1, 1, 31), "《条例》第四十九条：每年1月31日前")


def deadline_for(
    kind: str,
    year: int,
    *,
    jurisdiction_overrides: dict[str, dict[str, str]] | None = None,
    agency_overrides: dict[str, str] | None = None,
) -> Deadline:
    """Agency override first, then the jurisdiction's per-kind override, then the law."""
    if agency_overrides and str(year) in agency_overrides:
        return Deadline(date.fromisoformat(agency_overrides[str(year)]), "本单位登记的截止日期")
    per_kind = (jurisdiction_overrides or {}).get(kind, {})
    if str(year) in per_kind:
        return Deadline(date.fromisoformat(per_kind[str(year)]), "本地通知规定的截止日期")
    return legal_deadline(kind, year)


def to_shanghai_date(moment: datetime) -> date:
    """A naive datetime is taken as Beijing time already (portal dates are); an aware one is converted."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Verdict:
    status: Status
    deadline: Deadline
    days_late: int = 0
    days_left: int | None = None
    published_on: date | None = None
    date_source: str | None = None
    # For UNVERIFIABLE: what the last crawl saw instead of the column (outcome, detail) and
    # whether the deadline has passed ("overdue") or is near ("due_soon").
    crawl_outcome: str | None = None
    crawl_detail: str | None = None
    phase: str | None = None


def assess(
    deadline: Deadline,
    *,
    published_at: datetime | None,
    date_source: str | None,
    now: datetime,
    inclusive: bool = True,
    grace_days: int = 0,
    due_soon_days: int = 14,
) -> Verdict:
    """On time, late (by how many days), missing, or still to come."""
    last_ok = deadline.due if inclusive else deadline.due - timedelta(days=1)
    today = to_shanghai_date(now)
    if published_at is not None:
        published_on = to_shanghai_date(published_at)
        late_by = (published_on - last_ok).days
        if late_by > 0:
            return Verdict(Status.LATE, deadline, late_by, None, published_on, date_source)
        return Verdict(Status.ON_TIME, deadline, 0, None, published_on, date_source)
    if today > last_ok + timedelta(days=grace_days):
        return Verdict(Status.MISSING, deadline, (today - last_ok).days)
    days_left = (last_ok - today).days
    if days_left <= due_soon_days:
        return Verdict(Status.DUE_SOON, deadline, 0, days_left)
    return Verdict(Status.PENDING, deadline, 0, days_left)


def default_report_year(now: datetime | None = None) -> int:
    """Reports cover the previous calendar year (Beijing time)."""
    now = now or datetime.now(SHANGHAI)
    return now.year - 1
