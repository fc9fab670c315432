"""The charts of `nianbao report` as data: compliance per district, findings per check, this
year against last — each a set of labelled horizontal bars.

A chart is its figures, not a picture: the page draws it as inline SVG with its words as text
(`to_svg`: the reader's own Chinese font shows them, and a search of the page finds them), the
workbook as a native Excel chart over the figures written beside it (`export.py`: the office can
restyle it, copy it into a briefing, and see the numbers). Nothing here needs a font, a
plotting library or a display on the machine that makes the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

COLORS = {
    "按时发布": "#4e9a5b",
    "逾期发布": "#e0a526",
    "未发布": "#c8453b",
    "无法核实": "#8c8c8c",
    "未到期": "#6d8fc7",
}
PALETTE = ("#5b7db1", "#e07b39", "#6aa84f", "#a64d79", "#8c8c8c")  # series without a colour of their own

FONT_PX = 13
ROW_PX = 26  # one bar
GAP_PX = 10  # between groups of bars
WIDTH_PX = 760
VALUE_PX = 60  # room for the longest bar's value


@dataclass(frozen=True)
class Chart:
    """`labels` down the side; `series` name → one value per label. Stacked: a label's series
    end to end in one bar (a district's five categories); else one bar per series (two years)."""

    title: str
    labels: tuple[str, ...]
    series: Mapping[str, Sequence[int]]
    axis_title: str
    stacked: bool

    def color(self, name: str) -> str:
        if name in COLORS:
            return COLORS[name]
        return PALETTE[list(self.series).index(name) % len(PALETTE)]

    @property
    def largest(self) -> int:
        """The longest bar's value (at least 1, so an all-zero chart still has a scale)."""
        rows = zip(*self.series.values(), strict=True)
        if self.stacked:
            return max((sum(r) for r in rows), default=0) or 1
        return max((max(r) for r in rows), default=0) or 1

    @property
    def svg(self) -> str:
        return to_svg(self)


def stacked_bars(title: str, groups: Sequence[str], series: Mapping[str, Sequence[int]]) -> Chart:
    """One horizontal bar per group (a district), stacked by category."""
    return Chart(title, tuple(groups), dict(series), "单位数", stacked=True)


def bars(title: str, labels: Sequence[str], values: Sequence[int], axis_title: str) -> Chart:
    """One bar per label, its value at its end."""
    return Chart(title, tuple(labels), {axis_title: list(values)}, axis_title, stacked=False)


def grouped_bars(title: str, categories: Sequence[str], years: Mapping[str, Sequence[int]]) -> Chart:
    """A bar per year for each category (this year against last)."""
    return Chart(title, tuple(categories), dict(years), "单位数", stacked=False)


def _text_px(text: str) -> float:
    """About how wide `text` is: a Chinese character one em, anything else 0.6 em."""
    return sum(FONT_PX if ord(c) > 0x2E7F else FONT_PX * 0.6 for c in text)


def to_svg(chart: Chart) -> str:
    """The chart as an inline <svg>: labels on the left, bars scaled to the largest value, each
    bar's value at its end, the legend below when there is more than one series."""
    label_px = min(260.0, max((_text_px(label) for label in chart.labels), default=0) + 12)
    bars_per_label = 1 if chart.stacked else len(chart.series)
    group_px = bars_per_label * ROW_PX + GAP_PX
    top = 34
    legend = len(chart.series) > 1
    height = top + len(chart.labels) * group_px + 30 + (28 if legend else 0)
    bar_px = WIDTH_PX - label_px - VALUE_PX
    scale = bar_px / chart.largest
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH_PX} {height}" role="img" '
        f'font-size="{FONT_PX}" font-family="inherit">',
        f"<title>{escape(chart.title)}</title>",
        f'<text x="{WIDTH_PX / 2}" y="20" text-anchor="middle" font-size="{FONT_PX + 2}" '
        f'font-weight="bold">{escape(chart.title)}</text>',
    ]
    names = list(chart.series)
    for i, label in enumerate(chart.labels):
        y = top + i * group_px
        out.append(
            f'<text x="{label_px - 8}" y="{y + bars_per_label * ROW_PX / 2 + 4}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        x = label_px
        for j, name in enumerate(names):
            value = chart.series[name][i]
            width = value * scale
            row_y = y if chart.stacked else y + j * ROW_PX
            if width:
                out.append(
                    f'<rect x="{x:.1f}" y="{row_y + 3}" width="{width:.1f}" height="{ROW_PX - 6}" '
                    f'fill="{chart.color(name)}"><title>{escape(label)} {escape(name)}：{value}</title></rect>'
                )
            if chart.stacked:
                x += width
            else:
                out.append(f'<text x="{x + width + 4:.1f}" y="{row_y + ROW_PX / 2 + 4}">{value}</text>')
        if chart.stacked:
            total = sum(chart.series[name][i] for name in names)
            out.append(f'<text x="{x + 4:.1f}" y="{y + ROW_PX / 2 + 4}">{total}</text>')
    axis_y = top + len(chart.labels) * group_px
    out.append(
        f'<line x1="{label_px}" y1="{top}" x2="{label_px}" y2="{axis_y}" stroke="#444"/>'
        f'<text x="{label_px + bar_px / 2}" y="{axis_y + 18}" text-anchor="middle">'
        f"{escape(chart.axis_title)}</text>"
    )
    if legend:
        x = label_px
        for name in names:
            out.append(
                f'<rect x="{x}" y="{axis_y + 32}" width="12" height="12" fill="{chart.color(name)}"/>'
                f'<text x="{x + 16}" y="{axis_y + 43}">{escape(name)}</text>'
            )
            x += 16 + _text_px(name) + 18
    out.append("</svg>")
    return "".join(out)
