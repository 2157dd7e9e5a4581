"""The amount list (`type: amounts`): template parsing, strict import checks, the total check with its numbers,
printing (blank prints nothing), derived names, DOCX, the bundle sheet; and the other generic blocks of issue 13
(documents `layout: grouped`, assessment `items: causes`)."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys

import openpyxl
import pytest

from nq57desk.bundle.reader import read_bundle
from nq57desk.bundle.writer import write_bundle
from nq57desk.errors import DocumentError, TemplateError
from nq57desk.render.docx import export_docx
from nq57desk.render.tree import build, to_text
from nq57desk.report.derive import ReportEnv
from nq57desk.report.document import check_document, make_period, new_document
from nq57desk.templates import Registry, parse_template
from nq57desk.templates.model import CAUSES_ASSESSMENT, DEFAULT_ASSESSMENT
from nq57desk.units import commune_dict
from nq57desk.validation import validate
from tests.conftest import SHARED
from tests.helpers.keys import TEST_KEY

XLSXCHECK = SHARED / "tools" / "xlsxcheck.py"
BUDGET = {"lead": "Tổng kinh phí thực hiện là 390.000.000 đồng, gồm:",
          "items": [{"name": "Máy tính để bàn", "quantity": 10, "unit": "bộ", "amount": 200000000},
                    {"name": "Máy in", "quantity": 5, "unit": "chiếc", "amount": 130000000},
                    {"name": "Đào tạo, tập huấn", "amount": 50000000}],
          "total": 390000000}
TASKS = [{"name": "Giai đoạn 1", "assigned": 12, "done": 11, "on_time": 10, "in_progress": 1},
         {"name": "Giai đoạn 2", "assigned": 16, "done": 16, "in_progress": 0, "note": "đang rà soát"}]


def chung():
    return Registry().get("chung")


def report(tpl=None, **values) -> dict:
    tpl = tpl or chung()
    doc = new_document(tpl, commune_dict("05503"), make_period("half", 2026, 1))
    doc["values"].update(copy.deepcopy(values))
    return doc


def refused(doc, tpl=None) -> DocumentError:
    with pytest.raises(DocumentError) as e:
        check_document(doc, tpl or chung())
    return e.value


def findings(doc, prefix, tpl=None):
    return [f for f in validate(tpl or chung(), doc) if f.key.startswith(prefix)]


# -- template ---------------------------------------------------------------------------------------------------

MINI = """
format: nq57-template/1
id: thu-khoi
version: 1
title: Thử khối mới
subject: "Báo cáo {commune}"
sections:
  - key: a
    title: KẾT QUẢ
    blocks:
      - {type: amounts, key: kinh_phi, label: Kinh phí, lead: "Tổng kinh phí …, gồm:", title: Kinh phí thực hiện}
      - {type: tasks, key: tien_do, label: Tiến độ, layout: table}
      - {type: fields, fields: [{key: tong_kp, label: Tổng kinh phí, type: money, formula: kinh_phi.total},
                                {key: ty_le_nv, label: Tỷ lệ hoàn thành, type: percent, formula: tien_do.rate}],
         lines: ["Tổng kinh phí {tong_kp}; tỷ lệ hoàn thành {ty_le_nv}."]}
      - {type: documents, key: van_ban, label: Văn bản, layout: grouped, lead: Ban hành, bullet: "-"}
      - {type: assessment, key: danh_gia, items: causes}
rules:
  - {kind: le, left: kinh_phi.sum, right: "1000000000", message: "Kinh phí vượt 1 tỷ đồng."}
