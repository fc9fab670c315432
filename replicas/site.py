"""Render the catalogue into a route table: list pages, article pages, attachments, robots.txt.

Templates follow spec portals.md §4.1/§4.2 (TRS WCM) and §4.6 (Henan provincial platform).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from html import escape
from pathlib import Path

from replicas.catalog import DISTRICT_BY_CODE, DISTRICTS, ITEMS, District, Item
from replicas.pdf import cached_pdf
from replicas.render import text_to_html
from replicas.server import Response, Route
from replicas.synthetic import synthetic_report

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SEED_DIR = CONTENT_DIR / "seeds"
LAST_MODIFIED = 1737950400.0  # 2025-01-27 04:00 UTC; fixed so conditional requests are repeatable

NAV = [
    ("首页", "/"),
    ("政务公开", "/zwgk/"),
    ("政府信息公开", "../"),
    ("政策文件", "/zcwj/"),
    ("部门预算", "/bmys/index.shtml"),
    ("互动交流", "/hdjl/"),
]
SIDE = [
    ("政府信息公开指南", "../zfxxgkzn/index.shtml"),
    ("政府信息公开制度", "../zfxxgkzd/index.shtml"),
    ("法定主动公开内容", "../fdzdgknr/index.shtml"),
    ("政府信息公开年报", "./index.shtml"),
    ("2024年部门预算公开专栏", "/bmys/2024/index.shtml"),
]


def seed_text(name: str) -> str:
    """Seeds come from the committed copy under replicas/content/seeds (same as /work/shared/seeds)."""
    return (SEED_DIR / name).read_text(encoding="utf-8")


def report_text(item: Item) -> str:
    kind = item.body[0]
    if kind in ("seed", "pdf"):
        return seed_text(item.body[1])
    if kind == "file":
        return (CONTENT_DIR / str(item.body[1])).read_text(encoding="utf-8")
    if kind == "synthetic":
        district = DISTRICT_BY_CODE[item.district]
        return synthetic_report(item.agency or "", item.year or 0, item.body[1], district.short)
    return ""


def article_path(item: Item) -> str:
    d = DISTRICT_BY_CODE[item.district]
    if d.family == "henan":
        return f"/{item.date:%Y}/{item.date:%m-%d}/{item.doc_id}.html"
    return f"{d.column_dir}{item.date:%Y%m}/t{item.date:%Y%m%d}_{item.doc_id}.shtml"


def attachment_path(item: Item) -> str:
    """Henan platform attachment: /typtfile/{YYYYMMDD}/{32hex}.pdf (oss.henan.gov.cn stand-in)."""
    digest = hashlib.md5(f"{item.district}-{item.doc_id}".encode()).hexdigest()
    return f"/typtfile/{item.date:%Y%m%d}/{digest}.pdf"


def image_path(item: Item) -> str:
    return f"{DISTRICT_BY_CODE[item.district].column_dir}{item.date:%Y%m}/W0{item.date:%Y%m%d}{item.doc_id:012d}.png"


def _list_href(item: Item) -> str:
    d = DISTRICT_BY_CODE[item.district]
    if d.family == "henan":
        return article_path(item)
    return f"./{item.date:%Y%m}/t{item.date:%Y%m%d}_{item.doc_id}.shtml"


def _page_name(d: District, n: int) -> str:
    ext = "shtml" if d.family == "trs" else "html"
    return f"index.{ext}" if n == 0 else f"index_{n}.{ext}"


def _shell(d: District, title: str, head: str, body: str) -> bytes:
    charset = "gb2312" if d.encoding == "gbk" else "utf-8"
    nav = "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in NAV)
    html = (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{escape(title)}_{d.name}人民政府</title>{head}</head><body>"
        f'<div class="header"><div class="logo"><a href="/">{d.name}人民政府</a></div><ul class="nav">{nav}</ul></div>'
        f"{body}"
        f'<div class="footer"><p>主办：{d.name}人民政府办公室 <a href="https://beian.miit.gov.cn/">豫ICP备05000000号</a></p></div>'
        "</body></html>"
    )
    return html.encode(d.encoding)


def _content_type(d: District) -> str:
    # the GBK district sends no charset in the header, like many old IIS/TRS set-ups
    return "text/html" if d.encoding == "gbk" else "text/html; charset=utf-8"


def _list_pages(d: District, items: list[Item]) -> dict[str, Route]:
    routes: dict[str, Route] = {}
    pages = [items[i : i + d.per_page] for i in range(0, len(items), d.per_page)] or [[]]
    for n, chunk in enumerate(pages):
        lis = []
        for it in chunk:
            text = it.list_text or it.title
            if d.family == "henan":
                lis.append(
                    f'<li><a href="{_list_href(it)}" target="_blank" title="{escape(it.title)}">{text}</a>'
                    f"<span>{it.date:%Y-%m-%d}</span></li>"
                )
            else:
                lis.append(
                    f"<li><a href='{_list_href(it)}' title='{escape(it.title)}' target='_blank'>{text}</a>"
                    f"<span>{it.date:%Y-%m-%d}</span></li>"
                )
        ext = "shtml" if d.family == "trs" else "html"
        side = "".join(f'<li><a href="{h.replace(".shtml", "." + ext)}">{t}</a></li>' for t, h in SIDE)
        if d.family == "trs":
            pager = f'<div class="page"><script>createPageHTML({len(pages)}, {n}, "index", "shtml");</script></div>'
            body_list = f'<div class="xxgk_list"><ul>{"".join(lis)}</ul></div>'
        else:
            links = []
            if n > 0:
                links.append(f'<a href="{_page_name(d, n - 1)}">上一页</a>')
            if n + 1 < len(pages):
                links.append(f'<a href="{_page_name(d, n + 1)}">下一页</a>')
            pager = f'<div class="page">当前第 {n + 1} / {len(pages)} 页 {" ".join(links)}</div>'
            body_list = f'<div class="con-box"><ul>{"".join(lis)}</ul></div>'
        body = (
            f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../">政府信息公开</a> &gt; 政府信息公开年报</div>'
            f'<div class="left"><ul class="side">{side}</ul></div><div class="right">{body_list}{pager}</div>'
        )
        head = '<meta name="ColumnName" content="政府信息公开年报">'
        routes[d.column_dir + _page_name(d, n)] = Response(
            body=_shell(d, "政府信息公开年报", head, body),
            content_type=_content_type(d),
            last_modified=LAST_MODIFIED,
        )
    return routes


def _trs_article(d: District, it: Item) -> bytes:
    source = it.agency or f"{d.short}人民政府办公室"
    head = ""
    if it.date_style == "meta":
        head = (
            f'<meta name="ArticleTitle" content="{escape(it.title)}">'
            f'<meta name="PubDate" content="{it.date:%Y-%m-%d %H:%M}">'
            f'<meta name="ContentSource" content="{escape(source)}">'
        )
    meta_table = ""
    if it.date_style in ("meta", "label"):
        meta_table = (
            '<div class="xxgk_detail"><table class="bd1">'
            f"<tr><td><b>索 引 号：</b></td><td>41040{it.doc_id % 1000:03d}-0101-{it.date:%Y}-{it.doc_id % 100000:05d}</td>"
            "<td><b>主题分类：</b></td><td>政府信息公开年度报告</td></tr>"
            f"<tr><td><b>发布机构：</b></td><td>{escape(source)}</td>"
            f"<td><b>公文生成日期：</b></td><td>{it.date.replace(day=max(1, it.date.day - 2)):%Y-%m-%d}</td></tr>"
            f'<tr><td><b>标　　题：</b></td><td colspan="3">{escape(it.title)}</td></tr>'
            f"<tr><td><b>文　　号：</b></td><td></td><td><b>发 布 日 期：</b></td><td>{it.date:%Y-%m-%d}</td></tr>"
            "</table></div>"
        )
    info = ""
    if it.date_style == "meta":
        info = f'<div class="info">时间：{it.date:%Y-%m-%d %H:%M}　来源：{escape(source)}</div>'
    elif it.date_style == "time_label":
        info = f'<div class="info">发布时间：{it.date:%Y-%m-%d}　来源：{escape(source)}　【字号：大 中 小】</div>'
    elif it.date_style == "label":
        info = f'<div class="info">来源：{escape(source)}　【打印】【关闭】</div>'
    kind = it.body[0]
    if kind == "image":
        content = f'<p style="text-align:center"><img src="./{image_path(it).rsplit("/", 1)[1]}" oldsrc="{image_path(it).rsplit("/", 1)[1]}"></p>'
    elif kind == "text":
        content = f"<p>{escape(it.body[1])}</p>"
    else:
        content = text_to_html(report_text(it))
    body = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../../">政府信息公开</a> &gt; '
        f'<a href="../">政府信息公开年报</a></div>{meta_table}<h1 class="title">{escape(it.title)}</h1>{info}'
        f'<div class="TRS_Editor"><style>.TRS_Editor P{{margin-top:5px;line-height:1.75}}</style>{content}</div>'
        '<div class="print"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>'
    )
    return _shell(d, it.title, head, body)


def _henan_article(d: District, it: Item) -> bytes:
    source = it.agency or f"{d.short}人民政府办公室"
    url = f"https://www.jxq.gov.cn{article_path(it)}"
    head = (
        f'<meta name="SiteName" content="{d.name}人民政府"><meta name="SiteDomain" content="www.jxq.gov.cn">'
        '<meta name="SiteIDCode" content="4103050001"><meta name="ColumnName" content="政府信息公开年报">'
        f'<meta name="ArticleTitle" content="{escape(it.title)}"><meta name="PubDate" content="{it.date:%Y-%m-%d %H:%M}">'
        f'<meta name="ContentSource" content="{escape(source)}"><meta name="Url" content="{url}">'
    )
    kind = it.body[0]
    if kind == "pdf":
        content = (
            f"<p>{escape(it.title)}（详见附件）</p>"
            f'<div id="pdfCon"><a href="{attachment_path(it)}" target="_blank">{escape(it.title)}.pdf</a></div>'
        )
    elif kind == "text":
        content = f"<p>{escape(it.body[1])}</p>"
    else:
        content = text_to_html(report_text(it))
    body = (
        f'<div class="details-main"><h1 id="title">{escape(it.title)}</h1>'
        f'<h6><em class="con-box"><span>时间：<i id="pubDate">{it.date:%Y-%m-%d %H:%M}</i></span>'
        f'<span>来源：<i id="source">{escape(source)}</i></span></em></h6>'
        f'<div class="content" id="content">{content}</div>'
        '<span class="operator">责任编辑：<i id="issueName">张华</i></span></div>'
    )
    return _shell(d, it.title, head, body)


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A valid grey PNG, standing in for a scanned report page."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


ROBOTS = b"User-agent: *\nDisallow: /admin/\nDisallow: /search/\n"


def build_routes(pdf_cache_dir: Path | None = None) -> dict[str, Route]:
    """Every path the sample portal serves."""
    routes: dict[str, Route] = {
        "/robots.txt": Response(body=ROBOTS, content_type="text/plain"),
        "/": Response(
            body=(
                "<html><head><meta charset='utf-8'><title>样例区县政府门户</title></head><body><ul>"
                + "".join(
                    f'<li><a href="{d.entry_path}">{d.name}政府信息公开年报</a></li>' for d in DISTRICTS
                )
                + "</ul></body></html>"
            ).encode()
        ),
    }
    for d in DISTRICTS:
        items = sorted((i for i in ITEMS if i.district == d.code), key=lambda i: i.date, reverse=True)
        routes.update(_list_pages(d, items))
        for it in items:
            page = _henan_article(d, it) if d.family == "henan" else _trs_article(d, it)
            routes[article_path(it)] = Response(
                body=page, content_type=_content_type(d), last_modified=it.date.timestamp()
            )
            if it.body[0] == "pdf":
                routes[attachment_path(it)] = Response(
                    body=cached_pdf(report_text(it), it.title, pdf_cache_dir),
                    content_type="application/pdf",
                    last_modified=it.date.timestamp(),
                )
            if it.body[0] == "image":
                routes[image_path(it)] = Response(body=tiny_png(), content_type="image/png")
    return routes
