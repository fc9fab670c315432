"""Title, agency, year, 统计期限 and form version of a report."""

from __future__ import annotations

import re

from reports.form import Form
from reports.numerals import digits_year
from reports.parse.blocks import Block
from reports.parse.tokens import PAGE_NUMBER_LINE
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


# Metadata a crawler or an archive writes above the report: 「标题: …」「发布时间: …」.
_HEADER_KEYS = {
    "标题": "title",
    "文章标题": "title",
    "题目": "title",
    "发布时间": "published",
    "发布日期": "published",
    "原文链接": "url",
    "原文地址": "url",
    "原始链接": "url",
    "链接": "url",
    "网址": "url",
    "URL": "url",
    "栏目": "column",
    "所属栏目": "column",
    "来源": "source",
    "信息来源": "source",
    "发布机构": "source",
    "抓取时间": "fetched",
    "采集时间": "fetched",
    # portal article-info fields that only end the value before them
    "浏览次数": "",
    "阅读次数": "",
    "点击数": "",
    "访问量": "",
    "作者": "",
    "字号": "",
}
_HEADER_KEY = re.compile(
    r"(?:^|\s)(" + "|".join(sorted(map(re.escape, _HEADER_KEYS), key=len, reverse=True)) + r")\s*[:：]\s*",
    re.I,
)
# A unit printed on its own line above 「2024年政府信息公开工作年度报告」 (WPS/Word layouts).
_UNIT_LINE = re.compile(
    r"^[\u4e00-\u9fff（）()·]{2,30}?(?:局|委|委员会|办|办公室|政府|办事处|镇|乡|中心|院|所|馆|站|队|署|厅|部|处"
    r"|会|社|公司|集团|学校|医院|管委会|园区)$"
)
_NAV = ("当前位置", "您的位置", "您现在的位置", "位置：", "首页")


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", _MD.sub("", norm(line))).strip()


def read_header(blocks: list[Block], limit: int) -> tuple[dict[str, str], set[int]]:
    """Crawler/archive metadata lines before the first heading, and the blocks they occupy."""
    header: dict[str, str] = {}
    used: set[int] = set()
    for i, b in enumerate(blocks[:limit]):
        t = _clean(b.text) if b.cells is None else ""
        first = _HEADER_KEY.match(t)
        if not first or first.start() != 0:
            continue
        used.add(i)
        keys = list(_HEADER_KEY.finditer(t))
        for m, nxt in zip(keys, [*keys[1:], None], strict=True):
            value = t[m.end() : nxt.start() if nxt else len(t)].strip()
            name = _HEADER_KEYS.get(m.group(1)) or _HEADER_KEYS.get(m.group(1).upper(), "")
            if value and name:
                header.setdefault(name, value)
    return header, used


def _is_nav(t: str) -> bool:
    """A breadcrumb 「当前位置：首页>…>年度报告」 or a menu kept by a page dump, Word or PDF."""
    return t.startswith(_NAV) or any(c in t for c in ">»＞|")


def find_title(blocks: list[Block], limit: int, hints: list[str], skip: set[int] | None = None) -> str | None:
    """The report title: the first line naming the report, joined when broken across lines.

    A unit printed on its own line just above a title without one (「某某区民政局」 /
    「2024年政府信息公开工作年度报告」) is joined in front of it.
    """
    skip = skip or set()
    lines = [
        (_clean(b.text), b)
        for i, b in enumerate(blocks[:limit])
        if b.cells is None and b.text.strip() and i not in skip and not PAGE_NUMBER_LINE.match(b.text)
    ]
    for i, (t, _b) in enumerate(lines[:20]):
        if _is_nav(t):
            continue
        if "报告" in t or ("信息公开" in t and _YEAR_BARE.search(digits_year(t))):
            joined = t
            j = i + 1
            while "报告" not in joined and j < len(lines) and j <= i + 3:
                joined += lines[j][0]
                j += 1
            if "报告" in joined and len(joined) <= 80:
                above = lines[i - 1][0].replace(" ", "") if i else ""
                if agency_of(joined) is None and _UNIT_LINE.match(above):
                    joined = above + joined
                return joined
    return _hint_title(hints)


def _hint_title(hints: list[str]) -> str | None:
    for h in hints:
        t = _clean(h)
        if "报告" in t:
            # Page titles append the site: 「…年度报告-某区人民政府」, 「…年度报告_政府信息公开」.
            return re.sub(r"(报告)\s*[-_|—–·].*$", r"\1", t)
    return None


def choose_title(body: str | None, header: dict[str, str], hints: list[str]) -> str | None:
    """The title that names both the unit and the year, preferring the body's own."""
    candidates = [c for c in (body, _hint_title([header.get("title", "")]), _hint_title(hints)) if c]
    for c in candidates:
        if agency_of(c) and year_of(c):
            return c
    return next((c for c in candidates if year_of(c)), candidates[0] if candidates else None)


def unit_from_header(header: dict[str, str]) -> str | None:
    """The publishing unit a dump's 「来源」/「发布机构」 names, when it is a unit's name."""
    source = re.sub(r"\s+", "", header.get("source", ""))
    return source if _UNIT_LINE.match(source) else None


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
