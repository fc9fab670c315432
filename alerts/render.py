"""Jinja2 rendering of alert messages. Templates live in ``alerts/templates``; every message has a
plain-text variant (stored in ``Alert.body``, read in the CLI) and a Markdown variant (sent to
services that render Markdown/HTML; apprise converts it to HTML for e-mail)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, Undefined

from alerts.evidence import Explanation, explain
from alerts.kinds import KINDS as ALERT_KINDS
from alerts.kinds import kind_title
from alerts.localtime import zh_date, zh_datetime
from alerts.rules_zh import SEVERITY_RANK, SEVERITY_ZH, rule_title

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
KINDS = tuple(ALERT_KINDS)  # every kind with its templates (alerts/kinds.py)
Fmt = Literal["text", "md"]

OUTCOME_ZH = {
    "unreachable": "无法访问",
    "blocked": "拒绝访问（疑似被拦截）",
    "no_entry": "找不到年报栏目",
    "partial": "未能完整读取",
    "error": "检查时程序出错",
}


class _Lenient(Undefined):
    """Missing payload fields render empty: an alert with a sparse payload must still go out."""

    def __str__(self) -> str:
        return ""


def explain_payload(p: Mapping[str, Any]) -> Explanation:
    """The finding an alert payload carries, explained (alerts/evidence.py)."""
    return explain(p.get("rule"), p.get("message"), p.get("evidence"), str(p.get("status") or "fail"))


def _quote_once(explanation: Explanation, seen: dict[str, Any]) -> Explanation:
    """In a digest two findings of one sentence (e.g. 行政复议 and 行政诉讼 in one line of the
    report) would print the sentence twice: the second says 「原文同上」 instead."""
    quote = explanation.quote
    if quote and seen.get("quote") == quote:
        return Explanation(explanation.text, None, explanation.table, explanation.rule, ("原文同上",))
    seen["quote"] = quote
    return explanation


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=_Lenient,
        autoescape=False,  # plain text and Markdown, never HTML
        keep_trailing_newline=False,
    )
    env.filters["explain"] = explain_payload
    env.filters["quote_once"] = _quote_once
    env.filters["zh_date"] = zh_date
    env.filters["zh_datetime"] = zh_datetime
    env.filters["rule_title"] = rule_title
    return env


def _context(kind: str, severity: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    p = dict(payload)
    who = p.get("agency_name") or p.get("agency_code") or "（未知单位）"
    return {
        "kind": kind,
        "kind_zh": kind_title(kind),
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


def part_marker(part: tuple[int, int] | None) -> str:
    """「（1/3）」 for one of several messages a digest was split into; nothing for a whole one."""
    return f"（{part[0]}/{part[1]}）" if part and part[1] > 1 else ""


def render_digest(
    items: Sequence[DigestItem],
    recipient: str | None = None,
    fmt: Fmt = "text",
    part: tuple[int, int] | None = None,
) -> tuple[str, str]:
    """(subject, body) of one message that carries many alerts for one recipient (its display
    name from the apprise config, never its tags); ``part`` numbers a digest split to fit."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for it in items:
        counts[it.severity if it.severity in counts else "info"] += 1
    marker = part_marker(part)
    subject = f"【政务公开监测】{len(items)}条提醒"
    if counts["error"]:
        subject += f"（错误{counts['error']}条）"
    if recipient:
        subject += f" — {recipient}"
    subject += marker
    ext = "md" if fmt == "md" else "txt"
    body = (
        environment()
        .get_template(f"digest.{ext}.j2")
        .render(
            districts=group_for_digest(items),
            total=len(items),
            counts=counts,
            recipient=recipient,
            marker=marker,
            rules=sorted({str(it.payload.get("rule")) for it in items if it.payload.get("rule")}),
            seen={},
        )
    )
    return subject, _tidy(body, md=fmt == "md")


Fits = Callable[[str, str], bool]
CUT_NOTE = "……（内容过长，其余部分已略去；完整内容请运行 nianbao alerts show {ids} 查看）"


