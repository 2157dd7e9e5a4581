"""openpyxl helpers shared by the bundle and the consolidated workbook: safe text cells, Times New Roman,
bordered grids with merged multi-level headers, A4 print setup with repeated title rows and frozen headers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from nq57desk.templates.fieldtypes import NUMERIC_TYPES
from nq57desk.vn import parse_number, to_plain, xml_clean

TNR = "Times New Roman"
FONT = Font(name=TNR, size=12)
BOLD = Font(name=TNR, size=12, bold=True)
ITALIC = Font(name=TNR, size=12, italic=True)
TITLE = Font(name=TNR, size=14, bold=True)
SMALL = Font(name=TNR, size=11, italic=True)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CENTER_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="top")
MAX_CELL = 32_000  # Excel holds 32,767 characters in a cell; longer text is cut on screen (the hidden copy is whole)
LINE_PT = 16.0  # one line of 12 pt Times New Roman
UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = NUMERIC_TYPES


def clean_text(s: str) -> str:
    """Text as a cell can hold it: no XML-illegal control characters, one kind of line break, not too long."""
    s = xml_clean(s).replace("\r\n", "\n").replace("\r", "\n")
    return s if len(s) <= MAX_CELL else s[: MAX_CELL - 1] + "…"


def put(ws, row: int, col: int, value, *, font=FONT, align=None, border=None, fmt: str | None = None):
    """Write one cell. Strings are always text (never a formula); a string that a spreadsheet would take for a
    formula (=, +, -, @, tab) is marked quotePrefix so Excel and LibreOffice keep it as text when edited."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, bool):
        value = "Có" if value else "Không"
    if isinstance(value, str):
        value = clean_text(value)
        if value:
            cell.value = value
            cell.data_type = "s"
            if value.startswith(UNSAFE_START):
                cell.quotePrefix = True
    elif isinstance(value, float):
        cell.value = float(f"{value:.12g}")
    elif value is not None:
        cell.value = value
    cell.font = font
    if align is not None:
        cell.alignment = align
    if border is not None:
        cell.border = border
    if fmt:
        cell.number_format = fmt
    return cell


VI = "[$-42A]"  # the Vietnamese locale tag: LibreOffice then prints 1.250.000 and 99,83%


def number_format(ftype: str, decimals: int | None, value) -> str:
    """Excel number formats in Vietnamese style. LibreOffice honours the locale tag; Excel shows the separators
    of the reader's regional settings (1.250.000 on a Vietnamese Windows)."""
    if ftype == "percent":
        d = 2 if decimals is None else decimals
        return f'{VI}#,##0{"." + "0" * d if d else ""}"%"'
    if ftype in ("integer", "money"):
        return VI + "#,##0"
    if decimals:
        return VI + "#,##0." + "0" * decimals
    if isinstance(value, float) and not value.is_integer():
        return VI + "#,##0.##########"
    return VI + "#,##0"


def display_number(text: str):
    """The number behind a printed figure ("1.250.000 đồng", "99,83%", "14.722"), or None."""
    s = text.strip()
    if s.endswith(" đồng"):
        s = s[:-5]
    n = parse_number(s)
    return None if n is None else to_plain(n)


def setup_print(ws, *, landscape: bool, title_rows: tuple[int, int] | None, freeze: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if freeze:
        ws.freeze_panes = freeze
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = TNR


def set_widths(ws, widths: Sequence[float], first_col: int = 1) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(first_col + i)].width = round(w, 1)


def lines_needed(text, width: float) -> int:
    if text is None or text == "":
        return 1
    per = max(1.0, width * 1.15 - 1)
    return sum(max(1, math.ceil(len(line) / per)) for line in str(text).split("\n"))


def fit_row(ws, row: int, values: Sequence, widths: Sequence[float], first_col: int = 1, extra: float = 0.0) -> None:
    """Row height for wrapped text (Excel does not measure rows it did not lay out itself)."""
    if isinstance(ws, ValuesSheet):
        return  # values only: no height to measure
    n = max((lines_needed(v, widths[i]) for i, v in enumerate(values) if i < len(widths)), default=1)
    ws.row_dimensions[row].height = min(409.0, n * LINE_PT + 4 + extra)


def scale_widths(rel: Sequence[float], total: float = 150.0, lo: float = 6.0, hi: float = 60.0) -> list[float]:
    s = sum(rel) or 1.0
    return [min(hi, max(lo, total * w / s)) for w in rel]


@dataclass
class GridCol:
    type: str = "text"  # stt | integer | decimal | percent | money | text (anything else)
    decimals: int | None = None


