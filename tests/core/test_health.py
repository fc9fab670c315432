"""A portal that cannot be checked N runs in a row: one 「无法检查」 alert, one recovery."""

from __future__ import annotations

from sqlmodel import col, select

from models.db import session_scope
from models.tables import Agency, AgencyCrawl, Alert, CrawlRun, Jurisdiction, row_id
from nianbao.deadlines.health import record_health


def _crawl(url: str, outcome: str) -> str | None:
    with session_scope(url) as s:
        agency = s.exec(select(Agency)).one()
        run = CrawlRun()
        s.add(run)
        s.flush()
        s.add(
            AgencyCrawl(
                crawl_run_id=row_id(run), agency_id=row_id(agency), outcome=outcome, detail=f"{outcome}: DNS"
            )
        )
        s.flush()
        return record_health(s, agency, s.get_one(Jurisdiction, agency.jurisdiction_id), alert_after=3)


def _register(db_url: str, code: str, name: str, entry_url: str) -> None:
    """The one agency the test crawls, in 平顶山市湛河区."""
    with session_scope(db_url) as s:
        j = Jurisdiction(code="pds-zhanhe", name="平顶山市湛河区")
        s.add(j)
        s.flush()
        s.add(Agency(code=code, name=name, jurisdiction_id=row_id(j), entry_urls=[entry_url]))


def test_health_alert_once_per_episode_and_recovery(db_url: str) -> None:
    _register(db_url, "zhanhe-gongxin", "湛河区工业和信息化局", "https://www.zhanhe.gov.cn/x/")
    kinds = [_crawl(db_url, o) for o in ("unreachable", "blocked", "unreachable", "unreachable", "ok", "ok")]
    assert kinds == [None, None, "health", None, "health_recovered", None]
    # A short outage (under the threshold) says nothing at all.
    kinds = [_crawl(db_url, o) for o in ("unreachable", "unreachable", "ok")]
    assert kinds == [None, None, None]
    with session_scope(db_url) as s:
        alerts = s.exec(select(Alert).order_by(col(Alert.id))).all()
    assert [a.kind for a in alerts] == ["health", "health_recovered"]
    assert "无法检查" in alerts[0].subject and "湛河区工业和信息化局" in alerts[0].subject
    assert alerts[0].payload["failures"] == 3
    assert "恢复" in alerts[1].subject


def test_a_long_outage_is_one_episode_counted_in_full(db_url: str) -> None:
    """Health reads only the newest few crawls unless an episode reaches past them: an outage
    longer than that window is still one episode (one alert, not one per window), and the
    recovery counts every failed crawl of it."""
    _register(db_url, "zhanhe-jiaoyu", "湛河区教育局", "https://x/")
    kinds = [_crawl(db_url, "unreachable") for _ in range(12)] + [_crawl(db_url, "ok")]
    assert kinds == [None, None, "health"] + [None] * 9 + ["health_recovered"]
    with session_scope(db_url) as s:
        alerts = s.exec(select(Alert).order_by(col(Alert.id))).all()
    assert [a.kind for a in alerts] == ["health", "health_recovered"]
    assert alerts[1].payload["failures"] == 12
