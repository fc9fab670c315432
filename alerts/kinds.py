"""Every kind of alert the office can receive, declared once.

A kind is its name, its Chinese title, the shape of its dedup key (what makes two alerts the same
news), its severity when the kind fixes one, and whether it is good news. Its words live in its
templates under ``alerts/templates``: ``<name>.subject.j2`` (the subject line), ``<name>.txt.j2``
and ``<name>.md.j2`` (the message), ``<name>.item.j2`` (its entry in a digest). A new kind is one
entry here plus those four templates; `tests/alerts/test_kinds.py` checks that every kind has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AlertKind:
    name: str
    title: str  # Chinese, as `nianbao alerts list` shows it
    key: str  # the dedup key, ``str.format`` fields filled by `dedup_key`
    severity: str | None = None  # fixed by the kind; None: the finding's own (one opening of it: its key)
    good_news: bool = False  # sent as apprise "success" when a message holds only such alerts

    @property
    def fixed_severity(self) -> str:
        """The severity this kind fixes, for a producer of it (a kind without one takes its finding's)."""
        if self.severity is None:
            raise ValueError(f"alert kind {self.name} takes its finding's severity")
        return self.severity

    def dedup_key(self, **parts: Any) -> str:
        """The key of one piece of news: a second enqueue of it is a no-op."""
        return self.key.format(**parts)


FINDING = AlertKind("finding", "年报问题", "finding:{finding_id}:{opened_at}")
MISSING = AlertKind("missing", "未发布", "finding:{finding_id}:{opened_at}")
LATE = AlertKind("late", "逾期发布", "finding:{finding_id}:{opened_at}")
PUBLISHED = AlertKind("published", "已发布", "published:{finding_id}:{resolved_at}", "info", good_news=True)
DUE_SOON = AlertKind("due_soon", "即将到期", "due_soon:{agency}:{year}", "info")
RESOLVED = AlertKind("resolved", "问题已整改", "resolved:{finding_id}:{resolved_at}", "info", good_news=True)
UNVERIFIABLE = AlertKind(
    "unverifiable", "无法核实", "unverifiable:{agency}:{year}:{phase}:{episode}", "warning"
)
UNREADABLE = AlertKind("unreadable", "无法读取", "finding:{finding_id}:{opened_at}")
HEALTH = AlertKind("health", "无法检查", "health:{agency}:{episode}", "warning")
HEALTH_RECOVERED = AlertKind(
    "health_recovered", "恢复检查", "health_recovered:{agency}:{episode}", "info", good_news=True
)
TEST = AlertKind("test", "测试消息", "test:{at}", "info")

KINDS: dict[str, AlertKind] = {
    k.name: k
    for k in (
        FINDING,
        MISSING,
        LATE,
        PUBLISHED,
        DUE_SOON,
        RESOLVED,
        UNVERIFIABLE,
        UNREADABLE,
        HEALTH,
        HEALTH_RECOVERED,
        TEST,
    )
}


def kind_title(name: str) -> str:
    """The Chinese title of a kind (the name itself for one this code does not know)."""
    kind = KINDS.get(name)
    return kind.title if kind else name
