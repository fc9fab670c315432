"""Kaifeng AJAX replica (顺河区 stand-in): §1.6C.

`viewCmsCac.do?cacId=` is a shell; rows come from `POST getHtmlInDivNormal.do?ajaxform` with
`offset` (+30). With `challenge=True` every GET of the shell gets a WZWS challenge page and
`wzws_cid` cookie (a browser would run the JS); the crawler must say "blocked".
"""

from __future__ import annotations

from html import escape

from replicas.families.units import Pub, body_html, expected, pdf_bytes
from replicas.server import Request, Response, Route

PAGE = 30
CHALLENGE = (
    b'<html><head><script>var wzwschallenge="a1b2c3";var wzwstemplate="KJHGFDS";'
    b"function wzwsconfirm(){document.cookie='wzwsconfirm=' + wzwschallenge;location.reload();}"
    b"wzwsconfirm();</script></head><body></body></html>"
)


def article_path(prefix: str, pub: Pub) -> str:
    return f"{prefix}/sjzfxxgk/zfxxgknb/{1800000000000000000 + pub.doc_id}.html"


def _shell(prefix: str, site: str, cac: str) -> bytes:
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报_{site}</title></head><body>"
        f"<div class='nav'><a href='{prefix}/'>首页</a><a href='{prefix}/viewCmsCac.do?cacId=0000'>财政预决算</a></div>"
        f"<div class='header'><h1>{site}人民政府</h1><ul class='nav'><li>首页</li><li>政务公开</li><li>政务服务</li><li>互动交流</li><li>走进{site}</li></ul></div>"
        f'<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div><div id="{cac}pagelist"></div>'
        f"<div class='footer'>主办单位：{site}人民政府办公室 地址：{site}政府大楼 网站标识码：4102030001 豫ICP备05000000号</div>"
        "<script>$.post('getHtmlInDivNormal.do?ajaxform',{gwcsCode:'undefined',"
        f"divId:'{cac}pagelist',requestUrl:location.href,cacId:'{cac}',queryString:'undefined'}},"
        f"function(h){{$('#{cac}pagelist').html(h);}});</script></body></html>"
    )
    return html.encode()


def _fragment(prefix: str, pubs: list[Pub], offset: int) -> bytes:
    rows = "".join(
        f'<tr><td class="xin2zuo" align="right"><a href="{article_path(prefix, p)}" title="{escape(p.title)}" '
        f'target="_blank">{escape(p.title)}</a></td><td>{p.date:%Y-%m-%d}</td></tr>'
        for p in pubs[offset : offset + PAGE]
    )
    pages = -(-len(pubs) // PAGE)
    return f"<table>{rows}</table><div class='page'>共{len(pubs)}条 第{offset // PAGE + 1}/{pages}页</div>".encode()


def _article(prefix: str, site: str, pub: Pub) -> bytes:
    d = pub.date
    head = f'<meta name="PubDate" content="{d:%Y-%m-%d %H:%M}">' if pub.variant == 0 else ""
    if pub.kind == "pdf":
        body = f"<p><a href='{prefix}/sjzfxxgk/zfxxgknb/{1800000000000000000 + pub.doc_id}/{pub.file_hex[:8]}.pdf'>{escape(pub.title)}.pdf</a></p>"
    else:
        body = body_html(pub, site)
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(pub.title)}</title>{head}</head><body>"
        f"<div class='title7'>{escape(pub.title)}</div><table class='context'>"
        f"<tr><td>发布机构：{escape(pub.agency or site)}</td><td>发布日期：{d:%Y-%m-%d}</td></tr></table>"
        f"<div class='zw'>{body}</div></body></html>"
    )
    return html.encode()


def build(
    prefix: str, site: str, cac: str, pubs: list[Pub], *, challenge: bool
) -> tuple[dict[str, Route], list[dict]]:
    shell = _shell(prefix, site, cac)

    def view(req: Request) -> Response:
        if challenge and "wzwsconfirm=" not in req.headers.get("cookie", ""):
            return Response(
                200,
                CHALLENGE,
                headers=(("Set-Cookie", "wzws_cid=4f1e2d3c; path=/; HttpOnly"),),
                conditional=False,
            )
        return Response(body=shell, conditional=False)

    def rows(req: Request) -> Response:
        if req.method != "POST":
            return Response(405, b"method not allowed", conditional=False)
        form = req.form()
        if form.get("cacId") != cac:
            return Response(body=b"<table></table>", conditional=False)
        return Response(body=_fragment(prefix, pubs, int(form.get("offset", "0") or 0)), conditional=False)

    routes: dict[str, Route] = {
        f"{prefix}/viewCmsCac.do": view,
        f"{prefix}/getHtmlInDivNormal.do": rows,
    }
    want: list[dict] = []
    for pub in pubs:
        path = article_path(prefix, pub)
        routes[path] = Response(body=_article(prefix, site, pub), last_modified=pub.date.timestamp())
        if pub.kind == "pdf":
            routes[
                f"{prefix}/sjzfxxgk/zfxxgknb/{1800000000000000000 + pub.doc_id}/{pub.file_hex[:8]}.pdf"
            ] = Response(
                body=pdf_bytes(pub, site), content_type="application/pdf", last_modified=pub.date.timestamp()
            )
        if pub.is_report:
            want.append(expected(pub, path, "meta:PubDate" if pub.variant == 0 else "label:发布日期"))
    return routes, want
