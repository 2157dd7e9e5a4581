"""Write one report revision as an Excel bundle (.xlsx) for sending upward.

Visible sheets are for people (general information, every figure, one sheet per table, the text, the findings of
«Kiểm tra» with the officer's giải trình of each explained error); the very
hidden sheet `_data` carries the exact document JSON with its SHA-256 and a SHA-256 of the visible cells, so the
upper level reads the JSON, and any edit made after export is detected. The hidden sheet also holds the
installation's public key and an Ed25519 signature over all of it (nq57desk.bundle.signing), so a forger who
recomputes every SHA-256 is still caught. No formulas, macros or links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from openpyxl import Workbook

from nq57desk.bundle import sheets as S
from nq57desk.bundle.format import (
    BUNDLE_VERSION,
    CHUNK,
    FORMAT,
    K_APP,
    K_CHUNKS,
    K_COMMUNE,
    K_EXPORTED,
    K_FORMAT,
    K_JSON,
    K_JSON_SHA,
    K_PERIOD,
    K_REVISION,
    K_SHEET,
    K_TEMPLATE,
    K_TEMPLATE_VERSION,
    K_VERSION,
    K_VISIBLE_SHA,
    SHEET_CHECKS,
    SHEET_DATA,
    SHEET_FIGURES,
    SHEET_INFO,
    SHEET_TEXT,
    BundleError,
    VisibleHash,
    os_problem,
    sheet_title,
)
from nq57desk.bundle.safefile import atomic_write
from nq57desk.render.tree import HeaderCell, Table, build, to_text
from nq57desk.report.derive import ReportEnv, is_computed
from nq57desk.report.document import STATUS_VI, context_of, dumps, period_code, period_label, period_title
from nq57desk.report.kinds import function
from nq57desk.report.shaping import shape
from nq57desk.templates.fieldtypes import shown_unit
from nq57desk.templates.model import TableBlock, Template, fields_of
from nq57desk.templates.numbering import section_paths
from nq57desk.vn import doc_number, fmt_date, month_only, month_str, to_plain


def write_bundle(tpl: Template, doc: dict, path, *, app_version: str, key, exported_at: dt.datetime | None = None) -> None:
    """Write the bundle of one report revision to `path` atomically (temp file → fsync → rename), signed with
    `key` (the installation's Ed25519 key, nq57desk.bundle.signing.installation_key).

    Raises BundleError (reason "write_failed") when the file cannot be written, e.g. a full or read-only disk.
    """
    wb = build_workbook(tpl, doc, app_version=app_version, key=key, exported_at=exported_at)
    try:
        atomic_write(path, wb.save)
    except OSError as e:
        raise BundleError("write_failed", f"không ghi được gói báo cáo: {os_problem(e)[1]}", path) from e


def build_workbook(tpl: Template, doc: dict, *, app_version: str, key, exported_at: dt.datetime | None = None) -> Workbook:
    exported = (exported_at or dt.datetime.now()).astimezone().replace(microsecond=0)
    tpl = shape(tpl, doc).visible()  # the report's own outline; hidden sections' figures are not reported
    wb = Workbook()
    wb.properties.creator = f"nq57desk {app_version}"
    wb.properties.title = doc["header"].get("subject", "")[:250]
    first = [wb.active]

    def new_sheet(title: str):
        ws = first.pop() if first else wb.create_sheet()
        ws.title = title
        return ws

    visible_sheets(tpl, doc, exported, app_version, new_sheet)
    _data_sheet(wb, doc, exported, app_version, key)
    wb.active = 0
    return wb


def visible_sheets(tpl: Template, doc: dict, exported: dt.datetime, app_version: str, new_sheet, *,
                   checks: bool = True) -> None:
    """Write every visible sheet, in workbook order, on the sheets `new_sheet(title)` gives: openpyxl's for the
    bundle, sheets.ValuesSheet for the reader's cross-check (what each visible cell must hold). `tpl` is already
    shaped to the report's outline. `checks=False` leaves «Kiểm tra», always last, empty (its findings need a
    validation the reader does not repeat)."""
    tree = build(tpl, doc)
    taken: set[str] = set()
    _info_sheet(new_sheet(sheet_title(SHEET_INFO, taken)), tpl, doc, exported, app_version)
    _figures_sheet(new_sheet(sheet_title(SHEET_FIGURES, taken)), tpl, doc)
    for block, where, table in tables_of(tpl, tree):
        _table_sheet(new_sheet(sheet_title(_table_sheet_name(tpl, block, where), taken)), tpl, doc, block, table)
    ctx = context_of(doc)
    for where, b in tpl.blocks():
        if (sheet := function(b, "table")) is not None:  # a kind with a sheet of its own (amounts, tasks)
            t, types = sheet(b, (doc.get("values") or {}).get(b.key), ctx)
            t.where = where
            ws = new_sheet(sheet_title(_table_sheet_name(tpl, b, where), taken))
            _grid_sheet(ws, tpl, doc, t, [S.GridCol(x, 2 if x == "percent" else None) for x in types])
    _text_sheet(new_sheet(sheet_title(SHEET_TEXT, taken)), to_text(tree))
    ws = new_sheet(sheet_title(SHEET_CHECKS, taken))
    if checks:
        _checks_sheet(ws, tpl, doc)


# -- visible sheets ------------------------------------------------------------------------------------------

def _title_rows(ws, title: str, subtitle: str, ncols: int) -> None:
    S.put(ws, 1, 1, title, font=S.TITLE, align=S.WRAP)
    S.put(ws, 2, 1, subtitle, font=S.ITALIC, align=S.WRAP)
    if ncols > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)


def _who(doc: dict) -> str:
    c = doc["commune"]
    return f"{c.get('name', '')} ({c.get('province_name', '')})" + (f", {per}" if (per := period_label(doc["period"])) else "")


def _report_date(value) -> str:
    """The header's date as a person reads it; a month-only date ("2026-05") has its day written when signing."""
    if not value:
        return "(chưa ghi ngày)"
    ym = month_only(value)
    if ym:
        return f"tháng {month_str(ym[1])}/{ym[0]} (ngày ghi khi ký)"
    return fmt_date(value)


