"""Short synthetic annual reports in the same tab-separated style as the seeds.

Used for the agencies and years the seeds do not cover (2023 reports, the district
government office). Figures are internally consistent: table 三's columns sum to 总计 and
一 + 二 = 三(七) + 四; the 总体情况 text quotes the same numbers as the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Table 三 rows: (label cells before the numbers, key)
T3_ROWS: list[tuple[tuple[str, ...], str]] = [
    (("一、本年新收政府信息公开申请数量", ""), "new"),
    (("二、上年结转政府信息公开申请数量", ""), "carried_in"),
    (("三、本年度办理结果", "(一) 予以公开"), "open"),
    (("", "(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)"), "partial"),
    (("", "(三) 不予公开", "1. 属于国家秘密"), "deny_secret"),
    (("", "", "2. 其他法律行政法规禁止公开"), "deny_law"),
    (("", "", "3. 危及“三安全一稳定”"), "deny_safety"),
    (("", "", "4. 保护第三方合法权益"), "deny_third"),
    (("", "", "5. 属于三类内部事务信息"), "deny_internal"),
    (("", "", "6. 属于四类过程性信息"), "deny_process"),
    (("", "", "7. 属于行政执法案卷"), "deny_enforce"),
    (("", "", "8. 属于行政查询事项"), "deny_query"),
    (("", "(四) 无法提供", "1. 本机关不掌握相关政府信息"), "na_nohold"),
    (("", "", "2. 没有现成信息需要另行制作"), "na_make"),
    (("", "", "3. 补正后申请内容仍不明确"), "na_unclear"),
    (("", "(五) 不予处理", "1. 信访举报投诉类申请"), "np_petition"),
    (("", "", "2. 重复申请"), "np_repeat"),
    (("", "", "3. 要求提供公开出版物"), "np_pub"),
    (("", "", "4. 无正当理由大量反复申请"), "np_mass"),
    (("", "", "5. 要求行政机关确认或重新出具已获取信息"), "np_confirm"),
    (
        ("", "(六) 其他处理", "1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        "other_nocorrect",
    ),
    (("", "", "2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"), "other_nofee"),
    (("", "", "3. 其他"), "other_other"),
]
RESULT_KEYS = [k for _, k in T3_ROWS if k not in ("new", "carried_in")]
ZERO6 = (0, 0, 0, 0, 0, 0)


@dataclass
class Figures:
    """Everything a report's tables say. t3 rows are 6-tuples: 自然人 + five 法人 columns."""

    rules_made: int = 0
    rules_repealed: int = 0
    rules_valid: int = 0
    norms_made: int = 0
    norms_repealed: int = 0
    norms_valid: int = 0
    licences: int = 0
    penalties: int = 0
    enforcement: int = 0
    fees_wan: str = "0"
    published: int = 0  # 主动公开 items, quoted in the text
    t3: dict[str, tuple[int, ...]] = field(default_factory=dict)
    carried_out: tuple[int, ...] = ZERO6
    review: tuple[int, int, int, int] = (0, 0, 0, 0)  # 行政复议 维持/纠正/其他/尚未审结

    def row(self, key: str) -> tuple[int, ...]:
        return self.t3.get(key, ZERO6)

    def results_total(self) -> tuple[int, ...]:
        return tuple(sum(self.row(k)[i] for k in RESULT_KEYS) for i in range(6))

    def check(self) -> None:
        """Raise if 一 + 二 != 三(七) + 四 in any column."""
        results = self.results_total()
        for i in range(6):
            if self.row("new")[i] + self.row("carried_in")[i] != results[i] + self.carried_out[i]:
                raise ValueError(f"table 三 does not balance in column {i}")


def _nums(values: tuple[int, ...]) -> list[str]:
    return [str(v) for v in values] + [str(sum(values))]


