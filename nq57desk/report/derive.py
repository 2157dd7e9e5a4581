"""Derived values: rates, sums, counts from tables and carried cumulative values, computed never typed."""

from __future__ import annotations

import re
from decimal import Decimal

from nq57desk.report.document import context_of
from nq57desk.report.kinds import function
from nq57desk.templates import expr
from nq57desk.templates.fieldtypes import NUMBERLIKE_TYPES, is_numeric
from nq57desk.templates.model import Column, Field, TableBlock, Template
from nq57desk.vn import fmt_date, fmt_money, fmt_number, fmt_percent, parse_number, to_plain


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
        if len(parts) == 2 and (resolve := function(self.tpl.block(parts[0]), "resolve")) is not None:
            return resolve(self.tpl.block(parts[0]), self.values.get(parts[0]), parts[1])
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
            return _num(fixed) if is_numeric(c.type) else fixed
        ck = f"{tb.key}.{row}.{col}"
        if c.cumulative_of and ck in self.carried:
            return self._cumulative(ck, f"{tb.key}.{row}.{c.cumulative_of}", self.cell(tb, row, c.cumulative_of))
        v = ((self.values.get(tb.key) or {}).get(row) or {}).get(col)
        return _num(v) if c.type in NUMBERLIKE_TYPES and _num(v) is not None else v

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
    if t in NUMBERLIKE_TYPES:
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
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")  # "[, trong đó {x} hồ sơ trực tuyến]": left out when a figure in it is blank
_CLAUSE = re.compile(r";\s+")


def line_names(line: str) -> list[str]:
    """The names a sentence pattern fills in, in order."""
    return _PH.findall(line)


def block_lines(b, doc: dict) -> tuple[str, ...]:
    """A figure group's sentence patterns: the report's own wording when the officer changed it, else the template's."""
    own = (doc.get("lines") or {}).get(b.key)
    return tuple(own) if own is not None else b.lines


def render_line(line: str, tpl: Template, doc: dict, env: ReportEnv | None = None) -> str:
    """Fill a sentence pattern with the report's figures. Nothing is printed for a figure the report does not give:
    an optional part in [ ] holding a blank figure is left out, then each clause (between "; ") holding one, and a
    sentence none of whose figures is given is not printed at all ("" is returned)."""
    env = env or ReportEnv(tpl, doc)
    ctx = context_of(doc)
    blank = object()

    def value(name: str):
        spec = tpl.field(name)
        if name in ctx and spec is None:
            return str(ctx[name]), False
        if spec is None and name.count(".") == 2:
            tb = tpl.table(name.split(".")[0])
            spec = tb.column(name.split(".")[2]) if tb else None
        s = format_value(spec, env.resolve(name))
        return (s, True) if s else (blank, True)

    found = {"figure": False, "given": False}

    def fill(text: str):
        """The text filled in, or None when a figure in it is blank."""
        missing = False

        def sub(m):
            nonlocal missing
            v, is_figure = value(m.group(1))
            if is_figure:
                found["figure"] = True
            if v is blank:
                missing = True
                return ""
            if is_figure:
                found["given"] = True
            return v

        out = _PH.sub(sub, text)
        return None if missing else out

    def optional(m):
        return fill(m.group(1)) or ""

    text = _OPTIONAL.sub(optional, line)
    clauses = [c for c in (fill(c) for c in _CLAUSE.split(text)) if c is not None]
    if found["figure"] and not found["given"]:
        return ""
    out = "; ".join(c.strip() for c in clauses if c.strip())
    return _tidy(out, line)


def _tidy(text: str, pattern: str) -> str:
    """Punctuation left behind by what was left out: doubled spaces, a space before a comma, a lost full stop."""
    text = re.sub(r"\s{2,}", " ", text).strip()
    text = re.sub(r"\s+([,;.:)])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,;.])", "", text)
    end = pattern.rstrip()[-1:]
    if text and end in ".:" and not text.endswith(end):
        text = text.rstrip(",;") + end
    return text
