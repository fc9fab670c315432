"""gkmlpt (广东政府信息公开目录管理平台) replica: §1.4 / §4.7.

`/gkmlpt/index` carries `window._CONFIG` (SID, TREE); the list is JSON from
`/gkmlpt/api/all/{cat}?page=N&sid=S` (10 per page, absolute article URLs); details are
`/gkmlpt/content/{x}/{y}/post_{id}.html` with `div.classify` metadata and
`a.nfw-cms-attachment` attachments.
"""

from __future__ import annotations

import json
from html import escape

from replicas.families.units import Pub, body_html, expected, pdf_bytes
from replicas.server import Request, Response, Route

SID = "756001"
CAT = 2
PER_PAGE = 10


def article_path(prefix: str, pub: Pub) -> str:
    return f"{prefix}/gkmlpt/content/0/{pub.doc_id // 1000}/post_{pub.doc_id}.html"


def attachment_path(prefix: str, pub: Pub) -> str:
    return f"{prefix}/attachment/0/{pub.doc_id // 1000}/{pub.doc_id}/{pub.doc_id}.pdf"


def _index(prefix: str, site: str) -> bytes:
    config = {
        "SID": SID,
        "TREE": [{"id": 1, "name": "财政预决算"}, {"id": CAT, "name": "政府信息公开年度报告"}],
    }
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{site}政府信息公开目录</title>"
        f"<script>window._CONFIG = {json.dumps(config, ensure_ascii=False)};</script></head>"
        f"<body>"
        f"<div class='header'><h1>{site}人民政府</h1><ul class='nav'><li>首页</li><li>政务公开</li><li>政务服务</li><li>互动交流</li><li>走进{site}</li></ul></div>"
        f"<div id='app'></div><a href='{prefix}/'>首页</a>"
        f"<div class='footer'>主办单位：{site}人民政府办公室 地址：{site}政府大楼 网站标识码：4102030001 豫ICP备05000000号</div>"
        "</body></html>"
    ).encode()


def _api(prefix: str, pubs: list[Pub]) -> Route:
    def handler(req: Request) -> Response:
        form = req.form()
        if form.get("sid") != SID:
            return Response(400, b'{"error":"sid"}', content_type="application/json", conditional=False)
        page = int(form.get("page", "1") or 1)
        chunk = pubs[(page - 1) * PER_PAGE : page * PER_PAGE]
        if not chunk and page > 1:
            return Response(404, b"{}", content_type="application/json", conditional=False)
        host = req.headers.get("host", "127.0.0.1")
        articles = [
            {
                "id": p.doc_id,
                "title": p.title,
                "url": f"http://{host}{article_path(prefix, p)}",
                "created_at": f"{p.date:%Y-%m-%d %H:%M:%S}",
                "create_time": int(p.date.timestamp()),
            }
            for p in chunk
        ]
        body = {"total": len(pubs), "classify": {"post_count": len(pubs)}, "articles": articles}
        return Response(
            body=json.dumps(body, ensure_ascii=False).encode(),
            content_type="application/json;charset=UTF-8",
            conditional=False,
        )

    return handler


def _article(prefix: str, site: str, pub: Pub) -> bytes:
    d = pub.date
    detail = {"id": pub.doc_id, "title": pub.title, "publisher": pub.agency}
    head = f'<meta name="ArticleTitle" content="{escape(pub.title)}">' if pub.variant == 0 else ""
    rows = "".join(
        f'<tr><td class="td-key">{k}：</td><td class="td-value-xl"><span>{escape(v)}</span></td></tr>'
        for k, v in (
            ("索引号", f"{SID}/{d:%Y}-{pub.doc_id % 10000:05d}"),
            ("分类", "政府信息公开年度报告"),
            ("发布机构", pub.agency or site),
            ("成文日期", f"{d:%Y-%m}-01"),
            ("发布日期", f"{d:%Y-%m-%d}"),
        )
    )
    if pub.kind == "pdf":
        body = f'<p>附件：<a class="nfw-cms-attachment" href="{attachment_path(prefix, pub)}">{escape(pub.title)}.pdf</a></p>'
    else:
        body = body_html(pub, site)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(pub.title)}</title>{head}"
        f"<script>window._CONFIG = {{DETAIL: {json.dumps(detail, ensure_ascii=False)}}};</script></head><body>"
        f"<div class='classify'><table>{rows}</table></div><div class='article-content'>{body}</div></body></html>"
    ).encode()


def build(prefix: str, site: str, pubs: list[Pub]) -> tuple[dict[str, Route], list[dict]]:
    routes: dict[str, Route] = {
        f"{prefix}/gkmlpt/index": Response(body=_index(prefix, site), conditional=False),
        f"{prefix}/gkmlpt/api/all/{CAT}": _api(prefix, pubs),
    }
    want: list[dict] = []
    for pub in pubs:
        path = article_path(prefix, pub)
        routes[path] = Response(body=_article(prefix, site, pub), last_modified=pub.date.timestamp())
        if pub.kind == "pdf":
            routes[attachment_path(prefix, pub)] = Response(
                body=pdf_bytes(pub, site), content_type="application/pdf", last_modified=pub.date.timestamp()
            )
        if pub.is_report:
            want.append(expected(pub, path, "label:发布日期"))
    return routes, want
