"""T3-BALANCE, T3-OUTCOME-SUM, T3-ROW-SUM, T4-SUM, NUM-RANGE: pass, fail, cannot assess."""

from __future__ import annotations

from decimal import Decimal

from reports.checks.arithmetic import num_range, t3_balance, t3_outcome_sum, t3_row_sum, t4_sum
from reports.checks.base import STATUS_CANNOT_ASSESS, STATUS_FAIL, CheckContext, Severity
from reports.form import TABLE3_COLUMNS, Form, outcome_rows
from reports.model import Cell, ParsedReport
from tests.checks.factory import consistent_report, set_t2, set_t3, set_t4
from tests.known import known

ARITHMETIC = (t3_balance, t3_outcome_sum, t3_row_sum, t4_sum, num_range)


def test_consistent_report_passes_every_arithmetic_rule(report: ParsedReport, ctx: CheckContext) -> None:
    for fn in ARITHMETIC:
        assert list(fn(report, ctx)) == [], fn.__name__


def test_consistent_f2019_report_uses_19_outcome_rows(ctx: CheckContext) -> None:
    report = consistent_report(Form.F2019, year=2020)
    assert len(outcome_rows(Form.F2019)) == 19
    assert "other_processing" in report.requests and "other_misc" not in report.requests
    for fn in ARITHMETIC:
        assert list(fn(report, ctx)) == [], fn.__name__
    set_t3(report, "other_processing", "research", known(report.t3("other_processing", "research")) + 1)
    failing = {f.evidence["column"] for f in t3_outcome_sum(report, ctx)}
    assert failing == {"research"}


def _balance_report(new: int, carried_over: int, outcome_total: int, carried_forward: int) -> ParsedReport:
    report = consistent_report()
    for row, value in (
        ("new", new),
        ("carried_over", carried_over),
        ("outcome_total", outcome_total),
        ("carried_forward", carried_forward),
    ):
        set_t3(report, row, "total", value)
    return report


def test_balance_failure_message_and_evidence(ctx: CheckContext) -> None:
    report = _balance_report(5, 1, 4, 1)
    findings = [f for f in t3_balance(report, ctx) if f.evidence["column"] == "total"]
    assert len(findings) == 1
    f = findings[0]
    assert f.severity == Severity.ERROR and f.status == STATUS_FAIL
    assert f.message == "表三“总计”列：新收(5)+上年结转(1)=6，但办理结果总计(4)+结转下年度(1)=5，相差1"
    ev = f.evidence
    assert ev["anchor"] == {"table": 3, "column": "total", "identity": "balance"}
    assert ev["column_label"] == "总计"
    assert ev["values"] == {"new": 5, "carried_over": 1, "outcome_total": 4, "carried_forward": 1}
    assert (ev["expected"], ev["actual"], ev["difference"]) == (6, 5, -1)
    labels = {c["row"]: c["row_label"] for c in ev["cells"]}
    assert labels["carried_forward"] == "四、结转下年度继续办理"


def test_balance_blank_cell_cannot_be_assessed(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "carried_over", "commercial", None)
    findings = t3_balance(report, ctx)
    assert len(findings) == 1
    f = findings[0]
    assert f.status == STATUS_CANNOT_ASSESS and f.severity == Severity.INFO
    assert f.evidence["anchor"]["column"] == "commercial"
    assert [c["row"] for c in f.evidence["blank_cells"]] == ["carried_over"]
    assert "商业企业" in f.message and "上年结转" in f.message and "空白" in f.message


def test_blank_is_not_zero(report: ParsedReport, ctx: CheckContext) -> None:
    """A zero that breaks the identity fails; a blank in the same place is only unassessable."""
    set_t3(report, "carried_forward", "research", 0)
    assert [f.status for f in t3_balance(report, ctx)] == [STATUS_FAIL]
    set_t3(report, "carried_forward", "research", None)
    assert [f.status for f in t3_balance(report, ctx)] == [STATUS_CANNOT_ASSESS]


def test_whole_blank_table_one_note_or_nothing(ctx: CheckContext) -> None:
    report = ParsedReport(year=2024, form=Form.F2021)
    for fn in (t3_balance, t3_outcome_sum, t3_row_sum, t4_sum):
        assert fn(report, ctx) == [], "missing tables are left to TABLES"
    report.tables_found = {"proactive": True, "requests": True, "review_litigation": True}
    for fn in (t3_balance, t3_outcome_sum, t3_row_sum, t4_sum):
        findings = fn(report, ctx)
        assert len(findings) == 1 and findings[0].status == STATUS_CANNOT_ASSESS, fn.__name__


def test_outcome_sum_failure(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "outcome_total", "natural_person", known(report.t3("outcome_total", "natural_person")) + 3)
    f = next(f for f in t3_outcome_sum(report, ctx) if f.evidence["column"] == "natural_person")
    expected = sum(known(report.t3(r, "natural_person")) for r in outcome_rows(Form.F2021))
    assert f.status == STATUS_FAIL
    assert (f.evidence["expected"], f.evidence["difference"]) == (expected, 3)
    assert f.evidence["anchor"] == {"table": 3, "column": "natural_person", "identity": "outcome_sum"}
    assert "自然人" in f.message and "21项办理结果之和" in f.message and "相差3" in f.message
    assert len(f.evidence["cells"]) == 21


