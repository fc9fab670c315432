"""Dates and times as the office reads them: in its own time zone (``NIANBAO_TIMEZONE``,
Asia/Shanghai by default), written 2025年1月31日 and 2025年1月31日 08:30.

The database keeps UTC; everything a person reads (alerts, run artifacts, reports, the command
line) goes through here, so no text shows an ISO string or a UTC offset."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def _zone_from_environment() -> str:
    return os.environ.get("NIANBAO_TIMEZONE", "Asia/Shanghai")


_zone_name: Callable[[], str] = _zone_from_environment


def use_zone(name_of: Callable[[], str]) -> None:
    """Where the zone's name comes from: the application's settings register themselves here
    (nianbao/runtime/settings.py), so this layer reads them without importing them; until then
    it is ``NIANBAO_TIMEZONE`` from the environment."""
    global _zone_name
    _zone_name = name_of


def local_tz() -> ZoneInfo:
    """The display time zone (asked each call: tests and the demo change it)."""
    return _zone(_zone_name())


def to_local(moment: datetime) -> datetime:
    """``moment`` in the display zone; a naive value is taken as UTC (how the database stores it)."""
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_tz())


_ZH_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def _parse(value: object) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    zh = _ZH_DATE.match(text)  # 「2025年01月31日」 as older payloads stored it
    if zh:
        try:
            return date(int(zh[1]), int(zh[2]), int(zh[3]))
        except ValueError:
            return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def zh_date(value: object) -> str:
    """2025年1月31日 from a date, a datetime (converted to the display zone) or an ISO string;
    any other text is returned as it is (it may already read 2025年1月31日)."""
    parsed = _parse(value)
    if parsed is None:
        return "" if value is None else str(value)
    if isinstance(parsed, datetime):
        parsed = to_local(parsed).date()
    return f"{parsed.year}年{parsed.month}月{parsed.day}日"


def zh_datetime(value: object) -> str:
    """2025年1月31日 08:30 in the display zone (a bare date stays a date)."""
    parsed = _parse(value)
    if parsed is None:
        return "" if value is None else str(value)
    if not isinstance(parsed, datetime):
        return zh_date(parsed)
    local = to_local(parsed)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def now_text() -> str:
    """「截至」 time of a report or a test message: now, in the display zone."""
    return zh_datetime(datetime.now(UTC))
