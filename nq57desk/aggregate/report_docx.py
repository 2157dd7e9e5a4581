"""The consolidated report skeleton (DOCX, Decree 30 format) of one template and period, for the upper level.

Built as a report document of the template itself, so the existing tree builder and DOCX renderer lay it out:
  - figures: every count and amount summed over the communes whose report is used (as the workbook does);
    rates and other computed figures are then recomputed by the template's own formulas from those sums
    (never averaged); typed percentages and scores, which cannot be summed, are left out;
  - tables: each commune's table stacked under a group row with the commune's name (fixed tables first get
    the summed rows of the whole area), so every appendix becomes one consolidated table;
  - narrative: the headings, each with a short placeholder line for the officer to write in;
  - header, signature and recipients: of the upper level (issuer from the caller or the province);
  - a last appendix lists the communes and whether they reported.
"""

from __future__ import annotations

import copy
from dataclasses import replace as dc_replace
from decimal import Decimal
from pathlib import Path

from nq57desk.aggregate.decide import Group
from nq57desk.aggregate.indicators import Consolidator
from nq57desk.bundle.format import BundleError, os_problem
from nq57desk.render.tree import Appendix, Heading, Para, Row, Table, build
from nq57desk.report.blockkinds import tasks
from nq57desk.report.derive import ReportEnv
from nq57desk.report.document import context_of, fill_placeholders, new_document, period_label
from nq57desk.templates.model import Field, FieldsBlock, TableBlock, Template
from nq57desk.units import provinces
from nq57desk.vn import GAP, date_line, doc_number, to_plain

PLACEHOLDER = "(Nội dung tổng hợp từ báo cáo của các xã, phường: cán bộ tổng hợp viết bổ sung.)"
SUMMED_COLUMNS = ("integer", "money", "decimal")


def province_names(code: str) -> tuple[str, str, str]:
    """("tỉnh Thái Nguyên", "TỈNH THÁI NGUYÊN", "Thái Nguyên") for a province code (a city keeps "thành phố")."""
    name = dict(provinces()).get(code, code)
    if name.lower().startswith("thành phố "):
        inside, place = "thành phố " + name[len("thành phố "):], name[len("thành phố "):]
    else:
        inside, place = f"tỉnh {name}", name
    return inside, inside.upper(), place


def write_consolidated_docx(group: Group, path, *, issuer: list[str] | None = None,
                            signature: dict | None = None, recipients: list[str] | None = None) -> Path:
    """Write the skeleton; BundleError (Vietnamese) when there is nothing to write or the file cannot be written."""
    from nq57desk.render.docx import render_docx

    tree = consolidated_tree(group, issuer=issuer, signature=signature, recipients=recipients)
    try:
        render_docx(tree, Path(path))
    except OSError as e:
        raise BundleError("write_failed", f"không ghi được báo cáo tổng hợp: {os_problem(e)[1]}", path) from e
    return Path(path)


def consolidated_document(group: Group, docs: list[dict] | None = None) -> dict:
    """A report document of the group's template holding the summed figures (and every commune's table rows)."""
    return _consolidate(group, docs)[0]


