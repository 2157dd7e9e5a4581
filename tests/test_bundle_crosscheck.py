"""Every visible cell against the hidden document (issue 15): bundles edited as an attacker holding the commune's
own key would (openpyxl or the zip by hand, every hash recomputed and signed again), so only the cross-check of
nq57desk.bundle.crosscheck can catch them; each is refused naming the sheet, the row, the column and both values,
and the good bundles of the same batch are stored."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import openpyxl
import pytest

from nq57desk.bundle.format import CHUNK, SHEET_CHECKS, SHEET_DATA, SHEET_FIGURES, SHEET_TEXT, BundleError
from nq57desk.bundle.reader import read_bundle
from nq57desk.bundle.writer import write_bundle
from tests.helpers.keys import TEST_KEY, rehash
from tests.hostile import golden, members, rezip, sheet_part, write_golden
from tests.test_bundle import APP, SAMPLE_YAML, make_doc

TABLE = "CÁC CHỈ TIÊU CHỦ YẾU"  # the sample template's fixed table
FREE = "Phụ lục I - Danh mục nhiệm vụ"  # its free table, in an appendix


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    from nq57desk.templates import Registry

    d = tmp_path_factory.mktemp("templates")
    (d / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    return Registry([d])


@pytest.fixture
def bundle(tmp_path, registry) -> Path:
    tpl = registry.get("thu-nghiem-goi", 1)
    path = tmp_path / "NQ57_05503_2026-T05_r1.xlsx"
    write_bundle(tpl, make_doc(tpl), path, key=TEST_KEY, app_version=APP)
    return path


def refused(path: Path, registry, reason: str) -> str:
    with pytest.raises(BundleError) as ei:
        read_bundle(path, registry)
    assert ei.value.reason == reason, str(ei.value)
    return str(ei.value)


def _signed_again(wb, out: Path) -> Path:
    rehash(wb, key=TEST_KEY)
    wb.save(out)
    return out


def edit_json(path: Path, out: Path, old: str, new: str) -> Path:
    """The hidden document edited, its SHA-256 and signature made again with the commune's key."""
    wb = openpyxl.load_workbook(path)
    rows = list(wb[SHEET_DATA].iter_rows())
    chunks = [r for r in rows if r[0].value == "json"]
    text = "".join(r[1].value for r in chunks)
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    pieces = [text[i: i + CHUNK] for i in range(0, len(text), CHUNK)]
    assert len(pieces) <= len(chunks)
    for i, r in enumerate(chunks):  # as many "json" rows as json_chunks says; the last ones may be empty
        r[1].value = pieces[i] if i < len(pieces) else ""
    for r in rows:
        if r[0].value == "json_sha256":
            r[1].value = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _signed_again(wb, out)


def edit_sheet(path: Path, out: Path, title: str, change) -> Path:
    """A visible sheet edited with openpyxl (change(ws)), every hash and the signature made again."""
    wb = openpyxl.load_workbook(path)
    change(wb[title])
    return _signed_again(wb, out)


def cell_of(ws, value):
    return next(c for row in ws.iter_rows() for c in row if c.value == value)


def test_an_honest_bundle_and_a_resaved_one_pass(bundle, registry, tmp_path):
    assert read_bundle(bundle, registry).doc["commune"]["code"] == "05503"
    same = edit_sheet(bundle, tmp_path / "same.xlsx", TABLE, lambda ws: None)
    read_bundle(same, registry)


@pytest.mark.parametrize("name", ["000_an_truong.json", "002_tan_cuong.json", "003_phu_thinh.json"])
def test_the_golden_bundles_pass(name, tmp_path):
    reg, _tpl, _doc = golden(name)
    res = read_bundle(write_golden(tmp_path / "g.xlsx", name), reg)
    assert res.doc["template"]["id"]


