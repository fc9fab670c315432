"""Real apprise json:// delivery into the local webhook sink."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts.deliver import deliver_pending, send_test_message
from alerts.sink import read_store
from tests.known import known

from .conftest import free_port, write_config
from .helpers import BALANCE_TEXT, REPORT_URL, seed_alerts, states, utc

T0 = utc(2025, 2, 5, 9)


def _config(tmp_path: Path, base: str, urgent: str = "[]") -> Path:
    return write_config(
        tmp_path / "apprise.yaml",
        f"""nianbao: {{urgent_kinds: {urgent}}}
urls:
  - {base}/office?+X-Token=hdr-SeCrEt-4242:
      - tag: office
        name: 市政务公开办
  - {base}/pds-zhanhe:
      - tag: pds-zhanhe
        name: 湛河区政务公开办
  - {base}/ly-jianxi:
      - tag: ly-jianxi
""",
    )


def test_one_digest_per_tag_and_nothing_sent_twice(db_url, sink, tmp_path: Path) -> None:
    ids = seed_alerts(db_url)
    cfg = _config(tmp_path, sink.url)

    report = deliver_pending(db_url, cfg, now=T0)

    assert sorted(report.sent) == sorted(ids.values()) and report.ok
    office = sink.messages_for("/office")
    zhanhe = sink.messages_for("/pds-zhanhe")
    jianxi = sink.messages_for("/ly-jianxi")
    assert (len(office), len(zhanhe), len(jianxi)) == (1, 1, 1)
    digest = office[0]
    assert digest["title"] == "【政务公开监测】3条提醒（错误2条） — 市政务公开办"
    assert digest["type"] == "failure" and digest["version"] == "1.0"
    body = digest["message"]
    assert BALANCE_TEXT in body and "2024年，我局将进一步加强政务公开工作" in body and REPORT_URL in body
    # district then agency, errors first: 平顶山市湛河区 has an error and sorts first
    assert body.index("平顶山市湛河区") < body.index("洛阳市涧西区")
    assert body.index("湛河区工业和信息化局") < body.index("湛河区应急管理局")
    assert zhanhe[0]["title"] == "【政务公开监测】2条提醒（错误1条） — 湛河区政务公开办"
    # a single alert for a tag goes out as itself, not as a digest of one
    assert jianxi[0]["title"] == "【未发布】涧西区工业和信息化局2024年度政府信息公开工作年度报告逾期未发布"
    assert f"提醒编号：#{ids['missing']}" in jianxi[0]["message"]
    for a in states(db_url).values():
        assert a.state == "sent" and a.sent_at == T0 and a.attempts == 1 and a.last_error is None
    assert "Sent JSON POST notification" in report.log
    assert "hdr-SeCrEt-4242" not in report.log

    again = deliver_pending(db_url, cfg, now=T0 + timedelta(days=30))
    assert again.claimed == [] and again.messages == []
    assert len(sink.messages) == 3
    assert len(read_store(sink.store)) == 3  # the JSON lines a person reads


def test_urgent_kinds_go_out_alone(db_url, sink, tmp_path: Path) -> None:
    ids = seed_alerts(db_url)
    cfg = _config(tmp_path, sink.url, urgent="[missing]")
    report = deliver_pending(db_url, cfg, now=T0)
    office = sink.messages_for("/office")
    assert [m["title"].split("】")[0] for m in office] == ["【未发布", "【政务公开监测"]
    assert "2条提醒" in office[1]["title"]
    assert {tuple(m.alert_ids) for m in report.messages if m.mode == "single" and m.tags == ["office"]} == {
        (ids["missing"],)
    }
    # the parameter overrides the config
    seed_more = states(db_url)
    assert all(a.state == "sent" for a in seed_more.values())


def test_failing_receiver_then_recovery_delivers_exactly_once(db_url, sink, tmp_path: Path) -> None:
    seed_alerts(db_url)
    cfg = _config(tmp_path, sink.url)
    sink.fail_status = 500

    first = deliver_pending(db_url, cfg, now=T0)

    assert not first.ok and first.sent == [] and len(first.retrying) == 3
    assert sink.messages == []
    for a in states(db_url).values():
        assert a.state == "pending" and a.attempts == 1
        assert a.next_attempt_at is not None and a.next_attempt_at > T0
        assert "500" in known(a.last_error)
        assert "hdr-SeCrEt-4242" not in known(a.last_error)
    assert "hdr-SeCrEt-4242" not in first.log

    sink.fail_status = None
    too_early = deliver_pending(db_url, cfg, now=T0 + timedelta(seconds=10))
    assert too_early.claimed == [] and sink.messages == []  # backoff respected

    later = deliver_pending(db_url, cfg, now=T0 + timedelta(hours=1))
    assert len(later.sent) == 3 and later.ok
    assert len(sink.messages) == 3
    deliver_pending(db_url, cfg, now=T0 + timedelta(days=2))
    assert len(sink.messages) == 3
    for a in states(db_url).values():
        assert a.state == "sent" and a.attempts == 2


def test_closed_port_backoff_grows_and_max_attempts_fail(db_url, tmp_path: Path) -> None:
    seed_alerts(db_url)
    port = free_port()  # nothing listens here
    cfg = _config(tmp_path, f"json://127.0.0.1:{port}")
    now = T0
    delays = []
    for _ in range(3):
        deliver_pending(db_url, cfg, now=now, max_attempts=3)
        a = next(iter(states(db_url).values()))
        if a.state == "failed":
            break
        now, before = known(a.next_attempt_at), now
        delays.append(now - before)
    assert delays == [timedelta(minutes=5), timedelta(minutes=10)]
    for a in states(db_url).values():
        assert a.state == "failed" and a.attempts == 3 and a.next_attempt_at is None
        assert "127.0.0.1" in known(a.last_error)
    later = deliver_pending(db_url, cfg, now=now + timedelta(days=1))
    assert later.claimed == []


def test_partial_failure_resends_only_to_the_failed_recipient(db_url, sink, tmp_path: Path) -> None:
    seed_alerts(db_url)
    dead = free_port()
    cfg = write_config(
        tmp_path / "apprise.yaml",
        f"""urls:
  - {sink.url}/office:
      - tag: office
  - json://127.0.0.1:{dead}/pds-zhanhe:
      - tag: pds-zhanhe
