"""The standard annual-report form: canonical keys and labels for every cell.

One place holds the shape of the national template (国办公开办函〔2021〕30号, "F2021")
and of its predecessor (〔2019〕60号, "F2019"), so that parsers, checks, storage and
output all speak the same keys as ``shared/spec/annual-report.md`` §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Form(StrEnum):
    F2021 = "F2021"
    F2019 = "F2019"
    # Seen in some districts' 2023/2024 reports: the F2021 tables, except that table 三
    # keeps F2019's single (六)其他处理 row instead of the three F2021 rows.
    F2021_HYBRID = "F2021-hybrid"
    PRE2019 = "pre2019"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    # Distinctive label fragments; a row matches when any of them occurs in its
    # (whitespace-free) label text. Ordered from most to least specific.
    markers: tuple[str, ...]


# --- Section headings (spec §2) -------------------------------------------------

SECTION_KEYS: tuple[str, ...] = (
    "overview",
    "proactive",
    "requests",
    "review_litigation",
    "problems",
    "other",
)

SECTION_LABELS: dict[str, str] = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}

# --- Table 二: 主动公开政府信息情况 ------------------------------------------------

TABLE2_ROWS: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount_wan_yuan",),
}

TABLE2_ROW_LABELS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
}

TABLE2_CELL_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_wan_yuan": "本年收费金额（单位：万元）",
}

# Cells holding money (a non-negative decimal), not counts.
DECIMAL_CELLS: frozenset[tuple[str, str]] = frozenset({("fees", "amount_wan_yuan")})

# --- Table 三: 收到和处理政府信息公开申请情况 ------------------------------------

TABLE3_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
TABLE3_APPLICANT_COLUMNS: tuple[str, ...] = TABLE3_COLUMNS[:-1]

TABLE3_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

_T3_HEAD = (
    RowSpec("new", "一、本年新收政府信息公开申请数量", ("本年新收",)),
    RowSpec("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    RowSpec("granted", "三(一) 予以公开", ("予以公开",)),
    RowSpec("partly_granted", "三(二) 部分公开", ("部分公开",)),
    RowSpec("refused_state_secret", "三(三)1 属于国家秘密", ("国家秘密",)),
    RowSpec(
        "refused_prohibited_by_law", "三(三)2 其他法律行政法规禁止公开", ("法律行政法规禁止", "禁止公开")
    ),
    RowSpec("refused_security_stability", "三(三)3 危及“三安全一稳定”", ("三安全一稳定", "三安全")),
    RowSpec("refused_third_party", "三(三)4 保护第三方合法权益", ("第三方合法权益", "第三方")),
    RowSpec("refused_internal_affairs", "三(三)5 属于三类内部事务信息", ("内部事务",)),
    RowSpec("refused_process_info", "三(三)6 属于四类过程性信息", ("过程性信息", "过程性")),
    RowSpec("refused_enforcement_file", "三(三)7 属于行政执法案卷", ("执法案卷",)),
    RowSpec("refused_query", "三(三)8 属于行政查询事项", ("行政查询", "查询事项")),
    RowSpec("unable_not_held", "三(四)1 本机关不掌握相关政府信息", ("不掌握",)),
    RowSpec("unable_needs_creation", "三(四)2 没有现成信息需要另行制作", ("另行制作", "没有现成")),
    RowSpec("unable_unclear", "三(四)3 补正后申请内容仍不明确", ("仍不明确", "补正后")),
    RowSpec("unprocessed_petition", "三(五)1 信访举报投诉类申请", ("信访举报", "投诉类")),
    RowSpec("unprocessed_repeat", "三(五)2 重复申请", ("重复申请",)),
    RowSpec("unprocessed_publication", "三(五)3 要求提供公开出版物", ("公开出版物", "出版物")),
    RowSpec("unprocessed_excessive", "三(五)4 无正当理由大量反复申请", ("大量反复", "反复申请")),
    RowSpec(
        "unprocessed_confirmation",
        "三(五)5 要求行政机关确认或重新出具已获取信息",
        ("重新出具", "确认或重新"),
    ),
)

_T3_OTHER_F2021 = (
    RowSpec(
        "other_no_correction",
        "三(六)1 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正", "不补正"),
    ),
    RowSpec(
        "other_fee_unpaid",
        "三(六)2 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("缴纳费用", "收费通知"),
    ),
    RowSpec("other_misc", "三(六)3 其他", ("其他",)),
)

# F2019 has one row for (六)其他处理. Its key is F2019-only.
_T3_OTHER_F2019 = (RowSpec("other_processing", "三(六) 其他处理", ("其他处理",)),)

_T3_TAIL = (
    RowSpec("outcome_total", "三(七) 总计", ("总计",)),
    RowSpec("carried_forward", "四、结转下年度继续办理", ("结转下年度", "继续办理")),
)

TABLE3_ROWS_F2021: tuple[RowSpec, ...] = _T3_HEAD + _T3_OTHER_F2021 + _T3_TAIL
TABLE3_ROWS_F2019: tuple[RowSpec, ...] = _T3_HEAD + _T3_OTHER_F2019 + _T3_TAIL

# The rows that a report's (七)总计 adds up.
OUTCOME_ROWS_F2021: tuple[str, ...] = tuple(r.key for r in TABLE3_ROWS_F2021[2:-2])
OUTCOME_ROWS_F2019: tuple[str, ...] = tuple(r.key for r in TABLE3_ROWS_F2019[2:-2])

TABLE3_ROW_LABELS: dict[str, str] = {r.key: r.label for r in (*TABLE3_ROWS_F2021, *_T3_OTHER_F2019)}

# --- Table 四: 行政复议、行政诉讼 -----------------------------------------------

TABLE4_GROUPS: tuple[str, ...] = ("review", "suit_direct", "suit_after_review")
TABLE4_CELLS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
TABLE4_GROUP_LABELS: dict[str, str] = {
    "review": "行政复议",
    "suit_direct": "行政诉讼·未经复议直接起诉",
    "suit_after_review": "行政诉讼·复议后起诉",
}
TABLE4_CELL_LABELS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


# Forms whose table 三 has the single (六)其他处理 row.
SINGLE_OTHER_FORMS = frozenset({Form.F2019, Form.F2021_HYBRID})


def table3_rows(form: Form) -> tuple[RowSpec, ...]:
    """The row set of table 三 for a form (F2019 and the hybrid differ only in (六))."""
    return TABLE3_ROWS_F2019 if form in SINGLE_OTHER_FORMS else TABLE3_ROWS_F2021


def outcome_rows(form: Form) -> tuple[str, ...]:
    return OUTCOME_ROWS_F2019 if form in SINGLE_OTHER_FORMS else OUTCOME_ROWS_F2021


def other_rows(form: Form) -> tuple[str, ...]:
    """The (六)其他处理 row(s) of table 三."""
    return ("other_processing",) if form in SINGLE_OTHER_FORMS else OUTCOME_ROWS_F2021[-3:]


# --- Additions for the parser (reports/parse) -------------------------------------

# Label fragments that identify a table-二 row (both forms), most specific first.
TABLE2_ROW_MARKERS: dict[str, tuple[str, ...]] = {
    "regulations": ("规章",),
    "normative_documents": ("规范性文件",),
    "licensing": ("行政许可",),
    "other_services": ("其他对外管理服务事项", "对外管理服务"),
    "penalty": ("行政处罚",),
    "coercion": ("行政强制",),
    "fees": ("行政事业性收费", "事业性收费"),
    "procurement": ("政府集中采购", "集中采购"),
}

# F2019 table 二 (〔2019〕60号). Rows shared with F2021 keep their keys; the cells differ,
# except 处理决定数量 which is the same figure as F2021's `decisions`.
TABLE2_ROWS_F2019: dict[str, tuple[str, ...]] = {
    "regulations": ("made", "published", "public_total"),
    "normative_documents": ("made", "published", "public_total"),
    "licensing": ("previous_items", "change", "decisions"),
    "other_services": ("previous_items", "change", "decisions"),
    "penalty": ("previous_items", "change", "decisions"),
    "coercion": ("previous_items", "change", "decisions"),
    "fees": ("previous_items", "change"),
    "procurement": ("projects", "amount"),
}

TABLE2_ROW_LABELS_F2019: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}

TABLE2_CELL_LABELS_F2019: dict[str, str] = {
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "public_total": "对外公开总数量",
    "previous_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
    "amount": "采购总金额",
}

# F2019 money cell; printed with a unit (「251000元」), read as the number.
DECIMAL_CELLS_F2019: frozenset[tuple[str, str]] = frozenset({("procurement", "amount")})

# Table-二 blocks (第二十条第（X）项) and their rows, in printed order.
TABLE2_BLOCKS_F2021: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("第二十条第（一）项", ("regulations", "normative_documents")),
    ("第二十条第（五）项", ("licensing",)),
    ("第二十条第（六）项", ("penalty", "coercion")),
    ("第二十条第（八）项", ("fees",)),
)
TABLE2_BLOCKS_F2019: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("第二十条第（一）项", ("regulations", "normative_documents")),
    ("第二十条第（五）项", ("licensing", "other_services")),
    ("第二十条第（六）项", ("penalty", "coercion")),
    ("第二十条第（八）项", ("fees",)),
    ("第二十条第（九）项", ("procurement",)),
)


def table2_rows(form: Form) -> dict[str, tuple[str, ...]]:
    """Row → cell keys of table 二 for a form."""
    return TABLE2_ROWS_F2019 if form == Form.F2019 else TABLE2_ROWS


def table2_blocks(form: Form) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return TABLE2_BLOCKS_F2019 if form == Form.F2019 else TABLE2_BLOCKS_F2021


def table2_decimal_cells(form: Form) -> frozenset[tuple[str, str]]:
    return DECIMAL_CELLS_F2019 if form == Form.F2019 else DECIMAL_CELLS
