"""DOCX export in the layout of Decree 30/2020/NĐ-CP: checked with python-docx, with the shared nd30check and
textsim when they sit beside the checkout, and (marked `libreoffice`) by converting to PDF."""

from __future__ import annotations

import io
import os
import re
import runpy
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx import Document

from nq57desk.errors import NQError
from nq57desk.render.docx import DRAFT_MARK, export_docx, render_docx
from nq57desk.render.tree import build, to_text
from nq57desk.report.document import check_document, hint_text, loads, make_period, new_document
from nq57desk.templates import Registry, load_template, parse_template
from tests.conftest import FIXTURES, GOLDEN, REPORTS, SHARED

SAMPLE_TPL = FIXTURES / "templates" / "render_sample.yaml"
ND30CHECK = SHARED / "tools" / "nd30check.py"
TEXTSIM = SHARED / "tools" / "textsim.py"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TNR = "Times New Roman"

LONG = ("Ủy ban nhân dân xã đã tập trung lãnh đạo, chỉ đạo triển khai thực hiện Nghị quyết số 57-NQ/TW với nhiều "
        "giải pháp đồng bộ, quyết liệt, gắn với trách nhiệm người đứng đầu các cơ quan, đơn vị; {}.")


def sample_document(tpl, status: str = "draft") -> dict:
    """The synthetic sample filled in: every block type, a wide grouped table with totals, two appendices."""
    doc = new_document(tpl, {"code": "05503", "name": "Xã Tân Cương", "province_code": "19", "province_name": "Thái Nguyên"},
                       make_period("months", 2026, 5))
    v = doc["values"]
    for key in ("can_cu", "ket_luan"):  # the officer accepted the template's suggested wording («Dùng gợi ý»)
        v[key] = hint_text(tpl.block(key), doc)
    v["chi_dao_text"] = "\n".join([LONG.format("kết quả bước đầu được cấp trên ghi nhận"),
                                   "- Ban hành kế hoạch triển khai;", "+ Tổ chức hội nghị quán triệt."])
    v["van_ban"] = [
        {"kind": "Kế hoạch", "number": "23/KH-UBND", "date": "2026-01-28", "issuer": "UBND xã Tân Cương",
         "subject": "triển khai thực hiện Nghị quyết số 57-NQ/TW năm 2026"},
        {"kind": "Quyết định", "number": "15/QĐ-UBND", "date": "2026-02-10", "issuer": "",
         "subject": "về việc kiện toàn Tổ công nghệ số cộng đồng"}]
    v["noi_bat_text"] = LONG.format("tỷ lệ hồ sơ xử lý trên môi trường điện tử tăng cao so với cùng kỳ")
    v["the_che_list"] = ["Rà soát các văn bản quy phạm pháp luật", "Đề xuất sửa đổi quy chế làm việc"]
    v.update(nv_tong=34, nv_xong=33, kp_giao=1_250_000_000, kp_giai_ngan=60_807_000)
    v["cds_text"] = LONG.format("hạ tầng số được đầu tư, nâng cấp, các nền tảng số dùng chung được khai thác hiệu quả")
    v["chi_tieu"] = {"r1": {"ket_qua": 92.5}, "r2": {"ket_qua": 96}, "r3": {"ket_qua": "Đạt"}}
    v["ho_so"] = [
        {"_group": "hc", "linh_vuc": "Hộ tịch", "tt_ky": 1250, "tt_lk": 4820, "tiep_ky": 12, "tiep_lk": 140,
         "dung_han": 1255, "qua_han": 2, "phi": 3_450_000, "ghi_chu": "Liên thông khai sinh"},
        {"_group": "hc", "linh_vuc": "Chứng thực", "tt_ky": 980, "tt_lk": 3010, "tiep_ky": 40, "tiep_lk": 260,
         "dung_han": 1020, "qua_han": 0, "phi": 9_800_000},
        {"_group": "dd", "linh_vuc": "Đất đai", "tt_ky": 310, "tt_lk": 922, "tiep_ky": 5, "tiep_lk": 77,
         "dung_han": 300, "qua_han": 15, "phi": 41_250_000, "ghi_chu": "Quá hạn do chờ đo đạc"}]
    v["mo_hinh"] = [{"title": "Bình dân học vụ số", "van_de": LONG.format("người dân còn thiếu kỹ năng số"),
                     "ket_qua": "- 1.200 người được hướng dẫn;\n- 85% hộ cài đặt VNeID."}]
    v["danh_gia_chung"] = {"uu_diem": LONG.format("các nhiệm vụ được triển khai đúng tiến độ"),
                           "ton_tai": "+ Hạ tầng số còn hạn chế.\n+ Nhân lực chuyên trách còn thiếu.",
                           "nguyen_nhan": "Kinh phí còn hạn hẹp."}
    v["nhiem_vu_list"] = ["Tiếp tục đẩy mạnh chuyển đổi số.", "Nâng cao chất lượng dịch vụ công trực tuyến."]
    v["muc_them"] = [{"title": "Về an toàn thông tin", "text": LONG.format("không để xảy ra sự cố mất an toàn thông tin"),
                      "level": 0},
                     {"title": "Ký số", "text": "- 100% văn bản đi được ký số.", "level": 1}]
    v["kien_nghi_text"] = LONG.format("đề nghị Sở Khoa học và Công nghệ hỗ trợ kinh phí đào tạo kỹ năng số")
    v["de_xuat"] = [
        {"_group": "tu_xu_ly", "noi_dung": "Tăng cường tập huấn kỹ năng số cho Tổ công nghệ số cộng đồng",
         "co_quan": "UBND xã", "ngay": "2026-03-12", "so_luong": 3, "da_xl": 3, "kinh_phi": 15_000_000},
        {"_group": "de_nghi", "noi_dung": "Hỗ trợ nâng cấp đường truyền tại Bộ phận Một cửa", "co_quan": "UBND xã",
         "ngay": "2026-04-02", "so_luong": 1, "da_xl": 0, "kinh_phi": 120_000_000, "ghi_chu": "Chờ Sở phê duyệt"}]
    v["chi_so"] = {"cs1": {"thuc_hien": 42}, "cs2": {"thuc_hien": 1380}}
    doc["recipients"] = ["Như trên;", "TT Đảng ủy xã;", "CT, các PCT UBND xã;", "Lưu: VT, VHXH."]
    doc["signature"] = {"lines": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "name": "Nguyễn Văn An"}
    doc["status"] = status
    if status != "draft":
        doc["header"].update(number="12", date="2026-06-05")
    return doc