""",
    )
    first = deliver_pending(db_url, cfg, now=T0)
    # the 涧西 MISSING alert only goes to office: sent; the two 湛河 alerts wait for the district URL
    assert len(first.sent) == 1 and len(first.retrying) == 2
    assert len(sink.messages_for("/office")) == 1

    fixed = cfg.read_text().replace(f"json://127.0.0.1:{dead}", sink.url)
    cfg.write_text(fixed)
    # the district URL changed, so it is a new recipient; office must not get the alerts again
    second = deliver_pending(db_url, cfg, now=T0 + timedelta(hours=1))
    assert len(second.sent) == 2
    assert len(sink.messages_for("/office")) == 1
    assert len(sink.messages_for("/pds-zhanhe")) == 1


def test_unroutable_alerts_wait_untouched(db_url, sink, tmp_path: Path) -> None:
    seed_alerts(db_url)
    cfg = write_config(tmp_path / "apprise.yaml", f"urls:\n  - {sink.url}/x:\n      - tag: some-other-city\n")
    report = deliver_pending(db_url, cfg, now=T0)
    assert len(report.unroutable) == 3 and report.claimed == []
    assert all(a.state == "pending" and a.attempts == 0 for a in states(db_url).values())


def test_send_test_message_per_tag(sink, tmp_path: Path) -> None:
    cfg = _config(tmp_path, sink.url)
    result = send_test_message(cfg)
    assert result.ok and [r.name for r in result.results] == [
        "市政务公开办",
        "湛河区政务公开办",
        "网络接口（JSON）",
    ]
    assert sorted(m["_path"] for m in sink.messages) == ["/ly-jianxi", "/office", "/pds-zhanhe"]
    assert all(m["title"].startswith("【测试消息】") for m in sink.messages)
    office = next(m for m in sink.messages if m["_path"] == "/office")
    assert office["title"] == "【测试消息】政务公开监测提醒通道测试（市政务公开办）"
    assert "发往市政务公开办" in office["message"] and "+00:00" not in office["message"]
    one = send_test_message(cfg, tag="pds-zhanhe")
    assert [r.tags for r in one.results] == [["pds-zhanhe"]] and len(sink.messages) == 4
    none = send_test_message(cfg, tag="nowhere")
    assert not none.ok and none.missing_tags == ["nowhere"] and none.results == []
