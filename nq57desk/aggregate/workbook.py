"""The consolidated workbook of one template and period (a Group): who reported, the consolidated figures, figures by
commune, every table stacked with commune columns, all proposals, charts of the rates, and the import log.

Times New Roman, A4, frozen headers and repeated print titles on every sheet; no formulas (charts refer to cells).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as DFont

from nq57desk.aggregate.decide import Group
from nq57desk.aggregate.indicators import HOW_VI, ByCode, Consolidator, proposal_blocks, proposal_lines
from nq57desk.bundle import sheets as S
from nq57desk.bundle.format import CHUNK, CONSOLIDATED_FORMAT, BundleError, os_problem, sheet_title
from nq57desk.bundle.safefile import atomic_write
from nq57desk.bundle.writer import tables_of
from nq57desk.render.tree import HeaderCell, build
from nq57desk.report.blockkinds import tasks
from nq57desk.templates.model import TableBlock
from nq57desk.units import provinces
from nq57desk.vn import ascii_name, fmt_number, fmt_percent, to_plain

MAX_CHART_COMMUNES = 200
MAX_CHARTS = 12


def write_consolidated(result, registry, path, *, template: str | None = None,
                       period: str | None = None) -> list[Path]:
    """Write the consolidated workbook of a CollectResult: of the chosen template and/or period, else of every
    (template, period) group present — one workbook when there is one group, else one per group named
    OUT_<template>_<period>.xlsx beside OUT. Returns the paths written; never leaves a group out silently."""
    groups = pick_groups(result.groups(), template, period)
    targets = group_paths(Path(path), groups)
    for (tid, pc), target in zip(groups or [("", "")], targets, strict=True):
        write_group_workbook(result.group(tid, pc), target)
    return targets


def pick_groups(groups: list[tuple[str, str]], template: str | None, period: str | None) -> list[tuple[str, str]]:
    """The groups a caller asked for; BundleError when it asked for one that has no report."""
    if not (template or period):
        return groups
    picked = [g for g in groups if (not template or g[0] == template) and (not period or g[1] == period)]
    if not picked:
        what = " ".join(x for x in (f"mẫu «{template}»" if template else "", f"kỳ «{period}»" if period else "") if x)
        have = "; ".join(f"{t} {p}" for t, p in groups) or "chưa có báo cáo nào"
        raise BundleError("no_group", f"không có báo cáo nào của {what} (đang có: {have}).")
    return picked


def group_paths(path: Path, groups: list[tuple[str, str]]) -> list[Path]:
    """OUT.xlsx for zero or one group; OUT_<template>_<period>.xlsx for each of several."""
    if len(groups) <= 1:
        return [path]
    return [path.with_name(f"{path.stem}_{_code(tid)}_{_code(pc)}{path.suffix}") for tid, pc in groups]


def _code(text: str) -> str:
    """A template id or period code as a FAT32-safe part of a file name, in its own case (2026-T05)."""
    return re.sub(r"[^A-Za-z0-9-]+", "_", ascii_name(text, 60) if not text.isascii() else text)[:40] or "_"


def write_group_workbook(group: Group, path) -> Path:
    """Write the consolidated workbook of one group atomically."""
    if group.submissions and not group.submissions[0].kept:
        raise BundleError("dry_run", "kết quả nhập thử (không giữ báo cáo) không dùng để tổng hợp được.")
    wb = _Book(group).build()
    try:
        atomic_write(path, wb.save)
    except OSError as e:
        raise BundleError("write_failed", f"không ghi được bảng tổng hợp: {os_problem(e)[1]}", path) from e
    return Path(path)


def _h(text, row, col, rowspan=1, colspan=1):
    return HeaderCell(text, row, col, rowspan, colspan)


def _who(g: Group) -> str:
    names = dict(provinces())
    prov = ", ".join(sorted({s.commune.get("province_name", "") for s in g.submissions})) or \
        ", ".join(names.get(p, p) for p in g.provinces)
    return f"{prov} – {g.period_label} – {len(g.submissions)} báo cáo"


def _names(names: list[str], limit: int = 3) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" và {len(names) - limit} xã khác"


class _Book:
    def __init__(self, group: Group):
        self.group, self.tpl, self.subs, self.tid, self.pc = group, group.tpl, group.submissions, group.template, group.period
        self.wb = Workbook()
        self.taken: set[str] = set()
        self.subtitle = _who(group)

    def sheet(self, name: str, first: bool = False):
        ws = self.wb.active if first else self.wb.create_sheet()
        ws.title = sheet_title(name, self.taken)
        return ws

    def titles(self, ws, title: str, ncols: int) -> None:
        S.put(ws, 1, 1, title, font=S.TITLE, align=S.WRAP)
        S.put(ws, 2, 1, self.subtitle, font=S.ITALIC, align=S.WRAP)
        if ncols > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)

    def grid_sheet(self, ws, title: str, heads: list[str], widths: list[float], rows, cols=None, *, top: int = 3,
                   landscape: bool = True):
        self.titles(ws, title, len(heads))
        hc = [_h(t, 0, i) for i, t in enumerate(heads)]
        S.write_header(ws, top, hc, 1, len(heads))
        S.header_heights(ws, top, hc, 1, widths)
        S.write_rows(ws, top + 1, rows, cols or [S.GridCol()] * len(heads), widths)
        S.set_widths(ws, widths)
        S.setup_print(ws, landscape=landscape, title_rows=(top, top), freeze=f"A{top + 1}")

    # -------------------------------------------------------------------------------------------------------
    def build(self) -> Workbook:
        tpl = self.tpl
        self.completeness(self.sheet("Tình hình nộp báo cáo", first=True))
        if tpl is None or not self.subs:
            self.log(self.sheet("Tệp đã nhập"))
            self.data_sheet([])
            return self.wb
        ws_ind = self.sheet("Tổng hợp chỉ tiêu")
        ws_mat = self.sheet("Chỉ tiêu theo xã")
        ws_chart = self.sheet("Biểu đồ")
        ws_code = self.sheet("Theo chỉ tiêu")
        tables = [(b, self.sheet(f"{a.label} - {b.title or b.label or a.title}" if (a := tpl.appendix(ck)) else
                                 f"Bảng - {b.title or b.label or b.key}"))
                  for ck, b in tpl.blocks() if isinstance(b, TableBlock)]
        progress = [(b, self.sheet(b.title or b.label or b.key)) for _ck, b in tpl.blocks() if b.kind == "tasks"]
        ws_prop = self.sheet("Kiến nghị, đề xuất")
        cons = Consolidator(tpl, self.subs[0].period if self.subs else None)
        inds = cons.indicators
        by_code = ByCode(self.group.catalogue)
        # one pass over the reports: each is unpacked once
        mat_heads = ["TT", "Xã, phường", "Mã xã"] + [f"{i.label} ({i.unit})" if i.unit else i.label for i in inds]
        mat_widths = [6, 26, 9] + [14] * len(inds)
        mat_cols = [S.GridCol("stt"), S.GridCol(), S.GridCol()] + [S.GridCol(i.type, i.decimals) for i in inds]
        mat_rows = []
        table_rows: dict[str, list] = {b.key: [] for b, _ws in tables}
        prop_rows = []
        for n, s in enumerate(self.subs, start=1):
            doc = s.doc
            vals = cons.add(s.template, doc)
            by_code.add(s.template, doc)
            name, code = s.commune.get("name", ""), s.commune["code"]
            mat_rows.append(([str(n), name, code] + [_plain(vals[i.key]) for i in inds], "data"))
            tree = build(s.template, doc)
            for b, _where, t in tables_of(s.template, tree):
                if b.key in table_rows:
                    table_rows[b.key].append((s, b, t))
            for where, text in proposal_lines(s.template, doc, proposal_blocks(s.template, s.period)):
                prop_rows.append(([str(len(prop_rows) + 1), name, code, where, text], "data"))
        own = {s.key for s in self.subs}
        others = [p for p in self.group.peers if p.key not in own]
        for p in others:  # the period's reports under other templates: by indicator code only
            by_code.add(p.template, p.doc)
        self.indicators(ws_ind, inds)
        self.by_indicator(ws_code, by_code.reported(), len(self.subs) + len(others), len({p.template.id for p in others}))
        self.grid_sheet(ws_mat, "SỐ LIỆU CHỦ YẾU THEO TỪNG XÃ", mat_heads, mat_widths, mat_rows, mat_cols)
        for b, ws in tables:
            self.stacked(ws, b, table_rows[b.key])
        for b, ws in progress:
            self.task_progress(ws, b)
        self.grid_sheet(ws_prop, "TỔNG HỢP KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC XÃ", ["TT", "Xã, phường", "Mã xã", "Mục", "Nội dung"],
                        [6, 24, 9, 40, 90], prop_rows or [(["", "(Không có kiến nghị, đề xuất)", "", "", ""], "data")],
                        [S.GridCol("stt")] + [S.GridCol()] * 4)
        self.charts(ws_chart, ws_mat, inds, len(mat_rows))
        self.log(self.sheet("Tệp đã nhập"))
        self.data_sheet(inds, by_code.reported())
        return self.wb

    def data_sheet(self, inds, codes=()) -> None:
        """A very hidden sheet with the consolidation as JSON, for programs (the visible sheets are for people)."""
        data = {
            "format": CONSOLIDATED_FORMAT, "template": self.tid, "period": self.pc,
            "communes": [s.commune["code"] for s in self.subs],
            "indicators": [{"key": i.key, "how": i.how, "total": _json_num(i.total), "communes": len(i.values),
                            **({"numerator": _json_num(i.num), "denominator": _json_num(i.den)} if i.how == "rate" else {})}
                           for i in inds],
            "completeness": [{"code": c.code, "status": c.status, "revision": c.revision}
                             for c in self.group.completeness],
            "by_indicator": [{"code": r.code, "how": r.how, "total": _json_num(r.total), "communes": len(r.values),
                              "not_reported": len(r.missing),
                              **({"numerator": _json_num(r.num), "denominator": _json_num(r.den)} if r.how == "rate" else {})}
                             for r in codes],
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        ws = self.wb.create_sheet("_data")
        ws.sheet_state = "veryHidden"
        for r, chunk in enumerate((text[i: i + CHUNK] for i in range(0, len(text), CHUNK)), start=1):
            cell = ws.cell(row=r, column=1, value=chunk)
            cell.data_type = "s"

    # -------------------------------------------------------------------------------------------------------
    def completeness(self, ws) -> None:
        items = self.group.completeness
        counts = self.group.counts()
        heads = ["TT", "Mã xã", "Xã, phường, đặc khu", "Tình trạng", "Lần gửi", "Trạng thái báo cáo", "Thời điểm xuất",
                 "Nộp muộn", "Số lỗi", "Lỗi đã giải trình", "Số cảnh báo", "Ghi chú", "Tệp"]
        widths = [6, 9, 28, 22, 8, 14, 18, 9, 8, 10, 9, 30, 40]
        rows = []
        for i, c in enumerate(items, start=1):
            when = _when(c.exported_at)
            rows.append(([str(i), c.code, c.name, c.status_vi, c.revision, c.report_status_vi, when, "Có" if c.late else "",
                          c.errors or None, c.explained or None, c.warnings or None, c.note, c.source.replace("\\", "/").rsplit("/", 1)[-1]],
                         "group" if c.status in ("missing", "conflict") else "data"))
        cols = [S.GridCol("stt"), S.GridCol(), S.GridCol(), S.GridCol(), S.GridCol("integer"), S.GridCol(), S.GridCol(),
                S.GridCol(), S.GridCol("integer"), S.GridCol("integer"), S.GridCol("integer"), S.GridCol(), S.GridCol()]
        top = 5
        self.grid_sheet(ws, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ", heads, widths, rows, cols, top=top)
        summary = (f"Tổng số xã: {len(items)}; đã nộp đúng hạn, không lỗi: {counts.get('submitted', 0)}; nộp muộn: "
                   f"{counts.get('late', 0)}; có lỗi kiểm tra: {counts.get('errors', 0)}; xung đột: {counts.get('conflict', 0)}; "
                   f"chưa nộp: {counts.get('missing', 0)}; trong số đã nộp có {counts.get('draft', 0)} bản còn là «Nháp»"
                   + (f", {explained} xã có lỗi đã giải trình" if (explained := sum(1 for c in items if c.explained)) else "")
                   + ".")
        S.put(ws, 3, 1, summary, font=S.BOLD, align=S.WRAP)
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(heads))
        ws.row_dimensions[3].height = 2 * S.LINE_PT + 4
        tpl_line = f"Mẫu: {self.tpl.title} ({self.tid}); kỳ {self.pc}." if self.tpl else "Chưa có báo cáo nào được nhận."
        S.put(ws, 4, 1, tpl_line, font=S.ITALIC, align=S.WRAP)
        ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=len(heads))

    def indicators(self, ws, inds) -> None:
        heads = ["TT", "Mục", "Chỉ tiêu", "Đơn vị tính", "Toàn địa bàn", "Cách tổng hợp", "Số xã có số liệu", "Nhỏ nhất",
                 "Xã có số nhỏ nhất", "Lớn nhất", "Xã có số lớn nhất", "Khóa"]
        widths = [6, 30, 36, 10, 16, 22, 10, 14, 26, 14, 26, 16]
        rows = []
        for n, ind in enumerate(inds, start=1):
            lo, lo_names = ind.extreme("min")
            hi, hi_names = ind.extreme("max")
            how = HOW_VI[ind.how]
            if ind.how == "rate":
                how += f" ({fmt_number(ind.num)}/{fmt_number(ind.den)})"
            rows.append(([str(n), ind.where, ind.label, ind.unit, _plain(ind.total), how, len(ind.values), _plain(lo),
                          _names(lo_names), _plain(hi), _names(hi_names), ind.key], "data"))
        # each figure keeps its indicator's own format (a rate as 66,67%, money as 1.250.000): set below
        self.grid_sheet(ws, "TỔNG HỢP CÁC CHỈ TIÊU", heads, widths, rows, [S.GridCol("stt")] + [S.GridCol()] * (len(heads) - 1))
        for r, ind in enumerate(inds, start=4):
            for c in (5, 8, 10):
                cell = ws.cell(row=r, column=c)
                if isinstance(cell.value, (int, float)):
                    cell.number_format = S.number_format(ind.type, ind.decimals, cell.value)
                    cell.alignment = S.RIGHT

    def by_indicator(self, ws, rows, reports: int, other_templates: int) -> None:
        """One row per catalogue indicator at least one commune gave, whatever its template: how many gave it, how
        many did not («chưa báo cáo»: blank, or not in their outline; never counted as 0), and the whole area's
        figure (a sum, or a rate recomputed from the summed numerators and denominators)."""
        heads = ["TT", "Mã chỉ tiêu", "Chỉ tiêu", "Nhóm", "Đơn vị tính", "Số xã đã báo cáo", "Số xã chưa báo cáo",
                 "Toàn địa bàn", "Cách tổng hợp", "Mã DHIS2"]
        widths = [6, 22, 40, 24, 12, 11, 11, 18, 30, 26]
        out = []
        for n, r in enumerate(rows, start=1):
            how = HOW_VI[r.how] + (f" ({fmt_number(r.num)}/{fmt_number(r.den)})" if r.how == "rate" else "")
            out.append(([str(n), r.code, r.label, r.group, r.unit, len(r.values), len(r.missing), _plain(r.total), how,
                         r.dhis2], "data"))
        if not out:
            out = [(["", "", "(Chưa xã nào báo cáo chỉ tiêu nào của danh mục chỉ tiêu)"] + [""] * 7, "data")]
        cols = [S.GridCol("stt"), S.GridCol(), S.GridCol(), S.GridCol(), S.GridCol(), S.GridCol("integer"),
                S.GridCol("integer"), S.GridCol(), S.GridCol(), S.GridCol()]
        self.grid_sheet(ws, "TỔNG HỢP THEO MÃ CHỈ TIÊU (MỌI MẪU BÁO CÁO)", heads, widths, out, cols, top=4)
        scope = f"{reports} báo cáo của kỳ này" + (f", gồm cả báo cáo theo {other_templates} mẫu khác" if other_templates
                                                  else "")
        S.put(ws, 3, 1, f"Cộng theo mã chỉ tiêu trong danh mục: {scope}. Xã để trống hoặc đề cương không có chỉ tiêu "
                        "được tính là «chưa báo cáo», không tính là 0.", font=S.ITALIC, align=S.WRAP)
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(heads))
        ws.row_dimensions[3].height = 2 * S.LINE_PT + 4
        for i, r in enumerate(rows, start=5):
            cell = ws.cell(row=i, column=8)
            if isinstance(cell.value, (int, float)):
                cell.number_format = S.number_format(r.type, r.decimals, cell.value)
                cell.alignment = S.RIGHT

    def task_progress(self, ws, b) -> None:
        """A task-progress block: each commune's counts (its rows summed), then every column summed over communes."""
        heads = ["TT", "Xã, phường", "Mã xã"] + [tasks.LABELS[k] for k in tasks.COUNTS] + ["Tỷ lệ hoàn thành"]
        cols = [S.GridCol("stt"), S.GridCol(), S.GridCol()] + [S.GridCol("integer")] * len(tasks.COUNTS) + [S.GridCol("percent", 2)]
        rows, per = [], []
        for n, s in enumerate(self.subs, start=1):
            sb = s.template.block(b.key)
            t = tasks.totals((s.doc.get("values") or {}).get(b.key) if sb is not None and sb.kind == "tasks" else None)
            per.append(t)
            rows.append(([str(n), s.commune.get("name", ""), s.commune["code"]] + [_plain(t[k]) for k in tasks.COUNTS]
                         + [_plain(t["rate"])], "data"))
        both = [(t["done"], t["assigned"]) for t in per if t["done"] is not None and t["assigned"] is not None]
        sums = {k: sum((t[k] for t in per if t[k] is not None), Decimal(0)) for k in tasks.COUNTS}
        rate = tasks.rate(sum((d for d, _a in both), Decimal(0)), sum((a for _d, a in both), Decimal(0))) if both else None
        rows.append((["", "Tổng cộng", ""] + [_plain(sums[k]) for k in tasks.COUNTS] + [_plain(rate)], "total"))
        title = f"{b.title or b.label or 'Tiến độ thực hiện nhiệm vụ'} – tổng hợp các xã".upper()
        self.grid_sheet(ws, title, heads, [6, 26, 9] + [12] * len(tasks.COUNTS) + [12], rows, cols)

    def stacked(self, ws, b: TableBlock, items) -> None:
        """The table of every commune one under another, with the commune's name and code in front."""
        base = [_h("Xã, phường", 0, 0), _h("Mã xã", 0, 1)]
        depth = max((len(c.group) for c in b.columns), default=0) + 1
        header = [_h(h.text, h.row, h.col + 2, h.rowspan, h.colspan) for h in _table_header(b, items)]
        for h in base:
            h.rowspan = depth
        header = base + header
        ncols = 2 + len(b.columns)
        rel = [c.width or (0.6 if c.type == "stt" else 1.0 if c.type in S.NUMERIC + ("measure",) else 2.0) for c in b.columns]
        widths = [24, 9] + S.scale_widths(rel, total=120)
        title = b.title or b.label or b.key
        self.titles(ws, f"{title} – TỔNG HỢP CÁC XÃ".upper() if title else "BẢNG TỔNG HỢP", ncols)
        top = 3
        S.write_header(ws, top, header, depth, ncols)
        S.header_heights(ws, top, header, depth, widths)
        cols = [S.GridCol(), S.GridCol()] + [S.GridCol(c.type, c.decimals) for c in b.columns]
        rows = []
        for s, sb, t in items:
            keys = [c.key for c in sb.columns]
            for r in t.rows:
                by_key = dict(zip(keys, r.cells, strict=False))
                rows.append(([s.commune.get("name", ""), s.commune["code"]] + [by_key.get(c.key, "") for c in b.columns],
                             r.kind))
        if not rows:
            rows = [(["(Không có số liệu)", ""] + [""] * len(b.columns), "data")]
        S.write_rows(ws, top + depth, rows, cols, widths)
        S.set_widths(ws, widths)
        S.setup_print(ws, landscape=True, title_rows=(top, top + depth - 1), freeze=f"C{top + depth}")

    def charts(self, ws, ws_mat, inds, n: int) -> None:
        self.titles(ws, "BIỂU ĐỒ CÁC TỶ LỆ THEO XÃ", 10)
        S.setup_print(ws, landscape=False, title_rows=(1, 2), freeze="A3")
        S.set_widths(ws, [14] * 10)
        rates = [(i, ind) for i, ind in enumerate(inds) if ind.how == "rate"][:MAX_CHARTS]
        if not rates or n == 0:
            S.put(ws, 4, 1, "Mẫu báo cáo không có tỷ lệ nào tính từ tử số và mẫu số, hoặc chưa có báo cáo.", font=S.ITALIC)
            return
        if n > MAX_CHART_COMMUNES:
            S.put(ws, 4, 1, f"Có {n} xã: quá nhiều để vẽ biểu đồ đọc được; xem trang «{ws_mat.title}».", font=S.ITALIC)
            return
        row = 4
        font = _rich(1000)
        for i, ind in rates:
            col = 4 + i
            ch = BarChart()
            ch.type = "bar"
            ch.style = 10
            total = ind.total
            overall = f" – toàn địa bàn {fmt_percent(total, ind.decimals if ind.decimals is not None else 2)}" if total is not None else ""
            ch.title = f"{ind.label}{overall}"
            ch.title.tx.rich.p[0].pPr = ParagraphProperties(defRPr=_chars(1300, bold=True))
            ch.y_axis.number_format = '0"%"'
            ch.y_axis.majorUnit = 10
            if all(v <= 100 for _c, _n, v in ind.values):
                ch.y_axis.scaling.max = 100
            ch.gapWidth = 40
            ch.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                          showPercent=False)
            ch.dataLabels.txPr = _rich(900)
            ch.y_axis.scaling.min = 0
            ch.y_axis.majorGridlines = None
            ch.legend = None
            data = Reference(ws_mat, min_col=col, min_row=4, max_row=3 + n)
            cats = Reference(ws_mat, min_col=2, min_row=4, max_row=3 + n)
            ch.add_data(data, titles_from_data=False)
            ch.set_categories(cats)
            ch.x_axis.scaling.orientation = "maxMin"  # first commune on top, as in the table
            ch.x_axis.delete = False
            ch.y_axis.delete = False
            ch.txPr = ch.x_axis.txPr = ch.y_axis.txPr = font
            ch.height = max(7.5, 0.55 * n + 3)
            ch.width = 24
            ws.add_chart(ch, f"A{row}")
            row += math.ceil(ch.height / 0.53) + 2

    def log(self, ws) -> None:
        heads = ["TT", "Tệp", "Kết quả", "Ghi chú, lý do", "Mã xã", "Xã, phường", "Mẫu", "Kỳ", "Lần gửi", "Thời điểm xuất"]
        widths = [6, 40, 16, 60, 9, 22, 14, 22, 8, 17]
        # the template's title, as the officer knows it; an id only for a file whose template is unknown here
        titles = {s.template.id: s.template.title for s in self.subs}
        if self.tpl is not None:
            titles.setdefault(self.tpl.id, self.tpl.title)
        rows = [([str(i), ln.source, ln.status_vi, ln.message, ln.commune_code, ln.commune_name,
                  titles.get(ln.template, ln.template),
                  ln.period_label or ln.period, ln.revision, _when(ln.exported_at)], "data") for i, ln in enumerate(self.group.lines, start=1)]
        cols = [S.GridCol("stt")] + [S.GridCol()] * 7 + [S.GridCol("integer"), S.GridCol()]
        self.grid_sheet(ws, "DANH SÁCH TỆP ĐÃ NHẬP", heads, widths, rows or [([""] * len(heads), "data")], cols)


def _chars(size: int, bold: bool = False) -> CharacterProperties:
    return CharacterProperties(latin=DFont(typeface=S.TNR), cs=DFont(typeface=S.TNR), sz=size, b=bold)


def _rich(size: int) -> RichText:
    """Chart text in Times New Roman."""
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=_chars(size)), endParaRPr=_chars(size))])


def _table_header(b: TableBlock, items):
    """The header cells of a table, as the report renders them (from the first commune that has it)."""
    for _s, sb, t in items:
        if [c.key for c in sb.columns] == [c.key for c in b.columns]:
            return t.header
    depth = max((len(c.group) for c in b.columns), default=0) + 1
    return [_h(c.label, len(c.group), i, depth - len(c.group), 1) for i, c in enumerate(b.columns)]


def _json_num(v):
    if v is None:
        return None
    p = to_plain(v)
    return round(p, 6) if isinstance(p, float) else p


def _plain(v):
    if isinstance(v, Decimal):
        p = to_plain(v)
        return float(p) if isinstance(p, float) else p
    return v


def _when(iso: str) -> str:
    if not iso:
        return ""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso
