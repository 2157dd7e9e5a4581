"""Derived values: rates, sums, counts from tables and carried cumulative values, computed never typed."""

from __future__ import annotations

import re
from decimal import Decimal

from nq57desk.report.document import context_of
from nq57desk.report.kinds import handler
from nq57desk.templates import expr
from nq57desk.templates.model import Column, Field, TableBlock, Template
from nq57desk.vn import fmt_date, fmt_money, fmt_number, fmt_percent, parse_number, to_plain

MISSING = "…"


class ReportEnv(expr.Env):
    """Reads a document through its template; derived names are computed on demand and remembered."""

    def __init__(self, tpl: Template, doc: dict):
        self.tpl, self.doc = tpl, doc
        self.values = doc.get("values") or {}
        self.carried = doc.get("carried") or {}
        self._memo: dict[str, object] = {}
        self._busy: set[str] = set()

    # scalar names ---------------------------------------------------------------------------------------
    def resolve(self, path: str):
        if path in self._memo:
            return self._memo[path]
        if path in self._busy:
            return None
        self._busy.add(path)
        try:
            v = self._compute(path)
        finally:
            self._busy.discard(path)
        self._memo[path] = v
        return v

    def _compute(self, path: str):
        f = self.tpl.field(path)
        if f is not None:
            if f.formula:
                v = expr.evaluate(f.formula, self)
                return v
            if f.cumulative_of and path in self.carried:
                return self._cumulative(path, f.cumulative_of, self.resolve(f.cumulative_of))
            v = self.values.get(path)
            if f.numeric:
                return _num(v)
            if f.type == "measure" and _num(v) is not None:
                return _num(v)
            return v
        parts = path.split(".")
        if len(parts) == 2 and (kind := handler(self.tpl.block(parts[0]))) is not None:
            return kind.resolve(self.tpl.block(parts[0]), self.values.get(parts[0]), parts[1])
        if len(parts) == 3:
            tb = self.tpl.table(parts[0])
            if tb is not None and tb.fixed:
                return self.cell(tb, parts[1], parts[2])
        return None

    def cell(self, tb: TableBlock, row: str, col: str):
        c = tb.column(col)
        if c is None:
            return None
        if row == "total":
            vals = [_num(self.cell(tb, r.key, col)) for r in tb.data_rows()]
            vals = [v for v in vals if v is not None]
            return sum(vals, Decimal(0)) if vals else None
        rowdef = next((r for r in tb.data_rows() if r.key == row), None)
        if rowdef is None:
            return None
        fixed = rowdef.cell(col)
        if fixed is not None:
            return _num(fixed) if c.type in ("integer", "decimal", "percent", "money") else fixed
        ck = f"{tb.key}.{row}.{col}"
        if c.cumulative_of and ck in self.carried:
            return self._cumulative(ck, f"{tb.key}.{row}.{c.cumulative_of}", self.cell(tb, row, c.cumulative_of))
        v = ((self.values.get(tb.key) or {}).get(row) or {}).get(col)
        return _num(v) if c.type in ("integer", "decimal", "percent", "money", "measure") and _num(v) is not None else v

    def _cumulative(self, cum_key: str, this_key: str, this):
        """Carried lũy kế + this period; when the previous this-period is carried too (this period contains the
        previous one: first 5 months → first 6 months), it is already inside this period and comes off."""
        this = _num(this)
        if this is None:
            return None
        opening = Decimal(str(self.carried[cum_key]))
        if this_key in self.carried:
            opening -= Decimal(str(self.carried[this_key]))
        return opening + this

    def table_rows(self, key: str) -> list[dict]:
        tb = self.tpl.table(key)
        if tb is None:
            return []
        if tb.fixed:
            return [{c.key: self.cell(tb, r.key, c.key) for c in tb.columns} for r in tb.data_rows()]
        return [r for r in (self.values.get(key) or []) if isinstance(r, dict)]


def _num(v):
    if v is None or isinstance(v, bool) or isinstance(v, Decimal):
        return v
    if isinstance(v, (int, float)):
        return Decimal(str(v))
    return parse_number(v)


def derived_values(tpl: Template, doc: dict) -> dict[str, object]:
    """Every computed field (formulas and carried cumulatives) as plain JSON numbers, for display and export."""
    env = ReportEnv(tpl, doc)
    out = {}
    for key, f in tpl.fields().items():
        if f.formula or (f.cumulative_of and key in env.carried):
            v = env.resolve(key)
            out[key] = to_plain(v) if isinstance(v, Decimal) else v
    return out


def is_computed(tpl: Template, doc: dict, key: str) -> bool:
    f = tpl.field(key)
    return bool(f and (f.formula or (f.cumulative_of and key in (doc.get("carried") or {}))))


# -- formatting -----------------------------------------------------------------------------------------------

def format_value(spec: Field | Column | None, value) -> str:
    """A value as it is printed: 14.722 / 99,83% / 60.807.000 đồng / 26/3/2026."""
    if value is None or value == "":
        return ""
    t = spec.type if spec is not None else "text"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if t in ("integer", "decimal", "percent", "money", "measure"):
        n = _num(value) if not isinstance(value, str) or parse_number(value) is not None else None
        if n is None:
            return str(value)
        if t == "percent":
            return fmt_percent(n, spec.decimals if spec.decimals is not None else 2)
        if t == "money":
            return fmt_money(n)
        if t == "integer":
            return fmt_number(n, 0)
        return fmt_number(n, spec.decimals)
    if t == "date":
        return fmt_date(value)
    return str(value)


_PH = re.compile(r"\{([a-zA-Z_][\w.]*)\}")


def render_line(line: str, tpl: Template, doc: dict, env: ReportEnv | None = None) -> str:
    """Fill a sentence template; a blank value prints as "…" so a draft shows what is missing."""
    env = env or ReportEnv(tpl, doc)
    ctx = context_of(doc)

    def sub(m):
        name = m.group(1)
        if name in ctx and tpl.field(name) is None:
            return str(ctx[name])
        spec = tpl.field(name)
        if spec is None and name.count(".") == 2:
            tb = tpl.table(name.split(".")[0])
            spec = tb.column(name.split(".")[2]) if tb else None
        v = env.resolve(name)
        s = format_value(spec, v)
        return s if s else MISSING

    return _PH.sub(sub, line)
