"""HTML pages as portals publish them: noise around the body, <br> in labels, &nbsp;
blanks, a table split at a page break with its group label repeated."""

from __future__ import annotations

from reports.form import Form
from reports.parse import parse_document
from tests.known import known

from .helpers import t2_values, t3_values, t4_values

ZERO7 = "<td>0</td>" * 7


def _row(*labels: str, vals: str = ZERO7) -> str:
    return "<tr>" + "".join(labels) + vals + "</tr>"


PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>新华区教育局2024年政府信息公开工作年度报告-平顶山市新华区人民政府</title></head>
<body>
<div class="header"><ul><li><a href="/">首页</a></li><li>政务公开</li></ul>
<p>热点：2023年政府信息公开工作年度报告</p></div>
<table width="1000"><tr><td>
  <div class="bt">新华区教育局2024年政府信息公开工作年度报告</div>
  <div class="zw">
  <p><b>一、总体情况</b></p><p>本局严格落实《条例》。</p>
  <p><b>二、主动公开政府信息情况</b></p>
  <table border="1">
    <tr><td colspan="4">第二十条第（一）项</td></tr>
    <tr><td>信息内容</td><td>本年<br/>制发件数</td><td>本年<br/>废止件数</td><td>现行<br/>有效件数</td></tr>
    <tr><td>规章</td><td>&nbsp;</td><td>/</td><td>—</td></tr>
    <tr><td>行政规范性文件</td><td>2</td><td>1</td><td>9</td></tr>
    <tr><td colspan="4">第二十条第（五）项</td></tr>
    <tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
    <tr><td>行政许可</td><td colspan="3">118</td></tr>
    <tr><td colspan="4">第二十条第（六）项</td></tr>
    <tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
    <tr><td>行政处罚</td><td colspan="3">3</td></tr>
    <tr><td>行政强制</td><td colspan="3">&nbsp;</td></tr>
    <tr><td colspan="4">第二十条第（八）项</td></tr>
    <tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
    <tr><td>行政事业性收费</td><td colspan="3">0.35</td></tr>
  </table>
  <p><b>三、收到和处理政府信息公开申请情况</b></p>
  <table border="1">
    <tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
        <td colspan="7">申请人情况</td></tr>
    <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
    <tr><td>商业<br/>企业</td><td>科研<br/>机构</td><td>社会公益<br/>组织</td><td>法律服务<br/>机构</td><td>其他</td></tr>
    {
    _row(
        '<td colspan="3">一、本年新收政府信息公开申请数量</td>',
        vals="<td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td>",
    )
}
    {_row('<td colspan="3">二、上年结转政府信息公开申请数量</td>')}
    {
    _row(
        '<td rowspan="14">三、本年度办理结果</td>',
        '<td colspan="2">（一）予以公开</td>',
        vals="<td>3</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>4</td>",
    )
}
    {_row('<td colspan="2">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>')}
    {_row('<td rowspan="8">（三）不予公开</td>', "<td>1.属于国家秘密</td>")}
    {_row("<td>2.其他法律行政法规禁止公开</td>")}
    {_row("<td>3.危及“三安全一稳定”</td>")}
    {_row("<td>4.保护第三方合法权益</td>")}
    {_row("<td>5.属于三类内部事务信息</td>")}
    {_row("<td>6.属于四类过程性信息</td>")}
    {_row("<td>7.属于行政执法案卷</td>")}
    {_row("<td>8.属于行政查询事项</td>")}
    {
    _row(
        '<td rowspan="3">（四）无法提供</td>',
        "<td>1.本机关不掌握相关政府信息</td>",
        vals="<td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td>",
    )
}
    {_row("<td>2.没有现成信息需要另行制作</td>")}
    {_row("<td>3.补正后申请内容仍不明确</td>")}
  </table>
  <p style="page-break-before:always"></p>
  <table border="1">
    {
    _row(
        '<td rowspan="10">三、本年度办理结果</td>',
        '<td rowspan="5">（五）不予处理</td>',
        "<td>1.信访举报投诉类申请</td>",
    )
}
    {_row("<td>2.重复申请</td>")}
    {_row("<td>3.要求提供公开出版物</td>")}
    {_row("<td>4.无正当理由大量反复申请</td>")}
    {_row("<td>5.要求行政机关确认或重新出具已获取信息</td>")}
    {
    _row(
        '<td rowspan="3">（六）其他处理</td>',
        "<td>1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请</td>",
    )
}
    {_row("<td>2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请</td>")}
    {_row("<td>3.其他</td>")}
    {
    _row(
        '<td colspan="2">（七）总计</td>',
        vals="<td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td>",
    )
}
    {_row('<td colspan="3">四、结转下年度继续办理</td>')}
  </table>
  <p><b>四、政府信息公开行政复议、行政诉讼情况</b></p>
  <table border="1">
    <tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
    <tr><td rowspan="2">结果<br>维持</td><td rowspan="2">结果<br>纠正</td><td rowspan="2">其他<br>结果</td>
        <td rowspan="2">尚未<br>审结</td><td rowspan="2">总计</td>
        <td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
    <tr><td>结果<br>维持</td><td>结果<br>纠正</td><td>其他<br>结果</td><td>尚未<br>审结</td><td>总计</td>
        <td>结果<br>维持</td><td>结果<br>纠正</td><td>其他<br>结果</td><td>尚未<br>审结</td><td>总计</td></tr>
    <tr>{"<td>0</td>" * 3}<td>1</td><td>1</td>{"<td>0</td>" * 10}</tr>
  </table>
  <p><b>五、存在的主要问题及改进情况</b></p><p>公开内容还不够丰富。</p>
  <p><b>六、其他需要报告的事项</b></p><p>本年度未收取信息处理费。</p>
  </div>