def _table2(f: Figures) -> list[str]:
    return [
        "第二十条第（一）项\t\t\t",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        f"规章\t{f.rules_made}\t{f.rules_repealed}\t{f.rules_valid}",
        f"行政规范性文件\t{f.norms_made}\t{f.norms_repealed}\t{f.norms_valid}",
        "第二十条第（五）项\t\t\t",
        "信息内容\t本年处理决定数量\t\t",
        f"行政许可\t{f.licences}\t\t",
        "第二十条第（六）项\t\t\t",
        "信息内容\t本年处理决定数量\t\t",
        f"行政处罚\t{f.penalties}\t\t",
        f"行政强制\t{f.enforcement}\t\t",
        "第二十条第（八）项\t\t\t",
        "信息内容\t本年收费金额（单位：万元）\t\t",
        f"行政事业性收费\t{f.fees_wan}\t\t",
    ]


def _table3(f: Figures) -> list[str]:
    lines = [
        "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况\t\t\t\t\t\t总计\t",
        "\t\t自然人\t法人或其他组织\t\t\t\t\t\t",
        "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t",
    ]
    for labels, key in T3_ROWS:
        tail = "\t" if len(labels) == 2 else ""  # the seeds' copy-outs end two-label rows with a tab
        lines.append("\t".join([*labels, *_nums(f.row(key))]) + tail)
    lines.append("\t".join(["(七) 总计", "", *_nums(f.results_total())]) + "\t")
    lines.append("\t".join(["四、结转下年度继续办理", "", *_nums(f.carried_out)]) + "\t")
    return lines


def _table4(f: Figures) -> list[str]:
    review = [*f.review, sum(f.review)]
    return [
        "行政复议\t\t\t\t\t行政诉讼\t\t\t\t\t\t\t\t\t",
        "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
        "\t\t\t\t\t结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计",
        "\t".join(str(v) for v in [*review, *([0] * 10)]),
    ]


def synthetic_report(agency: str, year: int, f: Figures, district: str) -> str:
    """A complete short report in the seeds' tab-separated copy-out style."""
    f.check()
    new_total = sum(f.row("new"))
    carried = sum(f.row("carried_in"))
    opened = sum(f.row("open"))
    out_total = sum(f.carried_out)
    review_total = sum(f.review)
    if new_total:
        apply_text = (
            f"{year}年，我单位共收到政府信息公开申请{new_total}件，上年结转{carried}件；"
            f"予以公开{opened}件，结转下年度继续办理{out_total}件。"
        )
    else:
        apply_text = f"{year}年，我单位未收到政府信息公开申请。"
    review_text = (
        f"因政府信息公开被申请行政复议{review_total}件，未被提起行政诉讼。"
        if review_total
        else "未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。"
    )
    lines = [
        "",
        f"# {agency}{year}年政府信息公开工作年度报告",
        "",
        "## 一、总体情况",
        "",
        f"本报告依据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号要求编制，"
        f"所列数据统计期限为{year}年1月1日至12月31日。",
        "",
        f"（一）主动公开情况。{year}年，我单位通过{district}人民政府门户网站主动公开政府信息{f.published}条。",
        "",
        f"（二）依申请公开情况。{apply_text}{review_text}",
        "",
        "（三）政府信息管理情况。严格落实信息发布保密审查制度，做到先审后发。",
        "",
        "（四）政府信息公开平台建设情况。依托区政府门户网站政府信息公开专栏及时更新内容。",
        "",
        "（五）监督保障情况。明确分管领导和专人负责，定期开展自查整改。",
        "",
        "## 二、主动公开政府信息情况",
        "",
        *_table2(f),
        "",
        "## 三、收到和处理政府信息公开申请情况",
        "",
        *_table3(f),
        "",
        "## 四、政府信息公开行政复议、行政诉讼情况",
        "",
        *_table4(f),
        "",
        "## 五、存在的主要问题及改进情况",
        "",
        "公开内容的及时性和解读质量仍需提升。下一步将加强业务培训，完善发布审核流程。",
        "",
        "## 六、其他需要报告的事项",
        "",
        "本年度未收取政府信息公开信息处理费。",
        "",
    ]
    return "\n".join(lines)
