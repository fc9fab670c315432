"""Pingdingshan channels/contents replica (湛河区 stand-in): §1.6B / §4.5.

`/channels/{id}.html`, then `/channels/{id}_2.html`…, with 「当前第 1 / 3」 in `span.total`;
articles `/contents/{ch}/{id}.html` with `div.xxgk-table` ul/li label/value pairs
(主题分类 = 政府信息公开年度报告). Older articles (variant 1) lack the head meta tags.
"""

from __future__ import annotations

from html import escape

from replicas.families.units import Pub, body_html, expected, pdf_bytes
from replicas.server import Response, Route


def channel_path(prefix: str, ch: int, n: int) -> str:
    return f"{prefix}/channels/{ch}.html" if n == 1 else f"{prefix}/channels/{ch}_{n}.html"


def article_path(prefix: str, ch: int, pub: Pub) -> str:
    return f"{prefix}/contents/{ch}/{pub.doc_id}.html"


def _list(prefix: str, site: str, ch: int, chunk: list[Pub], n: int, total: int) -> bytes:
    lis = "".join(
        f'<li><a href="{article_path(prefix, ch, p)}" target="_blank" title="{escape(p.title)}">'
        f"{escape(p.title[:24])}{'…' if len(p.title) > 24 else ''}<span>{p.date:%Y-%m-%d}</span></a></li>"
        for p in chunk
    )
    nav = []
    if n > 1:
        nav.append(f'<a href="{channel_path(prefix, ch, n - 1)}">上一页</a>')
    if n < total:
        nav.append(f'<a href="{channel_path(prefix, ch, n + 1)}">下一页</a>')
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报-{site}</title></head><body>"
        f"<div class='head'><a href='{prefix}/'>首页</a><a href='{prefix}/channels/{ch + 1}.html'>预决算公开</a>"
        f"<a href='{prefix}/channels/{ch + 2}.html'>政策解读</a></div>"
        f"<span class='history'><a href='{prefix}/'>首页</a> &gt; <a href='{channel_path(prefix, ch, 1)}'>政府信息公开年报</a></span>"
        f"<div class='channel clearfix'><div class='channel-fr fr'><ul>{lis}</ul>"
        f"<div class='page'><span class='total'>当前第 {n} / {total} 页</span>"
        f"<span class='public-page-nav'>{' '.join(nav)}</span></div></div></div></body></html>"
    )
    return html.encode()


def _article(prefix: str, site: str, ch: int, pub: Pub) -> bytes:
    d = pub.date
    head = ""
    if pub.variant == 0:
        head = (
            f'<meta name="ArticleTitle" content="{escape(pub.title)}"><meta name="PubDate" content="{d:%Y-%m-%d %H:%M}">'
            f'<meta name="ContentSource" content="{escape(pub.agency)}">'
        )
    topic = "政府信息公开年度报告" if pub.is_report else "其他"
    table = (
        '<div class="xxgk-table xgyd-xxgk-table">'
        f"<ul><li>发文字号</li><li></li><li>索引号</li><li>0000csglj/{d:%Y}-{pub.doc_id % 100000:05d}</li>"
        f"<li>发布日期</li><li>{d:%Y-%m-%d}</li></ul>"
        f"<ul><li>主题分类</li><li>{topic}</li><li>体裁分类</li><li>报告</li><li>服务对象</li><li>公众</li></ul></div>"
    )
    if pub.kind == "pdf":
        body = f"<p>详见附件：<a href='{prefix}/uploadfiles/{d:%Y%m}/{pub.file_hex}.pdf'>{escape(pub.title)}.pdf</a></p>"
    else:
        body = body_html(pub, site)
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(pub.title)}</title>{head}</head><body>"
        f"<span class='history'><a href='{prefix}/'>首页</a> &gt; <a href='{channel_path(prefix, ch, 1)}'>政府信息公开年报</a></span>"
        f"{table}<h1>{escape(pub.title)}</h1><div class='article text'>{body}</div></body></html>"
    )
    return html.encode()


def build(
    prefix: str, site: str, ch: int, pubs: list[Pub], per_page: int = 6
) -> tuple[dict[str, Route], list[dict]]:
    pages = [pubs[i : i + per_page] for i in range(0, len(pubs), per_page)]
    routes: dict[str, Route] = {}
    want: list[dict] = []
    for n, chunk in enumerate(pages, start=1):
        routes[channel_path(prefix, ch, n)] = Response(
            body=_list(prefix, site, ch, chunk, n, len(pages)), last_modified=pubs[0].date.timestamp()
        )
    for pub in pubs:
        path = article_path(prefix, ch, pub)
        routes[path] = Response(body=_article(prefix, site, ch, pub), last_modified=pub.date.timestamp())
        if pub.kind == "pdf":
            routes[f"{prefix}/uploadfiles/{pub.date:%Y%m}/{pub.file_hex}.pdf"] = Response(
                body=pdf_bytes(pub, site), content_type="application/pdf", last_modified=pub.date.timestamp()
            )
        if pub.is_report:
            want.append(expected(pub, path, "meta:PubDate" if pub.variant == 0 else "label:发布日期"))
    return routes, want
