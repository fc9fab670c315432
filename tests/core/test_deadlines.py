"""The deadline calendar and the on-time/late/missing verdict, across the Jan 31 boundary."""

from datetime import UTC, date, datetime

import pytest

from nianbao.deadlines.calendar import Status, assess, deadline_for, legal_deadline


@pytest.mark.parametrize(
    ("kind", "year", "due"),
    [
        ("department", 2024, date(2025, 1, 31)),
        ("town", 2024, date(2025, 1, 31)),
        ("street", 2024, date(2025, 1, 31)),
        ("government", 2024, date(2025, 1, 31)),
        ("aggregate", 2024, date(2025, 2, 20)),
        ("department", 2018, date(2019, 3, 31)),
        ("aggregate", 2018, date(2019, 3, 31)),
    ],
)
def test_legal_deadlines(kind: str, year: int, due: date) -> None:
    assert legal_deadline(kind, year).due == due


def test_aggregate_has_outer_limit() -> None:
    assert legal_deadline("aggregate", 2024).outer_limit == date(2025, 3, 31)


def test_overrides_agency_beats_jurisdiction_beats_law() -> None:
    jur = {"department": {"2024": "2025-01-28"}}
    assert deadline_for("department", 2024, jurisdiction_overrides=jur).due == date(2025, 1, 28)
    assert deadline_for("town", 2024, jurisdiction_overrides=jur).due == date(2025, 1, 31)
    agency = {"2024": "2025-01-26"}
    assert deadline_for("department", 2024, jurisdiction_overrides=jur, agency_overrides=agency).due == date(
        2025, 1, 26
    )


D = legal_deadline("department", 2024)
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_published_on_deadline_day_late_evening_is_on_time() -> None:
    v = assess(D, published_at=datetime(2025, 1, 31, 23, 59), date_source="meta:PubDate", now=NOW)
    assert v.status == Status.ON_TIME


def test_published_just_after_midnight_shanghai_is_one_day_late() -> None:
    v = assess(D, published_at=datetime(2025, 2, 1, 0, 0), date_source="meta:PubDate", now=NOW)
    assert (v.status, v.days_late) == (Status.LATE, 1)


def test_aware_utc_time_is_judged_in_shanghai() -> None:
    # 2025-01-31 16:30 UTC is 2025-02-01 00:30 in Shanghai: late.
    v = assess(D, published_at=datetime(2025, 1, 31, 16, 30, tzinfo=UTC), date_source="first_seen", now=NOW)
    assert (v.status, v.days_late, v.date_source) == (Status.LATE, 1, "first_seen")


def test_exclusive_setting_moves_the_boundary() -> None:
    v = assess(D, published_at=datetime(2025, 1, 31, 9, 0), date_source="url", now=NOW, inclusive=False)
    assert (v.status, v.days_late) == (Status.LATE, 1)


def test_missing_only_after_the_deadline_day_in_shanghai() -> None:
    before = datetime(2025, 1, 31, 15, 59, tzinfo=UTC)  # 23:59 Shanghai, Jan 31
    after = datetime(2025, 1, 31, 16, 0, tzinfo=UTC)  # 00:00 Shanghai, Feb 1
    assert assess(D, published_at=None, date_source=None, now=before).status == Status.DUE_SOON
    missing = assess(D, published_at=None, date_source=None, now=after)
    assert (missing.status, missing.days_late) == (Status.MISSING, 1)


def test_grace_days_delay_missing() -> None:
    now = datetime(2025, 2, 3, 4, 0, tzinfo=UTC)
    assert assess(D, published_at=None, date_source=None, now=now, grace_days=5).status == Status.DUE_SOON
    assert assess(D, published_at=None, date_source=None, now=now, grace_days=0).status == Status.MISSING


def test_due_soon_window() -> None:
    far = datetime(2025, 1, 2, 4, 0, tzinfo=UTC)
    near = datetime(2025, 1, 20, 4, 0, tzinfo=UTC)
    assert assess(D, published_at=None, date_source=None, now=far, due_soon_days=14).status == Status.PENDING
    v = assess(D, published_at=None, date_source=None, now=near, due_soon_days=14)
    assert (v.status, v.days_left) == (Status.DUE_SOON, 11)
