"""Publication dates with their source, and attachment links."""

from __future__ import annotations

from datetime import datetime

import pytest

from scrapers.meta import extract_published, find_attachments

BASE = "https://www.example.gov.cn/zfxxgk/zfxxgknb/202501/t20250122_2523807.shtml"


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (
            '<head><meta name="PubDate" content="2025-01-22 10:25"></head><body>时间：2025-01-30</body>',
            BASE,
            (datetime(2025, 1, 22, 10, 25), "meta:PubDate"),
        ),
        (
            "<table><tr><td><b>发 布 日 期：</b></td><td>2025-01-21</td></tr></table>",
            "",
            (datetime(2025, 1, 21), "label:发布日期"),
        ),
        ("<p>发\u3000布\u3000日\u3000期：2025年01月20日</p>", "", (datetime(2025, 1, 20), "label:发布日期")),
        ("<p>发布时间：2025-01-19 08:05</p>", "", (datetime(2025, 1, 19, 8, 5), "label:发布时间")),
        ("<div>时间：2019年06月17日 来源：办公室</div>", "", (datetime(2019, 6, 17), "label:时间")),
        (
            "<p>索 引 号：XM02100-0101-2025-00001</p><p>成文日期：2025-01-10</p>",
            BASE,
            (datetime(2025, 1, 22), "url"),
        ),
        (
            "<p>统计时间2024年1月1日至12月31日</p>",
            "https://www.jxq.gov.cn/2025/01-20/1046218.html",
            (datetime(2025, 1, 20), "url"),
        ),
        (
            "<p>无日期</p>",
            "https://www.example.gov.cn/art/2025/1/8/art_1229_1124448.html",
            (datetime(2025, 1, 8), "url"),
        ),
    ],
)
def test_published_dates(html: str, url: str, expected: tuple[datetime, str]) -> None:
    assert extract_published(html, url) == expected


def test_no_date_at_all() -> None:
    assert extract_published("<p>公文生成日期：2025-01-10</p>", "https://x.gov.cn/a.html") is None


def test_attachments_href_oldsrc_pdfcon_and_downfile() -> None:
    html = """
    <div class="TRS_Editor"><p>正文</p>
      <p class="insertfileTag"><a appendix="true" href="./P020250122380262215123.pdf" title="年报.pdf"
         OLDSRC="/protect/P0202501/P020250122/P020250122380262215123.pdf">年报.pdf</a></p>
      <a appendix="true" href="javascript:void(0)" oldsrc="/protect/P0202501/P020250122/W0.docx">附表</a>
      <a href="/module/download/downfile.jsp?classid=0&filename=a32f9f2f.pdf">下载</a>
      <a href="./other.shtml">上一篇</a>
    </div>
    <div id="pdfCon"><a href="https://oss.henan.gov.cn/typtfile/20250120/84600d71bf854522bf2aff6982cd488b.pdf">附件</a></div>
    """
    atts = find_attachments(html, BASE)
    assert [(a.url, a.ext) for a in atts] == [
        ("https://www.example.gov.cn/zfxxgk/zfxxgknb/202501/P020250122380262215123.pdf", ".pdf"),
        ("https://www.example.gov.cn/protect/P0202501/P020250122/W0.docx", ".docx"),
        ("https://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=a32f9f2f.pdf", ".pdf"),
        ("https://oss.henan.gov.cn/typtfile/20250120/84600d71bf854522bf2aff6982cd488b.pdf", ".pdf"),
    ]
    assert (
        atts[0].alt_url == "https://www.example.gov.cn/protect/P0202501/P020250122/P020250122380262215123.pdf"
    )
    assert atts[0].name == "年报.pdf"