"""


def test_template_blocks_parse():
    tpl = parse_template(MINI, "thu.yaml")
    b = tpl.block("kinh_phi")
    assert (b.kind, b.lead, b.title) == ("amounts", "Tổng kinh phí …, gồm:", "Kinh phí thực hiện")
    assert tpl.block("tien_do").layout == "table"
    assert tpl.block("van_ban").layout == "grouped"
    assert tpl.block("danh_gia").items == CAUSES_ASSESSMENT
    labels = [lab for _k, lab in CAUSES_ASSESSMENT]
    assert "Nguyên nhân khách quan" in labels and "Nguyên nhân chủ quan" in labels and "Nguyên nhân" not in labels
    assert ("nguyen_nhan", "Nguyên nhân") in DEFAULT_ASSESSMENT  # existing templates keep the single heading


@pytest.mark.parametrize("change, words", [
    (("layout: table}", "layout: bang}"), "«layout» là sentences (mỗi dòng một câu) hoặc table"),
    (("layout: grouped", "layout: nhom"), "«layout» là lines, paragraph hoặc grouped"),
    (("title: Kinh phí thực hiện}", "title: Kinh phí, unit: đồng}"), "không biết khóa unit"),
    (("formula: kinh_phi.total", "formula: kinh_phi.tong"), "dùng «kinh_phi.tong» nhưng mẫu không có"),
    (("items: causes", "items: nguyen_nhan"), "«items» là «causes» hoặc danh sách"),
])
def test_template_mistakes_are_named(change, words):
    with pytest.raises(TemplateError) as e:
        parse_template(MINI.replace(*change), "thu.yaml")
    assert words in str(e.value)
    assert "thu.yaml" in str(e.value)


# -- strict import check -----------------------------------------------------------------------------------------

def test_a_full_budget_is_accepted_and_blank_values_too():
    check_document(report(kinh_phi=BUDGET), chung())
    check_document(report(kinh_phi={}), chung())
    check_document(report(kinh_phi={"items": [{}], "total": None, "lead": None}), chung())
    check_document(report(kinh_phi=None, tien_do_nhiem_vu=None), chung())


@pytest.mark.parametrize("value, words, place", [
    ({**BUDGET, "total": "390.000.000"}, "«Tổng cộng (đồng)» phải là số nguyên không âm", "values.kinh_phi.total"),
    ({**BUDGET, "total": -1}, "không được âm", "values.kinh_phi.total"),
    ({**BUDGET, "total": 10**20}, "tối đa", "values.kinh_phi.total"),
    ({**BUDGET, "total": 1.5}, "số nguyên", "values.kinh_phi.total"),
    ({**BUDGET, "total": True}, "phải là số nguyên", "values.kinh_phi.total"),
    ({"items": [{"name": "A", "amount": "200 triệu"}]}, "«Mục 1, thành tiền (đồng)» phải là số nguyên",
     "values.kinh_phi.items[0].amount"),
    ({"items": [{"name": "A", "quantity": -3}]}, "«Mục 1, số lượng» không được âm", "values.kinh_phi.items[0].quantity"),
    ({"items": [{"name": "A", "quantity": float("nan")}]}, "phải là số", "values.kinh_phi.items[0].quantity"),
    ({"items": [{"name": {"a": [1]}}]}, "«Mục 1, tên» phải là chữ, có một đối tượng", "values.kinh_phi.items[0].name"),
    ({"items": [[1, 2]]}, "Mục 1 phải là một đối tượng", "values.kinh_phi.items[0]"),
    ({"items": {"name": "A"}}, "Các mục kinh phí phải là danh sách dòng", "values.kinh_phi.items"),
    ({"items": [{"name": "A"}] * 100_000}, "có 100000 dòng, quá 300 dòng", "values.kinh_phi.items"),
    ({"items": [{"name": "A", "gia": 5}]}, "không có khóa gia", "values.kinh_phi.items[0]"),
    ({"tong": 5}, "không có khóa tong", "values.kinh_phi"),
    ([1, 2], "Danh sách kinh phí phải là một đối tượng", "values.kinh_phi"),
    ({"lead": 5}, "«Câu dẫn» phải là chữ", "values.kinh_phi.lead"),
])
def test_hostile_values_are_refused_in_vietnamese_with_the_place(value, words, place):
    e = refused(report(kinh_phi=value))
    assert words in e.problem, e.problem
    assert e.place == place


# -- the total check ---------------------------------------------------------------------------------------------

def test_total_that_does_not_add_up_gives_the_numbers():
    doc = report(kinh_phi={**BUDGET, "items": BUDGET["items"][:2] + [{"name": "Đào tạo", "amount": 50000000}]})
    doc["values"]["kinh_phi"]["items"][1]["amount"] = 130000000
    (f,) = findings(doc, "kinh_phi")
    assert f.severity == "error" and f.key == "kinh_phi.total" and f.where == "ket_qua"
    assert f.message == "Tổng 390.000.000 đồng khác 200.000.000 + 130.000.000 + 50.000.000 = 380.000.000 đồng."
    doc["values"]["kinh_phi"]["items"][2]["amount"] = 60000000
    assert findings(doc, "kinh_phi") == []


def test_blank_amounts_only_must_not_exceed_the_total():
    items = [{"name": "A", "amount": 200000000}, {"name": "B"}, {"name": "C", "amount": 130000000}]
    assert findings(report(kinh_phi={"items": items, "total": 390000000}), "kinh_phi") == []
    (f,) = findings(report(kinh_phi={"items": items, "total": 300000000}), "kinh_phi")
    assert f.message == ("Các khoản đã ghi cộng lại 200.000.000 + 130.000.000 = 330.000.000 đồng, vượt tổng "
                         "300.000.000 đồng.")


def test_an_item_with_figures_but_no_name_is_a_warning():
    (f,) = findings(report(kinh_phi={"items": [{"amount": 5}]}), "kinh_phi")
    assert (f.severity, f.key, f.message) == ("warning", "kinh_phi.items[1].name", "Mục 1 chưa ghi tên.")


# -- printing ------------------------------------------------------------------------------------------------------

def test_prints_lead_items_and_total():
    text = to_text(build(chung(), report(kinh_phi=BUDGET)))
    assert ("Tổng kinh phí thực hiện là 390.000.000 đồng, gồm:\n- Máy tính để bàn: 10 bộ, 200.000.000 đồng;\n"
            "- Máy in: 5 chiếc, 130.000.000 đồng;\n- Đào tạo, tập huấn: 50.000.000 đồng.\n"
            "Tổng cộng: 390.000.000 đồng.\n") in text


def test_blank_prints_nothing():
    base = to_text(build(chung(), report()))
    for value in ({}, {"lead": "", "items": [], "total": None}, {"items": [{}, {"name": ""}]}, None):
        assert to_text(build(chung(), report(kinh_phi=value))) == base
    text = to_text(build(chung(), report(kinh_phi={"items": [{"name": "Máy chiếu", "unit": "cái"}, {"name": "B",
                                                                                                "amount": 5}]})))
    assert "- Máy chiếu;\n- B: 5 đồng.\n" in text  # a blank figure prints nothing, never "…" or 0
    assert "Tổng cộng" not in text  # one amount blank: the total is unknown
    assert "…" not in text.split("KẾT QUẢ THỰC HIỆN")[1].split("ĐÁNH GIÁ")[0]


def test_total_is_computed_when_every_amount_is_given():
    v = {"items": [{"name": "A", "amount": 2}, {"name": "B", "amount": 3}]}
    assert "Tổng cộng: 5 đồng." in to_text(build(chung(), report(kinh_phi=v)))


def test_derived_names_for_formulas_rules_and_sentences():
    tpl = parse_template(MINI, "thu.yaml")
    doc = report(tpl, kinh_phi={"items": [{"name": "A", "amount": 700000000}, {"name": "B", "amount": 400000000}]},
                 tien_do=TASKS)
    env = ReportEnv(tpl, doc)
    assert env.resolve("kinh_phi.total") == 1100000000 and env.resolve("kinh_phi.sum") == 1100000000
    text = to_text(build(tpl, doc))
    assert "Tổng kinh phí 1.100.000.000 đồng; tỷ lệ hoàn thành 96,43%." in text
    assert any(f.message.startswith("Kinh phí vượt 1 tỷ đồng (1.100.000.000") for f in validate(tpl, doc))


# -- the other generic blocks --------------------------------------------------------------------------------------

DOCS = [{"kind": "Quyết định", "number": "12/QĐ-UBND", "date": "2026-02-05", "subject": "thành lập Ban Chỉ đạo"},
        {"kind": "Kế hoạch", "number": "05/KH-UBND", "date": "2026-02-10", "subject": "về chuyển đổi số năm 2026"},
        {"kind": "Quyết định", "number": "15/QĐ-UBND", "date": "2026-03-01", "subject": "kiện toàn Tổ công nghệ số"},
        {"kind": "Kế hoạch", "number": "07/KH-UBND", "date": "2026-03-02", "subject": "tuyên truyền"},
        {"kind": "Công văn", "number": "40/UBND", "subject": "rà soát"}]


def test_documents_grouped_by_kind_in_order_first_seen():
    tpl = parse_template(MINI, "thu.yaml")
    text = to_text(build(tpl, report(tpl, van_ban=DOCS)))
    assert ("- Ban hành Các Quyết định: (1) Quyết định số 12/QĐ-UBND ngày 05/02/2026 về thành lập Ban Chỉ đạo; "
            "(2) Quyết định số 15/QĐ-UBND ngày 01/3/2026 về kiện toàn Tổ công nghệ số; Các Kế hoạch: "
            "(1) Kế hoạch số 05/KH-UBND ngày 10/02/2026 về chuyển đổi số năm 2026; (2) Kế hoạch số 07/KH-UBND ngày "
            "02/3/2026 về tuyên truyền; Công văn số 40/UBND về rà soát.") in text
    assert "Ban hành" not in to_text(build(tpl, report(tpl, van_ban=[])))


def test_assessment_with_causes_prints_both():
    tpl = parse_template(MINI, "thu.yaml")
    doc = report(tpl, danh_gia={"nguyen_nhan_khach_quan": "Hạ tầng còn yếu.", "nguyen_nhan_chu_quan": "Chưa quyết liệt."})
    text = to_text(build(tpl, doc))
    assert "- Nguyên nhân khách quan: Hạ tầng còn yếu.\n- Nguyên nhân chủ quan: Chưa quyết liệt." in text
    assert refused(report(tpl, danh_gia={"nguyen_nhan": "x"}), tpl).place == "values.danh_gia"


# -- outputs -----------------------------------------------------------------------------------------------------

def test_docx_prints_both_blocks(tmp_path):
    tpl = chung()
    doc = report(kinh_phi=BUDGET, tien_do_nhiem_vu=TASKS)
    path = tmp_path / "r.docx"
    export_docx(tpl, doc, path)
    import docx

    paras = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "- Máy tính để bàn: 10 bộ, 200.000.000 đồng;" in paras
    assert "Tổng cộng: 390.000.000 đồng." in paras
    assert ("- Giai đoạn 1: được giao 12 nhiệm vụ, đã hoàn thành 11/12 nhiệm vụ (91,67%), trong đó 10 đúng hạn; "
            "đang thực hiện 1.") in paras
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice and shutil.which("pdftotext"):
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=240, check=True)
        pdf = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                             check=True).stdout
        assert "200.000.000 đồng" in pdf and "91,67%" in pdf


def test_bundle_sheets_pass_xlsxcheck_and_round_trip(tmp_path):
    tpl = chung()
    doc = report(kinh_phi=BUDGET, tien_do_nhiem_vu=TASKS)
    path = tmp_path / "b.xlsx"
    write_bundle(tpl, doc, path, key=TEST_KEY, app_version="test")
    assert read_bundle(path, Registry()).doc == doc
    wb = openpyxl.load_workbook(path)
    ws = wb["Kinh phí thực hiện"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("TT", "Nội dung", "Số lượng", "Đơn vị tính", "Thành tiền (đồng)")
    assert rows[1] == (1, "Máy tính để bàn", 10, "bộ", 200000000)
    assert rows[-1] == (None, "Tổng cộng", None, None, 390000000)
    assert ws.print_title_rows and str(ws.page_setup.paperSize) == "9"
    if XLSXCHECK.exists():
        r = subprocess.run([sys.executable, str(XLSXCHECK), str(path)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout
