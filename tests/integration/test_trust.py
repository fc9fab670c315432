"""Never accuse an agency on evidence the monitor does not have (issue 21), through the
`monitor` flow on a real Prefect server, over replica portals served on 127.0.0.1, with the
alerts delivered through apprise to a local webhook receiver: what the office receives.

One district (replicas/trust_portal.py), an agency per way of failing: a column that hangs,
answers 5xx, is blocked or is a challenge page → 「无法核实」, never MISSING; a report whose
file fails each way → published (on time), 「无法读取」, never MISSING; a challenge at the
article → published, blocked, no findings; a column read with no report → MISSING; an
untitled report on the agency's own column → on time; 「一〇五」 and 「二〇二四年度」 read right.
A provincial office gets no REGULATIONS-LEVEL and a 2020 report no FEE-STATEMENT.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import col, select

from models.db import migrate, session_scope
from models.tables import Agency, AgencyCrawl, Alert, Document, Finding, Report, row_id
from replicas.server import Response
from replicas.trust_portal import (
    BY_CODE,
    DISTRICT,
    MAX_DOCUMENT_BYTES,
    SCENARIOS,
    article_page,
    article_path,
    column_page,
    column_path,
    registry,
    registry_agency,
    start_trust_portal,
)
from tests.known import known

PROVINCE = "示范省"
PROVINCE_OFFICE = ("prov-office", "示范省发展和改革委员会")
COUNTY_CONTROL = ("county-regulations", "信任区发展和改革委员会")
OLD_FORM = ("old-form", "信任区人力资源和社会保障局")


@dataclass
class Run:
    db_url: str
    result: dict[str, Any]
    received: list[dict[str, Any]]
    portal: Any
    sink: Any
    root: Path

    def alerts(self, code: str) -> list[Alert]:
        with session_scope(self.db_url) as s:
            agency = s.exec(select(Agency).where(Agency.code == code)).one()
            return list(
                s.exec(select(Alert).where(Alert.agency_id == agency.id).order_by(col(Alert.id))).all()
            )

    def findings(self, code: str, year: int = 2024) -> dict[str, str]:
        with session_scope(self.db_url) as s:
            agency = s.exec(select(Agency).where(Agency.code == code)).one()
            rows = s.exec(select(Finding).where(Finding.agency_id == agency.id, Finding.year == year)).all()
            return {f.rule: f.state for f in rows}

    def text_received(self) -> str:
        return "\n".join(f"{m.get('title', '')}\n{m.get('message', '')}" for m in self.received)

    def outcome(self, code: str) -> dict[str, Any]:
        return next(o for o in self.result["outcomes"] if o["agency"] == code)


def _report_html(agency: str, year: int, *, form: str = "F2021", fee_statement: bool = True) -> str:
    """A consistent report (tests/checks/factory.py) rendered as a portal page (its 规章 row
    is not zero)."""
    from replicas.form_render import render_html
    from reports.form import Form
    from tests.checks.factory import consistent_report, set_section

    report = consistent_report(Form(form), year=year, agency=agency)
    if not fee_statement:
        set_section(report, "other", "无其他需要报告的事项。")
    return render_html(report)


def _extra_routes(portal: Any) -> list[tuple[str, str]]:
    """A provincial office and a county bureau with the same 规章 figures; a bureau whose 2020
    report (2019 form) says nothing of fees, and whose 2024 report is on time."""
    from datetime import datetime

    extra = []
    for code, name in (PROVINCE_OFFICE, COUNTY_CONTROL):
        title = f"{name}2024年政府信息公开工作年度报告"
        portal.routes[column_path(code)] = Response(
            body=column_page([(title, article_path(code), datetime(2025, 1, 20))])
        )
        portal.routes[article_path(code)] = Response(body=_report_html(name, 2024).encode())
        extra.append((code, name))
    code, name = OLD_FORM
    old_date, new_date = datetime(2021, 1, 25), datetime(2025, 1, 20)
    items = [
        (f"{name}2024年政府信息公开工作年度报告", article_path(code, new_date), new_date),
        (f"{name}2020年政府信息公开工作年度报告", article_path(code, old_date), old_date),
    ]
    portal.routes[column_path(code)] = Response(body=column_page(items))
    portal.routes[article_path(code, new_date)] = Response(body=_report_html(name, 2024).encode())
    portal.routes[article_path(code, old_date)] = Response(
        body=_report_html(name, 2020, form="F2019", fee_statement=False).encode()
    )
    return extra


def _isolate(mp: pytest.MonkeyPatch) -> None:
    """The settings `configure_demo_environment` writes into os.environ are undone with `mp`."""
    for name in (
        "NIANBAO_DATABASE_URL",
        "NIANBAO_DATA_DIR",
        "NIANBAO_REGISTRY_PATH",
        "NIANBAO_APPRISE_CONFIG",
        "NIANBAO_PER_HOST_DELAY",
        "NIANBAO_ALLOW_PRIVATE_HOSTS",
        "NIANBAO_REQUEST_TIMEOUT",
        "NIANBAO_MAX_DOCUMENT_BYTES",
    ):
        mp.delenv(name, raising=False)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def trust_run(request: pytest.FixtureRequest, tmp_path_factory, prefect_harness) -> Iterator[Run]:
    from alerts.config import write_demo_config
    from alerts.sink import start_webhook_sink
    from flows.monitor import monitor
    from flows.runtime import reset_shared_fetcher
    from nianbao.cli.demo import configure_demo_environment
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry

    root = tmp_path_factory.mktemp("trust")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        _isolate(mp)
        configure_demo_environment(root / "data")  # loopback allowed, no per-host delay
        mp.setenv("NIANBAO_REQUEST_TIMEOUT", "1")
        mp.setenv("NIANBAO_MAX_DOCUMENT_BYTES", str(MAX_DOCUMENT_BYTES))
        if request.param == "postgres":
            from tests.conftest import scratch_pg_database

            pg = scratch_pg_database()
            mp.setenv("NIANBAO_DATABASE_URL", pg.__enter__())
        get_settings.cache_clear()
        reset_shared_fetcher()
        portal = start_trust_portal()
        sink = start_webhook_sink(port=0)
        try:
            reg = registry(portal.base_url)
            for code, name in _extra_routes(portal):
                if code != PROVINCE_OFFICE[0]:
                    reg["jurisdictions"][0]["agencies"].append(registry_agency(portal.base_url, code, name))
            reg["jurisdictions"].append(
                {
                    "code": "prov",
                    "name": PROVINCE,
                    "level": "province",
                    "agencies": [registry_agency(portal.base_url, *PROVINCE_OFFICE)],
                }
            )
            reg["jurisdictions"][0]["agencies"].append(registry_agency(portal.base_url, *OLD_FORM))
            settings = get_settings()
            settings.registry_path.write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
            write_demo_config(known(settings.apprise_config), sink.url, districts=("trust", "prov"))
            migrate(settings.db_url)
            with session_scope(settings.db_url) as s:
                sync_registry(s, load_registry(settings.registry_path))
            result = monitor(year=2024)
            received = list(sink.messages)
            yield Run(settings.db_url, result, received, portal, sink, root)
        finally:
            reset_shared_fetcher()
            portal.stop()
            sink.stop()
            get_settings.cache_clear()
            if request.param == "postgres":
                pg.__exit__(None, None, None)


UNVERIFIABLE = [s.code for s in SCENARIOS if s.expect == "unverifiable"]
UNREADABLE = [s.code for s in SCENARIOS if s.expect == "unreadable"]


@pytest.mark.parametrize("code", UNVERIFIABLE)
def test_a_column_that_could_not_be_read_is_unverifiable_not_missing(trust_run: Run, code: str) -> None:
    kinds = [a.kind for a in trust_run.alerts(code)]
    assert "missing" not in kinds and "health" not in kinds, kinds
    assert kinds == ["unverifiable"], kinds
    (alert,) = trust_run.alerts(code)
    assert alert.state == "sent" and alert.payload["detail"], alert.payload
    assert "MISSING" not in trust_run.findings(code)
    assert not trust_run.outcome(code)["complete"]
    name = BY_CODE[code].name
    text = trust_run.text_received()
    assert f"{name}" in text and "无法核实" in text
    for message in trust_run.received:
        body = f"{message.get('title', '')}{message.get('message', '')}"
        if name in body and "未发布" in body:
            pytest.fail(f"{name} was called 未发布 though its column could not be read:\n{body}")


def test_the_portal_error_is_in_the_alert(trust_run: Run) -> None:
    details = {code: trust_run.alerts(code)[0].payload["detail"] for code in UNVERIFIABLE}
    assert "站点无法访问" in details["col-hang"]
    assert "HTTP 503" in details["col-5xx"]
    assert "瑞数" in details["col-blocked"]
    assert "人机验证" in details["col-challenge"]


@pytest.mark.parametrize("code", UNREADABLE)
def test_a_report_whose_file_fails_is_published_unread_not_missing(trust_run: Run, code: str) -> None:
    kinds = [a.kind for a in trust_run.alerts(code)]
    assert "missing" not in kinds and "unverifiable" not in kinds, kinds
    assert kinds == ["unreadable"], kinds
    assert trust_run.findings(code) == {"UNREADABLE": "open"}
    with session_scope(trust_run.db_url) as s:
        agency = s.exec(select(Agency).where(Agency.code == code)).one()
        (report,) = s.exec(select(Report).where(Report.agency_id == agency.id)).all()
        assert report.parse_status == "unfetched" and report.published_at is not None
    row = next(r for r in _rows(trust_run) if r.agency_code == code)
    assert row.status.value == "on_time", row


def test_what_the_server_sent_instead_of_the_file_is_kept(trust_run: Run) -> None:
    with session_scope(trust_run.db_url) as s:
        agency = s.exec(select(Agency).where(Agency.code == "file-html")).one()
        docs = s.exec(
            select(Document).where(Document.agency_id == agency.id, Document.role == "failed")
        ).all()
    assert docs and "文件不存在" in Path(docs[0].storage_path).read_bytes().decode("utf-8")


def test_a_challenge_at_the_article_is_blocked_published_and_no_findings(trust_run: Run) -> None:
    code = "article-challenge"
    assert trust_run.outcome(code)["outcome"] == "blocked"
    assert trust_run.findings(code) == {}
    assert [a.kind for a in trust_run.alerts(code)] == []
    row = next(r for r in _rows(trust_run) if r.agency_code == code)
    assert row.status.value == "on_time"


def test_a_column_read_in_full_without_the_report_is_missing(trust_run: Run) -> None:
    code = "column-empty"
    assert trust_run.outcome(code)["complete"] and trust_run.outcome(code)["outcome"] == "ok"
    assert [a.kind for a in trust_run.alerts(code)] == ["missing"]
    assert "未发布" in trust_run.text_received()


def test_an_untitled_report_on_its_own_column_is_the_agencys_and_on_time(trust_run: Run) -> None:
    code = "own-untitled"
    row = next(r for r in _rows(trust_run) if r.agency_code == code)
    assert row.status.value == "on_time"
    with session_scope(trust_run.db_url) as s:
        agency = s.exec(select(Agency).where(Agency.code == code)).one()
        (report,) = s.exec(select(Report).where(Report.agency_id == agency.id)).all()
    assert report.agency_source == "own_column" and report.parse_status == "parsed"
    assert "missing" not in [a.kind for a in trust_run.alerts(code)]


def test_chinese_numerals_in_title_and_text_are_read_right(trust_run: Run) -> None:
    code = "numerals"
    row = next(r for r in _rows(trust_run) if r.agency_code == code)
    assert row.status.value == "on_time"
    assert "TEXT-TABLE" not in trust_run.findings(code), trust_run.findings(code)
    with session_scope(trust_run.db_url) as s:
        agency = s.exec(select(Agency).where(Agency.code == code)).one()
        (report,) = s.exec(select(Report).where(Report.agency_id == agency.id)).all()
    assert report.cells["requests"]["new"]["total"]["value"] == 105


def test_regulations_level_only_for_the_county_bureau(trust_run: Run) -> None:
    assert "REGULATIONS-LEVEL" in trust_run.findings(COUNTY_CONTROL[0])
    assert "REGULATIONS-LEVEL" not in trust_run.findings(PROVINCE_OFFICE[0])


def test_no_fee_statement_finding_before_the_2021_format(trust_run: Run) -> None:
    from flows.monitor import monitor

    code = OLD_FORM[0]
    assert "FEE-STATEMENT" not in trust_run.findings(code, 2024)
    monitor(jurisdiction="trust", year=2020)
    found = trust_run.findings(code, 2020)
    assert found and "FEE-STATEMENT" not in found, found  # the 2020 report was read and checked


def test_every_crawl_is_recorded_with_whether_it_was_complete(trust_run: Run) -> None:
    with session_scope(trust_run.db_url) as s:
        crawls = {
            a.code: c
            for c, a in s.exec(
                select(AgencyCrawl, Agency).join(Agency, col(Agency.id) == AgencyCrawl.agency_id)
            ).all()
        }
    for code in UNVERIFIABLE:
        assert not crawls[code].complete and crawls[code].detail
    for code in UNREADABLE:
        assert crawls[code].complete


def _rows(run: Run):
    from datetime import UTC, datetime

    from nianbao.reporting.compliance import compliance_rows
    from nianbao.store.registry import RegistrySettings

    with session_scope(run.db_url) as s:
        return compliance_rows(s, 2024, datetime.now(UTC), RegistrySettings())


def test_compliance_table_says_could_not_check(trust_run: Run) -> None:
    rows = {r.agency_code: r for r in _rows(trust_run)}
    for code in UNVERIFIABLE:
        assert rows[code].status.value == "unverifiable" and rows[code].status_text.startswith("无法核实")
    assert DISTRICT in {r.district for r in rows.values()}


# --- new versions: resolution only on evidence ---------------------------------------------------

VERSIONS = ("versions", "信任区应急管理局")


@pytest.fixture
def versions_portal(tmp_path: Path, prefect_harness) -> Iterator[tuple[Any, Any, str]]:
    """One agency whose article the test replaces between runs; the alerts go to a sink."""
    from datetime import datetime

    from alerts.config import write_demo_config
    from alerts.sink import start_webhook_sink
    from flows.runtime import reset_shared_fetcher
    from nianbao.cli.demo import configure_demo_environment
    from nianbao.runtime.settings import get_settings
    from nianbao.store.registry import load_registry, sync_registry
    from replicas.server import ReplicaServer

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        _isolate(mp)
        configure_demo_environment(tmp_path / "data")
        portal = ReplicaServer({})
        sink = start_webhook_sink(port=0)
        try:
            code, name = VERSIONS
            title = f"{name}2024年政府信息公开工作年度报告"
            portal.routes[column_path(code)] = Response(
                body=column_page([(title, article_path(code), datetime(2025, 1, 20))])
            )
            reg = {
                "jurisdictions": [
                    {
                        "code": "trust",
                        "name": DISTRICT,
                        "agencies": [registry_agency(portal.base_url, code, name)],
                    }
                ]
            }
            settings = get_settings()
            settings.registry_path.write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
            write_demo_config(known(settings.apprise_config), sink.url, districts=("trust",))
            migrate(settings.db_url)
            with session_scope(settings.db_url) as s:
                sync_registry(s, load_registry(settings.registry_path))
            yield portal, sink, settings.db_url
        finally:
            reset_shared_fetcher()
            portal.stop()
            sink.stop()
            get_settings.cache_clear()


def _publish(portal: Any, text: str) -> None:
    """Put `text` (a seed-style copy-out) up as the agency's article: a new version."""
    from replicas.render import text_to_html

    code, name = VERSIONS
    title = f"{name}2024年政府信息公开工作年度报告"
    portal.routes[article_path(code)] = Response(body=article_page(title, text_to_html(text), source=name))


