"""A tree Table as a bordered WordprocessingML table: merged multi-level header rows repeated on every page,
bold group and total rows, numbers right-aligned, column widths from Table.widths fitted to the text width."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nq57desk.render import docx_xml as X
from nq57desk.render.tree import Table

CELL_LR = 57  # 1 mm cell margin left and right
STT_LABELS = ("TT", "STT", "SỐ TT")
_WORD = re.compile(r"\S+")


def font_size(width: int, ncols: int) -> float:
    """13 pt for roomy tables, 12 for most, 11 when columns are narrower than 18 mm on average."""
    avg_mm = width / X.TWIPS_PER_MM / max(1, ncols)
    return 13 if avg_mm >= 28 else 12 if avg_mm >= 18 else 11


@dataclass
class Cell:
    """One printed cell: where it starts, how many grid columns it spans, its text and alignment.

    `cont` marks the continuation of a header cell merged downwards (DOCX writes it, HTML leaves it out)."""
    text: str
    start: int
    span: int = 1
    rowspan: int = 1
    jc: str = "left"
    bold: bool = False
    cont: bool = False


@dataclass
class TablePlan:
    """A tree Table laid out once for every renderer: column grid (twips), font size, header and body cells."""
    grid: list[int]
    size: float
    header: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


def plan(t: Table, width: int) -> TablePlan:
    ncols = max([len(t.widths), 1, *(c.col + c.colspan for c in t.header), *(len(r.cells) for r in t.rows)])
    size = font_size(width, ncols)
    numeric = (list(t.numeric) + [False] * ncols)[:ncols]
    labels = [""] * ncols
    for c in t.header:
        if c.row + c.rowspan == t.header_rows and c.colspan == 1 and c.col < ncols:
            labels[c.col] = c.text.strip().upper()
    centred = [lab in STT_LABELS for lab in labels]
    out = TablePlan(column_grid(t, width, ncols, size, numeric), size)
    at = {(c.row, c.col): c for c in t.header}
    cont = {(r, c.col): c.colspan for c in t.header for r in range(c.row + 1, c.row + c.rowspan)}
    for r in range(t.header_rows):
        cells, col = [], 0
        while col < ncols:
            h = at.get((r, col))
            if h is not None:
                span = max(1, min(h.colspan, ncols - col))
                cells.append(Cell(h.text, col, span, max(1, min(h.rowspan, t.header_rows - r)), "center", True))
            elif (r, col) in cont:
                span = max(1, min(cont[(r, col)], ncols - col))
                cells.append(Cell("", col, span, jc="center", cont=True))
            else:
                span = 1
                cells.append(Cell("", col, 1, jc="center"))
            col += span
        out.header.append(cells)
    for row in t.rows:
        vals = (list(row.cells) + [""] * ncols)[:ncols]
        strong = row.kind in ("group", "total")
        cells = []
        for start, span, at_ in spans(vals, row.kind, numeric):
            if row.kind == "total" and not numeric[at_]:
                jc = "center"
            elif numeric[at_] and span == 1:
                jc = "right"
            elif centred[at_] and span == 1:
                jc = "center"
            else:
                jc = "left"
            cells.append(Cell(vals[at_], start, span, 1, jc, strong))
        out.rows.append(cells)
    return out


def table_xml(t: Table, width: int) -> str:
    p = plan(t, width)
    grid, size = p.grid, p.size

    def cell_para(text: str, jc: str, bold: bool = False, keep: bool = False) -> str:
        return X.para(X.run(text, size, bold) if text else "", style="ND30Bang", jc=jc, keep_next=keep)

    rows = []
    for cells in p.header:
        xml = []
        for c in cells:
            if c.cont:
                content, vm = "", "continue"
            elif c.text or c.bold:
                content, vm = cell_para(c.text, "center", True, keep=True), ("restart" if c.rowspan > 1 else None)
            else:
                content, vm = "", None
            # a header cell spanning columns takes its width from the grid: python-docx (and nd30check's
            # fit test) would count an explicit width once per spanned column
            xml.append(X.tc(content, grid[c.start] if c.span == 1 else None, span=c.span, vmerge=vm, valign="center"))
        rows.append(X.tr("".join(xml), header=True))
    for cells in p.rows:
        rows.append(X.tr("".join(X.tc(cell_para(c.text, c.jc, c.bold), sum(grid[c.start:c.start + c.span]), span=c.span,
                                      valign="center") for c in cells)))
    return X.table(grid, "".join(rows), cell_lr=CELL_LR)


def column_grid(t: Table, width: int, ncols: int, size: float, numeric: list[bool]) -> list[int]:
    """Relative widths scaled to `width`, then widened where a header word or a number would not fit,
    taking the room from the columns that have some to spare."""
    rel = [max(0.1, float(w)) for w in (list(t.widths) + [1.0] * ncols)[:ncols]]
    grid = [width * w / sum(rel) for w in rel]
    pad = 2 * CELL_LR + X.tw(1)
    mins = [0.0] * ncols
    for c in t.header:
        if c.colspan == 1 and c.col < ncols:
            words = _WORD.findall(c.text) or [""]
            mins[c.col] = max(mins[c.col], max(X.text_twips(w, size, True) for w in words) + pad)
    cap = X.tw(28)
    for row in t.rows:
        bold = row.kind != "data"
        for i, v in enumerate(row.cells[:ncols]):
            v = str(v)
            if not v or (row.kind == "group" and i > 0):
                continue
            if numeric[i] or len(v) <= 4:
                need = X.text_twips(v, size, bold) + pad  # numbers and short codes never wrap
            else:
                need = min(cap, max(X.text_twips(w, size, bold) for w in _WORD.findall(v)) + pad)
            mins[i] = max(mins[i], need)
    if sum(mins) >= width:  # cannot honour them all: share out in proportion to what each needs
        grid = [width * m / sum(mins) for m in mins]
    else:
        short = sum(max(0.0, m - g) for g, m in zip(grid, mins, strict=True))
        if short > 0:
            slack = [max(0.0, g - m) for g, m in zip(grid, mins, strict=True)]
            total_slack = sum(slack)
            grid = [max(g, m) - (s / total_slack * short if total_slack else 0.0)
                    for g, m, s in zip(grid, mins, slack, strict=True)]
    out = [int(g) for g in grid]
    out[-1] += width - sum(out)
    return out


def spans(vals: list[str], kind: str, numeric: list[bool] | None = None) -> list[tuple[int, int, int]]:
    """(first column, columns spanned, column whose text it shows) per printed cell: data rows cell by cell;
    in group and total rows a text label runs on over the empty cells after it (a total label also over those
    before it); figures keep their own column."""
    if kind not in ("group", "total"):
        return [(i, 1, i) for i in range(len(vals))]
    numeric = numeric or [False] * len(vals)
    out: list[list[int]] = []
    for i, v in enumerate(vals):
        if str(v).strip() or not out or numeric[out[-1][2]] and str(vals[out[-1][2]]).strip():
            out.append([i, 1, i])
        else:
            out[-1][1] += 1
    if kind == "total" and len(out) > 1 and not str(vals[out[0][0]]).strip():
        out[1] = [0, out[0][1] + out[1][1], out[1][2]]
        out.pop(0)
    return [(s, n, k) for s, n, k in out]
