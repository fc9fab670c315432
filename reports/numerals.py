"""Numbers written in Chinese: 「十五」「一百零二」「两千」「一〇五」「二〇二四」.

Reports write counts in words (「收到申请一〇五件」) and years digit by digit (「二〇二四年度」).
One reader for all of them, on cn2an (a maintained converter) rather than a hand-kept loop:
the old loop read 「一〇五」 as 5 and 「二〇二四」 as 4, and TEXT-TABLE compared wrong figures.
"""

from __future__ import annotations

import functools
import importlib
import re
from types import ModuleType

CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"
_CN_DIGITS = "〇零一二三四五六七八九"
_DIGIT_VALUE = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")} | {"零": "0"}
# A year written digit by digit, e.g. 「二〇二四」/「二零二四」 (one to four Chinese digits after 一/二).
_CN_YEAR = re.compile(rf"(?<![{CN_NUMERAL_CHARS}])([一二][{_CN_DIGITS}]{{3}})(?=\s*年)")


@functools.cache
def _cn2an() -> ModuleType:  # imported on first use: `nianbao --help` should not pay for it
    return importlib.import_module("cn2an")


def cn_number(text: str) -> int | None:
    """The integer `text` denotes (Arabic digits or Chinese numerals), None when it is not one."""
    t = text.strip()
    if not t:
        return None
    if t.isascii() and t.isdigit():
        return int(t)
    if any(ch not in CN_NUMERAL_CHARS for ch in t):
        return None
    try:
        value = _cn2an().cn2an(t, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    value = int(value)
    return value if value >= 0 else None


def digits_year(text: str) -> str:
    """`text` with years written in Chinese digits turned into Arabic ones (「二〇二四年」→「2024年」),
    so one year pattern serves titles printed either way."""
    return _CN_YEAR.sub(lambda m: "".join(_DIGIT_VALUE[ch] for ch in m.group(1)), text)