@pytest.fixture(scope="module")
def tpl():
    return load_template(SAMPLE_TPL)


@pytest.fixture(scope="module")
def sample_paths(tpl, tmp_path_factory):
    d = tmp_path_factory.mktemp("docx")
    out = {}
    for status in ("draft", "done"):
        doc = sample_document(tpl, status)
        check_document(doc, tpl)
        out[status] = d / f"sample-{status}.docx"
        export_docx(tpl, doc, out[status])
    return out


def golden(name: str):
    path = REPORTS / name
    if not path.exists():
        pytest.skip(f"golden fixture {name} not written yet")
    doc = loads(path.read_bytes())
    return Registry().get(doc["template"]["id"], doc["template"]["version"]), doc


def run_nd30check(path: Path, capsys) -> tuple[int, str]:
    main = runpy.run_path(str(ND30CHECK))["main"]
    rc = main(str(path))
    return rc, capsys.readouterr().out


def docx_text(path: Path) -> str:
    return runpy.run_path(str(TEXTSIM))["docx_text"](str(path)) if TEXTSIM.exists() else ""


def all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def header_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if re.match(r"word/header\d+\.xml$", n))


def _text(el) -> str:
    """Text of an element from its w:t nodes (lxml's itertext repeats runs on python-docx's element classes)."""
    return "".join(t.text or "" for t in el.iter(f"{W}t")).strip()


def body_paragraphs(doc):
    return [p for p in doc.paragraphs if p.text.strip()]


# -- the acceptance check ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "done"])
def test_sample_passes_nd30check(sample_paths, status, capsys):
    if not ND30CHECK.exists():
        pytest.skip("nd30check.py not beside the checkout")
    rc, out = run_nd30check(sample_paths[status], capsys)
    assert rc == 0, out
    assert "FAIL" not in out


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_passes_nd30check_and_keeps_the_text(name, tmp_path, capsys):
    tpl, doc = golden(name)
    path = tmp_path / "out.docx"
    export_docx(tpl, doc, path)
    if ND30CHECK.exists():
        rc, out = run_nd30check(path, capsys)
        assert rc == 0, out
    seed = SHARED / "seeds" / GOLDEN[name][1]
    if TEXTSIM.exists() and seed.exists():
        recall = runpy.run_path(str(TEXTSIM))["recall"]
        assert recall(seed.read_text(encoding="utf-8"), docx_text(path)) >= 0.97


