"""The charts of `nianbao report`, drawn with matplotlib: compliance per district, findings per
check, this year against last.

Each chart is made twice: as SVG with every glyph drawn as a path (``svg.fonttype = path``), so
the HTML page shows the Chinese labels on a machine without any Chinese font, and as PNG for the
workbook. Drawing needs a Chinese font here (fonts-wqy-microhei, installed by
scripts/system-packages.sh); without one no chart is drawn and the report says why, rather
than showing boxes for every character."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn, not with the module
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei")
COLORS = {
    "按时发布": "#4e9a5b",
    "逾期发布": "#e0a526",
    "未发布": "#c8453b",
    "无法核实": "#8c8c8c",
    "未到期": "#6d8fc7",
}


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str  # inline <svg>, text as paths
    png: bytes


@lru_cache(maxsize=1)
def chinese_font() -> str | None:
    """The first installed font that has Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _integer_ticks(axis: Axis) -> None:
    """Whole numbers only on an axis of counts (the default locator, AutoLocator, is a MaxNLocator)."""
    from matplotlib.ticker import MaxNLocator

    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        locator.set_params(integer=True)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure and its axes on the Agg canvas, without pyplot (its import and its figure
    registry cost more than drawing a chart; nothing here is shown on a screen)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _render(fig: Figure, title: str) -> Chart:
    """SVG and PNG of one figure, cropped to what it draws. The crop is measured once for both:
    `bbox_inches="tight"` would lay the figure out again for each format."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # the Agg canvas has one
    crop = fig.get_tightbbox(renderer).padded(0.1)  # savefig.pad_inches
    svg = io.StringIO()
    fig.savefig(svg, format="svg", bbox_inches=crop)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=110, bbox_inches=crop)
    text = svg.getvalue()
    return Chart(title, text[text.index("<svg") :], png.getvalue())


def _style() -> dict:
    return {
        "font.family": [chinese_font() or "DejaVu Sans"],
        "svg.fonttype": "path",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def stacked_bars(title: str, groups: Sequence[str], series: Mapping[str, Sequence[int]]) -> Chart:
    """One horizontal bar per group (a district), stacked by category."""
    import matplotlib

    with matplotlib.rc_context(_style()):
        height = 0.55 * len(groups) + 1.4
        fig, ax = _figure(7.5, height)
        left = [0] * len(groups)
        for name, values in series.items():
            ax.barh(groups, values, left=left, label=name, color=COLORS.get(name))
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_title(title)
        ax.set_xlabel("单位数")
        ax.invert_yaxis()
        # 0.6 in below the axes (77% of the figure's height), under the tick labels and the x label,
        # whatever the number of bars (a fraction of the axes left a tall chart's legend far below)
        below = -0.6 / (0.77 * height)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, below), frameon=False, ncols=5)
        _integer_ticks(ax.xaxis)
        return _render(fig, title)


def bars(title: str, labels: Sequence[str], values: Sequence[int], xlabel: str) -> Chart:
    import matplotlib

    with matplotlib.rc_context(_style()):
        fig, ax = _figure(7.5, 0.45 * max(1, len(labels)) + 1.2)
        ax.barh(labels, values, color="#5b7db1")
        for y, v in enumerate(values):
            ax.text(v, y, f" {v}", va="center")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.invert_yaxis()
        _integer_ticks(ax.xaxis)
        return _render(fig, title)


def grouped_bars(title: str, categories: Sequence[str], years: Mapping[str, Sequence[int]]) -> Chart:
    """Categories side by side for each year (this year against last)."""
    import matplotlib

    with matplotlib.rc_context(_style()):
        fig, ax = _figure(7.5, 3.2)
        width = 0.8 / max(1, len(years))
        for i, (year, values) in enumerate(years.items()):
            xs = [x + i * width for x in range(len(categories))]
            ax.bar(xs, values, width=width, label=year)
            for x, v in zip(xs, values, strict=True):
                ax.text(x, v, str(v), ha="center", va="bottom")
        ax.set_xticks([x + width * (len(years) - 1) / 2 for x in range(len(categories))], list(categories))
        ax.set_title(title)
        ax.set_ylabel("单位数")
        ax.legend(frameon=False)
        _integer_ticks(ax.yaxis)
        return _render(fig, title)