def test_a_table_cell_changed_in_the_hidden_data_only(bundle, registry, tmp_path):
    bad = edit_json(bundle, tmp_path / "an.xlsx", '"ke_hoach": 1000', '"ke_hoach": 1270')
    e = refused(bad, registry, "sheet_edited")
    assert f"«{TABLE}», dòng" in e and "(«Số hồ sơ trực tuyến»), cột D «Kế hoạch»" in e, e
    assert "trang tính ghi 1.000, dữ liệu ẩn ghi 1.270" in e, e


def test_a_table_cell_changed_on_the_visible_sheet_only(bundle, registry, tmp_path):
    def change(ws):
        cell_of(ws, 50_000_000).value = 60_000_000

    bad = edit_sheet(bundle, tmp_path / "hien.xlsx", FREE, change)
    e = refused(bad, registry, "sheet_edited")
    assert f"«{FREE}», dòng" in e and "(«Số hóa hồ sơ»), cột D «Kinh phí (đồng)»" in e, e
    assert "trang tính ghi 60.000.000, dữ liệu ẩn ghi 50.000.000" in e, e


def test_a_text_changed_in_the_hidden_data_only(bundle, registry, tmp_path):
    bad = edit_json(bundle, tmp_path / "chu.xlsx", "Đề nghị tỉnh hỗ trợ kinh phí.", "Đề nghị tỉnh hỗ trợ 5 tỷ.")
    e = refused(bad, registry, "sheet_edited")
    assert f"«{SHEET_TEXT}», dòng" in e and "«Đề nghị tỉnh hỗ trợ kinh phí.»" in e and "«Đề nghị tỉnh hỗ trợ 5 tỷ.»" in e, e


def test_a_text_changed_on_the_visible_sheet_only(bundle, registry, tmp_path):
    def change(ws):
        cell_of(ws, "Đề nghị bổ sung biên chế.").value = "Không có kiến nghị."

    e = refused(edit_sheet(bundle, tmp_path / "chu2.xlsx", SHEET_TEXT, change), registry, "sheet_edited")
    assert "trang tính ghi «Không có kiến nghị.», dữ liệu ẩn ghi «Đề nghị bổ sung biên chế.»" in e, e


def test_a_figure_changed_on_the_visible_sheet_only_names_it(bundle, registry, tmp_path):
    def change(ws):
        row = next(r for r in ws.iter_rows(min_row=4) if r[5].value == "tthc_total")
        row[3].value = 121

    e = refused(edit_sheet(bundle, tmp_path / "so.xlsx", SHEET_FIGURES, change), registry, "figures_edited")
    assert "(«Tổng số thủ tục hành chính»), cột D «Giá trị»: trang tính ghi 121, dữ liệu ẩn ghi 120" in e, e


def test_a_computed_figure_may_differ_by_its_last_decimal_not_more(bundle, registry, tmp_path):
    def rate(v):
        def change(ws):
            row = next(r for r in ws.iter_rows(min_row=4) if r[5].value == "hs_online_rate")
            row[3].value = row[3].value + v
        return change

    read_bundle(edit_sheet(bundle, tmp_path / "r1.xlsx", SHEET_FIGURES, rate(0.01)), registry)
    e = refused(edit_sheet(bundle, tmp_path / "r2.xlsx", SHEET_FIGURES, rate(20)), registry, "figures_edited")
    assert "Tỷ lệ hồ sơ trực tuyến" in e


def test_the_general_information_is_compared_too(bundle, registry, tmp_path):
    def change(ws):
        cell_of(ws, "05503").value = "05504"

    e = refused(edit_sheet(bundle, tmp_path / "ma.xlsx", "Thông tin chung", change), registry, "sheet_edited")
    assert "«Thông tin chung», dòng" in e and "trang tính ghi «05504», dữ liệu ẩn ghi «05503»" in e, e