def test_every_word_of_the_tree_reaches_the_docx(tpl, sample_paths):
    if not TEXTSIM.exists():
        pytest.skip("textsim.py not beside the checkout")
    recall = runpy.run_path(str(TEXTSIM))["recall"]
    text = to_text(build(tpl, sample_document(tpl, "done")))
    assert recall(text, docx_text(sample_paths["done"])) >= 0.995


# -- layout facts -------------------------------------------------------------------------------------------------

def test_a4_margins_and_landscape_sections(sample_paths):
    doc = Document(sample_paths["draft"])
    secs = doc.sections
    assert len(secs) >= 3  # portrait body, landscape table, portrait again …, landscape Phụ lục I, portrait Phụ lục II
    for s in secs:
        w, h = round(s.page_width.mm), round(s.page_height.mm)
        assert (w, h) in ((210, 297), (297, 210))
        assert (w > h) == (s.orientation == 1)
        assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [20, 20, 30, 15]
    assert round(secs[0].page_width.mm) == 210 and round(secs[-1].page_width.mm) == 210  # Phụ lục II is portrait
    assert any(s.page_width > s.page_height for s in secs)


def test_appendix_starts_a_landscape_section(sample_paths):
    doc = Document(sample_paths["draft"])
    body = doc.element.body
    sect_of = []  # for every body paragraph: index of its section
    n = 0
    for el in body:
        if el.tag == f"{W}p":
            sect_of.append((el, n))
            if el.find(f"{W}pPr/{W}sectPr") is not None:
                n += 1
    label = next(n for el, n in sect_of if _text(el) == "Phụ lục I")
    s = doc.sections[label]
    assert s.page_width > s.page_height
    label2 = next(n for el, n in sect_of if _text(el) == "Phụ lục II")
    assert doc.sections[label2].page_width < doc.sections[label2].page_height


def test_times_new_roman_everywhere_no_theme(sample_paths):
    path = sample_paths["draft"]
    doc = Document(path)
    dd = doc.styles.element.find(f"{W}docDefaults")
    rf = dd.find(f".//{W}rFonts")
    assert all(rf.get(f"{W}{a}") == TNR for a in ("ascii", "hAnsi", "eastAsia", "cs"))
    assert dd.find(f".//{W}lang").get(f"{W}val") == "vi-VN"
    xml = all_xml(path)
    assert "Theme=" not in xml.replace("themeFontLang", "") and "w:cstheme" not in xml
    assert "w:themeColor" not in xml
    for el in doc.element.body.iter(f"{W}r"):
        fonts = el.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and all(fonts.get(f"{W}{a}") == TNR for a in ("ascii", "hAnsi", "eastAsia", "cs"))


def test_header_table(sample_paths):
    doc = Document(sample_paths["done"])
    first = next(el for el in doc.element.body if el.tag in (f"{W}p", f"{W}tbl"))
    assert first.tag == f"{W}tbl"
    hdr = doc.tables[0]
    assert len(hdr.columns) == 2 and len(hdr.rows) == 2
    assert hdr.columns[1].width.mm >= 99.5
    grid = [int(g.get(f"{W}w")) for g in first.iter(f"{W}gridCol")]
    sec = doc.sections[0]
    text_width = sec.page_width - sec.left_margin - sec.right_margin
    assert abs(sum(grid) * 635 - text_width) <= 635 * 2  # the header spans the 165 mm text width, no wider
    assert int(first.find(f"{W}tblPr/{W}tblW").get(f"{W}w")) == sum(grid)
    assert first.find(f"{W}tblPr/{W}tblBorders/{W}top").get(f"{W}val") == "nil"
    left, right = hdr.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "XÃ TÂN CƯƠNG"]
    qh = right.paragraphs[0].runs[0]
    assert qh.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and qh.bold and qh.font.size.pt == 12
    tn = right.paragraphs[1].runs[0]
    assert tn.text == "Độc lập - Tự do - Hạnh phúc" and tn.bold and tn.font.size.pt == 13
    for cell in (left, right):  # a solid rule (empty paragraph with a bottom border) under each block
        rule = cell.paragraphs[-1]
        assert rule.text == "" and rule._p.find(f"{W}pPr/{W}pBdr/{W}bottom").get(f"{W}val") == "single"
    so, date = hdr.rows[1].cells
    assert so.text == "Số: 12/BC-UBND"
    assert date.text == "Tân Cương, ngày 05 tháng 6 năm 2026"
    assert all(r.italic and r.font.size.pt == 14 for r in date.paragraphs[0].runs)