def write_header(ws, top: int, cells, header_rows: int, ncols: int, left: int = 1) -> None:
    """Merged multi-level header cells (objects with text/row/col/rowspan/colspan), bold, centred, boxed."""
    if isinstance(ws, ValuesSheet):
        ws.header_rows = range(top, top + header_rows)
    for r in range(header_rows):
        for c in range(ncols):
            put(ws, top + r, left + c, None, font=BOLD, align=CENTER, border=BOX)
    for h in cells:
        r, c = top + h.row, left + h.col
        put(ws, r, c, h.text, font=BOLD, align=CENTER, border=BOX)
        if h.rowspan > 1 or h.colspan > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + h.rowspan - 1, end_column=c + h.colspan - 1)


def header_heights(ws, top: int, cells, header_rows: int, widths: Sequence[float]) -> None:
    """Header row heights so every wrapped header label shows whole; widths are the grid's columns."""
    if isinstance(ws, ValuesSheet):
        return
    need = [1] * header_rows
    for h in cells:
        w = sum(widths[h.col: h.col + h.colspan])
        lines = lines_needed(h.text, w)
        per = math.ceil(lines / h.rowspan)
        for r in range(h.row, h.row + h.rowspan):
            need[r] = max(need[r], per)
    for r in range(header_rows):
        ws.row_dimensions[top + r].height = min(409.0, need[r] * LINE_PT + 6)


def write_rows(ws, top: int, rows, cols: Sequence[GridCol], widths: Sequence[float], left: int = 1) -> int:
    """Data rows under a header: rows are (values, kind) with kind data | group | total; figures are numbers."""
    r = top
    for values, kind in rows:
        font = BOLD if kind in ("group", "total") else FONT
        for i, col in enumerate(cols):
            v = values[i] if i < len(values) else None
            align, fmt = WRAP, None
            if col.type == "stt":
                align = CENTER_TOP
                if isinstance(v, str) and v.isdigit():
                    v = int(v)
            elif col.type in NUMERIC and v not in (None, ""):
                n = display_number(v) if isinstance(v, str) else v
                if n is not None:
                    v, align, fmt = n, RIGHT, number_format(col.type, col.decimals, n)
            put(ws, r, left + i, v, font=font, align=align, border=BOX, fmt=fmt)
        fit_row(ws, r, [values[i] if i < len(values) else None for i in range(len(cols))], widths)
        r += 1
    return r


def visible_rows(ws):
    """Cell values of a sheet being written, row by row from row 1 (what a read-only reader will see)."""
    if ws.max_row < 1:
        return iter(())
    return ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=1, max_col=ws.max_column, values_only=True)


class _Sink:
    """Takes any setting and forgets it: the print setup, row heights and widths of a ValuesSheet."""

    def __getattr__(self, _name):
        return self

    def __setattr__(self, _name, _value):
        pass

    def __getitem__(self, _key):
        return self


_SINK = _Sink()


class _Cell:
    __slots__ = ("value", "data_type", "quotePrefix", "font", "alignment", "border", "number_format")

    def __init__(self):
        self.value = None


class ValuesSheet:
    """The cells a sheet function writes, without openpyxl's styles or print setup: the writer's own sheet
    functions run on it so the reader knows what each visible cell must hold (the layout has one home, the
    writer), at a fraction of the cost of building an openpyxl sheet."""

    PAPERSIZE_A4 = 9

    def __init__(self, title: str):
        self.title = title
        self.cells: dict[tuple[int, int], _Cell] = {}
        self._merged = (0, 0)  # the furthest (row, column) a merged range reaches
        self.header_rows = range(0)  # the grid header's rows, when the sheet has one (names a column in messages)
        self.row_dimensions = self.column_dimensions = self.page_setup = self.page_margins = _SINK
        self.sheet_properties = self.oddFooter = _SINK
        self.print_title_rows = self.freeze_panes = self.sheet_state = None

    def cell(self, row: int, column: int) -> _Cell:
        c = self.cells.get((row, column))
        if c is None:
            c = self.cells[(row, column)] = _Cell()
        return c

    def merge_cells(self, *, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        """openpyxl creates the merged range's cells: they count in the sheet's dimension."""
        self._merged = (max(self._merged[0], end_row), max(self._merged[1], end_column))

    @property
    def max_row(self) -> int:
        return max(max((r for r, _c in self.cells), default=0), self._merged[0])

    @property
    def max_column(self) -> int:
        return max(max((c for _r, c in self.cells), default=0), self._merged[1])

    def rows(self) -> dict[int, tuple]:
        """Row number → values from column A to the row's last cell (the rows a reader sees)."""
        out: dict[int, list] = {}
        for (r, c), cell in self.cells.items():
            row = out.setdefault(r, [])
            if len(row) < c:
                row.extend([None] * (c - len(row)))
            row[c - 1] = cell.value
        return {r: tuple(v) for r, v in out.items()}
