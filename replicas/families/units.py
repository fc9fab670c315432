"""Units, reports and look-alikes shared by the family replicas.

Deterministic data: each unit publishes one report per year, in January or February of the
next year; every third report is a PDF attachment, the rest are inline HTML tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from replicas.pdf import cached_pdf
from replicas.render import text_to_html
from replicas.synthetic import Figures, synthetic_report

UNIT_NAMES = [
    "人民政府办公室",
    "财政局",
    "教育局",
    "卫生健康委员会",
    "市场监督管理局",
    "住房和城乡建设局",
    "自然资源局",
    "民政局",
    "司法局",
    "应急管理局",
    "农业农村局",
    "交通运输局",
]


@dataclass(frozen=True)
class Pub:
    """One list entry: an annual report (year set) or a look-alike (year None)."""

    doc_id: int
    title: str
    date: datetime
    agency: str = ""
    year: int | None = None
    kind: str = "html"  # html | pdf | text (look-alikes)
    variant: int = 0  # template drift: 0 = with head meta, 1 = labels only
    column: int = 0

    @property
    def is_report(self) -> bool:
        return self.year is not None

    @property
    def file_hex(self) -> str:
        return hashlib.md5(f"{self.doc_id}".encode()).hexdigest()


def unit_name(short: str, n: int) -> str:
    base = UNIT_NAMES[n % len(UNIT_NAMES)]
    return f"{short}{base}" if n < len(UNIT_NAMES) else f"{short}第{n // len(UNIT_NAMES) + 1}{base}"


def make_pubs(
    short: str,
    units: int,
    years: tuple[int, ...] = (2022, 2023, 2024),
    *,
    first_id: int = 100000,
    column: int = 0,
    lookalikes: bool = True,
    pdf_every: int = 3,
) -> list[Pub]:
    """Reports of `units` units over `years`, plus 年度报表/预决算/通知 look-alikes, newest first."""
    pubs: list[Pub] = []
    doc_id = first_id
    for y in years:
        for n in range(units):
            doc_id += 1
            agency = unit_name(short, n)
            date = datetime(y + 1, 1 + (n % 2), 5 + n % 20, 9 + n % 8, (7 * n) % 60)
            pubs.append(
                Pub(
                    doc_id,
                    f"{agency}{y}年政府信息公开工作年度报告",
                    date,
                    agency,
                    y,
                    "pdf" if pdf_every and n % pdf_every == 0 else "html",
                    (n + y) % 2,
                    column,
                )
            )
        if lookalikes:
            for k, title in enumerate(
                (
                    f"{short}统计局{y}年政府信息公开工作年度报表",
                    f"{short}财政局{y}年度部门预算公开",
                    f"关于做好{y}年政府信息公开工作年度报告编制发布工作的通知",
                    f"{short}{y}年部门决算",
                )
            ):
                doc_id += 1
                pubs.append(Pub(doc_id, title, datetime(y + 1, 3, 1 + k, 10, 0), kind="text", column=column))
    return sorted(pubs, key=lambda p: (p.date, p.doc_id), reverse=True)


def figures_for(pub: Pub) -> Figures:
    return Figures(published=20 + pub.doc_id % 50, licences=pub.doc_id % 7, penalties=pub.doc_id % 5)


def body_html(pub: Pub, short: str) -> str:
    """Inline report tables, or a short notice text for look-alikes."""
    if not pub.is_report:
        return "<p>根据有关规定，现将相关情况公布如下。详见附表。</p>"
    return text_to_html(synthetic_report(pub.agency, pub.year or 0, figures_for(pub), short))


@lru_cache(maxsize=4096)
def pdf_bytes(pub: Pub, short: str) -> bytes:
    return cached_pdf(synthetic_report(pub.agency, pub.year or 0, figures_for(pub), short), pub.title)


def expected(pub: Pub, path: str, source: str) -> dict:
    """What discovery should report for `pub`, with dates as the source states them."""
    at = pub.date if source == "meta:PubDate" else pub.date.replace(hour=0, minute=0)
    return {
        "path": path,
        "title": pub.title,
        "agency": pub.agency,
        "year": pub.year,
        "published_at": at,
        "published_at_source": source,
        "kind": pub.kind,
    }
