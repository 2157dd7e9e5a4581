"""Excel bundles: the writer, the safe reader and the USB package."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from nq57desk.bundle import package as pkg
from nq57desk.bundle.format import SHEET_DATA, SHEET_FIGURES, BundleError
from nq57desk.bundle.package import bundle_filename, removable_drives, write_package
from nq57desk.bundle.reader import read_bundle
from nq57desk.bundle.safefile import atomic_write, atomic_write_bytes, sha256_file
from nq57desk.bundle.writer import write_bundle
from nq57desk.errors import NQError
from nq57desk.report.document import check_document, loads, make_period, new_document
from nq57desk.templates import Registry
from nq57desk.units import commune_dict
from tests.conftest import SHARED
from tests.helpers.keys import TEST_KEY
from tests.helpers.keys import rehash as rehash_all

ROOT = Path(__file__).resolve().parent.parent
XLSXCHECK = SHARED / "tools" / "xlsxcheck.py"  # NQ57_SHARED, beside the checkout, or /work/shared (conftest)
FIXTURE_REPORTS = sorted((ROOT / "tests" / "fixtures" / "reports").glob("*.json"))
APP = "0.1.0-test"

# A template with every kind of figure the bundle must carry: counts, money, a rate, typed percent and decimal,
# yes/no, date, text; a fixed table with two-level merged headers and group rows; a free table in an appendix.
SAMPLE_YAML = """\
format: nq57-template/1
id: thu-nghiem-goi
version: 1
title: Mẫu thử gói Excel
period_kinds: [month, quarter, half, year, months]
subject: "Tình hình thực hiện Nghị quyết 57-NQ/TW trên địa bàn {commune} {period}"
numbering: [roman, arabic, point]
intro:
  - {type: text, key: can_cu, label: Căn cứ, default: "Thực hiện yêu cầu, UBND {commune} báo cáo như sau:"}
sections:
  - key: chi_dao
    title: CÔNG TÁC CHỈ ĐẠO
    blocks:
      - {type: text, key: chi_dao_text, label: Nội dung}
      - {type: documents, key: van_ban, label: Văn bản đã ban hành, bullet: "+"}
  - key: ket_qua
    title: KẾT QUẢ THỰC HIỆN
    children:
      - key: cds
        title: Về chuyển đổi số
        blocks:
          - type: fields
            fields:
              - {key: tthc_total, label: Tổng số thủ tục hành chính, type: integer, unit: thủ tục, min: 0}
              - {key: hs_received, label: Số hồ sơ tiếp nhận, type: integer, unit: hồ sơ, min: 0}
              - {key: hs_online, label: Số hồ sơ trực tuyến, type: integer, unit: hồ sơ, min: 0}
              - {key: hs_online_rate, label: Tỷ lệ hồ sơ trực tuyến, type: percent, formula: "rate(hs_online, hs_received)"}
              - {key: kinh_phi, label: Kinh phí đã giải ngân, type: money}
              - {key: phu_song, label: Tỷ lệ phủ sóng 4G, type: percent}
              - {key: diem_cds, label: Điểm chuyển đổi số, type: decimal, decimals: 1}
              - {key: co_wifi, label: Có wifi công cộng, type: yesno}
              - {key: ngay_kt, label: Ngày kiểm tra, type: date}
              - {key: ghi_chu, label: Ghi chú, type: text}
            lines:
              - "Tiếp nhận {hs_received} hồ sơ, trực tuyến {hs_online}, đạt {hs_online_rate}; kinh phí {kinh_phi}."
          - type: table
            key: chi_tieu
            title: CÁC CHỈ TIÊU CHỦ YẾU
            columns:
              - {key: stt, label: TT, type: stt}
              - {key: ten, label: Chỉ tiêu, width: 4}
              - {key: dvt, label: Đơn vị tính}
              - {key: ke_hoach, label: Kế hoạch, group: "Năm {year}", type: integer, total: true}
              - {key: ky_nay, label: Kết quả kỳ này, group: ["Năm {year}", "Thực hiện"], type: integer, total: true}
              - {key: luy_ke, label: Lũy kế, group: ["Năm {year}", "Thực hiện"], type: integer, total: true}
              - {key: ghi_chu_bang, label: Ghi chú}
            rows:
              - {key: g1, group: "I|Hạ tầng số"}
              - {key: r1, cells: {ten: Số trạm BTS, dvt: trạm}}
              - {key: r2, cells: {ten: Số điểm wifi công cộng, dvt: điểm}}
              - {key: g2, group: "II|Dịch vụ công"}
              - {key: r3, cells: {ten: Số hồ sơ trực tuyến, dvt: hồ sơ}}
            total_label: Tổng cộng
  - key: kien_nghi
    title: ĐỀ XUẤT, KIẾN NGHỊ
    blocks:
      - {type: text, key: kien_nghi_text, label: "Đề xuất, kiến nghị"}