</td></tr></table>
<div class="footer">网站标识码：4104020001 豫ICP备00000000号</div>
</body></html>"""


def test_portal_page() -> None:
    r = parse_document(PAGE.encode("utf-8"), content_type="text/html; charset=utf-8")
    assert r.input_kind == "html"
    assert r.title == "新华区教育局2024年政府信息公开工作年度报告"
    assert (r.agency, r.year, r.form) == ("新华区教育局", 2024, Form.F2021)
    assert all(s.present for s in r.sections.values())
    assert "热点" not in r.text and "网站标识码" not in r.text
    assert t2_values(r)["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert t2_values(r)["normative_documents"] == {"issued": 2, "repealed": 1, "in_force": 9}
    assert r.t2("licensing", "decisions") == 118
    assert r.t2("penalty", "decisions") == 3
    assert r.t2("coercion", "decisions") is None
    assert str(r.t2("fees", "amount_wan_yuan")) == "0.35"
    t3 = t3_values(r)
    assert t3["new"] == [5, 1, 0, 0, 0, 0, 6]
    assert t3["granted"] == [3, 1, 0, 0, 0, 0, 4]
    assert t3["unable_not_held"] == [2, 0, 0, 0, 0, 0, 2]
    assert t3["outcome_total"] == [5, 1, 0, 0, 0, 0, 6]
    others = set(t3) - {"new", "granted", "unable_not_held", "outcome_total"}
    assert len(others) == 21 and all(t3[k] == [0] * 7 for k in others)
    assert t4_values(r) == {"review": [0, 0, 0, 1, 1], "suit_direct": [0] * 5, "suit_after_review": [0] * 5}
    # Provenance: HTML table index, row and column.
    cell = r.requests["other_misc"]["total"]
    assert (known(cell.source).table, known(cell.source).row, known(cell.source).col) == (2, 7, 9)
    cell = r.requests["new"]["natural_person"]
    assert (known(cell.source).table, known(cell.source).row, known(cell.source).col) == (1, 3, 3)
    assert [p for p in r.problems if p.where.startswith("table")] == []


def test_table_four_printed_with_every_cell_blank_is_found_and_said_blank() -> None:
    """Found by hypothesis: a blank table 四 has no data row left after parsing, and was
    reported as not found, while blank tables 二 and 三 were found and said blank."""
    from replicas.form_render import render_html, render_text
    from reports.checks import run_checks
    from reports.form import SECTION_KEYS, SECTION_LABELS
    from reports.model import ParsedReport, Section

    for form in (Form.F2021, Form.F2019):
        blank = ParsedReport(
            form=form, year=2024, agency="湛河区工信局", title="湛河区工信局2024年政府信息公开工作年度报告"
        )
        blank.sections = {
            k: Section(present=True, heading=SECTION_LABELS[k], text="正文。") for k in SECTION_KEYS
        }
        blank.requests = ParsedReport.empty_table3(form)
        for out in (
            parse_document(render_html(blank).encode("utf-8"), content_type="text/html"),
            parse_document(render_text(blank).encode("utf-8"), content_type="text/plain"),
        ):
            assert out.tables_found["review_litigation"], (form, out.input_kind)
            assert [p for p in out.problems if p.where.startswith("table4")] == []
            assert all(v is None for row in t4_values(out).values() for v in row)
            (t4,) = [f for f in run_checks(out) if f.rule == "T4-SUM"]
            assert t4.status == "cannot_assess" and "表四所有单元格均为空白" in t4.message


def test_a_section_four_without_its_table_is_still_not_found() -> None:
    page = (
        PAGE.split("<p><b>四、")[0]
        + "<p><b>四、政府信息公开行政复议、行政诉讼情况</b></p><p>无。</p></div></td></tr></table></body></html>"
    )
    out = parse_document(page.encode("utf-8"), content_type="text/html")
    assert not out.tables_found["review_litigation"]
    assert any(p.where == "table4" and "未找到" in p.reason for p in out.problems)
