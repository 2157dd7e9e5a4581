"""A figure group (`type: fields`): typed figures, computed ones and the sentences that print them.

A core kind (nq57desk/report/kinds.py): its value is spread over `values`, one key per typed field, checked by
field type in report/check.py; the report's figures (derive.ReportEnv), expressions and the bundle's figure sheet
read its fields directly. This module holds what is per block only.
"""

from __future__ import annotations


def empty_values(b, ctx: dict) -> dict:
    return {f.key: f.default for f in b.fields if not f.derived}


def value(b, values: dict) -> dict:
    return {f.key: values.get(f.key) for f in b.fields}


def given(b, env) -> bool:
    """Whether any of its figures, typed or computed, is there (an appendix of blank figures is not printed)."""
    from nq57desk.render.tree import is_given

    return any(is_given(env.resolve(f.key)) for f in b.fields)


def nodes(b, v, where: str, rc) -> list:
    """The report's own sentences for the group, else «- Label: value unit» for every figure given."""
    from nq57desk.render.tree import Para, line_style
    from nq57desk.report.derive import block_lines, format_value, render_line
    from nq57desk.templates.fieldtypes import unit_after

    lines = block_lines(b, rc.doc)
    if lines:
        texts = (render_line(line, rc.tpl, rc.doc, rc.env) for line in lines)
        return [Para(t, line_style(t), where) for t in texts if t]
    out = []
    for f in b.fields:
        val = format_value(f, rc.env.resolve(f.key))
        if val:
            unit = f" {u}" if (u := unit_after(f.type, f.unit)) else ""
            out.append(Para(f"- {f.label}: {val}{unit}", "bullet", where))
    return out


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    from nq57desk.report.derive import format_value

    return [(f.key, f.label, format_value(f, shown.derived[f.key]) if f.key in shown.derived
             else shown.show(f.type, v.get(f.key), f.decimals)) for f in b.fields]


def lines(b, v, ctx: dict) -> list[str]:
    return [f"{f.label}: {v[f.key]}" for f in b.fields if f.type in ("text", "longtext") and v.get(f.key)]