def _consolidate(group: Group, docs: list[dict] | None = None) -> tuple[dict, Consolidator]:
    """The consolidated document, and the Consolidator fed with every report (for the computed figures)."""
    tpl = group.tpl
    if tpl is None or not group.submissions:
        raise BundleError("no_reports", "chưa có báo cáo nào của các xã để lập báo cáo tổng hợp.")
    pc = group.provinces[0] if len(group.provinces) == 1 else (group.submissions[0].commune.get("province_code") or "")
    inside, upper, place = province_names(pc)
    area = {"code": "", "name": inside[:1].upper() + inside[1:], "province_code": pc, "province_name": inside}
    doc = new_document(tpl, area, copy.deepcopy(group.submissions[0].period))
    doc["header"].update(issuer=["ỦY BAN NHÂN DÂN", upper], place=place, kinh_gui=None)
    values = doc["values"]
    for ckey, b in tpl.blocks():
        if ckey not in ("_intro", "_closing") and not isinstance(b, (FieldsBlock, TableBlock)):
            values[b.key] = None  # narrative: a placeholder under its heading instead
    cons = Consolidator(tpl, doc["period"])
    sums = {i.key for i in cons.indicators if i.how == "sum" and not tpl.field(i.key).derived}
    carried: dict[str, Decimal] = {}
    typed: dict[str, Decimal] = {}
    docs = docs if docs is not None else [s.doc for s in group.submissions]  # from the store: one read each
    for s, d in zip(group.submissions, docs, strict=True):
        cons.add(s.template, d)
        env = ReportEnv(s.template, d)
        for k in sums:
            v = env.resolve(k) if s.template.field(k) is not None else None
            if isinstance(v, Decimal):
                typed[k] = typed.get(k, Decimal(0)) + v
        for k, v in (d.get("carried") or {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                carried[k] = carried.get(k, Decimal(0)) + Decimal(str(v))
        _add_tables(tpl, values, s.template, d)
        _add_progress(tpl, values, s, d)
    for _ckey, b in tpl.blocks():
        if isinstance(b, FieldsBlock):
            for f in b.fields:
                if not f.derived:
                    values[f.key] = to_plain(typed[f.key]) if f.key in typed else None
    doc["carried"] = {k: to_plain(v) for k, v in carried.items()}
    return doc, cons


BLANK = "rate(0, 0)"  # an expression whose value is blank: a figure no commune gave prints "…", never 0


def _literal(v: Decimal) -> str:
    return format(v, "f") if v >= 0 else f"(0 - {format(-v, 'f')})"


def computed_as_given(tpl: Template, cons: Consolidator) -> Template:
    """The template with each computed figure fixed to what the communes' own figures give: a rate from the summed
    numerators and denominators of the communes that gave both, a computed count as the sum of the communes' own
    computed counts. Recomputing from the area's sums instead would count a commune's blank as 0 (a rate over a
    denominator whose commune left the numerator blank)."""
    new: dict[str, Field] = {}
    for ind in cons.indicators:
        f = tpl.field(ind.key)
        if f is None or not f.derived or ind.how == "none":
            continue
        if ind.how == "rate":
            formula = f"rate({_literal(ind.num)}, {_literal(ind.den)})" if ind.pairs and ind.den else BLANK
        else:
            formula = _literal(ind.total) if ind.total is not None else BLANK
        new[f.key] = dc_replace(f, formula=formula)
    if not new:
        return tpl

    def blocks(bs):
        return tuple(dc_replace(b, fields=tuple(new.get(f.key, f) for f in b.fields)) if isinstance(b, FieldsBlock)
                     else b for b in bs)

    def section(s):
        return dc_replace(s, blocks=blocks(s.blocks), children=tuple(section(c) for c in s.children))

    return dc_replace(tpl, intro=blocks(tpl.intro), sections=tuple(section(s) for s in tpl.sections),
                      closing=blocks(tpl.closing),
                      appendices=tuple(dc_replace(a, blocks=blocks(a.blocks)) for a in tpl.appendices))


def _add_progress(tpl: Template, values: dict, sub, d: dict) -> None:
    """Task progress: one row per commune holding its counts summed, so the total row sums every column."""
    for _ck, b in tpl.blocks():
        sb = sub.template.block(b.key)
        if b.kind != "tasks" or sb is None or sb.kind != "tasks":
            continue
        t = tasks.totals((d.get("values") or {}).get(b.key))
        counts = {k: int(t[k]) for k in tasks.COUNTS if t[k] is not None}
        if counts:
            values[b.key] = (values.get(b.key) or []) + [{"name": sub.commune.get("name", ""), **counts}]


def _add_tables(tpl: Template, values: dict, src_tpl: Template, d: dict) -> None:
    """Sum fixed tables cell by cell; append the rows of free tables (so counts from a table stay right)."""
    for _ck, b in tpl.blocks():
        if not isinstance(b, TableBlock):
            continue
        theirs = (d.get("values") or {}).get(b.key)
        if b.fixed:
            mine = values.setdefault(b.key, {}) or {}
            values[b.key] = mine
            if not isinstance(theirs, dict):
                continue
            for r in b.data_rows():
                for c in b.columns:
                    v = (theirs.get(r.key) or {}).get(c.key)
                    if c.type in SUMMED_COLUMNS and isinstance(v, (int, float)) and not isinstance(v, bool):
                        cur = (mine.setdefault(r.key, {}) or {}).get(c.key) or 0
                        mine[r.key][c.key] = to_plain(Decimal(str(cur)) + Decimal(str(v)))
        elif isinstance(theirs, list):
            values[b.key] = (values.get(b.key) or []) + [x for x in theirs if isinstance(x, dict)]


def consolidated_tree(group: Group, *, issuer: list[str] | None = None, signature: dict | None = None,
                      recipients: list[str] | None = None):
    docs = [s.doc for s in group.submissions]  # read (and parsed) once for the figures and the tables
    doc, cons = _consolidate(group, docs)
    tpl = computed_as_given(group.tpl, cons)
    if issuer:
        doc["header"]["issuer"] = list(issuer)
    tree = build(tpl, doc)
    ctx = context_of(doc)
    inside = doc["commune"]["province_name"]
    per = period_label(doc["period"])
    n, total = len(group.submissions), len(group.completeness)
    tree.subject = fill_placeholders(tpl.subject, ctx)
    tree.number_line = doc_number("", tpl.doc_symbol)
    tree.date_line = date_line(doc["header"]["place"], None, doc["period"]["year"])
    tree.kinh_gui = None
    tree.draft = True
    tree.signature = list((signature or {}).get("lines") or ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"])
    tree.signer = (signature or {}).get("name", "")
    tree.recipients = list(recipients or ["Sở Khoa học và Công nghệ;", "Các sở, ban, ngành;", "UBND các xã, phường, đặc khu;",
                                          "Lưu: VT."])
    counts = group.counts()
    intro = [
        Para(f"Căn cứ báo cáo của {n}/{total} xã, phường, đặc khu trên địa bàn {inside} về tình hình thực hiện Nghị quyết "
             f"số 57-NQ/TW{f' {per}' if per else ''} (lập theo mẫu «{tpl.title}»), Ủy ban nhân dân {inside} tổng hợp kết quả như sau.", "body"),
        Para(f"Tình hình nộp báo cáo: đã nộp đúng hạn, không lỗi {counts.get('submitted', 0)} xã; nộp muộn "
             f"{counts.get('late', 0)} xã; có lỗi kiểm tra {counts.get('errors', 0)} xã; xung đột (hai bản khác nhau cùng "
             f"lần gửi) {counts.get('conflict', 0)} xã; chưa nộp {counts.get('missing', 0)} xã; danh sách chi tiết tại "
             "phụ lục cuối báo cáo.", "body"),
        Para("Các số liệu dưới đây là tổng số liệu của các xã, phường, đặc khu đã nộp báo cáo; các tỷ lệ được tính lại từ "
             "tổng tử số và tổng mẫu số, không lấy trung bình tỷ lệ của các xã; tỷ lệ do xã tự ghi và điểm số không cộng "
             "dồn được nên không đưa vào.", "body"),
        Para("Các phần nhận xét, đánh giá để trống để cán bộ tổng hợp viết từ báo cáo của các xã; mỗi bảng ở phụ lục xếp "
             "lần lượt bảng của từng xã dưới tên xã, bảng có danh mục cố định có thêm phần tổng toàn địa bàn ở đầu.", "body"),
    ]
    tree.body = intro + _placeholders(tree.body)
    note = f"(Kèm theo Báo cáo số {GAP}/{tpl.doc_symbol} ngày {GAP} của UBND {inside})"
    if tree.appendix_heading:
        tree.appendix_note = note
    stacked = iter(_stacked_tables(group, tpl, tree, docs))
    tree.body = [next(stacked) if _is_table_block(x) else x for x in tree.body]
    for a in tree.appendices:
        a.body = _placeholders([next(stacked) if _is_table_block(x) else x for x in a.body])
        if a.note:
            a.note = note
    lab = f"{len(tree.appendices) + 1}. Phụ lục" if tree.appendix_heading else "Phụ lục"
    tree.appendices.append(Appendix(lab, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU",
                                    "" if tree.appendix_heading else note, False, [_completeness_table(group)],
                                    "_completeness"))
    return tree


def _is_table_block(x) -> bool:
    """A table of a table block (stacked per commune), not one a task-progress block builds from its rows."""
    return isinstance(x, Table) and x.block_kind == "table"


def _placeholders(nodes: list) -> list:
    """A short placeholder line under every heading that has nothing under it (its narrative was left out)."""
    out = []
    for i, x in enumerate(nodes):
        out.append(x)
        if isinstance(x, Heading):
            nxt = nodes[i + 1] if i + 1 < len(nodes) else None
            if nxt is None or (isinstance(nxt, Heading) and nxt.level <= x.level):
                out.append(Para(PLACEHOLDER, "note", x.where))
    return out


def _stacked_tables(group: Group, tpl: Template, tree, docs: list[dict]) -> list[Table]:
    """For each table of the template, in the tree's order: the whole area's rows (fixed tables), then each
    commune's own rows under a group row with its name."""
    from nq57desk.bundle.writer import tables_of

    mine = list(tables_of(tpl, tree))
    per_commune = []
    for s, d in zip(group.submissions, docs, strict=True):
        per_commune.append((s, {b.key: (b, t) for b, _w, t in tables_of(s.template, build(s.template, d))}))
    out = []
    for b, _where, t in mine:
        keys = [c.key for c in b.columns]
        first = 0  # in the first column, the label runs on over the whole (empty) row
        rows: list[Row] = []
        if b.fixed:
            rows.append(_group_row(len(keys), first, f"Toàn địa bàn ({len(group.submissions)} xã, phường)"))
            rows += t.rows
        for s, theirs in per_commune:
            if b.key not in theirs:
                continue
            sb, st = theirs[b.key]
            rows.append(_group_row(len(keys), first, f"{s.commune.get('name', '')} (mã {s.commune['code']})"))
            src_keys = [c.key for c in sb.columns]
            for r in st.rows:
                by_key = dict(zip(src_keys, r.cells, strict=False))
                rows.append(Row([by_key.get(k, "") for k in keys], r.kind))
        if not b.fixed and t.rows and t.rows[-1].kind == "total":
            rows.append(t.rows[-1])
        out.append(Table(t.header, t.header_rows, rows, t.widths, t.numeric, t.title, t.kinds, t.landscape, t.where))
    return out


def _group_row(n: int, col: int, text: str) -> Row:
    cells = [""] * n
    cells[col] = text
    return Row(cells, "group")


def _completeness_table(group: Group) -> Table:
    from nq57desk.render.tree import HeaderCell

    heads = ["TT", "Xã, phường, đặc khu", "Mã", "Tình trạng", "Lần gửi", "Trạng thái báo cáo", "Ghi chú"]
    rows = [Row([str(i), c.name, c.code, c.status_vi, str(c.revision or ""), c.report_status_vi, c.note])
            for i, c in enumerate(group.completeness, start=1)]
    return Table([HeaderCell(h, 0, i) for i, h in enumerate(heads)], 1, rows, [0.6, 2.4, 0.8, 1.6, 0.7, 1.2, 2.4],
                 [False] * len(heads), "", ["stt", "text", "text", "text", "integer", "text", "text"], False, "_completeness")