def test_outcome_sum_blank_outcome_row(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "refused_query", "legal_service", None)
    findings = t3_outcome_sum(report, ctx)
    assert [(f.status, f.evidence["anchor"]["column"]) for f in findings] == [
        (STATUS_CANNOT_ASSESS, "legal_service")
    ]
    assert findings[0].evidence["blank_cells"][0]["row"] == "refused_query"


def test_row_sum_failure(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "granted", "total", known(report.t3("granted", "total")) - 2)
    f = next(f for f in t3_row_sum(report, ctx) if f.evidence["row"] == "granted")
    assert f.status == STATUS_FAIL and f.evidence["difference"] == -2
    assert f.evidence["row_label"] == "三(一) 予以公开"
    assert f.evidence["anchor"] == {"table": 3, "row": "granted", "identity": "row_sum"}
    assert "予以公开" in f.message and "六类申请人合计" in f.message and "相差2" in f.message


def test_row_sum_blank_cell(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "new", "social_welfare", None)
    findings = t3_row_sum(report, ctx)
    assert [(f.status, f.evidence["anchor"]["row"]) for f in findings] == [(STATUS_CANNOT_ASSESS, "new")]
    assert "社会公益组织" in findings[0].message


def test_t4_sum_failure_and_blank(report: ParsedReport, ctx: CheckContext) -> None:
    set_t4(report, "suit_direct", "total", 27)
    (f,) = t4_sum(report, ctx)
    assert f.status == STATUS_FAIL and f.evidence["group"] == "suit_direct"
    assert (f.evidence["expected"], f.evidence["actual"], f.evidence["difference"]) == (26, 27, 1)
    assert (
        f.message
        == "表四“行政诉讼·未经复议直接起诉”：结果维持(5)+结果纠正(6)+其他结果(7)+尚未审结(8)=26，但总计填27，相差1"
    )
    set_t4(report, "suit_direct", "total", 26)
    set_t4(report, "review", "pending", None)
    (f,) = t4_sum(report, ctx)
    assert f.status == STATUS_CANNOT_ASSESS and f.evidence["anchor"]["group"] == "review"
    assert "尚未审结" in f.message


def test_num_range_negative_and_fractional_counts(report: ParsedReport, ctx: CheckContext) -> None:
    set_t3(report, "granted", "research", -1)
    set_t4(report, "review", "upheld", Decimal("1.5"))
    set_t2(report, "licensing", "decisions", -3)
    findings = num_range(report, ctx)
    anchors = {tuple(sorted(f.evidence["anchor"].items())) for f in findings}
    assert anchors == {
        (("column", "research"), ("identity", "range"), ("row", "granted"), ("table", 3)),
        (("cell", "upheld"), ("group", "review"), ("identity", "range"), ("table", 4)),
        (("column", "decisions"), ("identity", "range"), ("row", "licensing"), ("table", 2)),
    }
    by_table = {f.evidence["table"]: f for f in findings}
    assert "-1" in by_table[3].message and "负数" in by_table[3].message
    assert "整数" in by_table[4].message
    assert all(f.severity == Severity.ERROR for f in findings)


def test_num_range_fee_is_a_decimal(report: ParsedReport, ctx: CheckContext) -> None:
    set_t2(report, "fees", "amount_wan_yuan", Decimal("0.35"))
    assert num_range(report, ctx) == []
    set_t2(report, "fees", "amount_wan_yuan", Decimal("-0.35"))
    (f,) = num_range(report, ctx)
    assert f.evidence["row"] == "fees" and f.evidence["expected"] == "非负数"
    assert "金额" in f.message


def test_num_range_ignores_blank(report: ParsedReport, ctx: CheckContext) -> None:
    report.proactive["coercion"]["decisions"] = Cell(value=None, raw="/")
    assert num_range(report, ctx) == []


def test_every_column_checked(report: ParsedReport, ctx: CheckContext) -> None:
    for col in TABLE3_COLUMNS:
        broken = consistent_report()
        set_t3(broken, "carried_over", col, known(broken.t3("carried_over", col)) + 1)
        assert col in {f.evidence["column"] for f in t3_balance(broken, ctx)}


def test_num_range_f2019_table2_change_may_be_negative(ctx: CheckContext) -> None:
    report = consistent_report(Form.F2019, year=2020)
    report.proactive["licensing"] = {
        "previous_items": Cell(value=12),
        "change": Cell(value=-3),
        "decisions": Cell(value=40),
    }
    report.proactive["procurement"] = {"projects": Cell(value=2), "amount": Cell(value=Decimal("251000"))}
    assert num_range(report, ctx) == []
    report.proactive["procurement"]["amount"] = Cell(value=Decimal("-1"))
    report.proactive["licensing"]["previous_items"] = Cell(value=-1)
    assert {(f.evidence["row"], f.evidence["column"]) for f in num_range(report, ctx)} == {
        ("procurement", "amount"),
        ("licensing", "previous_items"),
    }