def fit_body(title: str, body: str, fits: Fits, alert_ids: Sequence[int]) -> str:
    """``body`` cut at a line (or, for one long line, a character) so that it fits, with a note
    saying where the whole text is. Only a single alert longer than a channel's limit is cut:
    digests are split instead (`split_digest`)."""
    if fits(title, body):
        return body
    note = CUT_NOTE.format(ids=" ".join(f"{i}" for i in alert_ids) or "")
    lo, hi = 0, len(body)
    while lo < hi:  # the longest prefix that fits with the note
        mid = (lo + hi + 1) // 2
        if fits(title, body[:mid].rstrip() + "\n" + note):
            lo = mid
        else:
            hi = mid - 1
    head = body[:lo]
    if "\n" in head[len(head) // 2 :]:
        head = head[: head.rfind("\n")]
    return head.rstrip() + "\n" + note


def _pack(ordered: list[DigestItem], recipient: str | None, fmt: Fmt, fits: Fits) -> list[list[DigestItem]]:
    """Consecutive groups of items whose digest fits. Each item is measured once, alone, with its
    own district and agency headings: a group shares those, so the sum of its items' sizes is an
    upper bound of its digest's size, and one render per item is enough (thousands of alerts
    a run are possible). A group that still does not fit is halved."""

    def size_of(group: list[DigestItem]) -> int:
        subject, body = render_digest(group, recipient, fmt, (99, 99))  # room for the marker
        return _Measure(fits).size(subject, body)

    base = size_of([])
    budget = _Measure(fits).budget
    groups: list[list[DigestItem]] = []
    current: list[DigestItem] = []
    used = base
    for item in ordered:
        cost = size_of([item]) - base
        if current and used + cost > budget:
            groups.append(current)
            current, used = [], base
        current.append(item)
        used += cost
    if current:
        groups.append(current)
    out: list[list[DigestItem]] = []
    for group in groups:
        out.extend(_halve_until_fit(group, recipient, fmt, fits))
    return out


def _halve_until_fit(
    group: list[DigestItem], recipient: str | None, fmt: Fmt, fits: Fits
) -> list[list[DigestItem]]:
    subject, body = render_digest(group, recipient, fmt, (99, 99))
    if len(group) == 1 or fits(subject, body):
        return [group]
    mid = len(group) // 2
    return _halve_until_fit(group[:mid], recipient, fmt, fits) + _halve_until_fit(
        group[mid:], recipient, fmt, fits
    )


class _Measure:
    """The size and budget behind a ``fits`` predicate: a ChannelLimit's bound method exposes
    both; any other predicate is measured by a search on the body's length."""

    def __init__(self, fits: Fits) -> None:
        owner = getattr(fits, "__self__", None)
        self.limit = owner if owner is not None and hasattr(owner, "max_size") else None
        self.fits = fits

    @property
    def budget(self) -> int:
        return self.limit.max_size if self.limit is not None else 1 << 62

    def size(self, subject: str, body: str) -> int:
        if self.limit is not None:
            return int(self.limit.size(subject, body))
        return 0 if self.fits(subject, body) else 1 << 62


def split_digest(
    items: Sequence[DigestItem], recipient: str | None, fmt: Fmt, fits: Fits | None
) -> list[tuple[str, str, list[DigestItem]]]:
    """(subject, body, items) of each part of a digest: as few parts as fit the channel, in the
    digest's own order (district, agency, errors first), numbered 「（1/3）」 when more than one.
    ``fits`` None: the channel takes any length, one part."""
    if fits is None:
        subject, body = render_digest(items, recipient, fmt)
        return [(subject, body, list(items))]
    ordered = [a for d in group_for_digest(items) for g in d.agencies for a in g.alerts]
    groups = _pack(ordered, recipient, fmt, fits)
    parts = []
    for n, group in enumerate(groups, start=1):
        subject, body = render_digest(group, recipient, fmt, (n, len(groups)))
        body = fit_body(subject, body, fits, [int(i.id) for i in group if i.id is not None])
        parts.append((subject, body, group))
    return parts