def _info_sheet(ws, tpl: Template, doc: dict, exported: dt.datetime, app_version: str) -> None:
    c, p, h = doc["commune"], doc["period"], doc["header"]
    rep = doc.get("replaces")
    replaces = f"{str(rep.get('kind') or 'thay thế').capitalize()} lần gửi {rep['revision']}" if rep else "Không"
    number = doc_number(h.get("number"), h.get("symbol") or tpl.doc_symbol).replace("Số:", "").strip()
    rows = [
        ("Tỉnh, thành phố", c.get("province_name", "")),
        ("Mã tỉnh, thành phố", c.get("province_code", "")),
        ("Xã, phường, đặc khu", c.get("name", "")),
        ("Mã xã, phường, đặc khu", c.get("code", "")),
        ("Kỳ báo cáo", period_title(p)),
        ("Mã kỳ báo cáo", period_code(p)),
        ("Từ ngày", "" if p["kind"] == "none" else fmt_date(p.get("start"))),
        ("Đến ngày", "" if p["kind"] == "none" else fmt_date(p.get("end")) or "thời điểm báo cáo"),
        ("Mẫu báo cáo", tpl.title),
        ("Mã mẫu", tpl.id),
        ("Phiên bản mẫu", tpl.version),
        ("Số báo cáo", number if str(h.get("number") or "").strip() else f"(chưa cấp số) /{h.get('symbol', '')}"),
        ("Ngày báo cáo", _report_date(h.get("date"))),
        ("Trích yếu", h.get("subject", "")),
        ("Trạng thái", STATUS_VI.get(doc.get("status"), str(doc.get("status")))),
        ("Lần gửi (số hiệu bản)", doc.get("revision")),
        ("Thay thế, bổ sung", replaces),
        ("Người ký", " – ".join(x for x in [*(doc.get("signature") or {}).get("lines", []), (doc.get("signature") or {}).get("name", "")] if x)),
        ("Thời điểm xuất gói", exported.strftime("%d/%m/%Y %H:%M")),
        ("Phiên bản ứng dụng", f"nq57desk {app_version}"),
        ("Định dạng gói", f"{FORMAT} (phiên bản {BUNDLE_VERSION})"),
    ]
    _title_rows(ws, "THÔNG TIN CHUNG VỀ BÁO CÁO", _who(doc), 2)
    S.write_header(ws, 3, [HeaderCell("Mục", 0, 0), HeaderCell("Nội dung", 0, 1)], 1, 2)
    widths = [32, 90]
    for i, (k, v) in enumerate(rows, start=4):
        S.put(ws, i, 1, k, font=S.BOLD, align=S.WRAP, border=S.BOX)
        S.put(ws, i, 2, v, align=S.LEFT, border=S.BOX, fmt="0" if isinstance(v, int) else None)
        S.fit_row(ws, i, [k, v], widths)
    note = len(rows) + 5
    S.put(ws, note, 1, "Lưu ý: không sửa tệp này. Dữ liệu được khóa bằng mã kiểm tra; tệp đã sửa sẽ bị từ chối khi "
                       "cấp trên nhập. Cần sửa thì sửa trong ứng dụng và xuất lại.", font=S.SMALL, align=S.WRAP)
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=2)
    ws.row_dimensions[note].height = 2 * S.LINE_PT + 4
    S.set_widths(ws, widths)
    S.setup_print(ws, landscape=False, title_rows=(3, 3), freeze="A4")


