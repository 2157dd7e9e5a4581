"""The visible sheets of a bundle against its hidden document, cell by cell.

The province reads the visible sheets; the consolidation reads the hidden JSON. A signature proves who sent a
bundle, not that both halves say the same: whoever holds the commune's key (its PC compromised, or a program that
edits and signs again) could show 3.199 and consolidate 3.270. So the reader re-renders every visible sheet from the
hidden document with the writer's own sheet functions (nq57desk.bundle.writer.visible_sheets on
sheets.ValuesSheet: the layout has one home) and compares what the sheets hold with it:

- the sheets themselves: the same titles in the same order, no other hidden sheet;
- each sheet's declared and actual size: no row or column beyond what this template and this document produce;
- every cell of «Thông tin chung», «Số liệu», each table sheet (fixed and free tables, amounts, tasks) and
  «Nội dung», after NFC; a computed figure on «Số liệu» (a rate) may differ by 0,01, the last decimal shown (the
  importer recomputes it; an app of another version may round it otherwise);
- on «Kiểm tra», every giải trình shown must be one the document holds (its findings are recomputed by the upper
  level from the document, not read from the sheet).

A difference is refused naming the sheet, the row, the column and both values.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from openpyxl.utils import get_column_letter

from nq57desk.bundle.format import (
    K_APP,
    K_EXPORTED,
    K_JSON,
    K_SHEET,
    SHEET_DATA,
    SHEET_FIGURES,
    BundleError,
    cell_value,
)
from nq57desk.bundle.sheets import ValuesSheet
from nq57desk.templates.model import Template
from nq57desk.vn import fmt_number

MSG = {
    "figures_edited": "số liệu trên trang «Số liệu» khác dữ liệu ẩn của gói ({}); gói đã bị sửa sau khi xuất, "
                      "hãy đề nghị xã xuất lại gói, không sửa tay.",
    "sheet_edited": "trang tính khác dữ liệu ẩn của gói: {}; gói đã bị sửa sau khi xuất, hãy đề nghị xã xuất lại "
                    "gói, không sửa tay.",
    "sheets_differ": "các trang của gói khác các trang dữ liệu ẩn tạo ra ({}); gói đã bị sửa sau khi xuất, hãy đề "
                     "nghị xã xuất lại gói.",
    "too_long": "trang «{}» có dòng {}, dài hơn những gì mẫu và dữ liệu của báo cáo tạo ra ({} dòng); gói đã bị "
                "sửa, từ chối.",
    "too_wide": "trang «{}» có cột {}, rộng hơn những gì mẫu và dữ liệu của báo cáo tạo ra (đến cột {}); gói đã bị "
                "sửa, từ chối.",
    "data_edited": "dữ liệu ẩn của gói đã bị sửa sau khi xuất ({}); hãy đề nghị xã xuất lại gói.",
}
COMPUTED_SLACK = 0.01 + 1e-9  # a computed figure's last shown decimal
FIGURES_BEFORE_CODES = 7  # «Số liệu» had columns A–G before «Mã chỉ tiêu» (H) was added
DATA_COLUMNS = 3  # key | value | sheet hash: the hidden sheet's width
SHOWN = 3  # differences named in one message


def _fail(reason: str, name: str, *args) -> BundleError:
    return BundleError(reason, MSG[reason].format(*args), name)


def expected_sheets(tpl: Template, doc: dict, meta: dict, name: str) -> list[ValuesSheet]:
    """What the writer puts on each visible sheet for this document (`tpl` shaped to its outline), with the export
    time and app version the bundle's signed hidden sheet gives; «Kiểm tra» is left empty (see the module)."""
    from nq57desk.bundle.writer import visible_sheets

    try:
        exported = dt.datetime.fromisoformat(str(meta.get(K_EXPORTED) or ""))
    except ValueError:
        raise _fail("data_edited", name, "thời điểm xuất gói không đọc được") from None
    out: list[ValuesSheet] = []

    def new_sheet(title: str) -> ValuesSheet:
        out.append(ValuesSheet(title))
        return out[-1]

    visible_sheets(tpl, doc, exported, str(meta.get(K_APP) or ""), new_sheet, checks=False)
    return out


