from __future__ import annotations

import re

import pytest

from alerts.render import KINDS, DigestItem, Fmt, render_body, render_digest, render_subject

BASE = {
    "agency_code": "zhanhe-gongxin",
    "agency_name": "湛河区工业和信息化局",
    "district_code": "pds-zhanhe",
    "district_name": "平顶山市湛河区",
    "year": 2024,
    "url": "http://www.zhanhe.gov.cn/r.html",
    "deadline": "2025-01-31",
    "published_at": "2025-02-10",
    "delay_days": 10,
    "rule": "T3-BALANCE",
    "rule_title": "表三收支平衡",
    "message": "相差1",
    "outcome": "blocked",
    "failures": 3,
    "days_left": 5,
    "basis": "《条例》第四十九条：每年1月31日前",
}
EXPECT = {
    "finding": "相差1",
    "missing": "应于2025年1月31日前发布",
    "late": "逾期10天",
    "published": "已发布",
    "due_soon": "还剩5天",
    "resolved": "不再出现",
    "health": "连续3次拒绝访问",
    "health_recovered": "已恢复访问",
    "unverifiable": "无法确认2024年度报告是否已发布",
    "unreadable": "无法读取其内容",
    "test": "测试消息",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["text", "md"])
def test_every_kind_renders_chinese_in_both_variants(kind: str, fmt: Fmt) -> None:
    subject = render_subject(kind, "warning", BASE)
    body = render_body(kind, "warning", BASE, fmt)
    assert CJK.search(subject) and CJK.search(body)
    assert EXPECT[kind] in body.replace("**", "").replace(" ", "")
    if kind not in {"test"}:
        assert "湛河区工业和信息化局" in body
    assert "None" not in body and "{{" not in body


def test_markdown_links_and_text_links_differ() -> None:
    md = render_body("late", "warning", BASE, "md")
    txt = render_body("late", "warning", BASE, "text")
    assert "](http://www.zhanhe.gov.cn/r.html)" in md
    assert "年报链接：http://www.zhanhe.gov.cn/r.html" in txt and "**" not in txt


def test_published_says_delay() -> None:
    assert (
        render_subject("published", "info", BASE)
        == "【已发布】湛河区工业和信息化局2024年度年报已发布（逾期10天）"
    )


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        render_body("nonsense", "info", BASE)


def test_digest_groups_by_district_then_agency_errors_first() -> None:
    def item(i, sev, district, agency, kind="finding"):
        return DigestItem(
            i,
            kind,
            sev,
            "s",
            {**BASE, "district_name": district, "agency_name": agency, "message": f"问题{i}"},
        )

    items = [
        item(1, "info", "平顶山市湛河区", "湛河区工信局"),
        item(2, "warning", "洛阳市涧西区", "涧西区工信局"),
        item(3, "error", "洛阳市涧西区", "涧西区应急局", kind="missing"),
        item(4, "warning", "平顶山市湛河区", "湛河区工信局"),
        item(5, "warning", "平顶山市湛河区", "湛河区应急局"),
    ]
    subject, body = render_digest(items, "市政务公开办")
    assert subject == "【政务公开监测】5条提醒（错误1条） — 市政务公开办"
    assert "共5条提醒（错误1条，警告3条，提示1条）" in body
    # 洛 sorts after 平 and 应 after 工: only "errors first" puts 涧西 and its 应急局 on top
    order = [
        body.index(s)
        for s in [
            "==== 洛阳市涧西区",
            "【涧西区应急局】",
            "【涧西区工信局】",
            "==== 平顶山市湛河区",
            "【湛河区工信局】",
            "#4",
            "#1",
            "【湛河区应急局】",
        ]
    ]
    assert order == sorted(order), body
    md_subject, md = render_digest(items, "市政务公开办", "md")
    assert md_subject == subject
    assert "## 洛阳市涧西区" in md and "### 涧西区应急局" in md and "- [错误]" in md


def test_unverifiable_never_says_not_published() -> None:
    """「无法核实」 is said when the portal could not be read: never 「未发布」, and the portal's
    error is given (issue 21)."""
    payload = {**BASE, "phase": "overdue", "detail": "站点无法访问（连接失败或超时）"}
    for fmt in ("text", "md"):
        body = render_body("unverifiable", "warning", payload, fmt)
        assert "未发布" not in body and "站点无法访问" in body and "不是对该单位的认定" in body
    subject = render_subject("unverifiable", "warning", payload)
    assert subject.startswith("【无法核实】") and "截止日期已过" in subject and "未发布" not in subject
    soon = render_subject("unverifiable", "warning", {**payload, "phase": "due_soon"})
    assert "截止日期临近" in soon