def test_title_subject_and_body(sample_paths):
    doc = Document(sample_paths["done"])
    paras = body_paragraphs(doc)
    i = next(i for i, p in enumerate(paras) if p.text == "BÁO CÁO")
    assert paras[i].alignment == 1 and paras[i].runs[0].bold and paras[i].runs[0].font.size.pt == 14
    subject = paras[i + 1]
    assert subject.text.startswith("Tình hình triển khai") and subject.alignment == 1 and subject.runs[0].bold
    assert paras[i + 2].text == "Kính gửi: Sở Khoa học và Công nghệ"  # one addressee: one line
    body = next(p for p in paras if p.text.startswith("Ủy ban nhân dân xã đã tập trung"))
    assert body.style.name == "ND30 Nội dung"
    pf = body.style.paragraph_format
    assert pf.alignment == 3 and round(pf.first_line_indent.cm, 2) == 1.27 and pf.space_after.pt == 6
    assert body.runs[0].font.size.pt == 14
    bullet = next(p for p in paras if p.text == "- Ban hành kế hoạch triển khai;")
    assert bullet.style.name == "ND30 Nội dung"


def test_headings_follow_the_outline(sample_paths):
    doc = Document(sample_paths["done"])
    paras = body_paragraphs(doc)
    texts = [p.text for p in paras]
    k = texts.index("Phần 1")
    assert texts[k + 1] == "TÌNH HÌNH, KẾT QUẢ THỰC HIỆN" and paras[k].alignment == 1 and paras[k + 1].alignment == 1
    assert "I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH" in texts  # Mục titles upper-case
    assert "1. Những kết quả nổi bật" in texts and "1.1. Về hoàn thiện thể chế" in texts
    point = paras[texts.index("a) Nhiệm vụ được giao")]
    assert point.runs[0].bold and point.runs[0].italic
    for t in ("I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "1.1. Về hoàn thiện thể chế"):
        p = paras[texts.index(t)]
        assert p.runs[0].bold and p.paragraph_format.keep_with_next is not False
        assert p.style.paragraph_format.keep_with_next


def test_kinh_gui_with_several_addressees(tpl, tmp_path):
    doc = sample_document(tpl, "done")
    doc["header"]["kinh_gui"] = ["Sở Khoa học và Công nghệ tỉnh Thái Nguyên;", "Đảng ủy xã Tân Cương."]
    render_docx(build(tpl, doc), tmp_path / "kg.docx")
    texts = [p.text for p in body_paragraphs(Document(tmp_path / "kg.docx"))]
    i = next(i for i, t in enumerate(texts) if t.startswith("Kính gửi:"))
    assert texts[i] == "Kính gửi:\t- Sở Khoa học và Công nghệ tỉnh Thái Nguyên;"
    assert texts[i + 1] == "- Đảng ủy xã Tân Cương."


def test_tables_repeat_and_merge_headers(sample_paths):
    doc = Document(sample_paths["done"])
    wide = next(t for t in doc.tables if "Số hồ sơ trực tuyến" in t._tbl.xml)
    trs = wide._tbl.findall(f"{W}tr")
    header_rows = [tr for tr in trs if tr.find(f"{W}trPr/{W}tblHeader") is not None]
    assert len(header_rows) == 3  # Kết quả giải quyết › Đã giải quyết › Đúng hạn
    assert trs[:3] == header_rows
    xml = wide._tbl.xml
    assert 'w:gridSpan w:val="2"' in xml and 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml
    rows = {r.cells[1].text: r for r in wide.rows[3:]}
    group = rows["Hành chính - tư pháp"]
    assert all(r.bold for p in group.cells[1].paragraphs for r in p.runs)
    total = next(r for r in wide.rows if r.cells[0].text == "Tổng cộng")
    assert all(run.bold for c in total.cells for p in c.paragraphs for run in p.runs)
    assert total.cells[2].text == "2.540" and total.cells[2].paragraphs[0].alignment == 2  # right-aligned
    data = rows["Hộ tịch"]
    assert data.cells[2].text == "1.250" and data.cells[2].paragraphs[0].alignment == 2
    assert data.cells[8].text == "3.450.000 đồng"
    size = data.cells[1].paragraphs[0].runs[0].font.size.pt
    assert 11 <= size <= 13
    for t in doc.tables[2:]:  # every data table fits its section's text width
        assert t._tbl.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
        grid = sum(int(g.get(f"{W}w")) for g in t._tbl.findall(f"{W}tblGrid/{W}gridCol"))
        assert grid in (round((210 - 45) * 1440 / 25.4), round((297 - 45) * 1440 / 25.4), 9355, 14287)


def test_noi_nhan_and_signature(sample_paths):
    doc = Document(sample_paths["done"])
    bottom = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    left, right = bottom.rows[0].cells
    nn = left.paragraphs[0].runs[0]
    assert nn.text == "Nơi nhận:" and nn.bold and nn.italic and nn.font.size.pt == 12
    items = [p for p in left.paragraphs[1:] if p.text]
    assert [p.text for p in items] == ["- Như trên;", "- TT Đảng ủy xã;", "- CT, các PCT UBND xã;", "- Lưu: VT, VHXH."]
    assert all(r.font.size.pt == 11 for p in items for r in p.runs)
    lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in lines] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"]
    assert all(p.alignment == 1 and all(r.bold and r.font.size.pt == 14 for r in p.runs) for p in lines)
    blanks = right.paragraphs[3:-1]
    assert len(blanks) >= 4 and not any(p.text for p in blanks)  # room to sign
    assert bottom._tbl.find(f"{W}tr/{W}trPr/{W}cantSplit") is not None
    # the signature block keeps with the last body paragraph
    prev = bottom._tbl.getprevious()
    assert _text(prev).startswith("Trên đây là báo cáo")
    assert prev.find(f"{W}pPr/{W}keepNext") is not None