def cross_check(tpl: Template, doc: dict, meta: dict, loaded, name: str) -> None:
    """Refuse (BundleError) a bundle whose visible sheets do not say what its hidden document says.

    `doc` is the document as the bundle carries it: a document in decomposed Unicode (NFD) renders some words
    otherwise than its NFC form (a phrase the template would not repeat is found only in NFC), and its sheets
    were written from it as it is."""
    expected = expected_sheets(tpl, doc, meta, name)
    _check_titles([_canon(sh.title) for sh, _rows in loaded.shown], [_canon(ws.title) for ws in expected],
                  loaded.others, name)
    _check_data_sheet(loaded, name)
    diffs: list[tuple[str, str]] = []  # (reason, place and values)
    for (sh, got), ws in zip(loaded.shown, expected, strict=True):
        if ws is expected[-1]:  # «Kiểm tra», always last
            _check_explanations(sh.title, got, doc, name)
            continue
        width = _width(sh, ws)
        _check_size(sh, ws, width, name)
        diffs += _diff(ws, got, width)
        if len(diffs) > SHOWN:
            break
    if diffs:
        reason = diffs[0][0]
        shown = [d for r, d in diffs if r == reason][:SHOWN]
        more = f" và {len(diffs) - len(shown)} chỗ khác" if len(diffs) > len(shown) else ""
        raise _fail(reason, name, "; ".join(shown) + more)


def _check_titles(got: list[str], want: list[str], others: list[str], name: str) -> None:
    if others:
        raise _fail("sheets_differ", name, f"trang ẩn «{others[0]}» không phải của gói")
    if got == want:
        return
    extra = [t for t in got if t not in want]
    missing = [t for t in want if t not in got]
    if extra:
        what = f"trang «{extra[0]}» không có trong dữ liệu ẩn"
    elif missing:
        what = f"thiếu trang «{missing[0]}»"
    else:
        what = "các trang bị đổi thứ tự"
    raise _fail("sheets_differ", name, what)


def _check_data_sheet(loaded, name: str) -> None:
    """The hidden sheet is no wider than the writer makes it, and lists one hash per visible sheet."""
    sh = loaded.data_sheet
    if sh is not None:
        for n in (sh.declared[1], sh.extent[1]):
            if n > DATA_COLUMNS:
                raise _fail("too_wide", name, SHEET_DATA, get_column_letter(n), get_column_letter(DATA_COLUMNS))
    listed = sum(1 for row in loaded.hidden if row and row[0] == K_SHEET)
    if listed != len(loaded.shown):
        raise _fail("data_edited", name, "số trang ghi trong dữ liệu ẩn khác số trang của gói")
    if not any(row and row[0] == K_JSON for row in loaded.hidden):
        raise _fail("data_edited", name, "thiếu phần dữ liệu")


def _width(sh, ws: ValuesSheet) -> int:
    """The columns compared: all the writer makes, but «Số liệu» of a bundle written before «Mã chỉ tiêu» (its
    column H, a catalogue code the consolidation reads from the template, not from the sheet) ends at column G."""
    if ws.title == SHEET_FIGURES and max(sh.declared[1], sh.extent[1]) == FIGURES_BEFORE_CODES:
        return FIGURES_BEFORE_CODES
    return ws.max_column


def _check_size(sh, ws: ValuesSheet, width: int, name: str) -> None:
    """Declared <dimension> and the last cell actually there: not beyond what the writer made of this document."""
    for last_row, last_col in (sh.declared, sh.extent):
        if last_row > ws.max_row:
            raise _fail("too_long", name, sh.title, last_row, ws.max_row)
        if last_col > width:
            raise _fail("too_wide", name, sh.title, get_column_letter(last_col), get_column_letter(max(width, 1)))


def _canon(v):
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return unicodedata.normalize("NFC", v)
    return cell_value(v)


def _norm(row) -> list:
    out = [_canon(v) for v in row or ()]
    while out and out[-1] is None:
        out.pop()
    return out


