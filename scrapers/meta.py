"""Publication date and attachments from an article page.

The date decides "late" alerts, so we also say where it came from: meta PubDate beats a
「发布日期」 label beats the URL (t20250122_ / /2025/01-22/). 成文日期/生成日期 are not
publication dates and 索引号 values look like dates, so neither is used. Returned datetimes
are naive, in the portal's local time (Asia/Shanghai).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

from reports.numerals import digits_year
from reports.parse.htmltree import body_of, drop_invisible, html_tree, text_of
from scrapers.documents import DOCUMENT_EXTS

# The dates a Chinese portal prints are Beijing time (they carry no zone of their own).
PORTAL_ZONE = ZoneInfo("Asia/Shanghai")

_SP = r"[\s\u3000\xa0]*"
_DATE = r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_DATE_RE = re.compile(_DATE)
_LABELS = ("发布日期", "发布时间", "上载日期", "时间")


def _spaced(label: str) -> str:
    return _SP.join(re.escape(ch) for ch in label)


# a bare 「时间」 needs its colon, or prose like 「截止时间2024年…」 would count
_LABEL_RES = [
    (
        label,
        re.compile(
            r"(?<![成生文止])"
            + _spaced(label)
            + _SP
            + ("[:：]" if label == "时间" else "[:：]?")
            + _SP
            + r"[\[【(（]?"
            + _SP
            + _DATE
        ),
    )
    for label in _LABELS
]
_URL_TRS = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")
_URL_HENAN = re.compile(r"/((?:19|20)\d{2})/(\d{2})-(\d{2})/")
_URL_HANWEB = re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/")
_PUBDATE_META = ("PubDate", "pubdate", "publishdate", "PublishDate", "firstpublishedtime")


def _mk(groups: tuple[str | None, ...]) -> datetime | None:
    y, mo, d = groups[:3]
    if y is None or mo is None or d is None:
        return None
    h = int(groups[3]) if len(groups) > 3 and groups[3] else 0
    mi = int(groups[4]) if len(groups) > 4 and groups[4] else 0
    s = int(groups[5]) if len(groups) > 5 and groups[5] else 0
    try:
        return datetime(int(y), int(mo), int(d), h, mi, s)
    except ValueError:
        return None


def find_date(text: str) -> datetime | None:
    """First date (optionally with time) in free text."""
    m = _DATE_RE.search(text)
    return _mk(m.groups()) if m else None


def read_page(html: str) -> HtmlElement | None:
    """An article page's tree for the functions below (parse once, ask several questions);
    scripts and styles are dropped, as they are not what a reader sees."""
    root = html_tree(html)
    if root is not None:
        drop_invisible(root)
    return root


Page = str | HtmlElement | None


def _tree(page: Page) -> HtmlElement | None:
    return read_page(page) if isinstance(page, str) else page


def _meta(root: HtmlElement, name: str) -> str | None:
    """The content of the first <meta name="`name`"> that has one (names match exactly)."""
    for tag in root.iter("meta"):
        if tag.get("name") == name and tag.get("content"):
            return str(tag.get("content"))
    return None


def date_from_url(url: str) -> datetime | None:
    for rx in (_URL_TRS, _URL_HENAN, _URL_HANWEB):
        m = rx.search(urlsplit(url).path)
        if m:
            return _mk(m.groups())
    return None


def extract_published(page: Page, url: str = "") -> tuple[datetime, str] | None:
    """(publication datetime, source) with source "meta:PubDate", "label:发布日期", … or "url"."""
    root = _tree(page)
    text = ""
    if root is not None:
        for name in _PUBDATE_META:
            content = _meta(root, name)
            m = _DATE_RE.search(content) if content else None
            if m and (dt := _mk(m.groups())):
                return dt, "meta:PubDate"
        text = text_of(body_of(root), " ", strip=True)
    for label, rx in _LABEL_RES:
        m = rx.search(text)
        if m and (dt := _mk(m.groups())):
            return dt, f"label:{label}"
    dt = date_from_url(url)
    if dt:
        return dt, "url"
    return None


def meta_content(page: Page, name: str) -> str | None:
    root = _tree(page)
    content = _meta(root, name) if root is not None else None
    return content.strip() if content else None


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str
    ext: str  # ".pdf", ".docx", …
    alt_url: str | None = None  # from OLDSRC, tried when href fails


def _doc_ext(href: str) -> str | None:
    parts = urlsplit(href)
    path = parts.path.lower()
    for ext in DOCUMENT_EXTS:
        if path.endswith(ext):
            return ext
    for values in parse_qs(parts.query).values():  # downfile.jsp?filename=….pdf
        for v in values:
            for ext in DOCUMENT_EXTS:
                if v.lower().endswith(ext):
                    return ext
    return None


def find_attachments(page: Page, base_url: str) -> list[Attachment]:
    """Document links: a[href$=.pdf|.doc|…], TRS appendix="true" (href, then oldsrc), #pdfCon a."""
    root = _tree(page)
    found: dict[str, Attachment] = {}
    for a in root.iter("a") if root is not None else ():
        href = str(a.get("href") or "").strip()
        oldsrc = str(a.get("oldsrc") or a.get("OLDSRC") or "").strip()
        in_pdfcon = any(p.get("id") == "pdfCon" for p in a.iterancestors())
        is_appendix = str(a.get("appendix") or a.get("data-appendix") or "").lower() == "true"
        ext = _doc_ext(href) or _doc_ext(oldsrc)
        if not ext and not (is_appendix or in_pdfcon):
            continue
        if not href or href.startswith(("javascript:", "#")):
            if not oldsrc:
                continue
            href, oldsrc = oldsrc, ""
        url = urljoin(base_url, href)
        if url in found:
            continue
        name = (str(a.get("title") or "") or text_of(a, " ", strip=True)).strip()
        found[url] = Attachment(url, name, ext or ".pdf", urljoin(base_url, oldsrc) if oldsrc else None)
    return list(found.values())


