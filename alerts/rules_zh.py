"""Chinese titles for rule ids (spec §4), so every message names the rule in words the office uses.

A finding's payload may carry its own ``rule_title``; this table is the fallback."""

from __future__ import annotations

RULE_TITLES: dict[str, str] = {
    "T3-BALANCE": "表三收支平衡（新收+上年结转=办理结果总计+结转下年度）",
    "T3-OUTCOME-SUM": "表三办理结果合计",
    "T3-ROW-SUM": "表三申请人各列合计",
    "T4-SUM": "表四行政复议、行政诉讼合计",
    "NUM-RANGE": "数值范围",
    "SECTIONS": "六部分内容齐全、顺序正确",
    "TABLES": "表二、表三、表四以表格形式公开",
    "FORMAT-VERSION": "年报格式版本",
    "YEAR": "年度一致",
    "YEAR-PLAN": "改进计划年份",
    "TEXT-TABLE": "正文与表格数据一致",
    "FEE-STATEMENT": "信息处理费说明",
    "REGULATIONS-LEVEL": "规章制定权",
    "OTHER-SHARE": "“其他处理”占比",
    "OVERVIEW-LENGTH": "总体情况篇幅",
    "CARRY-OVER": "上年结转与上年度结转下年度一致",
    "STOCK-FLOW": "行政规范性文件现行有效件数",
    "REPEATED-TEXT": "存在问题及改进情况年年雷同",
    "CHANGED-AFTER-PUBLICATION": "发布后内容被修改",
    "MISSING": "未按期发布年报",
    "LATE": "逾期发布年报",
}

SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

KIND_ZH: dict[str, str] = {
    "finding": "年报问题",
    "missing": "未发布",
    "late": "逾期发布",
    "published": "已发布",
    "resolved": "问题已整改",
    "health": "无法检查",
    "health_recovered": "恢复检查",
    "test": "测试消息",
}


def rule_title(rule: str | None) -> str:
    """The Chinese title of ``rule``, or the id itself when unknown."""
    if not rule:
        return ""
    return RULE_TITLES.get(rule, rule)
