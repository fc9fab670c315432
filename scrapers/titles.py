"""Recognise annual-report titles and match the agency they name to the registry.

Titles vary (年/年度, with or without 工作, （图片版）, the unit on its own line) and columns mix
in look-alikes (年度报表, 预决算, 通知), so both directions are tested. The year in a title is
the report (data) year, not the publication year.
"""

from __future__ import annotations

import functools
import re

from reports.numerals import digits_year

_WS = re.compile(r"[\s\u3000\xa0]+")
_REPORT = re.compile(
    r"(?P<year>(?:19|20)\d{2})年度?"
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度报告|年报|报告)"
)
_SUFFIX = re.compile(r"^(?:[（(【\[][^）)】\]]{0,12}[）)】\]]|\.pdf|\.docx?|\.wps)*$", re.I)
_REJECT = ("报表", "预算", "决算", "通知", "关于", "要点", "方案", "统计表", "解读", "意见", "函")
_PREFIX_TRIM = re.compile(r"[：:，,、\-—_|·\s]+$")

ABBREVIATIONS = {
    "工信局": "工业和信息化局",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "文广旅局": "文化广电和旅游局",
    "应急局": "应急管理局",
    "生态环境分局": "生态环境分局",
    "政府办": "人民政府办公室",
    "区政府": "区人民政府",
    "县政府": "县人民政府",
    "审批局": "行政审批和政务信息管理局",
    "顺河区": "顺河回族区",
}
_LEVEL_END = ("省", "市", "区", "县", "旗", "州", "盟")


def normalise_title(title: str) -> str:
    return _WS.sub("", title or "")


@functools.lru_cache(maxsize=8192)
def parse_report_title(title: str) -> tuple[str, int] | None:
    """(agency as written, report year) for an annual-report title, else None.

    The agency is "" when the title names none (the unit may be on a separate line of the page).
    Memoised: on a shared column each agency of the district reads every title of the column.
    """
    t = digits_year(normalise_title(title))
    m = _REPORT.search(t)
    if not m:
        return None
    prefix, tail = t[: m.start()], t[m.end() :]
    if not _SUFFIX.match(tail):
        return None  # e.g. 「…年度报告编制发布工作的通知」
    if any(word in prefix or word in tail for word in _REJECT):
        return None
    agency = _PREFIX_TRIM.sub("", prefix)
    return agency, int(m.group("year"))


def is_report_title(title: str) -> bool:
    return parse_report_title(title) is not None


def canonical_agency(name: str) -> str:
    """Whitespace removed and common short forms expanded (区工信局 -> 区工业和信息化局)."""
    n = normalise_title(name)
    for short, full in ABBREVIATIONS.items():
        if short in n and full not in n:
            n = n.replace(short, full)
    return n


def _suffix_match(shorter: str, longer: str) -> bool:
    """`shorter` is `longer` minus a leading administrative prefix (平顶山市, 湛河区 …)."""
    if not shorter or not longer.endswith(shorter) or shorter == longer:
        return shorter == longer and bool(shorter)
    rest = longer[: -len(shorter)]
    return rest.endswith(_LEVEL_END) or shorter.startswith(_LEVEL_END)


def agency_matches(
    found_name: str, registry_name: str, short_names: list[str] | tuple[str, ...] = ()
) -> bool:
    """Does a name found on a page denote the registry agency?

    Exact names and short forms match; so do names that differ only by a leading
    administrative prefix (湛河区工信局 <-> 平顶山市湛河区工业和信息化局; 区工信局 <-> 湛河区工业和信息化局).
    Callers scope by district: 「区工信局」 alone cannot say which district.
    """
    found = canonical_agency(found_name)
    if not found:
        return False
    names = [registry_name, *short_names]
    if any(normalise_title(found_name) == normalise_title(n) for n in names):
        return True
    for n in names:
        c = canonical_agency(n)
        if found == c or _suffix_match(found, c) or _suffix_match(c, found):
            return True
    return False