def scalar_fields(tpl: Template):
    """(container key, field) for every field of every fields block, in document order; a figure a report shows in
    two places (a figure group reusing the template's field) is listed once, where it first appears."""
    seen: set[str] = set()
    for ckey, b in tpl.blocks():
        for f in fields_of(b):
            if f.key not in seen:
                seen.add(f.key)
                yield ckey, f


def field_value(f, v):
    """A field value as a cell holds it: numbers as numbers, dates and yes/no as Vietnamese text."""
    if v is None or v == "":
        return None
    if isinstance(v, Decimal):
        v = to_plain(v)
    if isinstance(v, bool):
        return "Có" if v else "Không"
    if f.type == "date":
        return fmt_date(v)
    return v


def unit_of(f) -> str:
    return shown_unit(f.type, f.unit)


def _figures_sheet(ws, tpl: Template, doc: dict) -> None:
    env = ReportEnv(tpl, doc)
    paths = section_paths(tpl, context_of(doc))
    titles = {k: t for k, t, _b in tpl.containers()}
    # «Mã chỉ tiêu» last: readers of older bundles (without it) find the other columns where they were
    heads = ["TT", "Mục", "Chỉ tiêu", "Giá trị", "Đơn vị tính", "Khóa", "Tự động tính", "Mã chỉ tiêu"]
    widths = [6, 40, 48, 18, 12, 20, 10, 20]
    _title_rows(ws, "SỐ LIỆU CỦA BÁO CÁO", _who(doc), len(heads))
    S.write_header(ws, 3, [HeaderCell(t, 0, i) for i, t in enumerate(heads)], 1, len(heads))
    S.header_heights(ws, 3, [HeaderCell(t, 0, i) for i, t in enumerate(heads)], 1, widths)
    r = 4
    for n, (ckey, f) in enumerate(scalar_fields(tpl), start=1):
        v = field_value(f, env.resolve(f.key))
        numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
        fmt = S.number_format(f.type if f.type in S.NUMERIC else "decimal", f.decimals, v) if numeric else None
        values = [n, paths.get(ckey, titles.get(ckey, ckey)), f.label, v, unit_of(f), f.key,
                  "Có" if is_computed(tpl, doc, f.key) else "", f.indicator or ""]
        for i, val in enumerate(values, start=1):
            align = S.RIGHT if (i == 4 and numeric) else S.CENTER_TOP if i in (1, 7) else S.WRAP
            S.put(ws, r, i, val, align=align, border=S.BOX, fmt=fmt if i == 4 else None)
        S.fit_row(ws, r, values, widths)
        r += 1
    S.set_widths(ws, widths)
    S.setup_print(ws, landscape=True, title_rows=(3, 3), freeze="A4")


