"""A replica district whose agencies each show one way a portal or a document defeats a
monitor: columns that hang, fail, block or challenge; report files that cannot be had; an
agency's own column with untitled reports; Chinese numerals; older forms; a provincial office.

The tests of issue 21 run the `monitor` flow over it and read what the office receives: every
alert must say only what was seen. Each agency has its own column `/<code>/index.html`.
"""

from __future__ import annotations

import socket
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from html import escape

from replicas.render import text_to_html
from replicas.server import ReplicaServer, Request, Response, Route
from replicas.synthetic import Figures, synthetic_report

DISTRICT = "示范市信任区"
DISTRICT_SHORT = "信任区"
PUBLISHED = datetime(2025, 1, 20, 9, 30)  # on time for report year 2024 (deadline 2025-01-31)
HANG_SECONDS = 4.0  # longer than the tests' request timeout


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str  # the agency's registry name
    expect: str  # what the office must be told: unverifiable | on_time | missing | unreadable
    kind: str = "department"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("col-hang", "信任区交通运输局", "unverifiable"),
    Scenario("col-5xx", "信任区水利局", "unverifiable"),
    Scenario("col-blocked", "信任区民政局", "unverifiable"),
    Scenario("col-challenge", "信任区司法局", "unverifiable"),
    Scenario("file-closed-port", "信任区财政局", "unreadable"),
    Scenario("file-html", "信任区审计局", "unreadable"),
    Scenario("file-redirect-loop", "信任区统计局", "unreadable"),
    Scenario("file-too-large", "信任区商务局", "unreadable"),
    Scenario("file-off-site", "信任区林业局", "unreadable"),
    Scenario("article-challenge", "信任区文化广电和旅游局", "on_time"),
    Scenario("column-empty", "信任区农业农村局", "missing"),
    Scenario("own-untitled", "信任区退役军人事务局", "on_time"),
    Scenario("numerals", "信任区医疗保障局", "on_time"),
)
BY_CODE = {s.code: s for s in SCENARIOS}
MAX_DOCUMENT_BYTES = 200_000  # the tests' cap; the too-large file is above it


def column_path(code: str) -> str:
    return f"/{code}/index.html"


def article_path(code: str, date: datetime = PUBLISHED) -> str:
    """A TRS-style article address (the date in it, as real ones have)."""
    return f"/{code}/{date:%Y%m}/t{date:%Y%m%d}_{zlib.crc32(code.encode()) % 90000 + 10000}.html"


def _page(title: str, body: str, *, head: str = "") -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}_{DISTRICT}人民政府</title>{head}</head><body>"
        "<div class='position'>当前位置：<a href='/'>首页</a> &gt; 政府信息公开 &gt; 政府信息公开年报</div>"
        f"{body}<div class='footer'>主办：{DISTRICT}人民政府办公室</div></body></html>"
    ).encode()


def column_page(items: list[tuple[str, str, datetime]]) -> bytes:
    """A list page: (title, href, date) per item."""
    lis = "".join(
        f"<li><a href='{href}' title='{escape(title)}' target='_blank'>{escape(title)}</a>"
        f"<span>{date:%Y-%m-%d}</span></li>"
        for title, href, date in items
    )
    return _page("政府信息公开年报", f"<div class='list'><ul>{lis}</ul></div>")


def article_page(title: str, content_html: str, *, source: str, date: datetime = PUBLISHED) -> bytes:
    head = (
        f"<meta name='ArticleTitle' content='{escape(title)}'>"
        f"<meta name='PubDate' content='{date:%Y-%m-%d %H:%M}'>"
    )
    body = (
        f"<h1 class='title'>{escape(title)}</h1>"
        f"<div class='info'>发布时间：{date:%Y-%m-%d}　来源：{escape(source)}</div>"
        f"<div class='TRS_Editor'>{content_html}</div>"
    )
    return _page(title, body, head=head)


def report_text(agency: str, year: int = 2024, *, new: int = 3) -> str:
    """A consistent synthetic report: `new` requests from natural persons, all granted."""
    figures = Figures(
        licences=4, penalties=2, published=20, t3={"new": (new, 0, 0, 0, 0, 0), "open": (new, 0, 0, 0, 0, 0)}
    )
    return synthetic_report(agency, year, figures, DISTRICT_SHORT)


