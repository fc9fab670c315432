"""Random valid reports, rendered by our renderer and flattened as real text is (issue 15).

Every cell the parser reads equals the truth or is blank — never a different number; when
the flattened table 三 has exactly one decoding that satisfies the form's identities (found
here by brute force, independently of the parser's search), every cell of it is read. With
an identity broken on purpose, the arithmetic rule still fires with the printed figures.

Flattened text keeps no trace of an empty cell, so the truth's tables 三 and 四 have no
blank cells (the form asks for 0); table 二 does have blanks, which must never be filled.
"""

from __future__ import annotations

import itertools
import math
import random
import re

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from replicas.flatten import WAYS, flatten, flatten_lines
from replicas.samples import AGENCIES, sample_report
from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.form import (
    SECTION_KEYS,
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_COLUMNS,
    TABLE4_CELLS,
    Form,
    outcome_rows,
    table3_rows,
)
from reports.model import Cell, ParsedReport
from reports.parse import parse_text
from tests.known import known

from .helpers import all_values

MAX_PRODUCT = 4096  # assignments the brute-force oracle enumerates; beyond, completeness is not asserted


@st.composite
def reports(draw: st.DrawFn, sparse: bool = False) -> ParsedReport:
    """A valid F2021 or hybrid report (``replicas.samples``)."""
    form = draw(st.sampled_from([Form.F2021, Form.F2021_HYBRID]))
    year = draw(st.integers(2021, 2025))
    agency = draw(st.sampled_from(AGENCIES))
    rnd = draw(st.randoms(use_true_random=False))
    return sample_report(rnd, form, agency=agency, year=year, sparse=sparse)


# --- an independent oracle: what was printed per row, and every consistent decoding ------


def _runs(pieces: list[str], start: str, end: str) -> list[list[str]]:
    """The figure runs printed at the end of each piece between two headings."""
    a = next(i for i, p in enumerate(pieces) if p.replace(" ", "").startswith(start))
    b = next(i for i, p in enumerate(pieces) if p.replace(" ", "").startswith(end))
    out = []
    for p in pieces[a + 1 : b]:
        tail = known(re.search(r"[\d ]*$", p)).group().split()
        if tail:
            out.append(tail)
    return out


def _splits(tokens: list[str], n: int, sums: list[tuple[range, int]]) -> list[tuple[int, ...]] | None:
    """Every cut of the tokens into n cells (no leading zeros, ≤6 digits) whose sums hold."""
    digits = "".join(tokens)
    bounds = set(itertools.accumulate(len(t) for t in tokens))
    inner = [i for i in range(1, len(digits)) if i not in bounds]
    need = n - len(tokens)
    if need < 0 or need > len(inner):
        return []
    if math.comb(len(inner), need) > 100_000:
        return None  # too many to enumerate here
    out = []
    for cuts in itertools.combinations(inner, need):
        edges = [0, *sorted({*cuts, *bounds})]
        parts = [digits[x:y] for x, y in itertools.pairwise(edges)]
        if any(len(p) > 6 or (len(p) > 1 and p[0] == "0") for p in parts):
            continue
        vals = tuple(map(int, parts))
        if all(sum(vals[i] for i in rng) == vals[t] for rng, t in sums):
            out.append(vals)
    return out


def _t3_candidates(report: ParsedReport, pieces: list[str]) -> dict[str, list[tuple[int, ...]] | None]:
    runs = _runs(pieces, "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议")
    keys = [s.key for s in table3_rows(report.form)]
    assert len(runs) == len(keys)
    return {key: _splits(tokens, 7, [(range(6), 6)]) for key, tokens in zip(keys, runs, strict=True)}


def _consistent(report: ParsedReport, found: dict[str, list[tuple[int, ...]] | None]) -> int | None:
    """Assignments satisfying every column identity; None when too many to enumerate."""
    cands = {k: v for k, v in found.items() if v is not None}
    if len(cands) < len(found):
        return None
    keys = list(cands)
    sizes = [len(cands[k]) for k in keys]
    product = 1
    for s in sizes:
        product *= s
    if product > MAX_PRODUCT:
        return None
    outcome = outcome_rows(report.form)
    count = 0
    for combo in itertools.product(*(cands[k] for k in keys)):
        rows = dict(zip(keys, combo, strict=True))
        if all(
            rows["new"][c] + rows["carried_over"][c] == rows["outcome_total"][c] + rows["carried_forward"][c]
            and sum(rows[k][c] for k in outcome) == rows["outcome_total"][c]
            for c in range(7)
        ):
            count += 1
    return count


