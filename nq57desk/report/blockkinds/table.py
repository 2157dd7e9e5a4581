"""A table (`type: table`): fixed rows the template gives, or free rows the officer adds, grouped or not, with a
total row and multi-level headers.

A core kind (nq57desk/report/kinds.py): its cells are figures of the report (derive.ReportEnv.cell, expressions
«bang.row.col», carried figures, the bundle's table sheets, the upper level's sums) read from the block directly.
This module holds what is per block only: its empty value, its check, its rendering, its words for «Tìm».
"""

from __future__ import annotations

from nq57desk.errors import DocumentError
from nq57desk.report.check import TYPE_VI, type_ok
from nq57desk.templates.placeholders import fill_placeholders


def empty(b, ctx: dict):
    return {r.key: {} for r in b.data_rows()} if b.fixed else []


def check(tb, v, place: str) -> None:
    cols = {c.key: c for c in tb.columns}

    def row_ok(row, rplace):
        if not isinstance(row, dict):
            raise DocumentError("mỗi dòng là một đối tượng cột: giá trị", rplace)
        for k, x in row.items():
            if k == "_group" and not tb.fixed:
                if not isinstance(x, str) or x not in {g for g, _ in tb.groups}:
                    raise DocumentError(f"nhóm «{x}» không có trong bảng", rplace)
                continue
            if k not in cols:
                raise DocumentError(f"bảng «{tb.title or tb.key}» không có cột «{k}»", rplace)
            col = cols[k]
            if not type_ok(col.type, x):
                raise DocumentError(f"cột «{col.label}» phải là {TYPE_VI[col.type]}", f"{rplace}.{k}")

    if tb.fixed:
        if not isinstance(v, dict):
            raise DocumentError("bảng có dòng cố định: giá trị là bảng khóa dòng → các ô", place)
        rows = {r.key for r in tb.data_rows()}
        extra = set(v) - rows
        if extra:
            raise DocumentError(f"bảng không có dòng {', '.join(sorted(extra))}", place)
        for rk, row in v.items():
            row_ok(row, f"{place}.{rk}")
    else:
        if not isinstance(v, list):
            raise DocumentError("bảng nhập tự do: giá trị là danh sách dòng", place)
        for i, row in enumerate(v):
            row_ok(row, f"{place}[{i}]")


def nodes(b, v, where: str, rc) -> list:
    """The table as printed: its header cells spanning their groups, group and total rows, figures formatted."""
    from nq57desk.render.tree import HeaderCell, Row, Table
    from nq57desk.report.derive import format_value
    from nq57desk.templates import fieldtypes

    cols = b.columns
    depth = max((len(c.group) for c in cols), default=0) + 1
    header: list[HeaderCell] = []
    for level in range(depth - 1):
        ci = 0
        while ci < len(cols):
            c = cols[ci]
            if len(c.group) <= level:
                ci += 1
                continue
            span = 1
            while ci + span < len(cols) and cols[ci + span].group[: level + 1] == c.group[: level + 1]:
                span += 1
            header.append(HeaderCell(fill_placeholders(c.group[level], rc.names), level, ci, 1, span))
            ci += span
    for ci, c in enumerate(cols):
        top = len(c.group)
        header.append(HeaderCell(fill_placeholders(c.label, rc.names), top, ci, depth - top, 1))
    rows: list[Row] = []
    stt_cols = [i for i, c in enumerate(cols) if c.type == "stt"]
    first_text = next((i for i, c in enumerate(cols) if c.type != "stt"), 0)
    if b.fixed:
        n = 0
        for r in b.rows:
            if r.kind == "group":
                num, _, lab = r.label.partition("|") if "|" in r.label else ("", "", r.label)
                cells = [""] * len(cols)
                if stt_cols:
                    cells[stt_cols[0]] = num
                cells[first_text] = lab
                rows.append(Row(cells, "group"))
                continue
            n += 1
            cells = []
            for c in cols:
                if c.type == "stt":
                    given = r.cell(c.key)
                    cells.append(str(given) if given is not None else str(n))
                else:
                    cells.append(format_value(c, rc.env.cell(b, r.key, c.key)))
            rows.append(Row(cells))
    else:
        data = [x for x in (v or []) if isinstance(x, dict)]
        order = [(None, "")] + [(g, lab) for g, lab in b.groups]
        for gkey, glabel in order:
            members = [x for x in data if x.get("_group") == gkey or (gkey is None and x.get("_group") not in {g for g, _ in b.groups})]
            if gkey is not None:
                num, _, lab = glabel.partition("|")
                cells = [""] * len(cols)
                if stt_cols:
                    cells[stt_cols[0]] = num
                cells[first_text] = lab
                rows.append(Row(cells, "group"))
            for i, x in enumerate(members, start=1):
                rows.append(Row([(str(x.get(c.key) or i) if c.type == "stt" else format_value(c, x.get(c.key))) for c in cols]))
    if b.total_label:
        cells = [""] * len(cols)
        cells[first_text] = b.total_label
        for i, c in enumerate(cols):
            if c.total:
                if b.fixed:
                    cells[i] = format_value(c, rc.env.cell(b, "total", c.key))
                else:
                    from nq57desk.templates import expr
                    from nq57desk.templates.expr import Call, Name

                    cells[i] = format_value(c, expr.evaluate(Call("colsum", (Name(b.key), Name(c.key))), rc.env))
        rows.append(Row(cells, "total"))
    widths = [c.width or fieldtypes.of(c.type).width for c in cols]
    numeric = [fieldtypes.is_numeric(c.type) for c in cols]
    return [Table(header, depth, rows, widths, numeric, title=fill_placeholders(b.title, rc.names),
                  kinds=[c.type for c in cols], landscape=b.landscape or len(cols) > 7, where=where)]


def entries(b, v, shown) -> list[tuple[str, str, str]]:
    out = []
    name = b.title or b.label
    if b.fixed:
        for r in b.data_rows():
            row = (v or {}).get(r.key) or {}
            for c in b.columns:
                fixed = r.cell(c.key)
                text = str(fixed) if fixed is not None and c.type != "stt" else shown.show(c.type, row.get(c.key), c.decimals)
                out.append((f"{b.key}.{r.key}.{c.key}", f"{name} › {c.label}", text))
    else:
        for i, row in enumerate(v or [], 1):
            for c in b.columns:
                if c.type != "stt" and isinstance(row, dict):
                    out.append((f"{b.key}[{i}].{c.key}", f"{name} › {c.label}",
                                shown.show(c.type, row.get(c.key), c.decimals)))
    return out


def lines(b, v, ctx: dict) -> list[str]:
    rows = v.values() if isinstance(v, dict) else (v or [])
    return [" | ".join(str(r.get(c.key)) for c in b.columns if r.get(c.key) not in (None, "")) for r in rows]
