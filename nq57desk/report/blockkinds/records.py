"""Records (`type: records`): repeated items (a model, a project …), each a heading numbered one level below the
section and «Label: value» lines for its fields."""

from __future__ import annotations

from nq57desk.errors import DocumentError
from nq57desk.report.check import TYPE_VI, type_ok
from nq57desk.report.kinds import list_of_dicts


def empty(b, ctx: dict) -> list:
    return []


def check(b, v, place: str) -> None:
    fields = {f.key: f for f in b.fields}
    list_of_dicts(v, place, set(fields))
    for i, r in enumerate(v):
        for k2, x in r.items():
            if not type_ok(fields[k2].type, x):
                raise DocumentError(f"«{fields[k2].label}» phải là {TYPE_VI[fields[k2].type]}", f"{place}[{i}].{k2}")


def nodes(b, v, where: str, rc) -> list:
    from nq57desk.render.tree import Heading, Para, line_style, text_lines
    from nq57desk.report.derive import format_value
    from nq57desk.templates.numbering import label, style_at

    out = []
    style = style_at(rc.tpl, rc.depth)
    for i, rec in enumerate(v or [], start=1):
        out.append(Heading(label(style, i, rc.chain), str(rec.get(b.title_field) or ""), rc.depth, style, where))
        for f in b.fields:
            if f.key == b.title_field:
                continue
            lines = text_lines(format_value(f, rec.get(f.key)) if f.type != "longtext" else rec.get(f.key))
            if not lines:
                continue
            first = f"{f.label}: {lines[0]}" if f.print_label else lines[0]
            out.append(Para(first, line_style(first), where))
            out += [Para(x, line_style(x), where) for x in lines[1:]]
    return out


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    return [(f"{b.key}[{i}].{f.key}", f"{b.item_label} {i} › {f.label}", shown.show(f.type, rec.get(f.key), f.decimals))
            for i, rec in enumerate(v or [], 1) for f in b.fields]


def lines(b, v, ctx: dict) -> list[str]:
    return ["; ".join(f"{f.label}: {rec[f.key]}" for f in b.fields if rec.get(f.key) not in (None, "")) for rec in v or []]
