"""Decide between the readings of flattened table-三 rows with the form's column identities.

Each row comes with its options (7-tuples of cells); a row read as printed has one.
The identities the form states about its columns:

- balance, per column: 一 新收 + 二 上年结转 = (七) 总计 + 四 结转下年度;
- outcome sum, per column: (七) 总计 = the sum of the outcome rows (21 in F2021, 19 with
  one (六)其他处理 row).

An assignment picks one option per row; it is consistent when every usable identity
holds. A row's option is taken when every consistent assignment picks it — in
particular when exactly one assignment is consistent. Counting uses dynamic programming
over the outcome rows' partial column sums (forward and backward, so each option's
count of consistent assignments is exact) joined with the four balance rows; states
are merged and pruned by the reachable targets, and every step is charged to a budget.

An identity is usable only over columns where every row it involves was read and has
no blank cell; a family with no usable column decides nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from reports.form import TABLE3_ROW_LABELS
from reports.parse.splits import Budget

Vec = tuple[int, ...]
Option = tuple[object, ...]

BALANCE_IN = ("new", "carried_over")
BALANCE_OUT = ("outcome_total", "carried_forward")
BALANCE_ROWS = (*BALANCE_IN, *BALANCE_OUT)


@dataclass
class Solve:
    status: str  # "solved", "inconsistent" (no consistent assignment), "budget"
    assignments: int = 0  # consistent assignments in all
    # row -> per option, the number of consistent assignments using it (rows of a usable family)
    support: dict[str, list[int]] = field(default_factory=dict)
    unusable: dict[str, str] = field(default_factory=dict)  # family -> why it could not be used

    def decided(self, row: str) -> int | None:
        """The option every consistent assignment gives ``row``, if there is one."""
        counts = self.support.get(row)
        if not counts or self.status != "solved":
            return None
        used = [i for i, c in enumerate(counts) if c]
        return used[0] if len(used) == 1 else None

    def fitting(self, row: str) -> int:
        """How many of the row's options some consistent assignment uses."""
        return sum(1 for c in self.support.get(row, []) if c)


def _usable_columns(options: dict[str, list[Option]], rows: Sequence[str], ncols: int) -> tuple[int, ...]:
    if any(not options.get(r) for r in rows):
        return ()
    return tuple(c for c in range(ncols) if all(isinstance(opt[c], int) for r in rows for opt in options[r]))


def _proj(opt: Option, cols: tuple[int, ...]) -> Vec:
    return tuple(opt[c] for c in cols)  # type: ignore[misc]  # cols: only columns every option fills (_usable_columns)


def _add(a: Vec, b: Vec) -> Vec:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a: Vec, b: Vec) -> Vec:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _missing(options: dict[str, list[Option]], rows: Sequence[str]) -> str:
    absent = [r for r in rows if not options.get(r)]
    if absent:
        return "未读出的行：" + "、".join(f"「{TABLE3_ROW_LABELS.get(r, r)}」" for r in absent)
    return "所涉各行在每一列都有空白单元格"


def solve_table3(
    options: dict[str, list[Option]], outcome: Sequence[str], budget: Budget, ncols: int = 7
) -> Solve:
    """Consistent-assignment counts for every option of every row (see the module doc)."""
    bal_cols = _usable_columns(options, BALANCE_ROWS, ncols)
    out_rows = (*outcome, "outcome_total")
    out_cols = _usable_columns(options, out_rows, ncols)
    result = Solve(status="solved")
    if not bal_cols:
        result.unusable["balance"] = _missing(options, BALANCE_ROWS)
    if not out_cols:
        result.unusable["outcome_sum"] = _missing(options, out_rows)
    ot_opts = options.get("outcome_total", [])

    # Balance join: (new + carried_over) against (outcome_total + carried_forward), by column sums.
    w_ot = [1] * len(ot_opts)  # balanced partners of each outcome_total option
    left: dict[Vec, list[tuple[int, int]]] = defaultdict(list)
    right: dict[Vec, list[tuple[int, int]]] = defaultdict(list)
    if bal_cols:
        new, co, cf = options["new"], options["carried_over"], options["carried_forward"]
        if not budget.spend(len(new) * len(co) + len(ot_opts) * len(cf)):
            return Solve(status="budget", unusable=result.unusable)
        for i, a in enumerate(new):
            for j, b in enumerate(co):
                left[_add(_proj(a, bal_cols), _proj(b, bal_cols))].append((i, j))
        for k, a in enumerate(ot_opts):
            for j, b in enumerate(cf):
                right[_add(_proj(a, bal_cols), _proj(b, bal_cols))].append((k, j))
        w_ot = [0] * len(ot_opts)
        for v, pairs in right.items():
            n_left = len(left.get(v, ()))
            for k, _ in pairs:
                w_ot[k] += n_left

    # Outcome rows: forward counts of partial column sums over the rows with several options.
    f_ot = [1] * len(ot_opts)  # outcome assignments adding up to each outcome_total option
    layers: list[dict[Vec, int]] = []
    varying: list[str] = []
    targets: dict[Vec, list[int]] = defaultdict(list)
    if out_cols:
        varying = [r for r in outcome if len(options[r]) > 1]
        fixed: Vec = (0,) * len(out_cols)
        for r in outcome:
            if len(options[r]) == 1:
                fixed = _add(fixed, _proj(options[r][0], out_cols))
        live = [k for k in range(len(ot_opts)) if w_ot[k]] if bal_cols else list(range(len(ot_opts)))
        for k in live:
            targets[_sub(_proj(ot_opts[k], out_cols), fixed)].append(k)
        layers = _forward(varying, options, out_cols, list(targets), budget)
        if budget.exhausted:
            return Solve(status="budget", unusable=result.unusable)
        f_ot = [0] * len(ot_opts)
        for t, ks in targets.items():
            for k in ks:
                f_ot[k] = layers[-1].get(t, 0) if layers else 0

    # Totals and per-option support.
    if bal_cols:
        sr = {v: sum(f_ot[k] for k, _ in pairs) for v, pairs in right.items()}
        total = sum(len(left.get(v, ())) * s for v, s in sr.items())
        sup_new = [0] * len(options["new"])
        sup_co = [0] * len(options["carried_over"])
        for v, pairs in left.items():
            for i, j in pairs:
                sup_new[i] += sr.get(v, 0)
                sup_co[j] += sr.get(v, 0)
        sup_ot = [0] * len(ot_opts)
        sup_cf = [0] * len(options["carried_forward"])
        for v, pairs in right.items():
            n_left = len(left.get(v, ()))
            for k, j in pairs:
                sup_ot[k] += f_ot[k] * n_left
                sup_cf[j] += f_ot[k] * n_left
        result.support.update(new=sup_new, carried_over=sup_co, carried_forward=sup_cf, outcome_total=sup_ot)
    else:
        total = sum(f_ot) if out_cols else 1
        if out_cols:
            result.support["outcome_total"] = list(f_ot)
    if out_cols and total:
        weight = {t: sum(w_ot[k] for k in ks) for t, ks in targets.items()}
        result.support.update(_backward(varying, options, out_cols, layers, weight, budget))
        if budget.exhausted:
            return Solve(status="budget", unusable=result.unusable)
        for r in outcome:
            if len(options[r]) == 1:
                result.support[r] = [total]
    result.assignments = total
    if not total:
        result.status = "inconsistent"
    return result


def _forward(
    rows: list[str],
    options: dict[str, list[Option]],
    cols: tuple[int, ...],
    targets: list[Vec],
    budget: Budget,
) -> list[dict[Vec, int]]:
    """layers[i]: partial sum over rows[:i] -> number of ways, pruned by the targets' bounds."""
    if not targets:
        return [{}]
    opts = [[_proj(o, cols) for o in options[r]] for r in rows]
    lo = [min(t[c] for t in targets) for c in range(len(cols))]
    hi = [max(t[c] for t in targets) for c in range(len(cols))]
    # bounds of what the rows after layer i can still add
    suf_min = [[0] * len(cols) for _ in range(len(rows) + 1)]
    suf_max = [[0] * len(cols) for _ in range(len(rows) + 1)]
    for i in range(len(rows) - 1, -1, -1):
        for c in range(len(cols)):
            suf_min[i][c] = suf_min[i + 1][c] + min(o[c] for o in opts[i])
            suf_max[i][c] = suf_max[i + 1][c] + max(o[c] for o in opts[i])
    layers: list[dict[Vec, int]] = [{(0,) * len(cols): 1}]
    for i, row_opts in enumerate(opts):
        nxt: dict[Vec, int] = {}
        mn, mx = suf_min[i + 1], suf_max[i + 1]
        for s, count in layers[-1].items():
            if not budget.spend(len(row_opts)):
                return layers
            for o in row_opts:
                v = _add(s, o)
                if all(lo[c] <= v[c] + mx[c] and v[c] + mn[c] <= hi[c] for c in range(len(cols))):
                    nxt[v] = nxt.get(v, 0) + count
        layers.append(nxt)
    return layers


def _backward(
    rows: list[str],
    options: dict[str, list[Option]],
    cols: tuple[int, ...],
    layers: list[dict[Vec, int]],
    weight: dict[Vec, int],
    budget: Budget,
) -> dict[str, list[int]]:
    """Per option of each varying row, the weighted number of completions through it."""
    support: dict[str, list[int]] = {}
    after = {t: w for t, w in weight.items() if w}  # ways to finish from a partial sum
    for i in range(len(rows) - 1, -1, -1):
        row_opts = [_proj(o, cols) for o in options[rows[i]]]
        counts = [0] * len(row_opts)
        before: dict[Vec, int] = {}
        for s, ways in layers[i].items():
            if not budget.spend(len(row_opts)):
                return support
            through = 0
            for idx, o in enumerate(row_opts):
                g = after.get(_add(s, o), 0)
                if g:
                    counts[idx] += ways * g
                    through += g
            if through:
                before[s] = through
        support[rows[i]] = counts
        after = before
    return support
