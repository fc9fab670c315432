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
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml.html import HtmlElement

from reports.parse.htmltree import body_of, drop_invisible, html_tree, text_of
from scrapers.sniff import DOCUMENT_EXTS

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
    y, mo, d = (int(g) for g in groups[:3])  # type: ignore[arg-type]
    h = int(groups[3]) if len(groups) > 3 and groups[3] else 0
    mi = int(groups[4]) if len(groups) > 4 and groups[4] else 0
    s = int(groups[5]) if len(groups) > 5 and groups[5] else 0
    try:
        return datetime(y, mo, d, h, mi, s)
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
    for name in _PUBDATE_META if root is not None else ():
        content = _meta(root, name)
        m = _DATE_RE.search(content) if content else None
        if m and (dt := _mk(m.groups())):
            return dt, "meta:PubDate"
    if root is not None:
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
