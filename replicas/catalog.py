"""What the sample portal publishes: districts, agencies and every list item.

Kept as data so the portal, the tests and the lead's demo registry agree on one truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from replicas.synthetic import Figures


@dataclass(frozen=True)
class District:
    code: str  # URL prefix and slug, e.g. "zhanhe"
    name: str  # 平顶山市湛河区
    short: str  # 湛河区
    family: str  # "trs" | "henan"
    per_page: int
    encoding: str = "utf-8"

    @property
    def column_dir(self) -> str:
        return f"/{self.code}/zfxxgk/zfxxgknb/"

    @property
    def entry_path(self) -> str:
        return self.column_dir + ("index.shtml" if self.family == "trs" else "index.html")


@dataclass(frozen=True)
class Item:
    """One list entry and its article page."""

    district: str
    doc_id: int
    date: datetime
    title: str
    body: tuple  # ("seed", file) | ("file", file) | ("synthetic", Figures) | ("text", str) | ("pdf", file) | ("image",)
    agency: str | None = None  # agency name as the title gives it, for reports
    agency_code: str | None = None  # SAMPLE_AGENCIES code when monitored
    year: int | None = None  # report year, for reports
    date_style: str = "meta"  # meta | label | time_label | url
    list_text: str | None = None  # anchor text when it differs from the title (truncated, <br>)

    @property
    def is_report(self) -> bool:
        return self.year is not None


DISTRICTS: list[District] = [
    District("zhanhe", "平顶山市湛河区", "湛河区", "trs", per_page=5),
    District("shunhe", "开封市顺河回族区", "顺河回族区", "trs", per_page=4),
    District("weidong", "平顶山市卫东区", "卫东区", "trs", per_page=10, encoding="gbk"),
    District("jianxi", "洛阳市涧西区", "涧西区", "henan", per_page=3),
]
DISTRICT_BY_CODE = {d.code: d for d in DISTRICTS}


def _d(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%d %H:%M")


def _simple(published: int, licences: int = 0, penalties: int = 0) -> Figures:
    return Figures(published=published, licences=licences, penalties=penalties)


_NOTICE = "为做好相关工作，现将有关事项通知如下。请各单位结合实际认真贯彻落实。"
_BUDGET = "根据《中华人民共和国预算法》规定，现将本单位预算公开如下。详见附表。"

ITEMS: list[Item] = [
    # ---- 湛河区 (TRS, 3 pages of 5) ----
    Item(
        "zhanhe",
        2531044,
        _d("2025-02-14 16:40"),
        "湛河区财政局2024年政府信息公开工作年度报告",
        ("file", "zhanhe-caizheng-2024.txt"),
        "湛河区财政局",
        "zhanhe-caizheng",
        2024,
    ),
    Item("zhanhe", 2530387, _d("2025-02-10 09:12"), "湛河区2025年政务公开工作要点", ("text", _NOTICE)),
    Item(
        "zhanhe",
        2527915,
        _d("2025-01-24 15:03"),
        "湛河区应急管理局2024年政府信息公开工作年度报告",
        ("seed", "zhanhe-yingji-2024.txt"),
        "湛河区应急管理局",
        "zhanhe-yingji",
        2024,
    ),
    Item(
        "zhanhe",
        2526120,
        _d("2025-01-22 10:25"),
        "湛河区工信局2024年政府信息公开工作年度报告",
        ("seed", "zhanhe-gongxin-2024.txt"),
        "湛河区工信局",
        "zhanhe-gongxin",
        2024,
        list_text="湛河区工信局2024年政府信息公开工作年度…",
    ),
    Item(
        "zhanhe",
        2525532,
        _d("2025-01-20 11:30"),
        "湛河区民政局2024年政府信息公开工作年度报告",
        ("synthetic", _simple(12)),
        "湛河区民政局",
        None,
        2024,
        date_style="label",
    ),
    Item(
        "zhanhe", 2523016, _d("2025-01-15 17:20"), "湛河区财政局2024年政府信息公开年度报表", ("text", _BUDGET)
    ),
    Item(
        "zhanhe",
        2519877,
        _d("2025-01-06 08:55"),
        "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
        ("text", _NOTICE),
    ),
    Item("zhanhe", 2431290, _d("2024-03-15 10:00"), "湛河区2024年部门预算公开", ("text", _BUDGET)),
    Item(
        "zhanhe",
        2411805,
        _d("2024-01-26 14:10"),
        "湛河区财政局2023年政府信息公开工作年度报告",
        ("synthetic", _simple(39, penalties=1)),
        "湛河区财政局",
        "zhanhe-caizheng",
        2023,
    ),
    Item(
        "zhanhe",
        2411533,
        _d("2024-01-25 09:40"),
        "湛河区应急管理局2023年度政府信息公开工作年度报告",
        ("synthetic", _simple(8, licences=11, penalties=4)),
        "湛河区应急管理局",
        "zhanhe-yingji",
        2023,
    ),
    Item(
        "zhanhe",
        2409921,
        _d("2024-01-19 16:05"),
        "湛河区工业和信息化局2023年政府信息公开年度报告",
        ("synthetic", _simple(5)),
        "湛河区工业和信息化局",
        "zhanhe-gongxin",
        2023,
        list_text="湛河区工业和信息化局<br/>2023年政府信息公开年度报告",
    ),
    Item("zhanhe", 2352201, _d("2023-09-12 10:30"), "湛河区2022年度部门决算公开", ("text", _BUDGET)),
    Item(
        "zhanhe",
        2310458,
        _d("2023-01-18 15:00"),
        "湛河区应急管理局2022年政府信息公开工作年度报告",
        ("synthetic", _simple(6, licences=9)),
        "湛河区应急管理局",
        "zhanhe-yingji",
        2022,
    ),
    # ---- 顺河回族区 (TRS, 2 pages of 4) ----
    Item(
        "shunhe",
        1880342,
        _d("2025-01-23 10:05"),
        "顺河回族区行政审批和政务信息管理局2024年政府信息公开工作年度报告",
        ("seed", "shunhe-shenpi-2024.txt"),
        "顺河回族区行政审批和政务信息管理局",
        "shunhe-shenpi",
        2024,
        date_style="label",
        list_text="顺河回族区行政审批和政务信息管理局2024年政府信息…",
    ),
    Item(
        "shunhe",
        1879011,
        _d("2025-01-17 09:00"),
        "顺河回族区2024年政府信息公开工作年度报告（图片版）",
        ("image",),
        "顺河回族区",
        None,
        2024,
    ),
    Item(
        "shunhe",
        1876530,
        _d("2025-01-10 11:45"),
        "关于印发《顺河回族区2025年政务公开工作要点》的通知",
        ("text", _NOTICE),
    ),
    Item("shunhe", 1790218, _d("2024-03-01 10:00"), "顺河回族区教育局2024年部门预算公开", ("text", _BUDGET)),
    Item(
        "shunhe",
        1771664,
        _d("2024-01-29 17:30"),
        "顺河回族区教育局2023年政府信息公开工作年度报告",
        ("synthetic", _simple(21)),
        "顺河回族区教育局",
        "shunhe-jiaoyu",
        2023,
        date_style="url",
    ),
    Item(
        "shunhe",
        1770825,
        _d("2024-01-22 15:15"),
        "顺河回族区行政审批和政务信息管理局2023年政府信息公开工作年度报告",
        ("synthetic", _simple(17, licences=230)),
        "顺河回族区行政审批和政务信息管理局",
        "shunhe-shenpi",
        2023,
    ),
    Item(
        "shunhe",
        1768003,
        _d("2024-01-12 09:20"),
        "顺河回族区教育局2023年政府信息公开年度报表",
        ("text", _BUDGET),
    ),
    # ---- 卫东区 (TRS, GBK, 1 page) ----
    Item(
        "weidong",
        906512,
        _d("2025-01-24 09:10"),
        "卫东区人民政府办公室2024年政府信息公开工作年度报告",
        (
            "synthetic",
            Figures(
                published=64,
                t3={"new": (2, 0, 0, 0, 0, 0), "open": (1, 0, 0, 0, 0, 0), "partial": (1, 0, 0, 0, 0, 0)},
            ),
        ),
        "卫东区人民政府办公室",
        "weidong-zfb",
        2024,
        date_style="time_label",
    ),
    Item("weidong", 901377, _d("2025-01-08 10:00"), "卫东区2024年度部门决算公开", ("text", _BUDGET)),
    Item(
        "weidong",
        850230,
        _d("2024-01-25 10:30"),
        "卫东区人民政府办公室2023年政府信息公开工作年度报告",
        ("synthetic", _simple(58)),
        "卫东区人民政府办公室",
        "weidong-zfb",
        2023,
        date_style="time_label",
    ),
    # ---- 涧西区 (Henan provincial platform, 2 pages of 3) ----
    Item(
        "jianxi",
        1046218,
        _d("2025-01-20 09:30"),
        "涧西区工业和信息化局2024年政府信息公开工作年度报告",
        ("pdf", "jianxi-gongxin-2024.txt"),
        "涧西区工业和信息化局",
        "jianxi-gongxin",
        2024,
    ),
    Item(
        "jianxi",
        1045530,
        _d("2025-01-14 16:00"),
        "涧西区人民政府关于2025年春节期间安全生产工作的通知",
        ("text", _NOTICE),
    ),
    Item(
        "jianxi",
        1041107,
        _d("2024-12-20 10:00"),
        "涧西区工业和信息化局关于开展2024年度政府信息公开工作年度报告编制工作的通知",
        ("text", _NOTICE),
    ),
    Item(
        "jianxi",
        1002291,
        _d("2024-01-25 11:00"),
        "涧西区工业和信息化局2023年政府信息公开工作年度报告",
        ("synthetic", _simple(4)),
        "涧西区工业和信息化局",
        "jianxi-gongxin",
        2023,
    ),
    Item("jianxi", 987310, _d("2023-06-01 09:00"), "涧西区2023年部门预算公开", ("text", _BUDGET)),
]


SAMPLE_AGENCIES: list[dict] = [
    {
        "code": "zhanhe-gongxin",
        "name": "湛河区工业和信息化局",
        "short_names": ["湛河区工信局", "区工信局", "平顶山市湛河区工业和信息化局"],
        "kind": "department",
        "expect_2024": "on_time",
    },
    {
        "code": "zhanhe-yingji",
        "name": "湛河区应急管理局",
        "short_names": ["区应急管理局", "湛河区应急局", "平顶山市湛河区应急管理局"],
        "kind": "department",
        "expect_2024": "on_time",
    },
    {
        "code": "zhanhe-caizheng",
        "name": "湛河区财政局",
        "short_names": ["区财政局", "平顶山市湛河区财政局"],
        "kind": "department",
        "expect_2024": "late",
    },
    {
        "code": "shunhe-shenpi",
        "name": "顺河回族区行政审批和政务信息管理局",
        "short_names": ["区行政审批和政务信息管理局", "顺河区行政审批和政务信息管理局"],
        "kind": "department",
        "expect_2024": "on_time",
    },
    {
        "code": "shunhe-jiaoyu",
        "name": "顺河回族区教育局",
        "short_names": ["区教育局", "顺河区教育局"],
        "kind": "department",
        "expect_2024": "missing",
    },
    {
        "code": "weidong-zfb",
        "name": "卫东区人民政府办公室",
        "short_names": ["卫东区政府办", "区政府办公室"],
        "kind": "government",
        "expect_2024": "on_time",
    },
    {
        "code": "jianxi-gongxin",
        "name": "涧西区工业和信息化局",
        "short_names": ["涧西区工信局", "区工信局", "洛阳市涧西区工业和信息化局"],
        "kind": "department",
        "expect_2024": "on_time",
    },
]

_AGENCY_DISTRICT = {
    "zhanhe-gongxin": "zhanhe",
    "zhanhe-yingji": "zhanhe",
    "zhanhe-caizheng": "zhanhe",
    "shunhe-shenpi": "shunhe",
    "shunhe-jiaoyu": "shunhe",
    "weidong-zfb": "weidong",
    "jianxi-gongxin": "jianxi",
}
for _a in SAMPLE_AGENCIES:
    _dist = DISTRICT_BY_CODE[_AGENCY_DISTRICT[_a["code"]]]
    _a["district_code"] = _dist.code
    _a["district_name"] = _dist.name
    _a["entry_path"] = _dist.entry_path
    _a["published"] = {
        it.year: it.date.strftime("%Y-%m-%d") for it in ITEMS if it.agency_code == _a["code"] and it.year
    }
