from __future__ import annotations

from typing import Any

from sqlmodel import func, select

from alerts.kinds import MISSING
from alerts.outbox import enqueue, list_alerts
from models.db import session_scope
from models.tables import Alert

from .helpers import BALANCE_EVIDENCE, BALANCE_MSG, BALANCE_TEXT, agency


def _count(url: str) -> int:
    with session_scope(url) as s:
        return s.exec(select(func.count()).select_from(Alert)).one()


def test_enqueue_twice_same_key_gives_one_row(db_url: str) -> None:
    kwargs: dict[str, Any] = dict(
        kind="missing", year=2024, severity="error", tags=["office"], payload={"deadline": "2025-01-31"}
    )
    with session_scope(db_url) as s:
        gx = agency(s, "zhanhe-gongxin")
        first = enqueue(
            s, dedup_key=MISSING.dedup_key(finding_id=1, opened_at="2025-02-01"), agency=gx, **kwargs
        )
        again_same_tx = enqueue(
            s, dedup_key=MISSING.dedup_key(finding_id=1, opened_at="2025-02-01"), agency=gx, **kwargs
        )
    with session_scope(db_url) as s:
        gx = agency(s, "zhanhe-gongxin")
        again_later = enqueue(
            s, dedup_key=MISSING.dedup_key(finding_id=1, opened_at="2025-02-01"), agency=gx, **kwargs
        )
    assert first is not None and first.id is not None
    assert again_same_tx is None and again_later is None
    assert _count(db_url) == 1


def test_enqueue_is_part_of_the_callers_transaction(db_url: str) -> None:
    """Rolled back with the event it announces: no alert without its finding."""
    try:
        with session_scope(db_url) as s:
            gx = agency(s, "zhanhe-gongxin")
            enqueue(
                s,
                kind="late",
                dedup_key="late:x:2024",
                agency=gx,
                year=2024,
                severity="warning",
                tags=["office"],
                payload={},
            )
            raise RuntimeError("the finding could not be stored")
    except RuntimeError:
        pass
    assert _count(db_url) == 0


def test_enqueue_renders_chinese_subject_and_body(db_url: str) -> None:
    with session_scope(db_url) as s:
        gx = agency(s, "zhanhe-gongxin")
        a = enqueue(
            s,
            kind="finding",
            dedup_key="k",
            agency=gx,
            year=2024,
            severity="error",
            tags=["office", "pds-zhanhe"],
            payload={
                "rule": "T3-BALANCE",
                "message": BALANCE_MSG,
                "evidence": BALANCE_EVIDENCE,
                "url": "http://example.gov.cn/r.html",
            },
        )
        assert a is not None
    assert (
        a.subject
        == "【年报问题·错误】湛河区工业和信息化局2024年度：表三收支平衡"  # title from the rule registry
    )
    assert f"问题：{BALANCE_TEXT}" in a.body and BALANCE_MSG not in a.body  # said once, in words
    assert "湛河区工业和信息化局（平顶山市湛河区）" in a.body
    assert a.body.splitlines()[-1] == "—— 规则编号：T3-BALANCE（供技术人员查阅）"
    assert "应为" not in a.body and "实际" not in a.body and "=" not in a.body.replace(" = ", "")
    assert "http://example.gov.cn/r.html" in a.body
    assert a.payload["district_code"] == "pds-zhanhe" and a.payload["agency_name"] == "湛河区工业和信息化局"


def test_list_alerts_filters_states(db_url: str) -> None:
    with session_scope(db_url) as s:
        gx = agency(s, "zhanhe-gongxin")
        for i, state in enumerate(["pending", "sent", "failed"]):
            a = enqueue(
                s,
                kind="late",
                dedup_key=f"late:{i}",
                agency=gx,
                year=2020 + i,
                severity="warning",
                tags=["office"],
                payload={},
            )
            assert a is not None
            a.state = state
    with session_scope(db_url) as s:
        assert [a.state for a in list_alerts(s)] == ["pending", "failed"]
        assert [a.state for a in list_alerts(s, states=("sent",))] == ["sent"]
