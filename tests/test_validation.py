"""Each rule kind, field checks and derived values, on the rules sample template."""

import pytest

from nq57desk.render.text import report_text
from nq57desk.report.derive import derived_values
from nq57desk.report.document import check_document, make_period, new_document
from nq57desk.units import commune_dict
from nq57desk.validation import has_errors, validate


@pytest.fixture
def doc(sample_template):
    d = new_document(sample_template, commune_dict("05503"), make_period("month", 2026, 4))
    d["values"].update(hs_total=14744, hs_ky_truoc=22, hs_trong_ky=14722, hs_online=14706, kinh_phi=60807000,
                       ty_le_so_hoa=99.97, diem=19.78, ngay_chot="2026-04-20", muc_do="Hoàn thành", nv_xong_bao_cao=2)
    d["values"]["nhiem_vu"] = [{"ten": "A", "ket_qua": "Đã hoàn thành"}, {"ten": "B", "ket_qua": "Chưa thực hiện"},
                               {"ten": "C", "ket_qua": "Đã hoàn thành"}]
    d["values"]["pl"] = {"xa": {"ky_nay": 14706, "luy_ke": 30000}}
    d["recipients"] = ["Sở Khoa học và Công nghệ;", "Lưu: VT."]
    d["signature"]["name"] = "Nguyễn Văn A"
    check_document(d, sample_template)
    return d


def kinds(findings):
    return {(f.rule, f.severity) for f in findings}


def test_clean_document_has_no_findings(sample_template, doc):
    assert validate(sample_template, doc) == []


def test_derived_values_and_rates_in_vietnamese(sample_template, doc):
    dv = derived_values(sample_template, doc)
    assert dv["nv_giao"] == 3 and dv["nv_xong"] == 2
    text = report_text(sample_template, doc)
    assert "trực tuyến 14.706/14.722, đạt 99,89%" in text
    assert "kinh phí 60.807.000 đồng" in text
    assert "Hoàn thành 2/3 nhiệm vụ, đạt 66,67%" in text
    doc["values"].update(hs_online=12534, hs_trong_ky=12555, hs_total=12577)
    assert "đạt 99,83%" in report_text(sample_template, doc)


@pytest.mark.parametrize("change, rule, severity", [
    ({"hs_total": 14745}, "sum", "error"),
    ({"hs_online": 14723}, "le", "error"),
    ({"hs_ky_truoc": 14744, "hs_trong_ky": 0, "hs_online": 0}, "lt", "warning"),
    ({"hs_online": 14700, "hs_trong_ky": 14722}, "eq", "warning"),
    ({"ngay_chot": "2026-05-02"}, "in_period", "error"),
    ({"nv_xong_bao_cao": 3}, "table_count", "warning"),
    ({"kinh_phi": 2000000000}, "check", "error"),
])
def test_each_rule_kind_fires(sample_template, doc, change, rule, severity):
    doc["values"].update(change)
    found = validate(sample_template, doc)
    assert (rule, severity) in kinds(found), found
    f = next(f for f in found if f.rule == rule)
    assert f.place.startswith("I. SỐ LIỆU") and f.message


def test_every_rule_finding_names_the_field_the_officer_sees(sample_template, doc):
    """Section › label, for «check» rules too (they used to stop at the section)."""
    doc["values"].update(kinh_phi=2000000000)
    f = next(f for f in validate(sample_template, doc) if f.rule == "check")
    assert f.place.endswith(" › Kinh phí") and f.message == "Kinh phí vượt 1 tỷ đồng."
    assert f.line().split("\t")[1] == f.place


def test_check_over_a_table_names_the_table():
    from nq57desk.report.document import loads
    from nq57desk.templates import Registry
    from tests.conftest import REPORTS

    d = loads((REPORTS / "003_phu_thinh.json").read_bytes())
    d["values"]["nhiem_vu"] = []
    found = [f for f in validate(Registry().get("tn-tien-do-thang"), d) if f.rule == "check"]
    places = {f.place for f in found}
    assert "Phụ lục. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ › Tình hình thực hiện các nhiệm vụ" in places
    assert any("dòng «Tỷ lệ cấp kết quả giải quyết thủ tục hành chính …», cột «Kết quả tháng 4/2026»" in p
               for p in places), places


def test_range_rule(sample_template, doc):
    doc["values"].update(hs_online=1000, hs_trong_ky=14722)
    doc["values"]["pl"]["xa"]["ky_nay"] = 1000
    assert ("range", "warning") in kinds(validate(sample_template, doc))


def test_field_checks(sample_template, doc):
    doc["values"].update(ty_le_so_hoa=101, diem=21, hs_ky_truoc=-1, hs_total=None)
    msgs = {f.key: f.message for f in validate(sample_template, doc) if f.rule == "field"}
    assert "vượt quá mức tối đa 100%" in msgs["ty_le_so_hoa"]
    assert "vượt quá mức tối đa 20" in msgs["diem"]
    assert "nhỏ hơn mức tối thiểu 0" in msgs["hs_ky_truoc"]
    # a required field left blank is not reported: a warning, never an error (issue 13)
    blank = next(f for f in validate(sample_template, doc) if f.key == "hs_total" and f.rule == "required")
    assert blank.severity == "warning" and blank.message.startswith("Chưa có số liệu: ")


def test_numerator_above_denominator_is_an_error(sample_template, doc):
    doc["values"].update(hs_online=15000)
    found = [f for f in validate(sample_template, doc) if f.key == "hs_online_rate"]
    assert found and found[0].severity == "error"
    assert "tử số" in found[0].message and "mẫu số" in found[0].message


def test_cumulative_not_below_this_period(sample_template, doc):
    doc["values"]["pl"]["xa"]["luy_ke"] = 100
    doc["values"]["hs_luy_ke"] = 5
    found = validate(sample_template, doc)
    assert any("lũy kế" in f.message for f in found if f.key == "pl.xa.luy_ke")
    assert any("lũy kế" in f.message for f in found if f.key == "hs_luy_ke")
    assert has_errors(found)


def test_carried_cumulative_is_computed(sample_template, doc):
    doc["carried"] = {"hs_luy_ke": 1000, "pl.xa.luy_ke": 500}
    dv = derived_values(sample_template, doc)
    assert dv["hs_luy_ke"] == 1000 + 14722
    text = report_text(sample_template, doc)
    assert "15.206" in text  # 500 + 14706 in the appendix table


def test_closing_warnings(sample_template, doc):
    doc["recipients"] = ["Sở Khoa học và Công nghệ;"]
    doc["signature"]["name"] = ""
    msgs = [f.message for f in validate(sample_template, doc)]
    assert any("Lưu" in m for m in msgs) and any("người ký" in m for m in msgs)