def tables_of(tpl: Template, tree):
    """(TableBlock, container key, rendered Table) in document order: the tree renders tables in block order."""
    nodes = [n for n in tree.body if isinstance(n, Table) and n.block_kind == "table"]
    for a in tree.appendices:
        nodes += [n for n in a.body if isinstance(n, Table) and n.block_kind == "table"]
    by_place: dict[str, list] = {}
    for n in nodes:
        by_place.setdefault(n.where, []).append(n)
    for ckey, b in tpl.blocks():
        if isinstance(b, TableBlock) and by_place.get(ckey):  # an appendix nobody filled is not printed: no sheet
            yield b, ckey, by_place[ckey].pop(0)
    if any(by_place.values()):  # the tree and the template disagree: a programming error, not user data
        raise BundleError("internal", "bảng đã dựng không khớp với các bảng của mẫu.")


def _table_sheet_name(tpl: Template, b, where: str) -> str:
    a = tpl.appendix(where)
    if a:
        return f"{a.label} - {b.title or b.label or a.title}".rstrip(" -")
    return b.title or b.label or b.key


def _table_sheet(ws, tpl: Template, doc: dict, b: TableBlock, t: Table) -> None:
    _grid_sheet(ws, tpl, doc, t, [S.GridCol(c.type, c.decimals) for c in b.columns])


def _grid_sheet(ws, tpl: Template, doc: dict, t: Table, cols: list) -> None:
    """One rendered table on its own sheet: titles, header, rows, A4 with the header repeated."""
    ncols = len(t.widths)
    widths = S.scale_widths(t.widths, total=min(150.0, max(60.0, 22.0 * ncols)))
    a = tpl.appendix(t.where)
    title = f"{a.label}. {a.title}" if a and a.title else (a.label if a else "")
    title = " – ".join(x for x in (title, t.title) if x) or "Bảng số liệu"
    _title_rows(ws, title, _who(doc), ncols)
    top = 3
    S.write_header(ws, top, t.header, t.header_rows, ncols)
    S.header_heights(ws, top, t.header, t.header_rows, widths)
    S.write_rows(ws, top + t.header_rows, [(r.cells, r.kind) for r in t.rows], cols, widths)
    S.set_widths(ws, widths)
    S.setup_print(ws, landscape=True, title_rows=(top, top + t.header_rows - 1), freeze=f"A{top + t.header_rows}")


def _text_sheet(ws, text: str) -> None:
    width = 110
    S.put(ws, 1, 1, "NỘI DUNG BÁO CÁO (bản chữ, mỗi đoạn một dòng)", font=S.BOLD, align=S.WRAP)
    r = 2
    for line in text.split("\n"):
        if line.strip():
            S.put(ws, r, 1, line, align=S.WRAP)
            S.fit_row(ws, r, [line], [width])
        r += 1
    S.set_widths(ws, [width])
    S.setup_print(ws, landscape=False, title_rows=(1, 1), freeze="A2")


