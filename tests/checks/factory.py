"""A consistent annual report built in code, and small helpers to break it on purpose.

Every row and column of tables 三 and 四 holds distinct non-zero figures, so that any
single changed cell is visible to the arithmetic identities, and the prose states the
same figures as the tables, so that a fresh report yields no finding at all.
"""

from __future__ import annotations

from decimal import Decimal

from reports.form import SECTION_KEYS, TABLE3_APPLICANT_COLUMNS, Form, outcome_rows
from reports.model import Cell, ParsedReport, Section

YEAR = 2024
AGENCY = "某区市场监督管理局"

T4_FIGURES = {
    "review": (1, 2, 3, 4),
    "suit_direct": (5, 6, 7, 8),
    "suit_after_review": (9, 10, 11, 12),
}
T2_FIGURES: dict[tuple[str, str], int | Decimal] = {
    ("regulations", "issued"): 1,
    ("regulations", "repealed"): 2,
    ("regulations", "in_force"): 3,
    ("normative_documents", "issued"): 4,
    ("normative_documents", "repealed"): 5,
    ("normative_documents", "in_force"): 16,
    ("licensing", "decisions"): 17,
    ("penalty", "decisions"): 18,
    ("coercion", "decisions"): 19,
    ("fees", "amount_wan_yuan"): Decimal("1.25"),
}

PROBLEMS_TEXT = (
    "本年度本局政府信息公开工作仍存在一些不足：一是主动公开的深度不够，政策解读形式较为单一，"
    "群众关注的市场监管执法信息更新不够及时；二是工作人员业务能力有待提升，依申请公开答复的规范性仍需加强。"
    "下一步，我局将围绕食品安全、特种设备和价格监管等重点领域加大公开力度，"
    "每季度组织一次业务培训，并建立答复文书交叉审核机制。"
)


def t3_figures(form: Form = Form.F2021) -> dict[str, dict[str, int]]:
    """Consistent table 三 figures: outcome cells 1 + i + 25*j, distinct and non-zero."""
    rows = outcome_rows(form)
    table: dict[str, dict[str, int]] = {}
    for i, row in enumerate(rows):
        table[row] = {col: 1 + i + 25 * j for j, col in enumerate(TABLE3_APPLICANT_COLUMNS)}
    table["outcome_total"] = {c: sum(table[r][c] for r in rows) for c in TABLE3_APPLICANT_COLUMNS}
    table["carried_forward"] = {c: 2 * j + 3 for j, c in enumerate(TABLE3_APPLICANT_COLUMNS)}
    table["carried_over"] = {c: j + 1 for j, c in enumerate(TABLE3_APPLICANT_COLUMNS)}
    table["new"] = {
        c: table["outcome_total"][c] + table["carried_forward"][c] - table["carried_over"][c]
        for c in TABLE3_APPLICANT_COLUMNS
    }
    for cells in table.values():
        cells["total"] = sum(cells[c] for c in TABLE3_APPLICANT_COLUMNS)
    return table


def consistent_report(form: Form = Form.F2021, year: int = YEAR, agency: str = AGENCY) -> ParsedReport:
    """A complete, self-consistent report: every rule should pass on it."""
    report = ParsedReport(
        agency=agency,
        year=year,
        title=f"{agency}{year}年政府信息公开工作年度报告",
        period=f"{year}年1月1日至{year}年12月31日",
        form=form,
        input_kind="text",
        tables_found={"proactive": True, "requests": True, "review_litigation": True},
    )
    for row, cells in t3_figures(form).items():
        for col, value in cells.items():
            report.requests[row][col] = Cell(value=value, raw=str(value))
    for group, parts in T4_FIGURES.items():
        for cell, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            report.review_litigation[group][cell] = Cell(value=value, raw=str(value))
        report.review_litigation[group]["total"] = Cell(value=sum(parts), raw=str(sum(parts)))
    for (row, cell), figure in T2_FIGURES.items():
        report.proactive[row][cell] = Cell(value=figure, raw=str(figure))

    new_total = report.t3("new", "total")
    review = sum(T4_FIGURES["review"])
    suits = sum(T4_FIGURES["suit_direct"]) + sum(T4_FIGURES["suit_after_review"])
    texts = {
        "overview": (
            f"本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。"
            f"{year}年，全年主动公开政府信息6条，其中：1.机构职能类2条；2.财政资金类4条。"
            f"本局共收到政府信息公开申请{new_total}件。"
            f"全年作出行政许可决定{T2_FIGURES[('licensing', 'decisions')]}件，"
            f"作出行政处罚决定{T2_FIGURES[('penalty', 'decisions')]}件，"
            f"实施行政强制措施{T2_FIGURES[('coercion', 'decisions')]}件。"
            f"因政府信息公开被申请行政复议{review}件，被提起行政诉讼{suits}件。"
        ),
        "proactive": "（见下表）",
        "requests": "（见下表）",
        "review_litigation": "（见下表）",
        "problems": PROBLEMS_TEXT,
        "other": "本年度未收取信息处理费。",
    }
    for line, key in enumerate(SECTION_KEYS, start=1):
        report.sections[key] = Section(present=True, heading=key, text=texts[key], line=line * 10)
    report.text = "\n".join(texts[k] for k in SECTION_KEYS)
    return report


def set_t3(report: ParsedReport, row: str, col: str, value: int | Decimal | None) -> ParsedReport:
    report.requests[row][col] = Cell(value=value)
    return report


def set_t4(report: ParsedReport, group: str, cell: str, value: int | Decimal | None) -> ParsedReport:
    report.review_litigation[group][cell] = Cell(value=value)
    return report


def set_t2(report: ParsedReport, row: str, cell: str, value: int | Decimal | None) -> ParsedReport:
    report.proactive[row][cell] = Cell(value=value)
    return report


def set_section(report: ParsedReport, key: str, text: str) -> ParsedReport:
    """Replace a section's text (and keep the full text in step)."""
    report.sections[key] = Section(present=True, heading=key, text=text, line=report.sections[key].line)
    report.text = "\n".join(report.sections[k].text for k in SECTION_KEYS)
    return report
