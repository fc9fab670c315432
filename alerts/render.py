"""Jinja2 rendering of alert messages. Templates live in ``alerts/templates``; every message has a
plain-text variant (stored in ``Alert.body``, read in the CLI) and a Markdown variant (sent to
services that render Markdown/HTML; apprise converts it to HTML for e-mail)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, Undefined

from alerts.rules_zh import KIND_ZH, SEVERITY_RANK, SEVERITY_ZH
from reports import form as _form

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
KINDS = (
    "finding",
    "missing",
    "late",
    "published",
    "due_soon",
    "resolved",
    "health",
    "health_recovered",
    "unverifiable",
    "unreadable",
    "test",
)
Fmt = Literal["text", "md"]

OUTCOME_ZH = {
    "unreachable": "无法访问",
    "blocked": "拒绝访问（疑似被拦截）",
    "no_entry": "找不到年报栏目",
    "partial": "未能完整读取",
    "error": "检查出错",
}

# Chinese labels for evidence keys; unknown keys are shown as they are.
EVIDENCE_LABELS = {
    "table": "表格",
    "row": "行",
    "column": "列",
    "cells": "单元格",
    "values": "数值",
    "actual": "实际",
    "expected": "应为",
    "difference": "相差",
    "computed": "计算结果",
    "stated": "填报值",
    "quote": "原文",
    "sentence": "原文",
    "text": "原文",
    "section": "部分",
    "previous": "上年度",
    "current": "本年度",
    "similarity": "相似度",
}
_QUOTED = {"quote", "sentence", "text"}


def _short(label: str) -> str:
    """「三(三)1 属于国家秘密」 -> 「属于国家秘密」: the numbering means nothing out of the table."""
    return re.sub(r"^(?:[一二三四五六七八九十]+、|三\([一二三四五六七]\)\d?\s*)", "", label).strip()


# Canonical form keys (reports/form.py) -> Chinese, so evidence never shows "carried_over".
FORM_KEY_LABELS: dict[str, str] = {
    **{k: _short(v) for k, v in _form.SECTION_LABELS.items()},
    **_form.TABLE4_CELL_LABELS,
    **_form.TABLE4_GROUP_LABELS,
    **_form.TABLE2_CELL_LABELS,
    **_form.TABLE2_ROW_LABELS,
    **{k: _short(v) for k, v in _form.TABLE3_ROW_LABELS.items()},
    **_form.TABLE3_COLUMN_LABELS,
    # The long labels shortened the way the office speaks of them.
    "new": "本年新收",
    "carried_over": "上年结转",
    "outcome_total": "办理结果总计",
    "carried_forward": "结转下年度",
}


class _Lenient(Undefined):
    """Missing payload fields render empty: an alert with a sparse payload must still go out."""

    def __str__(self) -> str:
        return ""


def _key_zh(key: Any) -> str:
    k = str(key)
    return FORM_KEY_LABELS.get(k) or EVIDENCE_LABELS.get(k) or k


def _fmt_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "，".join(f"{_key_zh(k)}={_fmt_value(v)}" for k, v in value.items())
    if isinstance(value, str) and value in FORM_KEY_LABELS:
        return FORM_KEY_LABELS[value]
    if isinstance(value, list | tuple):
        return "、".join(_fmt_value(v) for v in value)
    if value is None:
        return "（空）"
    return str(value)


def evidence_lines(evidence: Any) -> list[tuple[str, str]]:
    """Evidence dict -> (Chinese label, text) pairs; quoted sentences keep their 「」."""
    if not evidence:
        return []
    if not isinstance(evidence, Mapping):
        return [("依据", _fmt_value(evidence))]
    lines = []
    for key, value in evidence.items():
        if key == "anchor":  # the finding's identity for dedup, not something a reader needs
            continue
        label = EVIDENCE_LABELS.get(str(key), str(key))
        text = _fmt_value(value)
        if key in _QUOTED and not text.startswith("「"):
            text = f"「{text}」"
        lines.append((label, text))
    return lines


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=_Lenient,
        autoescape=False,  # plain text and Markdown, never HTML
        keep_trailing_newline=False,
    )
    env.filters["evidence_lines"] = evidence_lines
    return env


def _context(kind: str, severity: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    p = dict(payload)
    who = p.get("agency_name") or p.get("agency_code") or "（未知单位）"
    return {
        "kind": kind,
        "kind_zh": KIND_ZH.get(kind, kind),
        "p": p,
        "who": who,
        "sev_zh": SEVERITY_ZH.get(severity, severity),
        "outcome_zh": OUTCOME_ZH.get(str(p.get("outcome") or ""), "无法访问"),
    }


def _tidy(text: str, md: bool = False) -> str:
    """Collapse the blank-line runs conditional blocks leave; Markdown keeps its two-space breaks."""
    lines = [
        ln if md and ln.endswith("  ") and ln.strip() else ln.rstrip() for ln in text.strip().splitlines()
    ]
    out: list[str] = []
    for ln in lines:
        if ln == "" and out and out[-1] == "":
            continue
        out.append(ln)
    return "\n".join(out)


def render_subject(kind: str, severity: str, payload: Mapping[str, Any]) -> str:
    return _tidy(environment().get_template("subject.j2").render(**_context(kind, severity, payload)))


def render_body(kind: str, severity: str, payload: Mapping[str, Any], fmt: Fmt = "text") -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    ext = "md" if fmt == "md" else "txt"
    tpl = environment().get_template(f"{kind}.{ext}.j2")
    return _tidy(tpl.render(**_context(kind, severity, payload)), md=fmt == "md")


@dataclass
class DigestItem:
    """What the digest template needs from one alert (decoupled from the ORM row)."""

    id: int | None
    kind: str
    severity: str
    subject: str
    payload: dict[str, Any]
    sev_zh: str = ""

    def __post_init__(self) -> None:
        self.sev_zh = SEVERITY_ZH.get(self.severity, self.severity)
        self.payload = dict(self.payload)
        self.payload.setdefault(
            "outcome_zh", OUTCOME_ZH.get(str(self.payload.get("outcome") or ""), "无法访问")
        )


@dataclass
class _Group:
    name: str
    rank: int
    alerts: list[DigestItem] = field(default_factory=list)
    agencies: list[_Group] = field(default_factory=list)


def _rank(item: DigestItem) -> int:
    return SEVERITY_RANK.get(item.severity, 9)


def group_for_digest(items: Iterable[DigestItem]) -> list[_Group]:
    """District -> agency -> alerts; at every level the groups holding errors come first."""
    districts: dict[str, dict[str, list[DigestItem]]] = {}
    for it in items:
        d = it.payload.get("district_name") or it.payload.get("district_code") or "（未注明区县）"
        a = it.payload.get("agency_name") or it.payload.get("agency_code") or "（未注明单位）"
        districts.setdefault(d, {}).setdefault(a, []).append(it)
    out: list[_Group] = []
    for dname, agencies in districts.items():
        ags = []
        for aname, alerts in agencies.items():
            alerts.sort(key=lambda x: (_rank(x), x.payload.get("year") or 0, x.id or 0))
            ags.append(_Group(aname, min(_rank(x) for x in alerts), alerts=alerts))
        ags.sort(key=lambda g: (g.rank, g.name))
        out.append(_Group(dname, min(g.rank for g in ags), agencies=ags))
    out.sort(key=lambda g: (g.rank, g.name))
    return out


def render_digest(items: Sequence[DigestItem], tags: Sequence[str], fmt: Fmt = "text") -> tuple[str, str]:
    """(subject, body) of one message that carries many alerts for one recipient."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for it in items:
        counts[it.severity if it.severity in counts else "info"] += 1
    subject = f"【政务公开监测】{len(items)}条提醒"
    if counts["error"]:
        subject += f"（错误{counts['error']}条）"
    if tags:
        subject += f" — {'、'.join(tags)}"
    ext = "md" if fmt == "md" else "txt"
    body = (
        environment()
        .get_template(f"digest.{ext}.j2")
        .render(
            districts=group_for_digest(items),
            total=len(items),
            counts=counts,
            tags=list(tags),
        )
    )
    return subject, _tidy(body, md=fmt == "md")