def challenge_page() -> bytes:
    """A verification page of no known vendor: one line asking to verify, and a script."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>安全验证</title>"
        "<script src='/_guard/challenge.js'></script><script>var _c='a8f3e1';setTimeout(function()"
        "{document.forms[0].submit()},1500);</script></head><body><div class='box'>"
        "<p>请完成下方安全验证后继续访问</p><form method='post'><input type='hidden' name='c' value='a8f3e1'>"
        "</form></div></body></html>"
    ).encode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hang(_req: Request) -> Response:
    time.sleep(HANG_SECONDS)
    return Response(body=column_page([]))


def _redirect_loop(req: Request) -> Response:
    return Response(302, b"", headers=(("Location", req.path),), conditional=False)


def _article_with_attachment(s: Scenario, href: str) -> bytes:
    title = f"{s.name}2024年政府信息公开工作年度报告"
    content = f"<p>{escape(title)}（详见附件）</p><p><a href='{href}'>{escape(title)}.pdf</a></p>"
    return article_page(title, content, source=s.name)


def build_routes(base_url: str) -> dict[str, Route]:
    """Every path of the trust district, for a server listening at `base_url`."""
    routes: dict[str, Route] = {}

    def listed(s: Scenario, title: str, article: bytes | Route, date: datetime = PUBLISHED) -> None:
        routes[column_path(s.code)] = Response(body=column_page([(title, article_path(s.code), date)]))
        routes[article_path(s.code)] = Response(body=article) if isinstance(article, bytes) else article

    routes[column_path("col-hang")] = _hang
    routes[column_path("col-5xx")] = Response(
        503, _page("503", "<p>Service Unavailable</p>"), conditional=False
    )
    routes[column_path("col-blocked")] = Response(
        412, b"<html><script>$_ts=window['$_ts'];</script></html>", conditional=False
    )
    routes[column_path("col-challenge")] = Response(body=challenge_page(), conditional=False)

    def file_scenario(code: str, href: str) -> None:
        s = BY_CODE[code]
        listed(s, f"{s.name}2024年政府信息公开工作年度报告", _article_with_attachment(s, href))

    file_scenario("file-closed-port", f"http://127.0.0.1:{_free_port()}/files/report.pdf")
    file_scenario("file-html", "/file-html/files/report.pdf")
    routes["/file-html/files/report.pdf"] = Response(
        body=_page("提示", "<p>对不起，您访问的文件不存在或已被删除！</p>"), conditional=False
    )
    file_scenario("file-redirect-loop", "/file-redirect-loop/files/report.pdf")
    routes["/file-redirect-loop/files/report.pdf"] = _redirect_loop
    file_scenario("file-too-large", "/file-too-large/files/report.pdf")
    routes["/file-too-large/files/report.pdf"] = Response(
        body=b"%PDF-1.4\n" + b"0" * (MAX_DOCUMENT_BYTES + 50_000) + b"\n%%EOF", content_type="application/pdf"
    )
    file_scenario("file-off-site", "https://oss.example.invalid/files/report.pdf")

    ac = BY_CODE["article-challenge"]
    listed(ac, f"{ac.name}2024年政府信息公开工作年度报告", Response(body=challenge_page(), conditional=False))

    empty = BY_CODE["column-empty"]
    old_title = f"{empty.name}2023年政府信息公开工作年度报告"
    listed(
        empty,
        old_title,
        article_page(old_title, text_to_html(report_text(empty.name, 2023)), source=empty.name),
        datetime(2024, 1, 22, 10, 0),
    )

    own = BY_CODE["own-untitled"]
    untitled = "2024年政府信息公开工作年度报告"
    body = report_text(own.name).replace(f"# {own.name}2024年政府信息公开工作年度报告", f"# {untitled}")
    listed(own, untitled, article_page(untitled, text_to_html(body), source="本站"))

    num = BY_CODE["numerals"]
    num_title = f"{num.name}二〇二四年度政府信息公开工作年度报告"
    text = report_text(num.name, new=105).replace(
        f"# {num.name}2024年政府信息公开工作年度报告", f"# {num_title}"
    )
    text = text.replace("共收到政府信息公开申请105件", "共收到政府信息公开申请一〇五件")
    assert "一〇五件" in text
    listed(num, num_title, article_page(num_title, text_to_html(text), source=num.name))
    return routes


def registry_agency(base_url: str, code: str, name: str, kind: str = "department") -> dict:
    """A registry entry whose column is `/<code>/index.html` on the replica host."""
    host = base_url.split("://", 1)[1].split("/", 1)[0].split(":")[0]
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "entry_urls": [base_url + column_path(code)],
        "allowed_hosts": [host],
    }


def registry(base_url: str, district_code: str = "trust") -> dict:
    """The registry for this district: each agency with its own column on the replica host."""
    return {
        "settings": {"deadline_inclusive": True, "due_soon_days": 14, "health_alert_after": 3},
        "jurisdictions": [
            {
                "code": district_code,
                "name": DISTRICT,
                "agencies": [registry_agency(base_url, s.code, s.name, s.kind) for s in SCENARIOS],
            }
        ],
    }


def start_trust_portal() -> ReplicaServer:
    server = ReplicaServer({})
    server.routes.update(build_routes(server.base_url))
    return server
