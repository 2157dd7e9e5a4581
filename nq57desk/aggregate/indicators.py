"""Consolidating figures across communes: counts and money are summed, rates are recomputed from the summed
numerators and denominators (never averaged), other figures get only their smallest and largest values.

Summed: integer and money fields, and decimal fields that are amounts (a unit in đồng, e.g. "tỷ đồng", or the
numerator/denominator of a rate). Not summed: typed percentages and other decimals (scores, averages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from nq57desk.report.derive import ReportEnv
from nq57desk.report.document import context_of, period_context
from nq57desk.report.kinds import function, value
from nq57desk.templates import expr
from nq57desk.templates.fieldtypes import shown_unit
from nq57desk.templates.model import FieldsBlock, Template
from nq57desk.templates.numbering import section_paths
from nq57desk.vn import fold

SUMMED = ("integer", "money")
HOW_VI = {"sum": "Tổng các xã", "rate": "Tính lại từ tổng tử số và tổng mẫu số", "none": "Không cộng dồn"}
PROPOSAL_WORDS = ("kien nghi", "de xuat")


def rate_parts(formula: str | None):
    """(numerator, denominator) expression nodes when a formula is rate(n, d) (or round(rate(n, d), k))."""
    if not formula:
        return None
    node = expr.parse(formula)
    if isinstance(node, expr.Call) and node.fn == "round" and isinstance(node.args[0], expr.Call):
        node = node.args[0]
    if isinstance(node, expr.Call) and node.fn == "rate":
        return node.args[0], node.args[1]
    return None


def area_total(how: str, values, num: Decimal, den: Decimal) -> Decimal | None:
    """The whole area's figure: the communes' values summed, or a rate from the summed numerators and denominators
    of the communes that gave both; None when no commune gave it (never 0)."""
    if how == "sum":
        return sum((v for _c, _n, v in values), Decimal(0)) if values else None
    if how == "rate":
        return num * 100 / den if den else None
    return None


@dataclass
class Indicator:
    key: str
    label: str
    type: str
    unit: str
    where: str  # section path
    decimals: int | None
    how: str  # sum | rate | none
    values: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (code, name, value) of communes with data
    num: Decimal = Decimal(0)  # rate: summed numerators and denominators over communes that have both
    den: Decimal = Decimal(0)
    pairs: int = 0

    @property
    def total(self) -> Decimal | None:
        return area_total(self.how, self.values, self.num, self.den)

    def extreme(self, which: str) -> tuple[Decimal | None, list[str]]:
        if not self.values:
            return None, []
        pick = min if which == "min" else max
        v = pick(x for _c, _n, x in self.values)
        return v, [n for _c, n, x in self.values if x == v]


def numeric_fields(tpl: Template):
    """(container key, field) for every numeric field (typed or derived), in document order, each key once."""
    from nq57desk.bundle.writer import scalar_fields

    for ckey, f in scalar_fields(tpl):
        if f.numeric:
            yield ckey, f


class Consolidator:
    """Feed documents one by one (add), then read .indicators; memory grows with communes × fields only."""

    def __init__(self, tpl: Template, period: dict | None = None):
        """`period`: the group's, so that titles naming it ("… năm {year}") read as printed."""
        self.tpl = tpl
        paths = section_paths(tpl, period_context(period) if period else None)
        self.indicators: list[Indicator] = []
        self._rates: dict[str, tuple] = {}
        operands = set()  # fields a rate is computed from are amounts: summing them is meaningful
        for _ckey, f in numeric_fields(tpl):
            parts = rate_parts(f.formula)
            if parts:
                self._rates[f.key] = parts
                operands |= expr.names(parts[0]) | expr.names(parts[1])
        for ckey, f in numeric_fields(tpl):
            parts = self._rates.get(f.key)
            summed = f.type in SUMMED or (f.type == "decimal" and (f.key in operands or "dong" in fold(f.unit)))
            how = "rate" if parts else "sum" if summed else "none"
            self.indicators.append(Indicator(f.key, f.label, f.type, shown_unit(f.type, f.unit),
                                             paths.get(ckey, ckey), f.decimals, how))

    def add(self, tpl: Template, doc: dict) -> dict[str, Decimal | None]:
        """Take one commune's report (with its own template version); returns its value per indicator key."""
        env = ReportEnv(tpl, doc)
        c = doc["commune"]
        row: dict[str, Decimal | None] = {}
        for ind in self.indicators:
            v = _dec(env.resolve(ind.key)) if tpl.field(ind.key) is not None else None
            row[ind.key] = v
            if v is not None:
                ind.values.append((c["code"], c.get("name", ""), v))
            parts = self._rates.get(ind.key)
            if parts and tpl.field(ind.key) is not None:
                n, d = _dec(expr.evaluate(parts[0], env)), _dec(expr.evaluate(parts[1], env))
                if n is not None and d is not None:
                    ind.num += n
                    ind.den += d
                    ind.pairs += 1
        return row