def test_a_row_inserted_in_a_table(bundle, registry, tmp_path):
    """A row slipped in (the sheet kept its length: the total row dropped), so only the cells can tell."""
    def change(ws):
        ws.delete_rows(cell_of(ws, "Tổng cộng").row)
        at = cell_of(ws, "Số điểm wifi công cộng").row
        ws.insert_rows(at)
        ws.cell(at, 2, "Số camera giám sát")
        ws.cell(at, 4, 7)

    e = refused(edit_sheet(bundle, tmp_path / "them.xlsx", TABLE, change), registry, "sheet_edited")
    assert f"«{TABLE}», dòng 8 («Số điểm wifi công cộng»), cột A «TT»: trang tính ghi ô trống, dữ liệu ẩn ghi 2" in e, e


def test_a_row_appended_beyond_the_table_is_longer_than_the_report_makes(bundle, registry, tmp_path):
    def change(ws):
        ws.cell(ws.max_row + 1, 2, "Số camera giám sát")

    e = refused(edit_sheet(bundle, tmp_path / "cuoi.xlsx", TABLE, change), registry, "too_long")
    assert f"trang «{TABLE}» có dòng" in e and "dài hơn những gì mẫu và dữ liệu của báo cáo tạo ra" in e, e


def test_a_row_missing_from_a_table(bundle, registry, tmp_path):
    def change(ws):
        ws.delete_rows(cell_of(ws, "Lắp wifi").row)

    e = refused(edit_sheet(bundle, tmp_path / "thieu.xlsx", FREE, change), registry, "sheet_edited")
    assert f"«{FREE}», dòng 7 («Lắp wifi»), cột A «TT»: trang tính ghi ô trống, dữ liệu ẩn ghi 1" in e, e


def test_a_column_beyond_the_template_is_refused(bundle, registry, tmp_path):
    def change(ws):
        ws.cell(6, 9, 123)  # the table has 7 columns: A to G

    e = refused(edit_sheet(bundle, tmp_path / "rong.xlsx", TABLE, change), registry, "too_wide")
    assert f"trang «{TABLE}» có cột I" in e and "đến cột G" in e, e


def test_a_declared_dimension_beyond_the_template_is_refused(bundle, registry, tmp_path):
    """Only the <dimension> changed (it is not part of the visible hash: no new signature needed)."""
    parts = members(bundle)
    part = sheet_part(parts, SHEET_FIGURES)
    parts[part] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z5"', parts[part])
    e = refused(rezip(bundle, parts, tmp_path / "kt.xlsx"), registry, "too_wide")
    assert "trang «Số liệu» có cột Z" in e and "đến cột H" in e, e
    parts[part] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:H900"', parts[part])
    e = refused(rezip(bundle, parts, tmp_path / "kt2.xlsx"), registry, "too_long")
    assert "trang «Số liệu» có dòng 900" in e, e


def test_a_sheet_added_or_removed_is_refused(bundle, registry, tmp_path):
    wb = openpyxl.load_workbook(bundle)
    wb.create_sheet("Bảng phụ", 3)
    e = refused(_signed_again(wb, tmp_path / "them.xlsx"), registry, "sheets_differ")
    assert "«Bảng phụ»" in e
    wb = openpyxl.load_workbook(bundle)
    wb.remove(wb[FREE])
    e = refused(_signed_again(wb, tmp_path / "bot.xlsx"), registry, "sheets_differ")
    assert f"thiếu trang «{FREE}»" in e
    wb = openpyxl.load_workbook(bundle)
    wb.create_sheet("An").sheet_state = "hidden"
    e = refused(_signed_again(wb, tmp_path / "an.xlsx"), registry, "sheets_differ")
    assert "trang ẩn «An»" in e


def test_a_giai_trinh_the_document_does_not_hold_is_refused(bundle, registry, tmp_path):
    def change(ws):
        ws.unmerge_cells("A4:E4")  # «Không có lỗi hay cảnh báo nào.» spans the row
        ws.cell(4, 5, "Đã được tỉnh cho phép")

    e = refused(edit_sheet(bundle, tmp_path / "gt.xlsx", SHEET_CHECKS, change), registry, "sheet_edited")
    assert f"«{SHEET_CHECKS}», dòng 4, cột E «Giải trình»" in e, e


