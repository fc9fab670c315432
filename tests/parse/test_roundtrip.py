"""Render → parse round trips (HTML with rowspan/colspan, tab-separated copy-out)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replicas.form_render import render_html, render_text
from reports.form import (
    SECTION_KEYS,
    SECTION_LABELS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    TABLE4_GROUPS,
    Form,
    table2_decimal_cells,
    table2_rows,
)
from reports.model import Cell, ParsedReport, Section
from reports.parse import parse_document, parse_text

from .helpers import all_values

AGENCIES = ("湛河区工信局", "顺河回族区行政审批和政务信息管理局", "某县人民政府办公室", "新华区应急管理局")


@st.composite
def reports(draw: st.DrawFn) -> ParsedReport:
    """A valid report: distinct non-zero figures per row and column, some blanks."""
    form = draw(st.sampled_from([Form.F2021, Form.F2019]))
    year = draw(st.integers(2019, 2025))
    agency = draw(st.sampled_from(AGENCIES))
    rnd = draw(st.randoms(use_true_random=False))
    blank_p = draw(st.sampled_from([0.0, 0.1, 0.3]))
    r = ParsedReport(form=form, year=year, agency=agency, title=f"{agency}{year}年政府信息公开工作年度报告")
    r.sections = {
        k: Section(present=True, heading=SECTION_LABELS[k], text=f"{SECTION_LABELS[k]}的正文。")
        for k in SECTION_KEYS
    }
    dec = table2_decimal_cells(form)
    pool = rnd.sample(range(1, 5000), 40)
    for row, cells in table2_rows(form).items():
        r.proactive.setdefault(row, {})
        for c in cells:
            v: int | Decimal | None
            if rnd.random() < blank_p:
                v = None
            elif (row, c) in dec or c == "amount_wan_yuan":
                v = Decimal(pool.pop()) / 100
            elif c == "change":
                v = pool.pop() * rnd.choice([1, -1])
            else:
                v = pool.pop()
            r.proactive[row][c] = Cell(value=v)
    r.requests = ParsedReport.empty_table3(form)
    figures = iter(rnd.sample(range(1, 100_000), 6 * len(r.requests)))
    for row in r.requests:
        vals = [None if rnd.random() < blank_p else next(figures) for _ in range(6)]
        total = None if rnd.random() < blank_p / 2 else sum(v or 0 for v in vals)
        for c, v in zip(TABLE3_COLUMNS, [*vals, total], strict=True):
            r.requests[row][c] = Cell(value=v)
    t4 = iter(rnd.sample(range(1, 1000), 15))
    for g in TABLE4_GROUPS:
        for c in TABLE4_CELLS:
            v = next(t4)
            r.review_litigation[g][c] = Cell(value=None if rnd.random() < blank_p else v)
    return r


def _check_same(src: ParsedReport, out: ParsedReport, kind: str) -> None:
    assert out.input_kind == kind
    assert out.form == src.form
    assert (out.title, out.agency, out.year) == (src.title, src.agency, src.year)
    assert all(out.sections[k].present for k in SECTION_KEYS)
    exp2, exp3, exp4 = all_values(src)
    got2, got3, got4 = all_values(out)
    for row, cells in exp2.items():
        for c, v in cells.items():
            assert got2[row][c] == v, (row, c)
    assert got3 == exp3
    assert got4 == exp4
    assert [p for p in out.problems if p.where.startswith(("table", "document"))] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_roundtrip_html(r: ParsedReport) -> None:
    html = render_html(r)
    assert 'rowspan="' in html and 'colspan="' in html
    _check_same(r, parse_document(html.encode("utf-8"), content_type="text/html"), "html")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_roundtrip_copy_out_text(r: ParsedReport) -> None:
    _check_same(r, parse_text(render_text(r)), "text")


def test_html_has_the_real_page_spans() -> None:
    r = ParsedReport(form=Form.F2021, title="某局2024年政府信息公开工作年度报告")
    html = render_html(r)
    assert '<td rowspan="22" style="text-align:center"><p>三、本年度办理结果</p></td>' in html
    assert '<td rowspan="8" style="text-align:center"><p>(三) 不予公开</p></td>' in html
    assert '<td colspan="5" style="text-align:center"><p>法人或其他组织</p></td>' in html
    assert '<td colspan="7" style="text-align:center"><p>申请人情况</p></td>' in html
    r19 = ParsedReport(form=Form.F2019, title="某局2020年政府信息公开工作年度报告")
    assert '<td rowspan="20" style="text-align:center"><p>三、本年度办理结果</p></td>' in render_html(r19)


# A hand-written F2021 report in PDF-like text: figures everywhere, labels and rows broken.
F2021_STREAM = """某某区市场监督管理局2023年政府信息公开工作
年度报告
一、总体情况
本年度报告数据统计期限为2023年1月1日至2023年12月31日。
二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 1 2 3
行政规范性文件 4 5 6
第二十条第（五）项
信息内容 本年处理决定数量
行政许可 1234
第二十条第（六）项
信息内容 本年处理决定数量
行政处罚 56
行政强制 7
第二十条第（八）项
信息内容 本年收费金额（单位：万元）
行政事业性收费 12.5
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况 自然
人 法人或其他组织 总计商业
企业 科研
机构 社会
公益
组织 法律
服务
机构 其他
一、本年新收政府信息公开申请数量 30 5 1 2 3 4 45
二、上年结转政府信息公开申请数量 2 1 0 0 0 0 3
三、本
年度办
理结果
（一）予以公开 10 2 0 1 0 1 14
（二）部分公开（区分处理的，只计这一情
形，不计其他情形）
3 1 0 0 1 0
5
（三）不
予公开
1.属于国家秘密 1 0 0 0 0 0 1
2.其他法律行政法规禁止公开 1 0 0 0 0 0 1
3.危及“三安全一稳定” 1 0 0 0 0 0 1
4.保护第三方合法权益 1 0 0 0 0 0 1
5.属于三类内部事务信息 1 0 0 0 0 0 1
6.属于四类过程性信息 1 0 0 0 0 0 1
7.属于行政执法案卷 1 0 0 0 0 0 1
8.属于行政查询事项 1 0 0 0 0 0 1
（四）无
法提供
1.本机关不掌握相关政府信息 2 1 1 0 0 1 5
2.没有现成信息需要另行制作 1 0 0 0 0 0 1
3.补正后申请内容仍不明确 1 0 0 0 0 0 1
（五）不
予处理
1.信访举报投诉类申请 1 0 0 0 0 0 1
2.重复申请 1 0 0 0 0 0 1
3.要求提供公开出版物 1 0 0 0 0 0 1
4.无正当理由大量反复申请 1 0 0 0 0 0 1
5.要求行政机关确认或重新出具已
获取信息
1 0 0 0 0 0 1
（六）其
他处理
1.申请人无正当理由逾期不补正、
行政机关不再处理其政府信息公开
申请
1 0 0 0 0 0
1
2.申请人逾期未按收费通知要求缴
纳费用、行政机关不再处理其政府
信息公开申请
1 0 0 0 0 0
1
3.其他 1 0 0 0 1 0 2
（七）总计 31 4 1 1 2 2 41
四、结转下年度继续办理 1 2 0 1 1 2 7
四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果
维持 结果
纠正 其他
结果 尚未
审结 总计
未经复议直接起诉 复议后起诉
1 2 3 4 10 5 6 7 8 26 9 10 11 12 42
五、政府信息公开工作存在的主要问题及改进情况
问题若干。
六、其他需要报告的事项
本年度未收取信息处理费。
"""

F2021_STREAM_T3 = {
    "new": [30, 5, 1, 2, 3, 4, 45],
    "carried_over": [2, 1, 0, 0, 0, 0, 3],
    "granted": [10, 2, 0, 1, 0, 1, 14],
    "partly_granted": [3, 1, 0, 0, 1, 0, 5],
    "refused_state_secret": [1, 0, 0, 0, 0, 0, 1],
    "refused_prohibited_by_law": [1, 0, 0, 0, 0, 0, 1],
    "refused_security_stability": [1, 0, 0, 0, 0, 0, 1],
    "refused_third_party": [1, 0, 0, 0, 0, 0, 1],
    "refused_internal_affairs": [1, 0, 0, 0, 0, 0, 1],
    "refused_process_info": [1, 0, 0, 0, 0, 0, 1],
    "refused_enforcement_file": [1, 0, 0, 0, 0, 0, 1],
    "refused_query": [1, 0, 0, 0, 0, 0, 1],
    "unable_not_held": [2, 1, 1, 0, 0, 1, 5],
    "unable_needs_creation": [1, 0, 0, 0, 0, 0, 1],
    "unable_unclear": [1, 0, 0, 0, 0, 0, 1],
    "unprocessed_petition": [1, 0, 0, 0, 0, 0, 1],
    "unprocessed_repeat": [1, 0, 0, 0, 0, 0, 1],
    "unprocessed_publication": [1, 0, 0, 0, 0, 0, 1],
    "unprocessed_excessive": [1, 0, 0, 0, 0, 0, 1],
    "unprocessed_confirmation": [1, 0, 0, 0, 0, 0, 1],
    "other_no_correction": [1, 0, 0, 0, 0, 0, 1],
    "other_fee_unpaid": [1, 0, 0, 0, 0, 0, 1],
    "other_misc": [1, 0, 0, 0, 1, 0, 2],
    "outcome_total": [31, 4, 1, 1, 2, 2, 41],
    "carried_forward": [1, 2, 0, 1, 1, 2, 7],
}


def test_handwritten_f2021_pdf_style_text() -> None:
    r = parse_text(F2021_STREAM, input_kind="pdf")
    assert r.form == Form.F2021
    assert r.title == "某某区市场监督管理局2023年政府信息公开工作年度报告"
    assert (r.agency, r.year) == ("某某区市场监督管理局", 2023)
    assert r.period == "本年度报告数据统计期限为2023年1月1日至2023年12月31日。"
    assert all(s.present for s in r.sections.values())
    t2, t3, t4 = all_values(r)
    assert t2 == {
        "regulations": {"issued": 1, "repealed": 2, "in_force": 3},
        "normative_documents": {"issued": 4, "repealed": 5, "in_force": 6},
        "licensing": {"decisions": 1234},
        "penalty": {"decisions": 56},
        "coercion": {"decisions": 7},
        "fees": {"amount_wan_yuan": Decimal("12.5")},
    }
    assert isinstance(r.proactive["fees"]["amount_wan_yuan"].value, Decimal)
    assert t3 == F2021_STREAM_T3
    assert t4 == {
        "review": [1, 2, 3, 4, 10],
        "suit_direct": [5, 6, 7, 8, 26],
        "suit_after_review": [9, 10, 11, 12, 42],
    }
    assert [p for p in r.problems if p.where.startswith("table")] == []


# A hand-written F2019 report as a tab-separated copy-out (one (六)其他处理 row).
F2019_TSV = "\n".join(
    [
        "某某镇人民政府2020年政府信息公开工作年度报告",
        "依据《国务院办公厅政府信息与政务公开办公室关于印发<中华人民共和国政府信息公开工作年度报告格式>的通知》（国办公开办函〔2019〕60号）编制。",
        "一、总体情况",
        "本镇依法公开政府信息。",
        "二、主动公开政府信息情况",
        "第二十条第（一）项\t\t\t",
        "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
        "规章\t/\t/\t/",
        "规范性文件\t3\t2\t15",
        "第二十条第（五）项\t\t\t",
        "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
        "行政许可\t12\t-2\t340",
        "其他对外管理服务事项\t4\t1\t25",
        "第二十条第（六）项\t\t\t",
        "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
        "行政处罚\t8\t0\t19",
        "行政强制\t2\t\t6",
        "第二十条第（八）项\t\t\t",
        "信息内容\t上一年项目数量\t本年增/减\t",
        "行政事业性收费\t1\t0\t",
        "第二十条第（九）项\t\t\t",
        "信息内容\t采购项目数量\t采购总金额\t",
        "政府集中采购\t3\t251000元\t",
        "三、收到和处理政府信息公开申请情况",
        "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t\t申请人情况",
        "自然人\t法人或其他组织\t总计",
        "商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他",
        "一、本年新收政府信息公开申请数量\t9\t2\t0\t1\t0\t0\t12",
        "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
        "三、本年度办理结果\t(一) 予以公开\t4\t1\t0\t0\t0\t0\t5",
        "(二) 部分公开（区分处理的，只计这一情形，不计其他情形）\t1\t0\t0\t0\t0\t0\t1",
        "(三) 不予公开\t1. 属于国家秘密\t0\t0\t0\t0\t0\t0\t0",
        "2. 其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0",
        "3. 危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0",
        "4. 保护第三方合法权益\t1\t0\t0\t0\t0\t0\t1",
        "5. 属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0",
        "6. 属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0",
        "7. 属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0",
        "8. 属于行政查询事项\t0\t0\t0\t0\t0\t0\t0",
        "(四) 无法提供\t1. 本机关不掌握相关政府信息\t2\t0\t0\t1\t0\t0\t3",
        "2. 没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0",
        "3. 补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0",
        "(五) 不予处理\t1. 信访举报投诉类申请\t1\t0\t0\t0\t0\t0\t1",
        "2. 重复申请\t0\t0\t0\t0\t0\t0\t0",
        "3. 要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0",
        "4. 无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0",
        "5. 要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0",
        "(六) 其他处理\t1\t1\t0\t0\t0\t0\t2",
        "(七) 总计\t10\t2\t0\t1\t0\t0\t13",
        "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0",
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t\t\t\t\t行政诉讼",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0",
        "五、存在的主要问题及改进情况",
        "队伍建设有待加强。",
        "六、其他需要报告的事项",
        "无。",
    ]
)


def test_handwritten_f2019_copy_out() -> None:
    r = parse_text(F2019_TSV)
    assert r.form == Form.F2019
    assert (r.agency, r.year) == ("某某镇人民政府", 2020)
    assert set(r.requests) >= {"other_processing"} and "other_misc" not in r.requests
    assert len(r.requests) == 23
    p = {row: {c: cell.value for c, cell in cells.items()} for row, cells in r.proactive.items()}
    assert p["regulations"] == {
        "issued": None,
        "repealed": None,
        "in_force": None,
        "made": None,
        "published": None,
        "public_total": None,
    }
    assert p["normative_documents"]["made"] == 3
    assert p["normative_documents"]["published"] == 2
    assert p["normative_documents"]["public_total"] == 15
    assert p["licensing"] == {"decisions": 340, "previous_items": 12, "change": -2}
    assert p["other_services"] == {"previous_items": 4, "change": 1, "decisions": 25}
    assert p["penalty"] == {"decisions": 19, "previous_items": 8, "change": 0}
    assert p["coercion"] == {"decisions": 6, "previous_items": 2, "change": None}
    assert p["fees"] == {"amount_wan_yuan": None, "previous_items": 1, "change": 0}
    assert p["procurement"] == {"projects": 3, "amount": Decimal("251000")}
    assert r.proactive["procurement"]["amount"].raw == "251000元"
    assert r.proactive["regulations"]["made"].raw == "/"
    t3 = {row: [c.value for c in cells.values()] for row, cells in r.requests.items()}
    assert t3["new"] == [9, 2, 0, 1, 0, 0, 12]
    assert t3["carried_over"] == [1, 0, 0, 0, 0, 0, 1]
    assert t3["granted"] == [4, 1, 0, 0, 0, 0, 5]
    assert t3["partly_granted"] == [1, 0, 0, 0, 0, 0, 1]
    assert t3["refused_third_party"] == [1, 0, 0, 0, 0, 0, 1]
    assert t3["unable_not_held"] == [2, 0, 0, 1, 0, 0, 3]
    assert t3["unprocessed_petition"] == [1, 0, 0, 0, 0, 0, 1]
    assert t3["other_processing"] == [1, 1, 0, 0, 0, 0, 2]
    assert t3["outcome_total"] == [10, 2, 0, 1, 0, 0, 13]
    assert t3["carried_forward"] == [0] * 7
    zero_rows = set(t3) - {
        "new", "carried_over", "granted", "partly_granted", "refused_third_party", "unable_not_held",
        "unprocessed_petition", "other_processing", "outcome_total",
    }  # fmt: skip
    assert len(zero_rows) == 14
    assert all(t3[k] == [0] * 7 for k in zero_rows)
    assert r.t4("review", "upheld") == 1 and r.t4("review", "total") == 1
    assert [p for p in r.problems if p.where.startswith("table")] == []
