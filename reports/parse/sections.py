"""The six report sections (spec §2), matched fuzzily and in order.

Headings slip (numbering, typos like 「行政法复议」, long variants, markdown ``#``);
table 三's own rows 「一、本年新收…」「四、结转下年度继续办理」 carry figures and are
never headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports.form import SECTION_KEYS
from reports.model import Section
from reports.parse.blocks import Block
from reports.parse.values import NUMBER_TOKEN_RE, norm

_NUMBERED = re.compile(r"^[一二三四五六七八九十]{1,2}\s*[、.．,，:：]\s*")
_MD = re.compile(r"^#+\s*")

# Keywords per section, searched in the whitespace-free heading text.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况", "概述", "基本情况", "总体概况", "工作概况"),
    "proactive": ("主动公开",),
    "requests": ("收到和处理", "收到和办理", "依申请公开", "申请情况", "申请公开情况"),
    "review_litigation": ("复议", "诉讼"),
    "problems": ("问题", "改进"),
    "other": ("其他需要报告", "需要报告的", "其他事项", "其他"),
}
# Phrases strong enough to accept a heading that lost its number.
_STRONG: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况",),
    "proactive": ("主动公开政府信息情况",),
    "requests": ("收到和处理政府信息公开申请情况",),
    "review_litigation": ("行政复议、行政诉讼情况", "行政复议行政诉讼情况"),
    "problems": ("存在的主要问题及改进情况",),
    "other": ("其他需要报告的事项",),
}


@dataclass(slots=True)
class Heading:
    key: str
    index: int  # block index
    text: str


def heading_text(block: Block) -> str | None:
    """The heading-shaped text of a line, or None when it cannot be a section heading."""
    if block.cells is not None:
        return None
    t = _MD.sub("", norm(block.text))
    if not t or len(t) > 60:
        return None
    toks = t.split()
    if toks and NUMBER_TOKEN_RE.match(toks[-1]) and len(toks) > 1:
        return None
    return t


def find_headings(blocks: list[Block]) -> list[Heading]:
    """Section headings in document order; each section at most once, never backwards."""
    found: list[Heading] = []
    nxt = 0
    for i, b in enumerate(blocks):
        if nxt >= len(SECTION_KEYS):
            break
        t = heading_text(b)
        if t is None:
            continue
        numbered = bool(_NUMBERED.match(t))
        body = re.sub(r"\s+", "", _NUMBERED.sub("", t))
        if not numbered and (t.startswith(("（", "(")) or t[0].isdigit()):
            continue
        for k in range(nxt, len(SECTION_KEYS)):
            key = SECTION_KEYS[k]
            words = _KEYWORDS[key] if numbered else _STRONG[key]
            if any(w in body for w in words) and (numbered or len(body) <= 30):
                found.append(Heading(key=key, index=i, text=t))
                nxt = k + 1
                break
    return found


def build_sections(blocks: list[Block], headings: list[Heading]) -> dict[str, Section]:
    """Section objects with their text (up to the next found heading) and line."""
    out = {k: Section() for k in SECTION_KEYS}
    for n, h in enumerate(headings):
        end = headings[n + 1].index if n + 1 < len(headings) else len(blocks)
        body = "\n".join(b.text for b in blocks[h.index + 1 : end]).strip()
        out[h.key] = Section(present=True, heading=h.text, text=body, line=blocks[h.index].line)
    return out


def region(blocks: list[Block], headings: list[Heading], key: str) -> tuple[list[Block], bool]:
    """Blocks under a section; without its heading, the gap between its neighbours."""
    order = {k: i for i, k in enumerate(SECTION_KEYS)}
    for n, h in enumerate(headings):
        if h.key == key:
            end = headings[n + 1].index if n + 1 < len(headings) else len(blocks)
            return blocks[h.index + 1 : end], True
    before = [h for h in headings if order[h.key] < order[key]]
    after = [h for h in headings if order[h.key] > order[key]]
    start = before[-1].index + 1 if before else 0
    end = after[0].index if after else len(blocks)
    return blocks[start:end], False
