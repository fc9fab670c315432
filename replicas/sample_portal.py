"""The bundled sample district portal the demo and the tests crawl on 127.0.0.1.

Four districts: 湛河区, 顺河回族区 and 卫东区 (GBK) as TRS WCM columns, 涧西区 on the Henan
provincial platform with its 2024 report as a PDF attachment. See replicas/catalog.py for
what is published where, and `SAMPLE_AGENCIES` for a demo registry.

    python -m replicas.sample_portal --port 8765
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from replicas.catalog import DISTRICT_BY_CODE, ITEMS, SAMPLE_AGENCIES
from replicas.server import ReplicaServer, RequestLog
from replicas.site import article_path, attachment_path, build_routes

__all__ = ["SAMPLE_AGENCIES", "SAMPLE_REPORTS", "SamplePortal", "start_sample_portal"]


def _date_source(style: str, family: str) -> str:
    if family == "henan":
        return "meta:PubDate"
    return {"meta": "meta:PubDate", "label": "label:发布日期", "time_label": "label:发布时间", "url": "url"}[
        style
    ]


# Every annual report the portal publishes (monitored or not), as a crawler should find it.
SAMPLE_REPORTS: list[dict[str, Any]] = [
    {
        "title": it.title,
        "agency": it.agency,
        "agency_code": it.agency_code,
        "year": it.year,
        "district_code": it.district,
        "path": article_path(it),
        "published_at": it.date
        if DISTRICT_BY_CODE[it.district].family == "henan" or it.date_style == "meta"
        else it.date.replace(hour=0, minute=0),
        "published_at_source": _date_source(it.date_style, DISTRICT_BY_CODE[it.district].family),
        "document": {"pdf": "pdf", "image": "image"}.get(it.body[0], "html"),
        "attachment_path": attachment_path(it) if it.body[0] == "pdf" else None,
    }
    for it in ITEMS
    if it.is_report
]


class SamplePortal:
    """A running sample portal. Use as a context manager or call `.stop()`."""

    def __init__(self, port: int = 0, pdf_cache_dir: Path | None = None) -> None:
        self._server = ReplicaServer(build_routes(pdf_cache_dir), port=port)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def requests(self) -> RequestLog:
        """Thread-safe log of (method, path, headers, status, bytes) per request."""
        return self._server.requests

    def url(self, path: str) -> str:
        return self._server.url(path)

    def entry_url(self, agency_code: str) -> str:
        agency = next(a for a in SAMPLE_AGENCIES if a["code"] == agency_code)
        return self.url(agency["entry_path"])

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> SamplePortal:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_sample_portal(port: int = 0, pdf_cache_dir: Path | None = None) -> SamplePortal:
    """Start serving on 127.0.0.1:`port` (0 = a free port) in a background thread."""
    return SamplePortal(port, pdf_cache_dir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="样例区县政府门户（本地回放）")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    portal = start_sample_portal(args.port)
    print(f"样例门户已启动：{portal.base_url}/  （Ctrl-C 停止）")
    for a in SAMPLE_AGENCIES:
        print(f"  {a['name']}: {portal.url(a['entry_path'])}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()


if __name__ == "__main__":
    main()
