"""Alert fixtures shared by the delivery tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from alerts.kinds import MISSING
from alerts.outbox import enqueue
from models.db import session_scope
from models.tables import Agency, Alert, row_id

BALANCE_MSG = "表三“总计”列：新收(5)+上年结转(1)=6，但办理结果总计(4)+结转下年度(1)=5，相差1"
BALANCE_EVIDENCE = {  # the shape reports/checks/arithmetic.py records
    "anchor": {"table": 3, "column": "total", "identity": "balance"},
    "table": 3,
    "column": "total",
    "column_label": "总计",
    "cells": [
        {
            "table": 3,
            "row": "new",
            "row_label": "一、本年新收政府信息公开申请数量",
            "column": "total",
            "value": 5,
        },
        {
            "table": 3,
            "row": "carried_over",
            "row_label": "二、上年结转政府信息公开申请数量",
            "column": "total",
            "value": 1,
        },
        {"table": 3, "row": "outcome_total", "row_label": "三(七) 总计", "column": "total", "value": 4},
        {
            "table": 3,
            "row": "carried_forward",
            "row_label": "四、结转下年度继续办理",
            "column": "total",
            "value": 1,
        },
    ],
    "values": {"new": 5, "carried_over": 1, "outcome_total": 4, "carried_forward": 1},
    "expected": 6,
    "actual": 5,
    "difference": -1,
}
# What the office reads for it (alerts/evidence.py), instead of the check's message.
BALANCE_TEXT = "表三“总计”列：本年新收 5 + 上年结转 1 = 6，办理结果总计 4 + 结转下年度 1 = 5，相差 1"
REPORT_URL = "http://www.zhanhe.gov.cn/zwgk/ndbg/2025/0120/1234.html"


def agency(session, code: str) -> Agency:
    return session.exec(select(Agency).where(Agency.code == code)).one()


def seed_alerts(url: str) -> dict[str, int]:
    """A balance error and a YEAR-PLAN warning in 湛河 (two agencies), a MISSING in 涧西."""
    ids = {}
    with session_scope(url) as s:
        gx = agency(s, "zhanhe-gongxin")
        yj = agency(s, "zhanhe-yingji")
        jx = agency(s, "jianxi-gongxin")
        a = enqueue(
            s,
            kind="finding",
            dedup_key="finding:1:fp-balance:abc",
            agency=gx,
            year=2024,
            severity="error",
            tags=["office", "pds-zhanhe", gx.code],
            payload={
                "rule": "T3-BALANCE",
                "message": BALANCE_MSG,
                "evidence": BALANCE_EVIDENCE,
                "url": REPORT_URL,
            },
        )
        b = enqueue(
            s,
            kind="finding",
            dedup_key="finding:2:fp-plan:def",
            agency=yj,
            year=2024,
            severity="warning",
            tags=["office", "pds-zhanhe"],
            payload={
                "rule": "YEAR-PLAN",
                "message": "第五部分改进计划把2024年写成未来",
                "evidence": {"quote": "2024年，我局将进一步加强政务公开工作"},
            },
        )
        c = enqueue(
            s,
            kind="missing",
            dedup_key=MISSING.dedup_key(finding_id=3, opened_at="2025-02-05"),
            agency=jx,
            year=2024,
            severity="error",
            tags=["office", "ly-jianxi"],
            payload={"deadline": "2025-01-31", "checked_at": "2025-02-05", "days_overdue": 5},
        )
        assert a and b and c
        ids = {"balance": row_id(a), "plan": row_id(b), "missing": row_id(c)}
    return ids


def states(url: str) -> dict[int, Alert]:
    with session_scope(url) as s:
        return {row_id(a): a for a in s.exec(select(Alert)).all()}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
