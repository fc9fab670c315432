"""What `nianbao report` writes and prints for a large matrix: charts drawn once for both files,
a per-district chart that stays readable, each status cell coloured, a terminal summary."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console

from nianbao.deadlines.calendar import Status
from nianbao.reporting import charts, export
from nianbao.reporting.compliance import ComplianceRow
from nianbao.reporting.present_matrix import TERMINAL_ROWS, print_compliance

STATUSES = [Status.ON_TIME, Status.LATE, Status.MISSING, Status.PENDING]


def _rows(districts: int, per_district: int, behind_in: frozenset[int] = frozenset()) -> list[ComplianceRow]:
    """Agencies on time, except in the districts of `behind_in` (there, each index's share missing)."""
    rows = []
    for d in range(districts):
        for i in range(per_district):
            status = Status.MISSING if d in behind_in and i <= d % per_district else Status.ON_TIME
            rows.append(
                ComplianceRow(
                    f"区{d:02d}", f"a{d}-{i}", f"区{d:02d}单位{i}", status, "", "2025-01-31", None, None
                )
            )
    return rows


def test_the_district_chart_shows_at_most_thirty_districts_those_most_behind() -> None:
    rows = _rows(40, 3, behind_in=frozenset({5, 17, 33}))
    summary = export.report_summary(rows, [])
    shown = export.charted_districts(summary)
    assert len(shown) == export.CHART_DISTRICTS
    assert {"区05", "区17", "区33"} <= set(shown)
    assert shown == sorted(shown)  # in the run's order
    assert export.charted_districts(export.report_summary(_rows(12, 2), [])) == [
        f"区{d:02d}" for d in range(12)
    ]


def test_the_charts_are_drawn_once_for_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(3, 2, behind_in=frozenset({1}))
    calls: list[int] = []
    real = export.make_charts

    def counted(*a):
        calls.append(1)
        return real(*a)

    monkeypatch.setattr(export, "make_charts", counted)
    drawn = export.draw(rows, [], 2024, previous=rows)
    export.write_xlsx(rows, [], 2024, tmp_path / "c.xlsx", previous=rows, drawn=drawn)
    html = export.write_html(rows, [], 2024, tmp_path / "c.html", previous=rows, drawn=drawn)
    assert calls == [1]
    assert html.read_text(encoding="utf-8").count("<svg") == len(drawn.charts)
    export.write_html(rows, [], 2024, tmp_path / "d.html")  # without `drawn` a file draws its own
    assert calls == [1, 1]


def test_every_status_cell_of_a_district_sheet_has_its_colour(tmp_path: Path) -> None:
    rows = [
        ComplianceRow("区", f"a{i}", f"单位{i}", STATUSES[i % 4], "", "2025-01-31", None, None)
        for i in range(9)
    ]
    ws = load_workbook(export.write_xlsx(rows, [], 2024, tmp_path / "c.xlsx"))["区"]
    colours = [ws.cell(row=3 + i, column=2).fill.fgColor.rgb for i in range(9)]
    expected = [export.FILLS.get(STATUSES[i % 4].value) for i in range(9)]
    assert [c[-6:] if e else None for c, e in zip(colours, expected, strict=True)] == expected


def _printed(rows: list[ComplianceRow]) -> str:
    out = io.StringIO()
    print_compliance(Console(file=out, width=200), rows, 2024)
    return out.getvalue()


def test_the_terminal_lists_every_agency_of_a_small_matrix() -> None:
    text = _printed(_rows(2, 3))
    assert "区01单位2" in text and "按区县汇总" not in text


def test_the_terminal_sums_up_a_large_matrix_per_district() -> None:
    rows = _rows(TERMINAL_ROWS // 10 + 1, 10, behind_in=frozenset({2}))
    text = _printed(rows)
    assert "按区县汇总" in text and "单位0" not in text
    line = next(ln for ln in text.splitlines() if "区02" in ln)
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells[:5] == ["区02", "10", "7", "0", "3"]  # total, on time, late, missing
    assert f"共{len(rows)}个单位" in text and "nianbao report --year 2024" in text


def test_sheet_names_excel_refuses_are_made_valid_and_unique(tmp_path: Path) -> None:
    """Excel caps a sheet name at 31 characters, refuses []:*?/\\ in it and two names that differ
    only in case: two long district names cut to the same 31, or a 「[试点]」 in one, still get a
    sheet each, and every row is on its district's sheet."""
    long = "某某省某某市某某县某某经济技术开发区管理委员会社会事务"  # longer than 31
    districts = [long + "一局", long + "二局", "某区[试点]/新区", "abc", "ABC"]
    rows = [
        ComplianceRow(d, f"a{i}", f"单位{i}", Status.ON_TIME, "按时发布", "2025-01-31", None, None)
        for i, d in enumerate(districts)
    ]
    wb = load_workbook(export.write_xlsx(rows, [], 2024, tmp_path / "c.xlsx"))
    sheets = wb.sheetnames[1:-2]  # after 汇总, before 问题清单 and 图表数据
    assert len(sheets) == 5 and len({s.casefold() for s in sheets}) == 5
    assert all(len(s) <= 31 and not set(s) & set("[]:*?/\\") for s in sheets)
    for sheet, row in zip(sheets, rows, strict=True):
        assert wb[sheet]["A1"].value.startswith(row.district) and wb[sheet]["A3"].value == row.agency


def test_text_that_looks_like_a_formula_or_a_link_stays_text(tmp_path: Path) -> None:
    """An agency name or a finding's text from a portal is data: 「=HYPERLINK(...)」 must not
    become a formula a spreadsheet runs, nor a bare address a link."""
    rows = [
        ComplianceRow("区", "a1", '=HYPERLINK("http://evil.example","点击")', Status.MISSING, "未发布",
                      "2025-01-31", None, None),
        ComplianceRow("区", "a2", "http://not-a-link.example", Status.ON_TIME, "按时发布", "2025-01-31", None, None),
    ]  # fmt: skip
    ws = load_workbook(export.write_xlsx(rows, [], 2024, tmp_path / "c.xlsx"))["区"]
    assert ws["A3"].data_type == "s" and ws["A3"].value.startswith("=HYPERLINK")
    assert ws["A4"].data_type == "s" and ws["A4"].hyperlink is None


def test_a_chart_s_bars_are_in_proportion_and_say_their_figures() -> None:
    chart = charts.bars("问题", ["表三收支平衡", "逾期发布年报"], [3, 6], "问题数")
    svg = chart.svg
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(widths) == 2 and abs(widths[1] - 2 * widths[0]) < 0.2
    assert ">表三收支平衡</text>" in svg and ">6</text>" in svg and "<title>问题</title>" in svg
    stacked = charts.stacked_bars("区", ["甲区", "乙区"], {"按时发布": [2, 1], "未发布": [0, 3]})
    text = stacked.svg
    assert text.count(f'fill="{charts.COLORS["未发布"]}"') == 2  # one bar segment and the legend's key
    assert ">2</text>" in text and ">4</text>" in text  # each district's total
    assert charts.bars("空", ["甲"], [0], "问题数").svg.count("<rect") == 0  # nothing drawn for a zero