def _yingji() -> str:
    """The 湛河区应急管理局 seed (TEXT-TABLE: 15 行政许可 in the text, 9 in table 二) as this agency's."""
    from tests.conftest import seed_path

    text = seed_path("zhanhe-yingji-2024.txt").read_text(encoding="utf-8")
    return text.replace("湛河区应急管理局", VERSIONS[1])


def _state(db_url: str, rule: str) -> str | None:
    with session_scope(db_url) as s:
        row = s.exec(select(Finding).where(Finding.rule == rule)).first()
        return row.state if row else None


def test_an_image_only_new_version_leaves_findings_open_and_says_it_could_not_read(versions_portal) -> None:
    from flows.monitor import recrawl_agency

    portal, sink, db_url = versions_portal
    _publish(portal, _yingji())
    recrawl_agency(agency=VERSIONS[0], year=2024)
    assert _state(db_url, "TEXT-TABLE") == "open"
    code, name = VERSIONS
    title = f"{name}2024年政府信息公开工作年度报告"
    portal.routes[article_path(code)] = Response(
        body=article_page(title, "<p style='text-align:center'><img src='./W020250120.png'></p>", source=name)
    )
    portal.routes[f"/{code}/202501/W020250120.png"] = Response(
        body=b"\x89PNG\r\n\x1a\n", content_type="image/png"
    )
    result = recrawl_agency(agency=code, year=2024)
    assert isinstance(result, dict) and result["outcomes"][0]["new_versions"] == 1
    assert _state(db_url, "TEXT-TABLE") == "open" and _state(db_url, "UNREADABLE") == "open"
    with session_scope(db_url) as s:
        kinds = [a.kind for a in s.exec(select(Alert).order_by(col(Alert.id))).all()]
        assert "resolved" not in kinds and kinds.count("unreadable") == 1
        rules = {f.rule for f in s.exec(select(Finding)).all()}
    assert not rules & {"SECTIONS", "TABLES"}, rules  # the parser's failure is not the report's defect
    received = "\n".join(f"{m.get('title', '')}{m.get('message', '')}" for m in sink.messages)
    assert "【已整改】" not in received and "无法读取" in received


