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

from bs4 import BeautifulSoup, Tag

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


def _soup(html: str | BeautifulSoup) -> BeautifulSoup:
    return html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "lxml")


def date_from_url(url: str) -> datetime | None:
    for rx in (_URL_TRS, _URL_HENAN, _URL_HANWEB):
        m = rx.search(urlsplit(url).path)
        if m:
            return _mk(m.groups())
    return None


def extract_published(html: str | BeautifulSoup, url: str = "") -> tuple[datetime, str] | None:
    """(publication datetime, source) with source "meta:PubDate", "label:发布日期", … or "url"."""
    soup = _soup(html)
    for name in _PUBDATE_META:
        tag = soup.find("meta", attrs={"name": name})
        if isinstance(tag, Tag) and tag.get("content"):
            m = _DATE_RE.search(str(tag["content"]))
            if m and (dt := _mk(m.groups())):
                return dt, "meta:PubDate"
    body = soup.body or soup
    text = body.get_text(" ", strip=True)
    for label, rx in _LABEL_RES:
        m = rx.search(text)
        if m and (dt := _mk(m.groups())):
            return dt, f"label:{label}"
    dt = date_from_url(url)
    if dt:
        return dt, "url"
    return None


def meta_content(html: str | BeautifulSoup, name: str) -> str | None:
    tag = _soup(html).find("meta", attrs={"name": name})
    if isinstance(tag, Tag) and tag.get("content"):
        return str(tag["content"]).strip()
    return None


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


def find_attachments(html: str | BeautifulSoup, base_url: str) -> list[Attachment]:
    """Document links: a[href$=.pdf|.doc|…], TRS appendix="true" (href, then oldsrc), #pdfCon a."""
    soup = _soup(html)
    found: dict[str, Attachment] = {}
    for a in soup.find_all("a"):
        if not isinstance(a, Tag):
            continue
        href = str(a.get("href") or "").strip()
        oldsrc = str(a.get("oldsrc") or a.get("OLDSRC") or "").strip()
        in_pdfcon = a.find_parent(id="pdfCon") is not None
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
        name = (str(a.get("title") or "") or a.get_text(" ", strip=True)).strip()
        found[url] = Attachment(url, name, ext or ".pdf", urljoin(base_url, oldsrc) if oldsrc else None)
    return list(found.values())
