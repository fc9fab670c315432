"""What `nianbao report` writes and prints for a large matrix: charts drawn once for both files,
a per-district chart that stays readable, each status cell coloured, a terminal summary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console

from nianbao.deadlines.calendar import Status
from nianbao.reporting import export
from nianbao.reporting.compliance import ComplianceRow
from nianbao.reporting.present import TERMINAL_ROWS, print_compliance

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
