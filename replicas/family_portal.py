"""One server on 127.0.0.1 with a replica site per CMS family (spec portals.md §5.3, 5.5–5.7).

    /hanweb/…  Hanweb jcms: col 1229214366 (shared 年报 column, 51 rows, startrecord paging,
               perPage 15) and col 1229214367 (乡镇街道, page= paging only, perPage 20)
    /zhanhe/…  Pingdingshan channels/contents, channel 12989, 3 pages
    /shunhe/…  Kaifeng viewCmsCac.do + POST getHtmlInDivNormal.do (no challenge)
    /kaifeng/… the same platform behind a WZWS challenge (must come back "blocked")
    /gd/…      gkmlpt JSON catalogue

`FamilyPortal.expected[family]` lists the reports a crawler must find there, nothing else.
"""

from __future__ import annotations

from typing import Any

from replicas.families import gkmlpt, hanweb, kaifeng, pds
from replicas.families.units import make_pubs
from replicas.server import ReplicaServer, RequestLog, Route

HANWEB_COL = 1229214366
HANWEB_PAGED_COL = 1229214367
KAIFENG_CAC = "8a28cb0b8f7c4d4b9e1d2f3a4b5c6d7e"

ENTRY_PATHS = {
    "hanweb": f"/hanweb/col/col{HANWEB_COL}/index.html",
    "hanweb_paged": f"/hanweb/col/col{HANWEB_PAGED_COL}/index.html",
    "pds": "/zhanhe/channels/12989.html",
    "kaifeng": f"/shunhe/viewCmsCac.do?cacId={KAIFENG_CAC}",
    "kaifeng_blocked": f"/kaifeng/viewCmsCac.do?cacId={KAIFENG_CAC}",
    "gkmlpt": "/gd/gkmlpt/index",
}


def build_family_routes() -> tuple[dict[str, Route], dict[str, list[dict]]]:
    routes: dict[str, Route] = {}
    expected: dict[str, list[dict]] = {}
    shared = make_pubs("江北区", 12, first_id=1124000, column=HANWEB_COL)  # 36 reports + 12 look-alikes
    towns = make_pubs("江北区", 5, (2023, 2024), first_id=1125000, column=HANWEB_PAGED_COL)
    towns = [
        p.__class__(
            **{
                **p.__dict__,
                "title": p.title.replace("江北区", "江北区庄桥街道"),
                "agency": p.agency.replace("江北区", "江北区庄桥街道") if p.agency else "",
            }
        )
        for p in towns
    ]
    r, want = hanweb.build(
        "/hanweb",
        "江北区",
        [
            hanweb.Column(HANWEB_COL, "政府信息公开年报", shared, per_page=15),
            hanweb.Column(HANWEB_PAGED_COL, "乡镇街道年报", towns, per_page=6, page_mode=True, embedded=6),
        ],
    )
    routes.update(r)
    expected["hanweb"] = [w for w in want if w["column"] == HANWEB_COL]
    expected["hanweb_paged"] = [w for w in want if w["column"] == HANWEB_PAGED_COL]
    r, expected["pds"] = pds.build("/zhanhe", "湛河区", 12989, make_pubs("湛河区", 4, first_id=462200))
    routes.update(r)
    kf = make_pubs("顺河回族区", 9, first_id=14700)  # 27 reports + 12 look-alikes: two offsets
    r, expected["kaifeng"] = kaifeng.build("/shunhe", "顺河回族区", KAIFENG_CAC, kf, challenge=False)
    routes.update(r)
    r, expected["kaifeng_blocked"] = kaifeng.build("/kaifeng", "顺河回族区", KAIFENG_CAC, kf, challenge=True)
    routes.update(r)
    r, expected["gkmlpt"] = gkmlpt.build("/gd", "蓬江区", make_pubs("蓬江区", 6, first_id=963100))
    routes.update(r)
    return routes, expected


class FamilyPortal:
    """Running family replicas; a context manager."""

    def __init__(self, port: int = 0, latency: float = 0.0) -> None:
        routes, self.expected = build_family_routes()
        self._server = ReplicaServer(routes, port=port, latency=latency)

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def requests(self) -> RequestLog:
        return self._server.requests

    def url(self, path: str) -> str:
        return self._server.url(path)

    def entry_url(self, family: str) -> str:
        return self.url(ENTRY_PATHS[family])

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FamilyPortal:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_family_portal(port: int = 0, latency: float = 0.0) -> FamilyPortal:
    return FamilyPortal(port, latency)
