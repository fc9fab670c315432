"""Hanweb jcms (大汉) replica: §1.2 / §4.3.

`/col/col{N}/index.html` with an empty `<ul>` and the first 45 records embedded in a
`<script type="text/xml"><datastore>`; later records from `module/web/jpage/dataproxy.jsp`
(GET or POST; `startrecord/endrecord/perpage`, one look-ahead record per group like nhsa).
Columns listed in `page_mode` ignore startrecord and page by `page=` (perpage rows each).
Articles `/art/Y/M/D/art_{col}_{id}.html`; attachments `downfile.jsp` → 302 → `/attach/0/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from replicas.families.units import Pub, body_html, expected, pdf_bytes
from replicas.server import Request, Response, Route

PROXY = "/module/web/jpage/dataproxy.jsp"
EMBEDDED = 45


@dataclass
class Column:
    colid: int
    name: str
    pubs: list[Pub]
    per_page: int = 15
    page_mode: bool = False  # dataproxy ignores startrecord, pages by page=
    unitid: int = 6101313
    embedded: int = EMBEDDED  # records inlined in the column page (15–45 on real sites)
    extra: dict = field(default_factory=dict)


def article_path(prefix: str, colid: int, pub: Pub) -> str:
    d = pub.date
    return f"{prefix}/art/{d.year}/{d.month}/{d.day}/art_{colid}_{pub.doc_id}.html"


def _record(prefix: str, col: Column, pub: Pub, i: int) -> str:
    """Record `<li>` shapes drift between templates (Yuhang, Weihai, jshrss, Jiangsu)."""
    href, title, d = article_path(prefix, col.colid, pub), escape(pub.title), pub.date
    shape = i % 4
    if shape == 0:
        return f'<li><a href="{href}" target="_blank" title="{title}"><span>{title}</span><i>{d:%Y-%m-%d}</i></a></li>'
    if shape == 1:
        return f"<li><span>{d:%Y-%m-%d}</span><a href='{href}' title='{title}'>{title}</a></li>"
    if shape == 2:
        return f'<li class="cf"><a target="_blank" href="{href}" title="{title}">{title}</a></li>'
    return f'<li><a href=\'{href}\' target="_blank">{title}</a><span class="time">\n {d:%Y}-\n {d:%m}-\n {d:%d}\n</span></li>'


def _datastore(prefix: str, col: Column, rows: list[tuple[int, Pub]], total: int) -> str:
    records = "".join(f"<record><![CDATA[{_record(prefix, col, p, i)}]]></record>" for i, p in rows)
    pages = -(-total // col.per_page)
    nextgroup = (
        f'<nextgroup><![CDATA[<a href="{prefix}{PROXY}?page=4&appid=1&webid=3095&path=/&columnid={col.colid}'
        f'&unitid={col.unitid}&permissiontype=0"></a>]]></nextgroup>'
    )
    return (
        f"<datastore><totalrecord>{total}</totalrecord><totalpage>{pages}</totalpage>{nextgroup}"
        f"<recordset>{records}</recordset></datastore>"
    )


def _column_page(prefix: str, site: str, col: Column) -> bytes:
    first = list(enumerate(col.pubs))[: col.embedded]
    param = (
        f"{{col:1,appid:1,webid:3095,path:'/',columnid:{col.colid},sourceContentType:1,"
        f"unitid:{col.unitid},webname:'{site}',permissiontype:0}}"
    )
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{col.name}_{site}</title></head><body>"
        f"<div class='nav'><a href='{prefix}/'>首页</a><a href='{prefix}/col/col1/index.html'>政务公开</a>"
        f"<a href='{prefix}/col/col2/index.html'>2024年部门预算公开</a></div>"
        f"<div class='bt-position'>当前位置：信息公开 &gt; {col.name}</div>"
        f'<div id="div{col.colid}"><ul class="main_list"></ul>'
        f'<script type="text/xml">{_datastore(prefix, col, first, len(col.pubs))}</script>'
        f"<script>var param_{col.unitid} = {param};\n"
        f"$('#div{col.colid}').jpage({{dataStore:'',proxyUrl:'{prefix}{PROXY}',ajaxParam:param_{col.unitid},"
        f"totalRecord:{len(col.pubs)},perPage:{col.per_page},groupSize:3,barPosition:'bottom'}});</script>"
        "</div></body></html>"
    )
    return html.encode()


def _proxy(prefix: str, columns: dict[int, Column]) -> Route:
    def handler(req: Request) -> Response:
        form = req.form()
        col = columns.get(int(form.get("columnid", "0") or 0))
        if col is None:
            return Response(
                body=b"<datastore><totalrecord>0</totalrecord></datastore>", content_type="text/xml"
            )
        rows = list(enumerate(col.pubs))
        per = min(int(form.get("perpage", col.per_page) or col.per_page), 300)  # silently capped
        if col.page_mode or "startrecord" not in form:
            page = max(1, int(form.get("page", "1") or 1))
            chunk = rows[(page - 1) * per : page * per]
        else:
            start, end = int(form["startrecord"]), int(form.get("endrecord", "0") or 0)
            end = min(end, start - 1 + 300)
            chunk = rows[start - 1 : end + 1]  # one look-ahead record, as nhsa does
        body = '<?xml version="1.0" encoding="UTF-8"?>' + _datastore(prefix, col, chunk, len(col.pubs))
        return Response(body=body.encode(), content_type="text/xml;charset=UTF-8", conditional=False)

    return handler


def _article(prefix: str, site: str, col: Column, pub: Pub) -> bytes:
    d = pub.date
    source = pub.agency or f"{site}人民政府办公室"
    head = ""
    if pub.variant == 0:
        head = (
            f'<meta name="ArticleTitle" content="{escape(pub.title)}"><meta name="PubDate" content="{d:%Y-%m-%d %H:%M}">'
            f'<meta name="ContentSource" content="{escape(source)}"><meta name="ColumnName" content="{col.name}">'
        )
    table = (
        '<table class="xxgk_table"><tbody>'
        f"<tr><td>索引号：</td><td>{col.unitid}/{d:%Y}-{pub.doc_id % 10000:05d}</td><td>成文日期：</td><td>{d:%Y-%m}-01</td></tr>"
        f"<tr><td>发布机构：</td><td>{escape(source)}</td><td>发布日期：</td><td>{d:%Y-%m-%d}</td></tr>"
        f'<tr><td>标题：</td><td colspan="3">{escape(pub.title)}</td></tr><tr><td>文号：</td><td></td></tr>'
        "</tbody></table>"
    )
    if pub.kind == "pdf":
        body = (
            f"<p>{escape(pub.title)}详见附件。</p><p>附件：<a href='{prefix}/module/download/downfile.jsp?classid=0"
            f"&filename={pub.file_hex}.pdf'>{escape(pub.title)}.pdf</a></p>"
        )
    else:
        body = body_html(pub, site)
    html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(pub.title)}</title>{head}</head><body>"
        f"<div class='nav'><a href='{prefix}/'>首页</a><a href='{prefix}/col/col{col.colid}/index.html'>{col.name}</a></div>"
        f"{table}<div class='title'>{escape(pub.title)}</div><div id='zoom'>{body}</div></body></html>"
    )
    return html.encode()


def _downfile(prefix: str) -> Route:
    def handler(req: Request) -> Response:
        name = req.form().get("filename", "")
        return Response(302, b"", headers=(("Location", f"{prefix}/attach/0/{name}"),), conditional=False)

    return handler


def build(prefix: str, site: str, columns: list[Column]) -> tuple[dict[str, Route], list[dict]]:
    """Routes of one Hanweb site and the reports a crawler should find in each column."""
    routes: dict[str, Route] = {
        f"{prefix}{PROXY}": _proxy(prefix, {c.colid: c for c in columns}),
        f"{prefix}/module/download/downfile.jsp": _downfile(prefix),
    }
    want: list[dict] = []
    for col in columns:
        routes[f"{prefix}/col/col{col.colid}/index.html"] = Response(
            body=_column_page(prefix, site, col), last_modified=max(p.date for p in col.pubs).timestamp()
        )
        for pub in col.pubs:
            path = article_path(prefix, col.colid, pub)
            routes[path] = Response(body=_article(prefix, site, col, pub), last_modified=pub.date.timestamp())
            if pub.kind == "pdf":
                routes[f"{prefix}/attach/0/{pub.file_hex}.pdf"] = Response(
                    body=pdf_bytes(pub, site),
                    content_type="application/pdf",
                    last_modified=pub.date.timestamp(),
                )
            if pub.is_report:
                source = "meta:PubDate" if pub.variant == 0 else "label:发布日期"
                want.append({**expected(pub, path, source), "column": col.colid})
    return routes, want