def test_page_numbers_from_page_two(sample_paths):
    doc = Document(sample_paths["done"])
    s = doc.sections[0]
    assert s.different_first_page_header_footer
    assert "PAGE" in s.header._element.xml and "PAGE" not in s.first_page_header._element.xml
    run = next(r for r in s.header._element.iter(f"{W}r") if r.find(f"{W}rPr/{W}sz") is not None)
    assert run.find(f"{W}rPr/{W}sz").get(f"{W}val") == "28"
    assert s.header.paragraphs[0].alignment == 1
    for later in doc.sections[1:]:  # landscape sections number their pages too, centred on the wider page
        assert "PAGE" in later.header._element.xml and not later.different_first_page_header_footer


def test_draft_mark_only_on_drafts(sample_paths):
    assert DRAFT_MARK in header_xml(sample_paths["draft"])
    assert DRAFT_MARK in Document(sample_paths["draft"]).sections[0].first_page_header._element.xml
    assert DRAFT_MARK not in all_xml(sample_paths["done"])
    assert "Số:\u00a0" in Document(sample_paths["draft"]).tables[0].rows[1].cells[0].text  # blank number to fill in


def test_appendix_titles(sample_paths):
    doc = Document(sample_paths["done"])
    paras = body_paragraphs(doc)
    texts = [p.text for p in paras]
    i = texts.index("Phụ lục I")
    assert texts[i + 1] == "DANH MỤC ĐỀ XUẤT, KIẾN NGHỊ VÀ KẾT QUẢ XỬ LÝ"
    assert texts[i + 2] == "(Kèm theo Báo cáo số 12/BC-UBND ngày 05/6/2026 của UBND xã Tân Cương)"
    assert paras[i].alignment == 1 and paras[i].runs[0].bold and paras[i].runs[0].font.size.pt == 14
    assert paras[i + 2].runs[0].italic and paras[i + 2].alignment == 1
    j = texts.index("Phụ lục II")  # each appendix starts on a new page
    assert paras[j].paragraph_format.page_break_before or paras[j - 1]._p.find(f"{W}pPr/{W}sectPr") is not None \
        or any(el.find(f"{W}pPr/{W}sectPr") is not None for el in _between(paras[i]._p, paras[j]._p))


