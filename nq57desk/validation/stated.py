"""Rates a report states as numbers, against the rate its own counts give: "12534/12555 hồ sơ, đạt 99,99%" is
99,83%. The stated rate is right when it is the computed one rounded to as many decimals as it is written with."""

from __future__ import annotations

from decimal import Decimal

from nq57desk.report.derive import format_value
from nq57desk.templates import expr
from nq57desk.vn import fmt_number


def stated_findings(v) -> None:
    """Add a finding to the validator `v` for every stated rate its counts contradict."""
    for key, f in v.tpl.fields().items():
        if not f.stated_of:
            continue
        raw = v.values.get(key)
        stated, computed = v.env.resolve(key), v.env.resolve(f.stated_of)
        if not isinstance(stated, Decimal) or not isinstance(computed, Decimal):
            continue
        places = max(0, -Decimal(str(raw)).normalize().as_tuple().exponent) if raw is not None else 2
        if abs(stated - computed) * 2 <= Decimal(1).scaleb(-places):
            continue
        base = v.tpl.field(f.stated_of)
        node = expr.parse(base.formula)
        counts = ""
        if isinstance(node, expr.Call) and node.fn == "rate":
            n, d = (expr.evaluate(a, v.env) for a in node.args)
            if isinstance(n, Decimal) and isinstance(d, Decimal):
                counts = f"{fmt_number(n)}/{fmt_number(d)} = "
        v.add("error", key, f"Báo cáo ghi {format_value(f, stated)} nhưng theo số liệu {counts}"
                            f"{format_value(base, computed)}: sửa lại tỷ lệ ghi hoặc các số.", rule="stated",
              label=f.label)