def _checks_sheet(ws, tpl: Template, doc: dict) -> None:
    """Every finding (errors first) and, beside an error, its giải trình: the upper level reads why a commune's
    figures stay as they are. Blank required figures are here too, as warnings «Chưa có số liệu: …»."""
    from nq57desk.validation import SEVERITY_VI, explained_count, explanation, validate

    findings = validate(tpl, doc)
    heads = ["TT", "Mức độ", "Vị trí", "Nội dung", "Giải trình"]
    widths = [6, 14, 40, 60, 50]
    errors = sum(f.severity == "error" for f in findings)
    sub = (f"{_who(doc)}: {errors} lỗi ({explained_count(findings, doc)} đã giải trình), "
           f"{len(findings) - errors} cảnh báo")
    _title_rows(ws, "KẾT QUẢ KIỂM TRA SỐ LIỆU VÀ GIẢI TRÌNH", sub, len(heads))
    S.write_header(ws, 3, [HeaderCell(t, 0, i) for i, t in enumerate(heads)], 1, len(heads))
    r = 4
    if not findings:
        S.put(ws, r, 1, "Không có lỗi hay cảnh báo nào.", align=S.WRAP)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(heads))
    for n, f in enumerate(findings, start=1):
        why = explanation(doc, f)
        sev = SEVERITY_VI[f.severity] + (" (đã giải trình)" if why else "")
        values = [n, sev, f.place, f.message, why]
        for i, val in enumerate(values, start=1):
            S.put(ws, r, i, val, align=S.CENTER_TOP if i == 1 else S.WRAP, border=S.BOX,
                  font=S.BOLD if (i == 2 and f.severity == "error") else S.FONT)
        S.fit_row(ws, r, values, widths)
        r += 1
    S.set_widths(ws, widths)
    S.setup_print(ws, landscape=True, title_rows=(3, 3), freeze="A4")


# -- the hidden sheet ------------------------------------------------------------------------------------------

def _data_sheet(wb: Workbook, doc: dict, exported: dt.datetime, app_version: str, key) -> None:
    total = VisibleHash()
    per_sheet = []
    for ws in wb.worksheets:
        per_sheet.append((ws.title, total.sheet(ws.title, S.visible_rows(ws))))
    text = dumps(doc)
    chunks = [text[i: i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    ws = wb.create_sheet(SHEET_DATA)
    ws.sheet_state = "veryHidden"
    meta = [
        (K_FORMAT, FORMAT),
        (K_VERSION, BUNDLE_VERSION),
        (K_JSON_SHA, hashlib.sha256(text.encode("utf-8")).hexdigest()),
        (K_VISIBLE_SHA, total.hexdigest()),
        (K_CHUNKS, len(chunks)),
        (K_EXPORTED, exported.isoformat()),
        (K_APP, app_version),
        (K_TEMPLATE, doc["template"]["id"]),
        (K_TEMPLATE_VERSION, doc["template"]["version"]),
        (K_COMMUNE, doc["commune"]["code"]),
        (K_PERIOD, period_code(doc["period"])),
        (K_REVISION, doc.get("revision")),
    ]
    meta += _signature_rows(key, dict(meta), total.hexdigest())
    r = 1
    for k, v in meta:
        _raw(ws, r, 1, k)
        _raw(ws, r, 2, v)
        r += 1
    for title, h in per_sheet:
        _raw(ws, r, 1, K_SHEET)
        _raw(ws, r, 2, title)
        _raw(ws, r, 3, h)
        r += 1
    for ch in chunks:
        _raw(ws, r, 1, K_JSON)
        _raw(ws, r, 2, ch)
        r += 1


def _signature_rows(key, meta: dict, visible_sha: str) -> list[tuple[str, str]]:
    """The public key and the signature over everything the upper level reads (nq57desk.bundle.signing)."""
    from nq57desk.bundle.signing import K_PUBLIC, K_SIGNATURE, bundle_fields, public_key_text, sign

    fields = bundle_fields(meta, meta[K_JSON_SHA], visible_sha)
    return [(K_PUBLIC, public_key_text(key)), (K_SIGNATURE, sign(key, fields))]


def _raw(ws, row: int, col: int, value) -> None:
    """A cell of the hidden sheet: exact text (JSON escapes control characters), always a string or a number."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