def _between(a, b):
    el = a.getnext()
    while el is not None and el is not b:
        yield el
        el = el.getnext()


def test_appendix_note_numbers_like_the_header(tpl, tmp_path):
    """Report 7 of 05/01/2026: "Số: 07/BC-UBND" in the header, and the same 07 on the appendix."""
    doc = sample_document(tpl, "done")
    doc["header"].update(number="7", date="2026-01-05")
    tree = build(tpl, doc)
    assert tree.number_line == "Số: 07/BC-UBND"
    note = "(Kèm theo Báo cáo số 07/BC-UBND ngày 05/01/2026 của UBND xã Tân Cương)"
    assert {a.note for a in tree.appendices} == {note}
    render_docx(tree, tmp_path / "n.docx")
    texts = [p.text for p in Document(tmp_path / "n.docx").paragraphs]
    assert note in texts and not any("số 7/" in t for t in texts)
    doc["header"].update(number="", date=None, status="draft")
    draft_note = build(tpl, doc).appendices[0].note
    assert draft_note.startswith("(Kèm theo Báo cáo số \u00a0") and "/BC-UBND ngày \u00a0" in draft_note


def test_appendix_heading_printed_once(tpl, tmp_path):
    text = SAMPLE_TPL.read_text(encoding="utf-8").replace("appendices:\n", "appendix_heading: CÁC PHỤ LỤC CHI TIẾT\nappendices:\n", 1)
    tpl2 = parse_template(text, "render_sample.yaml")
    doc = sample_document(tpl2, "done")
    render_docx(build(tpl2, doc), tmp_path / "h.docx")
    paras = body_paragraphs(Document(tmp_path / "h.docx"))
    texts = [p.text for p in paras]
    assert texts.count("CÁC PHỤ LỤC CHI TIẾT") == 1
    i = texts.index("CÁC PHỤ LỤC CHI TIẾT")
    assert paras[i].alignment == 1 and paras[i].runs[0].bold
    assert texts[i + 1].startswith("(Kèm theo Báo cáo số 12/BC-UBND") and paras[i + 1].runs[0].italic
    assert texts[i + 2] == "1. Phụ lục I" and "2. Phụ lục II" in texts
    assert sum(t.startswith("(Kèm theo") for t in texts) == 1


# -- text hygiene and writing -----------------------------------------------------------------------------------