def test_a_wider_hidden_sheet_is_refused(bundle, registry, tmp_path):
    wb = openpyxl.load_workbook(bundle)
    wb[SHEET_DATA].cell(2, 5, "x")
    e = refused(_signed_again(wb, tmp_path / "d.xlsx"), registry, "too_wide")
    assert "«_data»" in e


# -- a batch: the refused ones named, the rest stored ---------------------------------------------------------------

def test_a_batch_stores_the_good_and_names_each_edited_place(capsys, tmp_path):
    from nq57desk.cli import main
    from nq57desk.services import Desk
    from nq57desk.units import communes
    from tests.helpers.keys import trust
    from tests.test_hostile_batch import stored

    codes = [u.code for u in communes("19")[:4]]
    inbox = tmp_path / "inbox"
    paths = [write_golden(inbox / f"NQ57_{c}.xlsx", code=c) for c in codes]
    # one visible cell of the first appendix table changed; one hidden table cell changed
    wb = openpyxl.load_workbook(paths[1])
    ws = next(w for w in wb.worksheets if w.title.startswith("Phụ lục"))
    cell = next(c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, int) and c.value > 1)
    cell.value += 1
    sheet, row, col = ws.title, cell.row, cell.column_letter
    _signed_again(wb, paths[1])
    edit_json(paths[2], paths[2], '"ket_qua": 72.5', '"ket_qua": 31.9')  # a cell of its fixed appendix table
    data = tmp_path / "data"
    d = Desk(data)
    try:
        trust(d, *codes)
    finally:
        d.close()
    code = main(["--data-dir", str(data), "aggregate", str(inbox), "-o", str(tmp_path / "t.xlsx")])
    out, _err = capsys.readouterr()
    assert code == 1
    lines = {c: next(ln for ln in out.splitlines() if f"NQ57_{c}.xlsx" in ln) for c in codes[1:3]}
    assert lines[codes[1]].startswith("Từ chối") and f"«{sheet}», dòng {row}" in lines[codes[1]] \
        and f"cột {col}" in lines[codes[1]], lines[codes[1]]
    assert lines[codes[2]].startswith("Từ chối") and "dữ liệu ẩn ghi" in lines[codes[2]], lines[codes[2]]
    assert stored(data) == sorted([codes[0], codes[3]])


def test_a_hidden_row_or_column_is_refused(bundle, registry, tmp_path):
    """The values still agree, but a row nobody sees on screen would still be consolidated."""
    def row(ws):
        ws.row_dimensions[cell_of(ws, "Số trạm BTS").row].hidden = True

    e = refused(edit_sheet(bundle, tmp_path / "dong.xlsx", TABLE, row), registry, "hidden_cells")
    assert f"trang «{TABLE}» có dòng" in e and "bị ẩn" in e, e

    def col(ws):
        ws.column_dimensions["D"].width = 0.2

    e = refused(edit_sheet(bundle, tmp_path / "cot.xlsx", FREE, col), registry, "hidden_cells")
    assert f"trang «{FREE}» có cột D bị ẩn" in e, e


def test_a_task_progress_cell_changed_on_the_visible_sheet_only(tmp_path):
    """A kind's own table (task progress, nq57desk.report.kinds) is compared like a template table."""
    from nq57desk.templates import Registry
    from tests.test_amounts import TASKS, chung, report

    path = tmp_path / "b.xlsx"
    write_bundle(chung(), report(tien_do_nhiem_vu=TASKS), path, key=TEST_KEY, app_version=APP)
    read_bundle(path, Registry())

    def change(ws):
        cell_of(ws, "Giai đoạn 1").offset(column=2).value = 13  # «Đã hoàn thành» 11 → 13

    bad = edit_sheet(path, tmp_path / "td.xlsx", "Tiến độ thực hiện nhiệm vụ", change)
    e = refused(bad, Registry(), "sheet_edited")
    assert "«Tiến độ thực hiện nhiệm vụ», dòng 4 («Giai đoạn 1»), cột D «Đã hoàn thành»: trang tính ghi 13, dữ liệu ẩn ghi 11" in e, e