def test_a_confirmed_finding_is_resolved_by_a_corrected_version(versions_portal) -> None:
    from flows.monitor import recrawl_agency
    from nianbao.store.record import review_finding

    portal, sink, db_url = versions_portal
    _publish(portal, _yingji())
    recrawl_agency(agency=VERSIONS[0], year=2024)
    with session_scope(db_url) as s:
        fid = row_id(s.exec(select(Finding).where(Finding.rule == "TEXT-TABLE")).one())
        review_finding(s, fid, "confirmed", "已与单位核实，文字部分笔误")
    _publish(portal, _yingji().replace("成功办理了 15 项行政许可", "成功办理了 9 项行政许可"))
    recrawl_agency(agency=VERSIONS[0], year=2024)
    with session_scope(db_url) as s:
        row = s.get_one(Finding, fid)
        assert row.state == "resolved" and row.review_comment == "已与单位核实，文字部分笔误"
    received = "\n".join(f"{m.get('title', '')}{m.get('message', '')}" for m in sink.messages)
    assert "已整改" in received


def test_a_challenge_column_gives_no_findings_and_is_recorded_blocked(trust_run: Run) -> None:
    code = "col-challenge"
    assert trust_run.outcome(code)["outcome"] == "blocked"
    assert trust_run.findings(code) == {}
