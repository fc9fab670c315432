"""An agency's administrative level, for rules that only apply at some levels.

REGULATIONS-LEVEL, for one, holds only below the governments that make 规章 (provinces and
设区的市): a 区县 bureau, a town, a street. The registry states a district's level; a file
checked on its own has only its unit's name, and a name that does not tell (「某某市财政局」:
a 设区的市 or a 县级市?) gives no level, so no such rule fires on a guess.
"""

from __future__ import annotations

import re
from typing import Literal

Level = Literal["province", "city", "county", "town"]
LEVELS: tuple[Level, ...] = ("province", "city", "county", "town")
LEVEL_LABELS = {"province": "省级", "city": "设区的市级", "county": "县（区）级", "town": "乡镇（街道）级"}

# Below the governments with 规章制定权 (立法法 第九十三条): counties/districts, towns, streets.
COUNTY_AND_BELOW: frozenset[Level] = frozenset({"county", "town"})

_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")  # 直辖市: provincial level
_TOWN = re.compile(r"^[\u4e00-\u9fff]{1,20}?(?:镇|乡|街道)(?:人民政府|办事处|党政办公室|党政综合办公室)?$")
_TOWN_INSIDE = re.compile(r"(?:镇人民政府|乡人民政府|街道办事处|街道党工委)")
# a county-level unit in the name: 「…区」「…县」「…旗」 after at most a province and a city
_COUNTY = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,8}?(?:市|州|盟|地区))?"
    r"[\u4e00-\u9fff]{1,8}?(?:区|县|旗)(?!域|划)"
)
_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:省|自治区)(?![\u4e00-\u9fff]{1,8}?(?:市|州|盟|地区|区|县))")


def infer_level(name: str | None) -> Level | None:
    """The level a unit's name states, or None when the name does not say."""
    n = re.sub(r"\s+", "", name or "")
    if not n:
        return None
    if _TOWN.match(n) or _TOWN_INSIDE.search(n):
        return "town"
    if _PROVINCE.match(n):  # before counties: 「…自治区」 ends in 区 too
        return "province"
    if _COUNTY.match(n):
        return "county"
    if n.startswith(_MUNICIPALITIES):
        return "province"
    return None


def agency_level(kind: str | None, jurisdiction_level: str | None, *names: str | None) -> Level | None:
    """A registry agency's level: towns and streets are below their district; otherwise the
    district's level as the registry states it, else as the names (district, agency) tell."""
    if kind in ("town", "street"):
        return "town"
    if jurisdiction_level in LEVELS:
        return jurisdiction_level
    for name in names:
        level = infer_level(name)
        if level is not None:
            return level
    return None