closing:
  - {type: text, key: ket_luan, label: Câu kết, default: "Trên đây là báo cáo {period}./."}
appendices:
  - key: pl1
    label: Phụ lục I
    title: Danh mục nhiệm vụ
    landscape: true
    blocks:
      - type: table
        key: nhiem_vu
        columns:
          - {key: stt, label: TT, type: stt}
          - {key: ten, label: Tên nhiệm vụ, width: 4}
          - {key: ket_qua, label: Kết quả, choices: [Đã hoàn thành, Đang thực hiện, Chưa thực hiện]}
          - {key: kinh_phi_nv, label: Kinh phí (đồng), type: money, total: true}
        groups:
          - {key: tu_lam, number: I, label: Nhiệm vụ xã tự thực hiện}
          - {key: phoi_hop, number: II, label: Nhiệm vụ phối hợp}
        total_label: Cộng
"""

FORMULA_TEXT = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="session")
def registry(tmp_path_factory) -> Registry:
    d = tmp_path_factory.mktemp("templates")
    (d / "thu-nghiem-goi.yaml").write_text(SAMPLE_YAML, encoding="utf-8")
    return Registry([d])


@pytest.fixture(scope="session")
def sample_tpl(registry):
    return registry.get("thu-nghiem-goi", 1)


def make_doc(tpl, code: str = "05503", *, revision: int = 1, received: int = 3, online: int = 1, period=None) -> dict:
    """A filled, valid report of the sample template."""
    doc = new_document(tpl, commune_dict(code), period or make_period("month", 2026, 5))
    v = doc["values"]
    v.update(tthc_total=120, hs_received=received, hs_online=online, kinh_phi=1_250_000_000, phu_song=98.5, diem_cds=7.5,
             co_wifi=True, ngay_kt="2026-05-20", ghi_chu="Đã kiểm tra")
    v["chi_dao_text"] = "Đảng ủy đã chỉ đạo sát sao.\n- Ban hành kế hoạch\n+ Tổ chức hội nghị"
    v["van_ban"] = [{"kind": "Kế hoạch", "number": "23/KH-UBND", "date": "2026-01-28", "issuer": "UBND xã",
                     "subject": "triển khai Nghị quyết 57"}]
    v["chi_tieu"] = {"r1": {"ke_hoach": 5, "ky_nay": 2, "luy_ke": 4},
                     "r2": {"ke_hoach": 10, "ky_nay": 3, "luy_ke": 7, "ghi_chu_bang": "-5 so với kế hoạch"},
                     "r3": {"ke_hoach": 1000, "ky_nay": 250, "luy_ke": 800}}
    v["kien_nghi_text"] = "Đề nghị tỉnh hỗ trợ kinh phí.\nĐề nghị bổ sung biên chế."
    v["nhiem_vu"] = [{"ten": "Số hóa hồ sơ", "ket_qua": "Đã hoàn thành", "kinh_phi_nv": 50_000_000, "_group": "tu_lam"},
                     {"ten": "Lắp wifi", "ket_qua": "Đang thực hiện", "kinh_phi_nv": 20_000_000, "_group": "phoi_hop"}]
    doc["header"].update(number="05", date="2026-06-03")
    doc["signature"] = {"lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "name": "Nguyễn Văn A"}
    doc["status"] = "sent"
    doc["revision"] = revision
    if revision > 1:
        doc["replaces"] = {"revision": revision - 1, "kind": "thay thế"}
    return check_document(doc, tpl)


@pytest.fixture
def bundle(tmp_path, sample_tpl):
    path = tmp_path / "NQ57_05503_2026-T05_r1.xlsx"
    doc = make_doc(sample_tpl)
    write_bundle(sample_tpl, doc, path, key=TEST_KEY, app_version=APP)
    return path, doc


# -- round trips ---------------------------------------------------------------------------------------------------

def test_round_trip_gives_the_same_document(bundle, registry):
    path, doc = bundle
    res = read_bundle(path, registry)
    assert res.doc == doc
    assert res.template_ref == ("thu-nghiem-goi", 1)
    assert res.sha256 == sha256_file(path)
    assert res.bundle_version == 1 and res.app_version == APP
    assert res.key == ("05503", "thu-nghiem-goi", "2026-T05")
    dt.datetime.fromisoformat(res.exported_at)


def test_round_trip_chung_template(tmp_path):
    reg = Registry()
    try:
        tpl = reg.get("chung")
    except NQError:
        pytest.skip("resources/templates/chung.yaml is missing")
    doc = new_document(tpl, commune_dict("11635"), make_period("half", 2026, 1))
    v = doc["values"]
    v["chi_dao_text"] = "Ban Chấp hành Đảng bộ xã đã lãnh đạo.\n+ Hội nghị quán triệt\n=1+1 là văn bản, không phải công thức"
    v["van_ban"] = [{"kind": "Quyết định", "number": "12/QĐ-UBND", "date": "2026-02-02", "issuer": "", "subject": "về thành lập Tổ"}]
    v["muc_tu_dat"] = [{"title": "Về chuyển đổi số", "text": "Có 12534/12555 hồ sơ trực tuyến.", "level": 0},
                       {"title": "Hạ tầng", "text": "- 5 trạm BTS", "level": 1}]
    v["danh_gia_chung"] = {"uu_diem": "Chủ động", "ton_tai": "- Thiếu nhân lực\n- Thiếu kinh phí"}
    v["kien_nghi_text"] = "@Sở KH&CN: hỗ trợ\n\tdòng bắt đầu bằng tab\n-Đề nghị không có dấu cách"
    check_document(doc, tpl)
    path = tmp_path / "chung.xlsx"
    write_bundle(tpl, doc, path, key=TEST_KEY, app_version=APP)
    assert read_bundle(path, reg).doc == doc


@pytest.mark.parametrize("fixture", FIXTURE_REPORTS, ids=[p.stem for p in FIXTURE_REPORTS])
def test_round_trip_golden_fixtures(fixture, tmp_path):
    doc = loads(fixture.read_bytes())
    reg = Registry()
    try:
        tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
        check_document(doc, tpl)
    except NQError as e:
        pytest.skip(f"fixture not usable yet: {e}")
    path = tmp_path / "golden.xlsx"
    write_bundle(tpl, doc, path, key=TEST_KEY, app_version=APP)
    assert read_bundle(path, reg).doc == doc


def test_formula_like_text_stays_text(tmp_path, sample_tpl, registry):
    doc = make_doc(sample_tpl)
    doc["values"]["ghi_chu"] = FORMULA_TEXT
    doc["values"]["kien_nghi_text"] = "+84 912 345 678\n@all\n-1 điểm\n=SUM(A1:A9)"
    path = tmp_path / "f.xlsx"
    write_bundle(sample_tpl, doc, path, key=TEST_KEY, app_version=APP)
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >/]", z.read(n)), n
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA_TEXT]
    assert cells, "the text is shown as it was typed"
    for c in cells:
        assert c.data_type == "s" and c.quotePrefix
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert read_bundle(path, registry).doc == doc


def test_long_text_is_chunked_and_exact(tmp_path, sample_tpl, registry):
    doc = make_doc(sample_tpl)
    doc["values"]["chi_dao_text"] = ("Đoạn văn rất dài 😀 có ký tự ngoài BMP. " * 3000).strip()
    path = tmp_path / "long.xlsx"
    write_bundle(sample_tpl, doc, path, key=TEST_KEY, app_version=APP)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_DATA]
    chunks = [r[1] for r in ws.iter_rows(values_only=True) if r[0] == "json"]
    assert len(chunks) > 1
    assert all(len(c.encode("utf-16-le")) // 2 < 32_000 for c in chunks)
    assert read_bundle(path, registry).doc == doc


@pytest.mark.parametrize(("date", "shown"), [("2026-06-03", "03/6/2026"), ("2026-05", "tháng 5/2026 (ngày ghi khi ký)"),
                                             (None, "(chưa ghi ngày)")])
def test_report_date_on_the_info_sheet(tmp_path, sample_tpl, date, shown):
    doc = make_doc(sample_tpl)
    doc["header"]["date"] = date
    path = tmp_path / "d.xlsx"
    write_bundle(sample_tpl, doc, path, key=TEST_KEY, app_version=APP)
    ws = openpyxl.load_workbook(path)["Thông tin chung"]
    got = [r[1] for r in ws.iter_rows(values_only=True) if r and r[0] == "Ngày báo cáo"]
    assert got == [shown]


def test_layout_of_the_bundle(bundle):
    path, _doc = bundle
    wb = openpyxl.load_workbook(path)
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert [ws.title for ws in visible][:2] == ["Thông tin chung", "Số liệu"]
    assert "Nội dung" in wb.sheetnames
    assert wb[SHEET_DATA].sheet_state in ("hidden", "veryHidden")
    for ws in wb.worksheets:
        assert len(ws.title) <= 31 and not re.search(r"[\[\]:*?/\\]", ws.title)
    table = wb["CÁC CHỈ TIÊU CHỦ YẾU"]
    merged = {str(r) for r in table.merged_cells.ranges}
    assert "D3:F3" in merged  # "Năm 2026" over three columns
    assert "E4:F4" in merged  # "Thực hiện" over two
    assert "A3:A5" in merged  # "TT" down the three header rows
    assert table["D3"].value == "Năm 2026" and table["D3"].font.bold
    assert table.freeze_panes == "A6" and table.print_title_rows == "$3:$5"
    assert table.page_setup.orientation == "landscape" and table.sheet_properties.pageSetUpPr.fitToPage
    figures = wb[SHEET_FIGURES]
    row = next(r for r in figures.iter_rows(min_row=4) if r[5].value == "kinh_phi")
    assert row[3].value == 1_250_000_000 and "#,##0" in row[3].number_format
    rate = next(r for r in figures.iter_rows(min_row=4) if r[5].value == "hs_online_rate")
    assert abs(rate[3].value - 33.3333333) < 1e-6 and rate[6].value == "Có"
    fonts = {c.font.name for ws in visible for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Times New Roman"}
    appendix = next(ws for ws in visible if ws.title.startswith("Phụ lục I"))
    values = [c.value for row in appendix.iter_rows() for c in row]
    assert "Nhiệm vụ xã tự thực hiện" in values and 70_000_000 in values


@pytest.mark.skipif(not XLSXCHECK.exists(), reason="shared/tools/xlsxcheck.py not found (set NQ57_SHARED)")
def test_xlsxcheck_passes(bundle):
    path, _doc = bundle
    r = subprocess.run([sys.executable, str(XLSXCHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


# -- rejections ----------------------------------------------------------------------------------------------------

def _rejected(path, registry, reason: str) -> BundleError:
    with pytest.raises(BundleError) as ei:
        read_bundle(path, registry)
    assert ei.value.reason == reason, str(ei.value)
    assert Path(path).name in str(ei.value)
    assert isinstance(ei.value, NQError)
    return ei.value


def _rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = (replace or {}).get(info.filename, zin.read(info))
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def test_reject_missing_and_empty(tmp_path, registry):
    _rejected(tmp_path / "khong-co.xlsx", registry, "missing")
    (tmp_path / "rong.xlsx").write_bytes(b"")
    _rejected(tmp_path / "rong.xlsx", registry, "empty")


def test_reject_truncated(bundle, tmp_path, registry):
    path, _ = bundle
    data = path.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    e = _rejected(cut, registry, "damaged")
    assert "chép chưa hết" in str(e)


def test_reject_renamed_text_file(tmp_path, registry):
    p = tmp_path / "bao_cao.xlsx"
    p.write_text("Đây là tệp văn bản bị đổi đuôi", encoding="utf-8")
    _rejected(p, registry, "not_xlsx")
    z = tmp_path / "khac.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    _rejected(z, registry, "not_xlsx")


def test_reject_xml_entity_bomb(bundle, tmp_path, registry):
    path, _ = bundle
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>')
    bad = _rezip(path, tmp_path / "bomb.xlsx", replace={"xl/worksheets/sheet1.xml": bomb})
    _rejected(bad, registry, "xml_entity")


def test_reject_zip_bomb(bundle, tmp_path, registry):
    path, _ = bundle
    bad = tmp_path / "zipbomb.xlsx"
    shutil.copy(path, bad)
    with zipfile.ZipFile(bad, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/big.xml", b"\0" * (30 * 1024 * 1024))
    _rejected(bad, registry, "zip_bomb")


def test_reject_too_many_parts(bundle, tmp_path, registry):
    path, _ = bundle
    bad = _rezip(path, tmp_path / "many.xlsx", add={f"docProps/x{i}.txt": b"x" for i in range(2001)})
    _rejected(bad, registry, "too_many_parts")


def test_reject_macro_part(bundle, tmp_path, registry):
    path, _ = bundle
    bad = _rezip(path, tmp_path / "macro.xlsx", add={"xl/vbaProject.bin": b"\x00" * 100})
    _rejected(bad, registry, "active_content")


def test_reject_visible_edit(bundle, tmp_path, registry):
    path, _ = bundle
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_FIGURES]
    row = next(r for r in ws.iter_rows(min_row=4) if r[5].value == "hs_received")
    row[3].value = 4
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    e = _rejected(edited, registry, "visible_edited")
    assert "Số liệu" in str(e)


def test_resaved_without_change_is_accepted(bundle, tmp_path, registry):
    path, doc = bundle
    wb = openpyxl.load_workbook(path)
    resaved = tmp_path / "resaved.xlsx"
    wb.save(resaved)
    assert read_bundle(resaved, registry).doc == doc


def test_reject_hidden_json_edit(bundle, tmp_path, registry):
    path, _ = bundle
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_DATA]
    for row in ws.iter_rows():
        if row[0].value == "json" and '"tthc_total": 120' in row[1].value:
            row[1].value = row[1].value.replace('"tthc_total": 120', '"tthc_total": 999')
            break
    else:
        pytest.fail("json chunk not found")
    edited = tmp_path / "json.xlsx"
    wb.save(edited)
    _rejected(edited, registry, "data_edited")


def _edit_hidden_json(path: Path, out: Path, old: str, new: str, *, rehash: bool, resign: bool = False) -> Path:
    import hashlib

    wb = openpyxl.load_workbook(path)
    rows = list(wb[SHEET_DATA].iter_rows())
    chunks = [r for r in rows if r[0].value == "json"]
    text = "".join(r[1].value for r in chunks)
    assert old in text
    text = text.replace(old, new)
    for r in chunks:
        r[1].value = ""
    chunks[0][1].value = text
    for r in rows:
        if r[0].value == "json_chunks":
            r[1].value = len(chunks)
        if rehash and r[0].value == "json_sha256":
            r[1].value = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if resign:
        rehash_all(wb, key=TEST_KEY)
    wb.save(out)
    return out


def test_reject_hidden_edit_with_a_recomputed_hash(bundle, tmp_path, registry):
    """Hidden figure changed and its SHA-256 rewritten: the signature fails (since signed bundles: before, the
    visible «Số liệu» cross-check was what caught it). Signed again with the commune's own key (its PC
    compromised), the cross-check still names the figure the visible sheet shows differently."""
    path, _ = bundle
    edited = _edit_hidden_json(path, tmp_path / "rehashed.xlsx", '"tthc_total": 120', '"tthc_total": 999', rehash=True)
    assert "chữ ký không khớp" in str(_rejected(edited, registry, "bad_signature"))
    resigned = _edit_hidden_json(path, tmp_path / "resigned.xlsx", '"tthc_total": 120', '"tthc_total": 999',
                                 rehash=True, resign=True)
    e = _rejected(resigned, registry, "figures_edited")
    assert "Tổng số thủ tục hành chính" in str(e) and "120" in str(e) and "999" in str(e)
    text = _edit_hidden_json(path, tmp_path / "text.xlsx", '"ghi_chu": "Đã kiểm tra"', '"ghi_chu": "Đã sửa"',
                             rehash=True, resign=True)
    _rejected(text, registry, "figures_edited")


def test_a_computed_figure_is_not_compared(bundle, tmp_path, registry):
    """A rate shown on the sheet is not compared: the importer recomputes it from the typed figures."""
    path, doc = bundle
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb[SHEET_FIGURES].iter_rows(min_row=4) if r[5].value == "hs_online_rate")
    assert row[6].value == "Có"  # marked as computed
    res = read_bundle(path, registry)
    assert res.doc == doc and res.json_text.startswith("{")


def test_consolidated_workbook_is_recognised(tmp_path, sample_tpl, registry):
    from nq57desk.aggregate import collect, write_consolidated

    src = tmp_path / "in"
    src.mkdir()
    write_bundle(sample_tpl, make_doc(sample_tpl), src / "b.xlsx", key=TEST_KEY, app_version=APP)
    out = tmp_path / "tong_hop.xlsx"
    write_consolidated(collect([src], registry), registry, out)
    _rejected(out, registry, "consolidated")


def test_reject_unknown_format_version(bundle, tmp_path, registry):
    path, _ = bundle
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_DATA]
    for row in ws.iter_rows():
        if row[0].value == "bundle_version":
            row[1].value = 99
    future = tmp_path / "future.xlsx"
    wb.save(future)
    e = _rejected(future, registry, "unknown_version")
    assert "99" in str(e)


def test_reject_formula_cell(bundle, tmp_path, registry):
    path, _ = bundle
    wb = openpyxl.load_workbook(path)
    wb["Thông tin chung"]["D1"] = "=1+1"
    bad = tmp_path / "formula.xlsx"
    wb.save(bad)
    _rejected(bad, registry, "formula")


def test_reject_unknown_template(bundle):
    path, _ = bundle
    _rejected(path, Registry(), "unknown_template")


def test_reject_bad_commune(tmp_path, sample_tpl, registry):
    doc = make_doc(sample_tpl)
    doc["commune"] = {**doc["commune"], "code": "99999"}
    path = tmp_path / "xa_la.xlsx"
    write_bundle(sample_tpl, doc, path, key=TEST_KEY, app_version=APP)
    _rejected(path, registry, "bad_commune")


def test_reject_invalid_document(tmp_path, sample_tpl, registry):
    doc = make_doc(sample_tpl)
    doc["values"]["hs_received"] = "nhiều"
    path = tmp_path / "sai_kieu.xlsx"
    write_bundle(sample_tpl, doc, path, key=TEST_KEY, app_version=APP)
    _rejected(path, registry, "bad_document")


# -- safe files and the USB package ----------------------------------------------------------------------------------

def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    p = tmp_path / "a.bin"
    atomic_write_bytes(p, b"old")

    def boom(f):
        f.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        atomic_write(p, boom)
    assert p.read_bytes() == b"old"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.bin"]


def test_write_bundle_failure_is_a_bundle_error(tmp_path, sample_tpl, monkeypatch):
    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("nq57desk.bundle.writer.atomic_write", full)
    with pytest.raises(BundleError) as ei:
        write_bundle(sample_tpl, make_doc(sample_tpl), tmp_path / "x.xlsx", key=TEST_KEY, app_version=APP)
    assert ei.value.reason == "write_failed"


def test_bundle_filename(sample_tpl):
    doc = make_doc(sample_tpl, revision=2)
    assert bundle_filename(doc) == "NQ57_05503_2026-T05_r2.xlsx"
    assert bundle_filename(doc, with_template=True) == "NQ57_05503_2026-T05_thu-nghiem-goi_r2.xlsx"
    assert pkg.safe_filename("Báo cáo: xã Tân Cương?.xlsx") == "bao_cao_xa_tan_cuong.xlsx"
    assert pkg.safe_filename("CON.xlsx") == "_con.xlsx"


def test_package_to_folder(bundle, tmp_path):
    path, doc = bundle
    target = tmp_path / "usb" / "NQ57"
    res = write_package({bundle_filename(doc): path}, target,
                        {"commune_code": "05503", "files": {bundle_filename(doc): pkg.manifest_entry(doc)}}, key=TEST_KEY)
    names = sorted(p.name for p in target.iterdir())
    assert names == ["NQ57_05503_2026-T05_r1.xlsx", "manifest.json"]
    man = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    f = man["files"][0]
    assert f["sha256"] == sha256_file(path) == sha256_file(target / f["name"])
    assert f["size"] == path.stat().st_size and f["revision"] == 1 and f["period"] == "2026-T05"
    assert man["commune_code"] == "05503" and "rút USB" in res.message


def test_package_to_zip(bundle, tmp_path):
    path, doc = bundle
    z = tmp_path / "usb" / "goi.zip"
    write_package({"Báo cáo tháng 5.xlsx": path}, z, {"commune_code": "05503"}, key=TEST_KEY)
    with zipfile.ZipFile(z) as zf:
        assert sorted(zf.namelist()) == ["bao_cao_thang_5.xlsx", "manifest.json"]
        assert zf.read("bao_cao_thang_5.xlsx") == path.read_bytes()


@pytest.mark.parametrize("code,reason", [(errno.ENOSPC, "disk_full"), (errno.EROFS, "read_only"), (errno.EIO, "device_gone")])
def test_package_failure_leaves_no_final_file(bundle, tmp_path, monkeypatch, code, reason):
    path, doc = bundle
    other = tmp_path / "r2.xlsx"
    shutil.copy(path, other)
    target = tmp_path / "usb"
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:  # the second rename: one file already has its final name
            raise OSError(code, os.strerror(code))
        return real(src, dst)

    monkeypatch.setattr(pkg.os, "replace", flaky)
    with pytest.raises(BundleError) as ei:
        write_package({"a.xlsx": path, "b.xlsx": other}, target, {}, key=TEST_KEY)
    assert ei.value.reason == reason
    assert "Chưa có tệp nào" in str(ei.value)
    assert list(target.iterdir()) == []


def test_package_disk_full_while_copying(bundle, tmp_path, monkeypatch):
    path, _ = bundle
    real = pkg.copy_to_temp
    calls = {"n": 0}

    def filling(src, final, expected=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, final, expected)

    monkeypatch.setattr(pkg, "copy_to_temp", filling)
    target = tmp_path / "usb"
    with pytest.raises(BundleError) as ei:
        write_package({"a.xlsx": path, "b.xlsx": path}, target, {}, key=TEST_KEY)
    assert ei.value.reason == "disk_full" and "đầy" in str(ei.value)
    assert list(target.iterdir()) == []  # the first file's temp copy is gone too


def test_package_copy_that_differs_is_refused(bundle, tmp_path, monkeypatch):
    path, _ = bundle
    real = pkg.copy_to_temp

    def corrupting(src, final, expected=None):
        tmp, sha, size = real(src, final, expected)
        with open(tmp, "r+b") as f:
            f.seek(100)
            f.write(b"\xff")
        raise ValueError("copy differs from source")  # what copy_to_temp reports after reading it back

    monkeypatch.setattr(pkg, "copy_to_temp", corrupting)
    target = tmp_path / "usb"
    with pytest.raises(BundleError) as ei:
        write_package({"a.xlsx": path}, target, {}, key=TEST_KEY)
    assert ei.value.reason == "verify_failed"
    assert not (target / "a.xlsx").exists() and not (target / "manifest.json").exists()


def test_removable_drives_never_raises():
    drives = removable_drives()
    assert isinstance(drives, list)
    flags = [d.removable for d in drives]
    assert flags == sorted(flags, reverse=True)


# -- LibreOffice ------------------------------------------------------------------------------------------------------

@pytest.mark.libreoffice
def test_libreoffice_converts_bundle(bundle, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    path, _ = bundle
    out = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(out), str(path)], capture_output=True, timeout=180, check=False)
    pdf = out / (path.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")



# -- the USB package from the desk: local copies, several packages on one stick, uncached read-back -------------------

@pytest.fixture
def report_desk(desk):
    from tests.conftest import REPORTS

    return desk, desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())


def test_package_message_names_every_file_written(report_desk, tmp_path):
    desk, rid = report_desk
    res = pkg.export_package(desk, rid, tmp_path / "usb")
    names = sorted(p.name for p in (tmp_path / "usb").iterdir())
    assert len(names) == 3 and "manifest.json" in names
    assert "3 tệp" in res.message and all(n in res.message for n in names)
    local = Path(res.local)
    assert local.parent == desk.data_dir / "xuat" and sorted(p.name for p in local.iterdir()) == sorted(
        n for n in names if n != "manifest.json")
    z = pkg.export_package(desk, rid, tmp_path / "usb2" / "goi.zip")
    assert "goi.zip" in z.message and "3 tệp" in z.message


def test_second_package_in_the_same_folder_keeps_the_first_checked(report_desk, tmp_path, sample_tpl, registry):
    from nq57desk.aggregate import collect

    desk, rid = report_desk
    usb = tmp_path / "usb"
    first = pkg.export_package(desk, rid, usb)
    other = tmp_path / "other.xlsx"
    doc = make_doc(sample_tpl, revision=2)
    write_bundle(sample_tpl, doc, other, key=TEST_KEY, app_version=APP)
    second = write_package({bundle_filename(doc): other}, usb, {"commune_code": "05503",
                                                                 "files": {bundle_filename(doc): pkg.manifest_entry(doc)}}, key=TEST_KEY)
    man = json.loads((usb / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["name"] for f in man["files"]}
    assert listed == {f["name"] for f in first.files} | {bundle_filename(doc)}
    assert all(sha256_file(usb / f["name"]) == f["sha256"] for f in man["files"])
    assert "danh sách này ghi cả 2 tệp" in second.message
    # both bundles are checked against the manifest at the upper level (the DOCX belongs to the package)
    reg = Registry([next(iter(registry.dirs[1:]))])
    res = collect([usb], reg)
    assert sorted(ln.status for ln in res.lines) == ["accepted", "accepted"]


def test_failed_copy_keeps_the_local_copies_and_says_where(report_desk, tmp_path, monkeypatch):
    desk, rid = report_desk
    real = pkg.copy_to_temp

    def full(src, final, expected=None):
        if final.suffix == ".xlsx":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, final, expected)

    monkeypatch.setattr(pkg, "copy_to_temp", full)
    with pytest.raises(BundleError) as ei:
        pkg.export_package(desk, rid, tmp_path / "usb")
    local = desk.data_dir / "xuat"
    kept = [p for p in local.rglob("*") if p.is_file()]
    assert {p.suffix for p in kept} == {".docx", ".xlsx"}
    assert str(kept[0].parent) in str(ei.value) and "đầy" in str(ei.value)
    assert list((tmp_path / "usb").iterdir()) == []


def test_read_back_drops_the_cache_first(bundle, tmp_path, monkeypatch):

    if not hasattr(os, "posix_fadvise"):
        pytest.skip("no posix_fadvise on this system (Windows: see safety.atomic.drop_cache)")
    calls = []
    real = os.posix_fadvise

    def spy(fd, offset, length, advice):
        calls.append(advice)
        return real(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    path, _ = bundle
    write_package({"a.xlsx": path}, tmp_path / "usb", {}, key=TEST_KEY)
    # a.xlsx and manifest.json: after the fsync and before the read-back; a.xlsx again before the check after rename
    assert set(calls) == {os.POSIX_FADV_DONTNEED} and len(calls) == 5


def test_folder_missing_is_not_a_pulled_stick():
    from nq57desk.bundle.format import os_problem

    reason, msg = os_problem(OSError(errno.ENOENT, "No such file or directory"))
    assert reason == "no_folder" and "không tìm thấy thư mục" in msg


def test_linux_drives_lists_mount_points_of_removable_devices_only(tmp_path):
    """Issue 14: the package dialog pre-selected a mounted system folder; only removable devices are offered."""
    from nq57desk.bundle.package import linux_drives

    blk = tmp_path / "block"
    for dev, removable, parts in (("sda", "0", ["sda1", "sda2"]), ("sdb", "1", ["sdb1"]), ("mmcblk0", "1", []),
                                  ("loop0", "0", [])):
        (blk / dev).mkdir(parents=True)
        (blk / dev / "removable").write_text(removable + "\n")
        for p in parts:
            (blk / dev / p).mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n/dev/sda2 /mnt/data ext4 rw 0 0\n"
                      "/dev/sdb1 /media/cb/USB\\040XA vfat rw 0 0\n/dev/mmcblk0 /run/media/cb/THE ext4 rw 0 0\n"
                      "tmpfs /run tmpfs rw 0 0\n/dev/loop0 /snap/core squashfs ro 0 0\n", encoding="utf-8")
    drives = linux_drives(blk, mounts)
    assert [(d.path, d.label, d.removable) for d in drives] == [("/media/cb/USB XA", "USB XA", True),
                                                                 ("/run/media/cb/THE", "THE", True)]
    assert linux_drives(tmp_path / "none", tmp_path / "nomounts") == []
