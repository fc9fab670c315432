"""The hybrid form: F2021 tables, but table 三 keeps F2019's single 「（六）其他处理」 row.

Seen in some districts' 2023 and 2024 reports. It is recognised as its own form
(``F2021-hybrid``), its single row is read as ``other_processing``, and the checks use
its identities: (七) 总计 adds up 19 outcome rows, not 21.
"""

from __future__ import annotations

import random

import pytest

from replicas.flatten import flatten
from replicas.form_render import render_html, render_text
from replicas.samples import sample_report
from reports.checks import run_checks
from reports.checks.base import CheckContext
from reports.form import Form, outcome_rows
from reports.model import Cell
from reports.parse import parse_document, parse_text

from .helpers import all_values


def _truth(seed: int = 5):
    r = sample_report(random.Random(seed), Form.F2021_HYBRID, t2_blank=0)
    assert "other_processing" in r.requests and "other_misc" not in r.requests
    return r


@pytest.mark.parametrize("kind", ["copy-out", "html", "pdf-text", "one-line"])
def test_hybrid_form_is_recognised_and_read(kind: str) -> None:
    truth = _truth()
    if kind == "html":
        r = parse_document(render_html(truth).encode("utf-8"), content_type="text/html")
    elif kind == "copy-out":
        r = parse_text(render_text(truth))
    elif kind == "pdf-text":
        r = parse_text(flatten(truth, "spaced"), input_kind="pdf")
    else:
        r = parse_text(flatten(truth, "one_line"))
    assert r.form == Form.F2021_HYBRID
    assert list(r.requests) == list(truth.requests) and len(r.requests) == 23
    assert "本年制发件数" in r.text  # table 二 is F2021's
    got, want = all_values(r), all_values(truth)
    assert got[1] == want[1]
    assert got[2] == want[2]
    if kind != "one-line":  # table 二 flattened into one run may stay blank, never wrong
        assert got[0] == want[0]
    assert not [p for p in r.problems if p.where.startswith("table3")]


def test_hybrid_checks_use_nineteen_outcome_rows() -> None:
    truth = _truth()
    r = parse_text(render_text(truth))
    findings = run_checks(r, CheckContext())
    assert not [f for f in findings if f.rule.startswith("T3") and f.status == "fail"]
    assert not [f for f in findings if f.rule.startswith("T3") and f.status == "cannot_assess"]
    # one more in the single (六) row, its total too: (七) no longer adds up in that column
    row = truth.requests["other_processing"]
    row["commercial"] = Cell(value=row["commercial"].value + 1)
    row["total"] = Cell(value=row["total"].value + 1)
    r = parse_text(render_text(truth))
    failing = [f for f in run_checks(r, CheckContext()) if f.rule == "T3-OUTCOME-SUM" and f.status == "fail"]
    assert {f.evidence["column"] for f in failing} == {"commercial", "total"}
    (commercial,) = [f for f in failing if f.evidence["column"] == "commercial"]
    assert "19项办理结果之和" in commercial.message
    assert len(commercial.evidence["cells"]) == len(outcome_rows(Form.F2021_HYBRID)) == 19
    assert commercial.evidence["values"]["other_processing"] == row["commercial"].value


def test_hybrid_form_in_a_2024_report_is_a_format_finding() -> None:
    r = parse_text(render_text(_truth()))
    (f,) = [f for f in run_checks(r, CheckContext()) if f.rule == "FORMAT-VERSION"]
    assert f.severity == "error" and "只列了一行" in f.message
    assert (f.evidence["expected"], f.evidence["actual"]) == ("F2021", "F2021-hybrid")


def test_other_share_reads_the_single_other_row() -> None:
    truth = _truth()
    for c in ("natural_person", "total"):
        truth.requests["other_processing"][c] = Cell(value=truth.requests["other_processing"][c].value + 3000)
        for k in ("outcome_total", "new"):
            truth.requests[k][c] = Cell(value=truth.requests[k][c].value + 3000)
    r = parse_text(render_text(truth))
    (f,) = [f for f in run_checks(r, CheckContext()) if f.rule == "OTHER-SHARE"]
    assert [c["row"] for c in f.evidence["cells"]] == ["other_processing"]


def test_full_f2021_form_is_not_taken_for_the_hybrid() -> None:
    truth = sample_report(random.Random(5), Form.F2021, t2_blank=0)
    for text in (render_text(truth), flatten(truth, "spaced"), flatten(truth, "one_line")):
        assert parse_text(text).form == Form.F2021