def _dec(v):
    if v is None or isinstance(v, bool) or isinstance(v, str):
        return None
    return v if isinstance(v, Decimal) else Decimal(str(v))


# -- proposals (kiến nghị, đề xuất) -----------------------------------------------------------------------------

def _is_proposal(key: str, label: str) -> bool:
    return "kien_nghi" in key or any(w in fold(label or "") for w in PROPOSAL_WORDS)


def proposal_blocks(tpl: Template, period: dict | None = None) -> list[tuple[str, object]]:
    """(section path, block) of blocks holding proposals: found by key or by label/title, case- and accent-folded."""
    paths = section_paths(tpl, period_context(period) if period else None)
    inside: set[str] = set()
    for anc, s in tpl.walk_sections():
        if any(_is_proposal(x.key, x.title) for x in (*anc, s)):
            inside.add(s.key)
    out = []
    for ckey, b in tpl.blocks():
        if isinstance(b, FieldsBlock):
            if ckey in inside or _is_proposal(b.key, b.label):
                out.append((paths.get(ckey, ckey), b))
            else:
                fs = [f for f in b.fields if f.type in ("text", "longtext") and _is_proposal(f.key, f.label)]
                if fs:
                    out.append((paths.get(ckey, ckey), FieldsBlock(kind="fields", key=b.key, label=b.label, fields=tuple(fs))))
        elif ckey in inside or _is_proposal(b.key, b.label or getattr(b, "title", "")):
            out.append((paths.get(ckey, ckey), b))
    return out


def proposal_lines(tpl: Template, doc: dict, blocks) -> list[tuple[str, str]]:
    """(section path, paragraph) for every non-empty proposal paragraph of one report."""
    values = doc.get("values") or {}
    out: list[tuple[str, str]] = []

    def add(where, text):
        for line in str(text or "").split("\n"):
            if line.strip():
                out.append((where, line.strip()))

    ctx = context_of(doc)
    for where, b in blocks:
        if (lines := function(b, "lines")) is not None:  # the kind's words as plain lines (report/kinds.py)
            for line in lines(b, value(b, values), ctx):
                add(where, line[0] if isinstance(line, tuple) else line)
    return out


# -- by indicator code, across templates -------------------------------------------------------------------------

@dataclass
class CodeTotal:
    """One catalogue indicator over every report that can state it, whatever its template (blank is not zero)."""

    code: str
    label: str
    unit: str
    type: str
    group: str
    dhis2: str
    how: str  # sum | rate | none
    decimals: int | None = None
    values: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (commune code, name, value) given
    missing: list[tuple[str, str]] = field(default_factory=list)  # communes whose report did not give it
    num: Decimal = Decimal(0)
    den: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal | None:
        return area_total(self.how, self.values, self.num, self.den)


def indicator_fields(tpl: Template) -> dict[str, object]:
    """Indicator code → the template's field that is it (the first, in document order)."""
    out: dict[str, object] = {}
    for _ckey, f in numeric_fields(tpl):
        if f.indicator:
            out.setdefault(f.indicator, f)
    return out


class ByCode:
    """Add reports of any templates up by catalogue indicator code: counts and amounts summed over the communes that
    gave them, rates recomputed from the summed numerators and denominators of the communes that gave both.
    A blank figure (or one the commune's outline does not ask for) counts as «chưa báo cáo», never as 0."""

    def __init__(self, catalogue=None):
        from nq57desk.templates.catalogue import default_catalogue

        self.cat = catalogue or default_catalogue()
        self.rows: dict[str, CodeTotal] = {}
        for i in self.cat.indicators:
            how = "rate" if i.rate else "sum" if i.summed else "none"
            self.rows[i.code] = CodeTotal(i.code, i.label, i.shown_unit, i.type, i.group, i.dhis2, how, i.decimals)
        self._fields: dict[int, dict] = {}

    def add(self, tpl: Template, doc: dict) -> None:
        fields = self._fields.get(id(tpl))
        if fields is None:
            fields = self._fields[id(tpl)] = indicator_fields(tpl)
        env = ReportEnv(tpl, doc)
        c = doc["commune"]
        who = (c["code"], c.get("name", ""))
        got: dict[str, Decimal | None] = {}

        def value(code):
            if code not in got:
                f = fields.get(code)
                got[code] = _dec(env.resolve(f.key)) if f is not None else None
            return got[code]

        for code, row in self.rows.items():
            ind = self.cat.get(code)
            if row.how == "rate":
                n, d = value(ind.rate[0]), value(ind.rate[1])
                if n is not None and d is not None and d != 0:
                    row.num += n
                    row.den += d
                    row.values.append((*who, n * 100 / d))
                else:
                    row.missing.append(who)
                continue
            v = value(code)
            if v is None:
                row.missing.append(who)
            else:
                row.values.append((*who, v))

    def reported(self) -> list[CodeTotal]:
        """The indicators at least one commune gave, in catalogue order."""
        return [r for r in self.rows.values() if r.values]
