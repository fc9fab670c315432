"""What a run shows in the Prefect UI about its agencies: the compliance rows of exactly the
run's agencies, and the new findings, errors first, cut to a page with the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from flows import artifacts
from models.db import session_scope
from models.tables import Agency, Finding, Jurisdiction, row_id
from nianbao.reporting import run_summary
from nianbao.reporting.compliance import compliance_rows
from nianbao.runtime.settings import Settings
from nianbao.store.registry import RegistrySettings

SEVERITIES = ["info", "warning", "error"]


def _agencies(url: str, n: int) -> None:
    with session_scope(url) as s:
        j = Jurisdiction(code="d", name="某区")
        s.add(j)
        s.flush()
        for i in range(n):
            s.add(Agency(code=f"a{i}", name=f"机关{i}", jurisdiction_id=row_id(j)))


def _findings(url: str, per_agency: int) -> None:
    with session_scope(url) as s:
        for agency in s.exec(select(Agency)).all():
            for k in range(per_agency):
                severity = SEVERITIES[k % 3]
                s.add(
                    Finding(
                        agency_id=row_id(agency), year=2024, rule=f"R{k}", severity=severity,
                        message=f"{agency.name}问题{k}", evidence={"url": f"http://x/{agency.code}"},
                        fingerprint=f"{agency.code}-{k}",
                    )
                )  # fmt: skip


def test_compliance_rows_of_the_asked_agencies_only(db_url: str) -> None:
    _agencies(db_url, 5)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    with session_scope(db_url) as s:
        assert [r.agency_code for r in compliance_rows(s, 2024, now, RegistrySettings(), ["a3", "a1"])] == [
            "a1",
            "a3",
        ]
        assert len(compliance_rows(s, 2024, now, RegistrySettings())) == 5


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    out: list[str] = []
    monkeypatch.setattr(artifacts, "create_markdown_artifact", lambda **kw: out.append(kw["markdown"]))
    return out


def test_findings_errors_first_then_warnings_then_infos(db_url: str, tmp_path: Path, published) -> None:
    _agencies(db_url, 2)
    _findings(db_url, 3)
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    artifacts.publish_findings_artifact(settings, 2024, "d", datetime(2000, 1, 1, tzinfo=UTC), ["a0", "a1"])
    (md,) = published
    items = [line for line in md.splitlines() if line.startswith("- **")]
    assert [line.split("]")[0][5:] for line in items] == ["错误"] * 2 + ["警告"] * 2 + ["提示"] * 2
    assert "共6条（错误2条、警告2条、提示2条）" in md and "另有" not in md


def test_a_large_run_lists_a_page_and_counts_the_rest(
    db_url: str, tmp_path: Path, published, monkeypatch
) -> None:
    monkeypatch.setattr(run_summary, "FINDINGS_LISTED", 10)
    _agencies(db_url, 6)
    _findings(db_url, 4)  # per agency: info, warning, error, info
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    artifacts.publish_findings_artifact(
        settings, 2024, "d", datetime(2000, 1, 1, tzinfo=UTC), [f"a{i}" for i in range(5)]
    )
    (md,) = published
    items = [line for line in md.splitlines() if line.startswith("- **")]
    assert len(items) == 10 and all("[错误]" in line for line in items[:5])
    assert "机关5" not in md  # not one of the run's agencies
    assert "共20条（错误5条、警告5条、提示10条）" in md
    assert "另有10条未在此列出" in md and "nianbao report --year 2024" in md


def test_findings_corrected_in_the_run_are_listed_apart(db_url: str, tmp_path: Path, published) -> None:
    """A recrawl after 「我们已经整改了」: the office sees which findings the new version no longer has."""
    _agencies(db_url, 3)
    _findings(db_url, 3)
    since = datetime(2025, 3, 1, tzinfo=UTC)
    with session_scope(db_url) as s:
        by_print = {f.fingerprint: f for f in s.exec(select(Finding)).all()}
        for finding in by_print.values():
            finding.first_seen = datetime(2025, 1, 10, tzinfo=UTC)  # found by an earlier run
        for fingerprint, resolved_at in (
            ("a0-2", datetime(2025, 3, 1, 8, tzinfo=UTC)),  # this run, error
            ("a0-1", datetime(2025, 3, 1, 9, tzinfo=UTC)),  # this run, warning
            ("a1-0", datetime(2025, 2, 1, tzinfo=UTC)),  # an earlier run
            ("a2-2", datetime(2025, 3, 1, 9, tzinfo=UTC)),  # not an agency of this run
        ):
            by_print[fingerprint].state, by_print[fingerprint].resolved_at = "resolved", resolved_at
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    artifacts.publish_findings_artifact(settings, 2024, "d", since, ["a0", "a1"])
    (md,) = published
    head, _, resolved = md.partition("## 本次运行确认已整改的问题（共2条）")
    assert resolved, md
    resolved, _, standing = resolved.partition("## 此前发现、仍未解决的问题（共3条）")
    assert standing, md  # a0-0, a1-1 and a1-2: of the run's agencies, still open
    assert [line for line in resolved.splitlines() if line.startswith("- ")] == [
        "- ~~R2~~ 机关0：机关0问题2（已整改）",
        "- ~~R1~~ 机关0：机关0问题1（已整改）",
    ]
    assert "本次运行没有新发现的问题，但此前发现的问题仍未解决" in head  # found by an earlier run
    assert "机关2" not in standing


def test_a_recrawl_that_finds_nothing_new_lists_what_is_still_open(
    db_url: str, tmp_path: Path, published
) -> None:
    """「本次运行没有新发现的问题」 alone reads as an all-clear while the agency still has open
    findings (issue 21): they are listed, confirmed ones marked, resolved and dismissed ones not."""
    _agencies(db_url, 1)
    _findings(db_url, 4)
    with session_scope(db_url) as s:
        rows = {f.fingerprint: f for f in s.exec(select(Finding)).all()}
        for f in rows.values():
            f.first_seen = datetime(2025, 1, 10, tzinfo=UTC)
        rows["a0-1"].state = "confirmed"
        rows["a0-2"].state = "dismissed"
        rows["a0-3"].state = "resolved"
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    artifacts.publish_findings_artifact(settings, 2024, "d", datetime(2025, 3, 1, tzinfo=UTC), ["a0"])
    (md,) = published
    assert "本次运行没有新发现的问题，但此前发现的问题仍未解决" in md
    _, _, standing = md.partition("## 此前发现、仍未解决的问题（共2条）")
    items = [line for line in standing.splitlines() if line.startswith("- ")]
    assert len(items) == 2
    assert any("机关0问题1（已人工确认）" in line for line in items) and any(
        "机关0问题0" in line for line in items
    )


def test_no_corrected_findings_no_section(db_url: str, tmp_path: Path, published) -> None:
    _agencies(db_url, 1)
    _findings(db_url, 2)
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    artifacts.publish_findings_artifact(settings, 2024, "d", datetime(2000, 1, 1, tzinfo=UTC), ["a0"])
    (md,) = published
    assert "已整改" not in md and "共2条" in md
