"""Snapshot tests of every alert kind in every format (plain text, Markdown, the HTML apprise
sends by e-mail), each also checked for internal keys and repeated values (office_text.py).

The findings are the evidence shapes the real checks record (fixtures/findings.json, one per
rule and shape); a rule without a sample fails `test_every_rule_has_a_sample_and_a_renderer`.
Snapshots live in tests/alerts/snapshots/; after an intended change of wording, rewrite them
with NIANBAO_UPDATE_SNAPSHOTS=1 and read the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from apprise import NotifyFormat
from apprise.conversion import convert_between

from alerts.evidence import RENDERERS, explain
from alerts.render import KINDS, DigestItem, Fmt, render_body, render_digest, render_subject
from alerts.rules_zh import LEGACY_RULE_TITLES, rule_title
from reports.checks import RULES
from reports.checks.monitor_rules import MONITOR_RULES

from .office_text import assert_office_text, problems

HERE = Path(__file__).parent
SNAPSHOTS = HERE / "snapshots"
FINDINGS: dict[str, dict] = json.loads((HERE / "fixtures" / "findings.json").read_text(encoding="utf-8"))
UPDATE = os.environ.get("NIANBAO_UPDATE_SNAPSHOTS") == "1"

BASE = {
    "agency_code": "zhanhe-gongxin",
    "agency_name": "湛河区工业和信息化局",
    "district_code": "pds-zhanhe",
    "district_name": "平顶山市湛河区",
    "year": 2024,
}
REPORT_URL = "http://www.zhanhe.gov.cn/zwgk/ndbg/2025/0120/1234.html"
LATE_URL = "http://www.zhanhe.gov.cn/zwgk/ndbg/2025/0214/1301.html"
PDF_URL = "http://www.zhanhe.gov.cn/zwgk/ndbg/2025/0125/1288.pdf"
KIND_PAYLOADS: dict[str, dict] = {
    "missing": {
        "deadline": "2025-01-31",
        "basis": "《条例》第四十九条：每年1月31日前",
        "checked_at": "2025-02-05",
        "days_overdue": 5,
        "searched_urls": ["http://www.zhanhe.gov.cn/zwgk/ndbg/index.html"],
    },
    "late": {
        "deadline": "2025-01-31",
        "published_at": "2025-02-14",
        "published_at_source": "页面元数据标注的发布时间",
        "delay_days": 14,
        "url": REPORT_URL,
    },
    "published": {"deadline": "2025-01-31", "published_at": "2025-02-03", "delay_days": 3, "url": REPORT_URL},
    "due_soon": {"deadline": "2025-01-31", "days_left": 5, "basis": "《条例》第四十九条：每年1月31日前"},
    "health": {
        "outcome": "unreachable",
        "failures": 3,
        "since": "2026-12-01T21:34:00+00:00",
        "detail": "ConnectTimeout: timed out",
        "url": "http://www.zhanhe.gov.cn/zwgk/ndbg/index.html",
    },
    "health_recovered": {
        "failures": 3,
        "recovered_at": "2026-12-03T00:05:00+00:00",
        "url": "http://www.zhanhe.gov.cn/zwgk/ndbg/index.html",
    },
    "test": {"recipient": "湛河区政务公开办", "sent_at": "2026-12-01T23:59:00+00:00"},
    "unverifiable": {
        "phase": "overdue",
        "outcome": "blocked",
        "detail": "HTTP 403 from http://www.zhanhe.gov.cn/zwgk/ndbg/index.html (WAF challenge)",
        "deadline": "2025-01-31",
        "days_left": None,
        "searched_urls": ["http://www.zhanhe.gov.cn/zwgk/ndbg/index.html"],
    },
}


def finding_payload(name: str) -> dict:
    f = FINDINGS[name]
    return {
        **BASE,
        "rule": f["rule"],
        "rule_title": rule_title(f["rule"]),
        "message": f["message"],
        "evidence": f["evidence"],
        "status": f["status"],
        "url": REPORT_URL,
    }


def cases() -> list[tuple[str, str, dict]]:
    out = [(f"finding-{name}", "finding", finding_payload(name)) for name in sorted(FINDINGS)]
    out.append(
        (
            "resolved-text-table",
            "resolved",
            {**finding_payload("text-table-1"), "resolved_at": "2025-03-02T01:00:00+00:00"},
        )
    )
    out += [(kind, kind, {**BASE, **payload}) for kind, payload in KIND_PAYLOADS.items()]
    out.append(
        (
            "unverifiable-due-soon",
            "unverifiable",
            {
                **BASE,
                **KIND_PAYLOADS["unverifiable"],
                "phase": "due_soon",
                "days_left": 6,
                "outcome": "unreachable",
            },
        )
    )
    out += [
        (f"unreadable-{n}", "unreadable", finding_payload(f"unreadable-{n}-1"))
        for n in ("fetch", "not-a-report")
    ]
    return out


def email_html(markdown: str) -> str:
    """What apprise sends as the HTML part of a mail for a Markdown body."""
    return convert_between(NotifyFormat.MARKDOWN, NotifyFormat.HTML, markdown)


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"new snapshot {path.name} written; read it and commit it")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"


def test_every_rule_has_a_sample_and_a_renderer() -> None:
    monitor = {m.id for m in MONITOR_RULES}
    rules = set(RULES) | set(LEGACY_RULE_TITLES) | monitor
    assert rules <= set(RENDERERS), f"rules without a Chinese renderer: {sorted(rules - set(RENDERERS))}"
    sampled = {f["rule"] for f in FINDINGS.values()}
    findings = rules - {"DUE-SOON", "UNVERIFIABLE"}  # these two are alerts only, never a finding row
    assert findings <= sampled, (
        f"rules without a sample in fixtures/findings.json: {sorted(findings - sampled)}"
    )


def test_every_kind_has_a_case() -> None:
    assert {kind for _, kind, _ in cases()} | {"digest"} >= set(KINDS)


@pytest.mark.parametrize(("name", "kind", "payload"), cases(), ids=[c[0] for c in cases()])
def test_alert_in_every_format(name: str, kind: str, payload: dict) -> None:
    severity = "error" if kind in {"finding", "missing"} else "warning" if kind == "unverifiable" else "info"
    subject = render_subject(kind, severity, payload)
    text = render_body(kind, severity, payload, "text")
    md = render_body(kind, severity, payload, "md")
    html = email_html(md)
    evidence = payload.get("evidence")
    for body in (text, md):
        assert_office_text(body, evidence)
    assert_office_text(subject, evidence)
    assert_office_text(html, evidence, single=False)
    if kind == "unreadable":
        assert "ConnectError" not in text.replace(text.splitlines()[-1], "")  # the error: footer only
    if kind in {"finding", "resolved"}:
        x = explain(payload["rule"], payload["message"], evidence, payload["status"])
        if x.text != payload["message"]:  # the sentence replaced the message: never both
            assert payload["message"] not in text and payload["message"] not in md
        if x.quote:
            assert text.count(x.quote) == 1 and md.count(x.quote) == 1
        assert payload["rule"] in text.splitlines()[-1]  # the code: in the footer line only
    check_snapshot(
        name, f"== subject ==\n{subject}\n== text ==\n{text}\n== markdown ==\n{md}\n== html ==\n{html}\n"
    )


def digest_items() -> list[DigestItem]:
    """A digest as a run sends it: two findings of one sentence, a table error, LATE, MISSING."""
    a = [
        DigestItem(1, "finding", "warning", "s", finding_payload("text-table-2")),
        DigestItem(2, "finding", "warning", "s", finding_payload("text-table-3")),
        DigestItem(3, "finding", "error", "s", finding_payload("t3-balance-1")),
        DigestItem(4, "finding", "info", "s", finding_payload("changed-after-publication-1")),
        DigestItem(
            5,
            "late",
            "warning",
            "s",
            {**BASE, **KIND_PAYLOADS["late"], "agency_name": "湛河区财政局", "url": LATE_URL},
        ),
        DigestItem(
            6,
            "missing",
            "error",
            "s",
            {
                **BASE,
                **KIND_PAYLOADS["missing"],
                "agency_name": "涧西区教育局",
                "district_name": "洛阳市涧西区",
            },
        ),
        DigestItem(
            7, "health", "warning", "s", {**BASE, **KIND_PAYLOADS["health"], "agency_name": "湛河区民政局"}
        ),
        DigestItem(
            8,
            "unverifiable",
            "warning",
            "s",
            {**BASE, **KIND_PAYLOADS["unverifiable"], "agency_name": "湛河区教育局"},
        ),
        DigestItem(
            9,
            "unreadable",
            "info",
            "s",
            {**finding_payload("unreadable-fetch-1"), "agency_name": "湛河区卫健委", "url": PDF_URL},
        ),
    ]
    return a


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_digest_in_every_format(fmt: Fmt) -> None:
    items = digest_items()
    subject, body = render_digest(items, "湛河区政务公开办", fmt)
    evidence = [i.payload.get("evidence") for i in items]
    assert_office_text(body, evidence, single=False)
    assert subject == "【政务公开监测】9条提醒（错误2条） — 湛河区政务公开办"
    shared = FINDINGS["text-table-2"]["evidence"]["sentence"]
    assert body.count(shared) == 1 and "原文同上" in body  # two findings of one sentence
    assert body.count(REPORT_URL) >= 1 and "湛河区财政局" in body
    late = body[body.index("湛河区财政局") :]
    assert LATE_URL in late.split("提醒编号 #5")[1].split("\n\n")[0]  # the LATE item has its link
    footer = body.splitlines()[-1]
    assert "TEXT-TABLE" in footer and "T3-BALANCE" in footer
    html = email_html(body) if fmt == "md" else ""
    if html:
        assert_office_text(html, evidence, single=False)
    check_snapshot(
        f"digest.{fmt}",
        f"== subject ==\n{subject}\n== body ==\n{body}\n" + (f"== html ==\n{html}\n" if html else ""),
    )


@pytest.mark.parametrize(
    "old_text",
    [
        "offset：71",
        "marker：将",
        "table_value：9",
        "单元格：表格=2，行=行政许可，row_label=行政许可",
        "依据：section=problems；offset=71",
        'cells=[{"table": 2}]',
        "[error] MISSING 未发布",
        "days_late=670",
        "门户 ok",
        "自2026-12-01T21:34+00:00起",
        "填报值：15\n应为：9\n实际：15",
        "发布日期来源：meta:PubDate",
        "原文：「2024年，我局将认真贯彻落实相关文件精神。」\n问题：疑为沿用上年文稿：“2024年，我局将认真贯彻落实相关文件精神。”",
        "unreachable: 站点无法访问",
        "规则：TEXT-TABLE 正文与表格数据核对",
    ],
)
def test_the_checker_catches_what_the_office_used_to_read(old_text: str) -> None:
    evidence = {
        "offset": 71,
        "marker": "将",
        "table_value": 9,
        "sentence": "2024年，我局将认真贯彻落实相关文件精神。",
        "cells": [{"row_label": "行政许可"}],
    }
    assert problems(old_text, evidence), old_text
