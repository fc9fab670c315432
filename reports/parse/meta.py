"""Title, agency, year, 统计期限 and form version of a report."""

from __future__ import annotations

import re

from reports.form import Form
from reports.numerals import digits_year
from reports.parse.blocks import Block
from reports.parse.values import norm

_MD = re.compile(r"^#+\s*")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
_YEAR_BARE = re.compile(r"(?:19|20)\d{2}")
_SUFFIX = re.compile(
    r"(?:关于)?(?:的)?(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度)?(?:工作)?(?:年度)?报告.*$"
)
_PERIOD = re.compile(r"统计(?:期限|时限|期间|区间)")

F2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正", "缴纳费用")
F2019_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "政府集中采购",
    "采购项目数量",
    "上一年项目数量",
)
_CITE_2021 = re.compile(r"2021\s*[〕\]）)】]\s*30\s*号")
_CITE_2019 = re.compile(r"2019\s*[〕\]）)】]\s*60\s*号")


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", _MD.sub("", norm(line))).strip()


def find_title(blocks: list[Block], limit: int, hints: list[str]) -> str | None:
    """The report title: the first line naming the report, joined when broken across lines."""
    lines = [(_clean(b.text), b) for b in blocks[:limit] if b.cells is None and b.text.strip()]
    for i, (t, _b) in enumerate(lines[:20]):
        if t.startswith("当前位置") or ">" in t:  # a breadcrumb 「首页>…>年度报告」 kept by Word/PDF
            continue
        if "报告" in t or ("信息公开" in t and _YEAR_BARE.search(digits_year(t))):
            joined = t
            j = i + 1
            while "报告" not in joined and j < len(lines) and j <= i + 3:
                joined += lines[j][0]
                j += 1
            if "报告" in joined and len(joined) <= 80:
                return joined
    for h in hints:
        t = _clean(h)
        if "报告" in t:
            # Page titles append the site: 「…年度报告-某区人民政府」, 「…年度报告_政府信息公开」.
            return re.sub(r"(报告)\s*[-_|—–·].*$", r"\1", t)
    return None


def year_of(title: str | None) -> int | None:
    if not title:
        return None
    title = digits_year(title)
    m = _YEAR.search(title)
    if m:
        return int(m.group(1))
    bare = _YEAR_BARE.search(title)
    return int(bare.group(0)) if bare else None


def agency_of(title: str | None) -> str | None:
    """Title minus the year and the 「政府信息公开工作年度报告」 suffix, whitespace removed."""
    if not title:
        return None
    t = digits_year(re.sub(r"\s+", "", title))
    m = _YEAR.search(t) or _YEAR_BARE.search(t)
    if m:
        before, after = t[: m.start()], t[m.end() :]
        name = before if before.strip("关于的") else after
    else:
        name = t
    name = _SUFFIX.sub("", name)
    name = re.sub(r"^关于", "", name).rstrip("的")
    return name or None


def period_of(text: str) -> str | None:
    """The sentence stating 统计期限, as printed."""
    m = _PERIOD.search(text)
    if not m:
        return None
    start = max(text.rfind(c, 0, m.start()) for c in "。！？\n") + 1
    ends = [e for e in (text.find(c, m.end()) for c in "。\n") if e != -1]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip() or None


def detect_form(text: str, heading_keys: list[str]) -> Form:
    """F2021 / F2019 by the table labels; the cited notice breaks ties."""
    flat = re.sub(r"\s+", "", norm(text))
    s21 = sum(m in flat for m in F2021_MARKERS)
    s19 = sum(m in flat for m in F2019_MARKERS)
    if s21 > s19:
        return Form.F2021
    if s19 > s21:
        return Form.F2019
    if _CITE_2021.search(flat):
        return Form.F2021
    if _CITE_2019.search(flat):
        return Form.F2019
    if "概述" in flat or "收费及减免" in flat:
        return Form.PRE2019
    if "本年新收" in flat:
        return Form.F2021
    return Form.UNKNOWN