def _diff(ws: ValuesSheet, got: dict[int, tuple], width: int) -> list[tuple[str, str]]:
    """(reason, «where: sheet says …, data says …») of each differing cell, at most one per row."""
    want = ws.rows()
    if width < ws.max_column:
        want = {r: v[:width] for r, v in want.items()}
    figures = ws.title == SHEET_FIGURES
    out = []
    for r in sorted(set(want) | set(got)):
        if got.get(r) == want.get(r):
            continue  # as written, read back as written: the common case, at no cost
        a, b = _norm(got.get(r)), _norm(want.get(r))
        if a == b:
            continue
        for c in range(max(len(a), len(b))):
            x = a[c] if c < len(a) else None
            y = b[c] if c < len(b) else None
            if x == y:
                continue
            if figures and c == 3 and len(b) > 6 and b[6] == "Có" and _close(x, y):
                continue  # a computed figure: see the module
            out.append(("figures_edited" if figures else "sheet_edited", _place(ws, want, r, c, figures, x, y)))
            break
        if len(out) > SHOWN:
            break
    return out


def _close(x, y) -> bool:
    num = (int, float)
    return isinstance(x, num) and isinstance(y, num) and abs(x - y) <= COMPUTED_SLACK


def _place(ws: ValuesSheet, want: dict, r: int, c: int, figures: bool, got, data) -> str:
    col = get_column_letter(c + 1)
    head = _header(ws, want, c)
    row = want.get(r) or ()
    label = ""
    if figures and len(row) > 2 and isinstance(row[2], str):
        label = row[2]
    elif r not in ws.header_rows and len(ws.header_rows):
        label = next((v for i, v in enumerate(row) if i != c and isinstance(v, str) and v.strip()
                      and not v.isdigit()), "")
    where = ("" if figures else f"«{ws.title}», ") + f"dòng {r}" + (f" («{_cut(label, 50)}»)" if label else "")
    where += f", cột {col}" + (f" «{_cut(head, 40)}»" if head else "")
    shown, hidden = _values(got, data)
    return f"{where}: trang tính ghi {shown}, dữ liệu ẩn ghi {hidden}"


def _header(ws: ValuesSheet, want: dict, c: int) -> str:
    """The grid header's label over column c (its lowest row that names it: a merged group names the columns
    under it only when no row below does)."""
    for r in reversed(ws.header_rows):
        row = want.get(r) or ()
        if c < len(row) and isinstance(row[c], str) and row[c].strip():
            return " ".join(row[c].split())
    return ""


def _values(got, data) -> tuple[str, str]:
    if isinstance(got, str) and isinstance(data, str):
        k = next((i for i, (p, q) in enumerate(zip(got, data, strict=False)) if p != q), min(len(got), len(data)))
        start = max(0, k - 20)
        return _snippet(got, start), _snippet(data, start)
    return _one(got), _one(data)


def _snippet(s: str, start: int, n: int = 60) -> str:
    return "«" + ("…" if start else "") + s[start: start + n].replace("\t", " | ") + ("…" if len(s) > start + n else "") + "»"


def _one(v) -> str:
    if v is None:
        return "ô trống"
    if isinstance(v, bool):
        return "Có" if v else "Không"
    if isinstance(v, (int, float)):
        return fmt_number(v)
    return _snippet(str(v), 0)


def _cut(s: str, n: int) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _check_explanations(title: str, got: dict[int, tuple], doc: dict, name: str) -> None:
    """Every giải trình shown on «Kiểm tra» (column E under its header) is one of the document's."""
    from nq57desk.bundle.sheets import clean_text
    from nq57desk.validation import explanations_of

    ours = {unicodedata.normalize("NFC", clean_text(t)) for t in explanations_of(doc).values()}
    for r, row in sorted(got.items()):
        if r <= 3 or len(row) < 5:
            continue
        text = _canon(row[4])
        if text is not None and text not in ours:
            raise _fail("sheet_edited", name, f"«{title}», dòng {r}, cột E «Giải trình»: trang tính ghi "
                                              f"{_one(text)}, dữ liệu ẩn không có giải trình này")
        if len(row) > 5 and any(v not in (None, "") for v in row[5:]):
            raise _fail("too_wide", name, title, get_column_letter(len(row)), "E")