def _t4_candidates(pieces: list[str]) -> list[tuple[int, ...]] | None:
    runs = _runs(pieces, "四、政府信息公开行政复议", "五、")
    return _splits(runs[-1], 15, [(range(5 * g, 5 * g + 4), 5 * g + 4) for g in range(3)])


# --- the properties -------------------------------------------------------------------


def _never_wrong(truth: ParsedReport, got: ParsedReport) -> int:
    """Every read cell equals the truth; returns how many cells were read."""
    exp2, exp3, exp4 = all_values(truth)
    got2, got3, got4 = all_values(got)
    read = 0
    for row, cells in exp2.items():
        for c, v in cells.items():
            assert got2[row][c] in (None, v), ("table2", row, c, got2[row][c], v)
            read += got2[row][c] is not None
    for row, vals in exp3.items():
        for c, v, g in zip(TABLE3_COLUMNS, vals, got3[row], strict=True):
            assert g in (None, v), ("table3", row, c, g, v)
            read += g is not None
    for group, vals in exp4.items():
        for c, v, g in zip(TABLE4_CELLS, vals, got4[group], strict=True):
            assert g in (None, v), ("table4", group, c, g, v)
            read += g is not None
    return read


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(truth=reports(), way=st.sampled_from(WAYS), seed=st.integers(0, 2**16))
def test_flattened_cells_are_right_or_blank_and_unique_decodings_are_read(
    truth: ParsedReport, way: str, seed: int
) -> None:
    pieces = flatten_lines(truth, way, random.Random(seed))
    got = parse_text(flatten(truth, way, random.Random(seed)))
    assert (got.agency, got.year, got.title, got.form) == (truth.agency, truth.year, truth.title, truth.form)
    assert all(got.sections[k].present for k in SECTION_KEYS)
    _never_wrong(truth, got)
    for d in got.decoding:
        if d.how != "blank" and d.where.startswith("table3."):
            assert all(
                known(c.source).inferred and d.digits in known(known(c.source).note)
                for c in got.requests[d.where[7:]].values()
            )
    consistent = _consistent(truth, _t3_candidates(truth, pieces))
    event(f"{way}: consistent decodings of table 三 = {consistent}")
    assert consistent != 0  # the truth itself is one
    if consistent == 1:
        assert all(c.value is not None for row in got.requests.values() for c in row.values())
    t4 = _t4_candidates(pieces)
    if t4 is not None and len(t4) == 1:
        assert all(c.value is not None for g in got.review_litigation.values() for c in g.values())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(
    truth=reports(sparse=True),
    way=st.sampled_from(WAYS),
    seed=st.integers(0, 2**16),
    column=st.sampled_from(TABLE3_APPLICANT_COLUMNS),
)
def test_a_broken_identity_is_still_found_with_the_printed_figures(
    truth: ParsedReport, way: str, seed: int, column: str
) -> None:
    """四 结转下年度 one higher in one column (its row total too): 一+二 ≠ (七)+四 there."""
    for c in (column, "total"):
        truth.requests["carried_forward"][c] = Cell(value=known(truth.t3("carried_forward", c)) + 1)
    group = "suit_direct"
    broken_t4 = way in ("spaced", "labels_glued")  # separated figures: the row is read as printed
    if broken_t4:
        truth.review_litigation[group]["total"] = Cell(value=known(truth.t4(group, "total")) + 1)
    pieces = flatten_lines(truth, way, random.Random(seed))
    cands = _t3_candidates(truth, pieces)
    # the four rows of the balance read uniquely: then no assignment can hide the imbalance
    assume(all(len(cands[k] or ()) == 1 for k in ("new", "carried_over", "outcome_total", "carried_forward")))
    got = parse_text(flatten(truth, way, random.Random(seed)))
    _never_wrong(truth, got)
    findings = [f for f in run_checks(got, CheckContext()) if f.status == "fail"]
    balance = {f.evidence["column"]: f for f in findings if f.rule == "T3-BALANCE"}
    assert set(balance) == {column, "total"}
    for c, f in balance.items():
        want = {
            k: truth.requests[k][c].value for k in ("new", "carried_over", "outcome_total", "carried_forward")
        }
        assert f.evidence["values"] == want
        assert f.evidence["actual"] - f.evidence["expected"] == 1
    assert not [f for f in findings if f.rule in ("T3-OUTCOME-SUM", "T3-ROW-SUM")]
    t4 = [f for f in findings if f.rule == "T4-SUM"]
    if broken_t4:
        (f,) = t4
        assert f.evidence["group"] == group
        assert f.evidence["actual"] == truth.review_litigation[group]["total"].value
    else:
        assert t4 == []