def test_text_is_nfc_and_control_characters_are_dropped(tpl, tmp_path):
    doc = sample_document(tpl, "done")
    doc["values"]["kien_nghi_text"] = unicodedata.normalize("NFD", "Đề nghị hỗ trợ kinh phí") + "\x07\x1b tiếp theo"
    path = tmp_path / "nfc.docx"
    render_docx(build(tpl, doc), path)
    texts = [p.text for p in Document(path).paragraphs]
    assert "Đề nghị hỗ trợ kinh phí tiếp theo" in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_write_to_stream_and_atomically(tpl, tmp_path, monkeypatch):
    tree = build(tpl, sample_document(tpl, "done"))
    buf = io.BytesIO()
    render_docx(tree, buf)
    assert buf.getvalue()[:2] == b"PK" and Document(io.BytesIO(buf.getvalue())).tables
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(b"old")
    import nq57desk.render.docx as mod

    def boom(self, *a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(mod.os, "fsync", lambda fd: boom(None))
    with pytest.raises(NQError, match="Không ghi được tệp «bao-cao.docx»"):  # a Vietnamese message, not OSError
        render_docx(tree, path)
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["bao-cao.docx"]
    monkeypatch.undo()
    render_docx(tree, path)
    assert zipfile.is_zipfile(path) and sorted(os.listdir(tmp_path)) == ["bao-cao.docx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_docx_gets_the_mode_of_a_new_user_file(tpl, tmp_path, umask):
    """Not mkstemp's 0600: a colleague (or the USB stick's other user) can read the exported report."""
    tree = build(tpl, sample_document(tpl, "done"))
    old = os.umask(umask)
    try:
        render_docx(tree, tmp_path / "r.docx")
        (tmp_path / "plain.txt").write_bytes(b"x")
    finally:
        os.umask(old)
    mode = (tmp_path / "r.docx").stat().st_mode & 0o777
    assert mode == 0o666 & ~umask == (tmp_path / "plain.txt").stat().st_mode & 0o777


def test_xml_is_valid_and_ids_unique(sample_paths):
    from lxml import etree

    with zipfile.ZipFile(sample_paths["draft"]) as z:
        names = z.namelist()
        assert len(names) == len(set(names))
        for n in names:
            if n.endswith((".xml", ".rels")):
                root = etree.fromstring(z.read(n))
                ids = root.xpath("//@w:id", namespaces={"w": W[1:-1]})
                assert len(ids) == len(set(ids)), n
        rels = z.read("word/_rels/document.xml.rels").decode()
        for target in re.findall(r'Target="([^"]+)"', rels):
            assert f"word/{target}" in names, target
        assert "stylesWithEffects" not in rels and "thumbnail" not in z.read("_rels/.rels").decode()


# -- LibreOffice ------------------------------------------------------------------------------------------------

LO_GOLDEN = "000_an_truong.json"
LO_PAGES = 10  # the An Trường report in LibreOffice: nine pages of text and the closing on page 10


def _pdf_words(pdf: Path, page: int) -> list[str]:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split()


@pytest.mark.libreoffice
def test_libreoffice_converts_it(tmp_path):
    """The golden An Trường report: exact page count, and page 1 holds exactly the report's first words."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    tpl, doc = golden(LO_GOLDEN)
    src = tmp_path / "report.docx"
    export_docx(tpl, doc, src)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    if not shutil.which("pdfinfo") or not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == LO_PAGES
    words = to_text(build(tpl, doc)).split()
    first = _pdf_words(pdf, 1)
    assert first[:2] == DRAFT_MARK.split()  # the draft mark at the top right, then the header
    first = first[2:]
    assert first == words[:len(first)], "page 1 is not the start of the report, word for word"
    assert first[:8] == ["ỦY", "BAN", "NHÂN", "DÂN", "XÃ", "AN", "TRƯỜNG", "Số:"]
    assert " ".join(first[-9:]) == "các nhiệm vụ được giao trong tình hình mới."
    second = _pdf_words(pdf, 2)
    assert second[:3] == ["2", *DRAFT_MARK.split()] and second[3:8] == words[len(first):len(first) + 5]


# -- layout helpers -------------------------------------------------------------------------------------------------

def test_headings_and_lead_in_go_with_a_landscape_table():
    from nq57desk.render.tree import Heading, Para, Table
    from nq57desk.render.tree import orientations as _orientations

    wide = Table([], 1, [], [1.0] * 9, [False] * 9, landscape=True)
    narrow = Table([], 1, [], [1.0] * 3, [False] * 3)
    nodes = [Para("Mở đầu."), Heading("1.", "Hồ sơ", 1, "arabic"), Para("Số liệu như sau:"), wide,
             Para("Nhận xét."), narrow, Heading("2.", "Khác", 1, "arabic")]
    assert _orientations(nodes, False) == [False, True, True, True, False, False, False]
    assert _orientations(nodes, True) == [True] * 7


def test_columns_fit_their_words():
    from nq57desk.render import docx_xml as X
    from nq57desk.render.docx_table import column_grid, spans
    from nq57desk.render.tree import HeaderCell, Row, Table

    t = Table([HeaderCell("STT", 0, 0), HeaderCell("Nội dung", 0, 1), HeaderCell("Kinh phí", 0, 2)], 1,
              [Row(["1", "Nâng cấp đường truyền", "120.000.000 đồng"]), Row(["", "Tổng cộng", "120.000.000 đồng"], "total")],
              [0.3, 8.0, 0.5], [False, False, True])
    width = X.text_width(False, (20, 20, 30, 15))
    grid = column_grid(t, width, 3, 13, t.numeric)
    assert sum(grid) == width
    assert grid[0] >= X.text_twips("STT", 13, True) + 114  # the header word does not break
    assert grid[2] >= X.text_twips("120.000.000 đồng", 13, True) + 114  # nor the figure
    assert spans(["", "Tổng cộng", "", "5", ""], "total", [False, False, False, True, False]) == [(0, 3, 1), (3, 1, 3), (4, 1, 4)]
    assert spans(["I", "Nhóm", "", ""], "group") == [(0, 1, 0), (1, 3, 1)]