# --- whose report: the unit the page names ---------------------------------------------------

# A unit's name: a few hanzi ending the way agencies' names end.
_UNIT_END = (
    r"(?:人民政府办公室|人民政府|办公室|委员会|管理委员会|办事处|街道|管委会|局|委|厅|署|院|中心|镇|乡|"
    r"公署|分局|支队|大队|工作部|事务部|总站|站|所|馆|社|处|部)"
)
_UNIT = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,30}}?{_UNIT_END}$")
_LABEL_UNIT = re.compile(
    r"(发布机构|信息来源|来源|发布单位|发文机关)"
    + _SP
    + r"[:：]"
    + _SP
    + rf"([\u4e00-\u9fff（）()]{{1,30}}{_UNIT_END})(?![\u4e00-\u9fff])"
)
_BY_UNIT = re.compile(
    rf"本(?:年度)?报告(?:是)?由([\u4e00-\u9fff（）()]{{2,30}}?{_UNIT_END})(?:根据|依据|按照|编制|编写)"
)
_NOT_A_UNIT = ("本站", "本网", "原创", "网站", "门户", "政府网", "管理员")
_TITLE_LINE = re.compile(r"(?:19|20)\d{2}年度?(?:政府|政务)?信息公开(?:工作)?(?:年度报告|年报|报告)")
_UNIT_META = ("ContentSource", "Author", "author")


def _is_unit(name: str) -> bool:
    return bool(_UNIT.match(name)) and not any(word in name for word in _NOT_A_UNIT)


def unit_of_page(page: Page) -> tuple[str, str] | None:
    """(unit, source) for an article whose title names no unit: the report's own text first (a
    unit line above 「…年度报告」 as WPS/Word print it, 「本报告由…编制」), then the page's labels
    (「发布机构」「信息来源」「来源」), then its metadata (ContentSource, Author). The source is
    recorded with the report, like the date's."""
    root = _tree(page)
    if root is None:
        return None
    body = body_of(root)
    lines = [re.sub(r"[\s\u3000\xa0]+", "", t) for t in body.itertext()]
    lines = [t for t in lines if t]
    for above, line in pairwise(lines):
        if _is_unit(above) and _TITLE_LINE.search(digits_year(line)):
            return above, "page:unit_line"
    flat = "".join(lines)
    m = _BY_UNIT.search(flat)
    if m and _is_unit(m.group(1)):
        return m.group(1), "page:body"
    text = text_of(body, " ", strip=True)
    for label_match in _LABEL_UNIT.finditer(text):
        label, name = label_match.groups()
        if _is_unit(name):
            return name, f"label:{label}"
    for name in _UNIT_META:
        content = meta_content(root, name)
        if content and _is_unit(re.sub(r"\s+", "", content)):
            return re.sub(r"\s+", "", content), f"meta:{name}"
    return None
