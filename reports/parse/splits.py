"""Cut a row's flattened figures into its cells: every reading whose sums hold, bounded.

「640020470」 where table 三 expects seven cells is 64|0|0|2|0|4|70 only because that is
the one way to cut it so that the six applicant cells add up to the 总计 cell. The rules
every reading obeys:

- a printed space is a cell boundary: a token is cut inside, never joined to the next;
- no cell has a leading zero (「05」 is never printed) or more than ``MAX_CELL_DIGITS`` digits;
- a token that is not a bare digit run (「/」, 「12.5」, 「1,234」) is one whole cell;
- a sum group's total cell must read as the sum of its parts: once the parts are cut, the
  total's digits are forced, so the search branches only on the parts.

The search is bounded by a step budget shared by the whole table (no input makes it
exponential) and stops at ``cap`` readings; ``Splits.complete`` says whether it ran out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.parse.values import is_blank_text, parse_number

# More digits than this in one count cell is not a plausible count for one agency.
MAX_CELL_DIGITS = 6
# Readings kept per row; a row with more is too ambiguous to decide.
READINGS_CAP = 64


@dataclass(frozen=True, slots=True)
class SumGroup:
    """Cells ``parts`` add up to cell ``total`` (all indices within the row; total after parts)."""

    parts: tuple[int, ...]
    total: int


class Budget:
    """Steps left for one table's search (row splits and the table solve together)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.left = steps

    def spend(self, n: int = 1) -> bool:
        self.left -= n
        return self.left >= 0

    @property
    def exhausted(self) -> bool:
        return self.left < 0


@dataclass(slots=True)
class Part:
    raw: str  # the digits (or the whole token) of this cell
    token: int  # index of the token it was cut from
    value: int | object | None  # int for digit parts; parse_number() of an atomic token


@dataclass(slots=True)
class Splits:
    readings: list[list[Part]] = field(default_factory=list)
    complete: bool = True  # False when the cap or the budget stopped the search


def row_splits(
    tokens: list[str],
    n: int,
    groups: tuple[SumGroup, ...] = (),
    *,
    cap: int = READINGS_CAP,
    budget: Budget | None = None,
) -> Splits:
    """All readings (up to ``cap``) of ``tokens`` as exactly ``n`` cells; see the module rules.

    When the row ends with a group's total (table 三's 总计, table 四's last 总计), that total
    is a suffix of the last token: each of its few lengths is tried first, and its parts are
    then searched against a known sum, which prunes almost every branch.
    """
    budget = budget or Budget(50_000)
    atomic = [not t.isdigit() for t in tokens]
    if any(
        a and parse_number(t) is None and not is_blank_text(t) for t, a in zip(tokens, atomic, strict=True)
    ):
        return Splits()  # text that is neither digits nor a number or placeholder cannot be a cell
    size = sum(1 if a else len(t) for t, a in zip(tokens, atomic, strict=True))
    if not len(tokens) <= n <= size or size > n * MAX_CELL_DIGITS:
        return Splits()
    last = next((g for g in groups if g.total == n - 1), None)
    if last is None or atomic[-1]:
        return _Search(tokens, n, groups, {}, cap, budget).run()
    out = Splits()
    tok = tokens[-1]
    rest = tuple(g for g in groups if g is not last)
    for t in range(1, min(MAX_CELL_DIGITS, len(tok)) + 1):
        suffix = tok[len(tok) - t :]
        if len(suffix) > 1 and suffix[0] == "0":
            continue
        head = [*tokens[:-1], tok[: len(tok) - t]] if t < len(tok) else tokens[:-1]
        if not head:
            continue
        sub = _Search(head, n - 1, rest, {last: int(suffix)}, cap - len(out.readings), budget).run()
        total = Part(suffix, len(tokens) - 1, int(suffix))
        out.readings.extend([*r, total] for r in sub.readings)
        if not sub.complete:
            out.complete = False
            break
    return out


class _Search:
    """Depth-first cutting of ``tokens`` into ``n`` cells; ``targets`` fixes some groups' sums."""

    def __init__(
        self,
        tokens: list[str],
        n: int,
        groups: tuple[SumGroup, ...],
        targets: dict[SumGroup, int],
        cap: int,
        budget: Budget,
    ) -> None:
        self.tokens, self.n, self.cap, self.budget = tokens, n, cap, budget
        self.atomic = [not t.isdigit() for t in tokens]
        self.suffix = [0] * (len(tokens) + 1)
        for i in range(len(tokens) - 1, -1, -1):
            self.suffix[i] = self.suffix[i + 1] + (1 if self.atomic[i] else len(tokens[i]))
        self.total_of = {g.total: g for g in groups}
        # a part of a group with a known sum: (group's parts, that sum, whether it is the last part)
        self.target_of = {p: (g.parts, s, p == max(g.parts)) for g, s in targets.items() for p in g.parts}
        self.parts: list[Part] = []
        self.values: list[object] = []
        self.out = Splits()

    def run(self) -> Splits:
        if self._fits(0, 0, 0):
            self._rec(0, 0, 0)
        return self.out

    def _fits(self, ti: int, pos: int, cell: int) -> bool:
        """The tokens left can still fill exactly the cells left."""
        cells_left = self.n - cell
        chars = self.suffix[ti] - pos
        return len(self.tokens) - ti <= cells_left <= chars <= cells_left * MAX_CELL_DIGITS

    def _sum(self, parts: tuple[int, ...], upto: int) -> int | None:
        total = 0
        for i in parts:
            if i >= upto:
                break
            v = self.values[i]
            if not isinstance(v, int):
                return None
            total += v
        return total

    def _forced(self, cell: int) -> tuple[int | None, int | None]:
        """(the value this cell must have, the most it may have) from the sums, when known."""
        g = self.total_of.get(cell)
        if g is not None:
            return self._sum(g.parts, cell), None
        t = self.target_of.get(cell)
        if t is not None:
            parts, target, is_last = t
            done = self._sum(parts, cell)
            if done is not None:
                return (target - done, None) if is_last else (None, target - done)
        return None, None

    def _rec(self, ti: int, pos: int, cell: int) -> None:
        out = self.out
        if not self.budget.spend():
            out.complete = False
            return
        if cell == self.n:
            if ti == len(self.tokens):
                if len(out.readings) >= self.cap:
                    out.complete = False
                    return
                out.readings.append(list(self.parts))
            return
        tok = self.tokens[ti]
        want, most = self._forced(cell)
        if self.atomic[ti]:
            value = parse_number(tok)
            if isinstance(value, int) and (
                (want is not None and want != value) or (most is not None and value > most)
            ):
                return
            ends = [(tok, value, ti + 1, 0)]
        else:
            if want is not None:
                if want < 0 or not tok.startswith(str(want), pos):
                    return
                stops = [pos + len(str(want))]
            elif tok[pos] == "0":
                stops = [pos + 1]
            else:
                stops = list(range(pos + 1, min(len(tok), pos + MAX_CELL_DIGITS) + 1))
            ends = []
            for e in stops:
                v = int(tok[pos:e])
                if most is not None and v > most:
                    break
                ends.append((tok[pos:e], v, *((ti + 1, 0) if e == len(tok) else (ti, e))))
        for raw, value, nti, npos in ends:
            if not self._fits(nti, npos, cell + 1):
                continue
            self.parts.append(Part(raw, ti, value))
            self.values.append(value)
            self._rec(nti, npos, cell + 1)
            self.parts.pop()
            self.values.pop()
            if not out.complete:
                return
