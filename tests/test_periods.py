"""Periods as reports state them: labels, codes, bounds of every kind (cut-off, custom with an open end, none),
placeholders for the period ahead, round trips (JSON, bundle, upper level) and the stale-period warning."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from nq57desk.bundle.reader import read_bundle
from nq57desk.bundle.writer import write_bundle
from nq57desk.errors import DocumentError, NQError
from nq57desk.render.tree import appendix_note, build
from nq57desk.report.document import (
    check_document,
    context_of,
    dumps,
    fill_placeholders,
    hint_text,
    loads,
    make_period,
    new_document,
    next_period_label,
    period_code,
    period_label,
    period_of_code,
    period_title,
    previous_period,
)
from nq57desk.templates import Registry
from nq57desk.templates.numbering import section_paths
from nq57desk.units import commune_dict
from nq57desk.validation import validate
from nq57desk.validation.periods import stale_phrases
from tests.conftest import GOLDEN, REPORTS
from tests.helpers.keys import TEST_KEY, import_registry

from .helpers.outline import written

APP = "test-periods"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return Registry()


@pytest.fixture(scope="module")
def chung(reg):
    return reg.get("chung")


# -- labels, codes, bounds ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, label, code, start, end", [
    (("month", 2026, 5), "tháng 5/2026", "2026-T05", "2026-05-01", "2026-05-31"),
    (("quarter", 2026, 2), "quý II năm 2026", "2026-Q2", "2026-04-01", "2026-06-30"),
    (("half", 2026, 1), "6 tháng đầu năm 2026", "2026-H1", "2026-01-01", "2026-06-30"),
    (("months", 2026, 5), "5 tháng đầu năm 2026", "2026-5T", "2026-01-01", "2026-05-31"),
    (("year", 2026), "năm 2026", "2026-N", "2026-01-01", "2026-12-31"),
    (("none", 2026), "", "2026-X", "2026-01-01", "2026-12-31"),
])
def test_fixed_kinds_keep_their_labels_and_codes(args, label, code, start, end):
    p = make_period(*args)
    assert (period_label(p), period_code(p), p["start"], p["end"]) == (label, code, start, end)


def test_cutoff_reads_as_reports_write_it_and_codes_by_the_cutoff_alone():
    a = make_period("cutoff", end="06/11/2025")
    b = make_period("cutoff", start="01/7/2025", end="2025-11-06")
    assert a["start"] == "2025-01-01" and b["start"] == "2025-07-01" and a["year"] == b["year"] == 2025
    assert period_label(a) == period_label(b) == "tính đến ngày 06/11/2025"
    assert period_code(a) == period_code(b) == "2025-D1106"
    assert period_label(make_period("cutoff", end="2026-03-05")) == "tính đến ngày 05/3/2026"
    assert period_label(make_period("cutoff", end="2026-02-28")) == "tính đến ngày 28/02/2026"
    assert period_code(a).isascii() and "/" not in period_code(a)


def test_cutoff_codes_never_collide_with_each_other_or_other_kinds():
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    cut = [period_code(make_period("cutoff", end=d.isoformat())) for d in days]
    assert len(set(cut)) == 365 and cut == sorted(cut)  # one per day, sortable
    fixed = {period_code(make_period(k, 2026, n)) for k, ns in (("month", range(1, 13)), ("quarter", range(1, 5)),
                                                                ("half", (1, 2)), ("months", range(1, 13)))
             for n in ns} | {period_code(make_period("year", 2026)), period_code(make_period("none", 2026)),
                             period_code(make_period("custom", start="2026-01-01", end="2026-12-31"))}
    assert not fixed & set(cut)
    # the same day of another year is another code
    assert period_code(make_period("cutoff", end="2025-12-31")) != period_code(make_period("cutoff", end="2026-12-31"))


def test_custom_reads_with_vietnamese_dates_and_may_stay_open():
    closed = make_period("custom", start="01/7/2025", end="31/12/2025")
    assert period_label(closed) == "từ ngày 01/7/2025 đến ngày 31/12/2025"
    assert period_code(closed) == "2025-K20250701"
    opened = make_period("custom", start="2025-07-01")
    assert opened["end"] is None
    assert period_label(opened) == "từ ngày 01/7/2025 đến thời điểm báo cáo"
    assert period_code(opened) == "2025-K20250701"
    assert make_period("custom", start="2025-07-01", end="2025-12-31", label="từ 01/7 đến nay")["label"] == "từ 01/7 đến nay"


def test_none_has_no_label_but_a_title():
    p = make_period("none", 2026)
    assert period_label(p) == "" and period_title(p) == "Không nêu kỳ (năm 2026)"
    assert period_title(make_period("half", 2026, 1)) == "6 tháng đầu năm 2026"


@pytest.mark.parametrize("kwargs, words", [
    ({"kind": "cutoff", "start": "2025-12-01", "end": "2025-11-06"}, "sau ngày kết thúc"),
    ({"kind": "custom", "start": "31/12/2025", "end": "01/7/2025"}, "sau ngày kết thúc"),
    ({"kind": "custom", "start": "31/02/2026", "end": "2026-03-31"}, "không phải ngày có thật"),
    ({"kind": "cutoff", "end": "31/02/2026"}, "không phải ngày có thật"),
    ({"kind": "cutoff", "end": "06/11/99999"}, "không phải ngày có thật"),
    ({"kind": "cutoff", "end": "1999-12-31"}, "năm 2000–2100"),
    ({"kind": "cutoff"}, "cần ngày tính đến"),
    ({"kind": "custom", "end": "2025-12-31"}, "cần ngày bắt đầu"),
    ({"kind": "year", "year": 99999}, "từ 2000 đến 2100"),
    ({"kind": "none", "year": "hai nghìn"}, "từ 2000 đến 2100"),
])
def test_hostile_periods_get_a_vietnamese_reason(kwargs, words):
    with pytest.raises(DocumentError) as e:
        make_period(**kwargs)
    assert words in str(e.value)


def _doc(tpl, period):
    return json.loads(dumps(new_document(tpl, commune_dict("05503"), period)))


@pytest.mark.parametrize("period, words", [
    ({"kind": "cutoff", "year": 2025, "number": None, "start": "2025-12-01", "end": "2025-11-06"}, "sau ngày kết thúc"),
    ({"kind": "cutoff", "year": 2024, "number": None, "start": "2025-01-01", "end": "2025-11-06"}, "phải là 2025"),
    ({"kind": "cutoff", "year": 2025, "number": 3, "start": "2025-01-01", "end": "2025-11-06"}, "để null"),
    ({"kind": "cutoff", "year": 2025, "number": None, "start": "2025-01-01", "end": None}, "YYYY-MM-DD"),
    ({"kind": "custom", "year": 2026, "number": None, "start": "2026-02-31", "end": None}, "ngày có thật"),
    ({"kind": "custom", "year": 2027, "number": None, "start": "2026-07-01", "end": None}, "không nằm trong kỳ"),
    ({"kind": "none", "year": 2026, "number": None, "start": "2026-01-01", "end": "2026-06-30"}, "không nêu kỳ"),
    ({"kind": "none", "year": 2026, "number": None, "start": "2026-01-01", "end": "2026-12-31", "label": "x"},
     "period.label"),
    ({"kind": "none", "year": 99999, "number": None, "start": "2026-01-01", "end": "2026-12-31"}, "2000–2100"),
])
def test_import_refuses_bad_new_kinds(chung, period, words):
    doc = _doc(chung, make_period("half", 2026, 1))
    doc["period"] = period
    with pytest.raises(DocumentError) as e:
        check_document(doc, chung)
    assert words in str(e.value)


@pytest.mark.parametrize("period", [
    make_period("cutoff", start="2025-07-01", end="2025-11-06"), make_period("custom", start="2025-07-01"),
    make_period("custom", start="2025-07-01", end="2025-12-31"), make_period("none", 2026)],
    ids=["cutoff", "custom-open", "custom", "none"])
def test_new_kinds_round_trip_through_json_and_the_store(chung, desk, period):
    doc = _doc(chung, period)
    assert check_document(loads(dumps(doc)), chung)["period"] == period
    rid = desk.import_report(dumps(doc))
    assert desk.document(rid)["period"] == period
    info = next(r for r in desk.list_reports() if r.id == rid)
    assert info.period_code == period_code(period) and info.period_label == period_title(period)


# -- previous and next ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("period, after", [
    (make_period("month", 2026, 5), "tháng 6/2026"),
    (make_period("month", 2026, 12), "tháng 1/2027"),
    (make_period("quarter", 2026, 2), "quý III năm 2026"),
    (make_period("quarter", 2026, 4), "quý I năm 2027"),
    (make_period("half", 2026, 1), "6 tháng cuối năm 2026"),
    (make_period("half", 2026, 2), "6 tháng đầu năm 2027"),
    (make_period("year", 2026), "năm 2027"),
    (make_period("months", 2026, 5), "tháng 6 và 6 tháng cuối năm 2026"),
    (make_period("months", 2026, 6), "6 tháng cuối năm 2026"),
    (make_period("months", 2026, 3), "tháng 4 và những tháng còn lại năm 2026"),
    (make_period("months", 2026, 11), "tháng 12/2026"),
    (make_period("months", 2026, 12), "năm 2027"),
    (make_period("cutoff", end="2025-11-06"), ""),
    (make_period("custom", start="2025-07-01"), ""),
    (make_period("custom", start="2025-07-01", end="2025-12-31"), ""),
    (make_period("none", 2026), ""),
])
def test_next_period_for_every_kind(period, after):
    assert next_period_label(period) == after


@pytest.mark.parametrize("period", [make_period("cutoff", end="2025-11-06"), make_period("custom", start="2025-07-01"),
                                    make_period("none", 2026)])
def test_no_previous_period_and_inheriting_does_not_crash(sample_desk, period):
    assert previous_period(period) is None
    rid = sample_desk.create_report("chung", period)
    assert sample_desk.document(rid)["period"] == period
    try:
        sample_desk.create_report("chung", period, from_previous=True)
    except NQError as e:  # nothing earlier to inherit from: a Vietnamese message, never a crash
        assert "kỳ trước" in str(e)


# -- placeholders ---------------------------------------------------------------------------------------------

def test_placeholders_for_the_period_ahead(chung):
    ctx = context_of(_doc(chung, make_period("months", 2026, 5)))
    assert (ctx["period_upper"], ctx["next_period"], ctx["next_period_upper"], ctx["year"], ctx["next_year"]) == (
        "5 THÁNG ĐẦU NĂM 2026", "tháng 6 và 6 tháng cuối năm 2026", "THÁNG 6 VÀ 6 THÁNG CUỐI NĂM 2026", 2026, 2027)


@pytest.mark.parametrize("text, out", [
    ("Báo cáo trên địa bàn xã {period}", "Báo cáo trên địa bàn xã"),
    ("Trên đây là báo cáo {period} của Ủy ban", "Trên đây là báo cáo của Ủy ban"),
    ("Nghị quyết 57 {period}; nhiệm vụ {next_period}", "Nghị quyết 57; nhiệm vụ"),
    ("{period} trước", "trước"),
    ("({period})", "()"),
    ("{unknown} giữ nguyên", "{unknown} giữ nguyên"),
])
def test_an_empty_placeholder_takes_its_spaces(text, out):
    assert fill_placeholders(text, {"period": "", "next_period": ""}) == out


def test_a_report_without_period_has_no_dangling_space(chung):
    doc = _doc(chung, make_period("none", 2026))
    subject = doc["header"]["subject"]
    assert subject == subject.strip() and "  " not in subject and subject.endswith("trên địa bàn xã Tân Cương")
    assert hint_text(chung.block("ket_luan"), doc).startswith("Trên đây là báo cáo của Ủy ban nhân dân xã Tân Cương về")
    assert appendix_note(doc).startswith("(Kèm theo Báo cáo số")
    build(chung, doc)  # renders


def test_section_titles_name_the_period_ahead_everywhere(reg):
    tpl = reg.get("tw-de-cuong")
    doc = _doc(tpl, make_period("months", 2026, 4))
    doc = written(tpl, doc)  # a section prints its heading once something is written under it
    title = "BÀI HỌC KINH NGHIỆM VÀ NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THÁNG 5 VÀ NHỮNG THÁNG CÒN LẠI NĂM 2026"
    assert any(title in v for v in section_paths(tpl, context_of(doc)).values())
    assert not any("{" in v for v in section_paths(tpl, context_of(doc)).values())
    heads = [getattr(n, "title", "") for n in build(tpl, doc).body]
    assert title in heads
    assert "tháng 5 và những tháng còn lại năm 2026" in doc["header"]["subject"]


# -- bundle and upper level -----------------------------------------------------------------------------------

def _filled(tpl, code, period):
    doc = new_document(tpl, commune_dict(code), period)
    doc["values"]["kien_nghi_text"] = "Đề nghị hỗ trợ kinh phí."
    doc["header"].update(number="05", date="2025-11-07")
    doc["signature"] = {"lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "name": "Nguyễn Văn A"}
    return check_document(json.loads(dumps(doc)), tpl)


@pytest.mark.parametrize("period", [make_period("cutoff", start="2025-07-01", end="2025-11-06"),
                                    make_period("custom", start="2025-07-01"), make_period("none", 2025)],
                         ids=["cutoff", "custom-open", "none"])
def test_new_kinds_round_trip_through_the_bundle(tmp_path, reg, chung, period):
    doc = _filled(chung, "05503", period)
    path = tmp_path / "b.xlsx"
    write_bundle(chung, doc, path, key=TEST_KEY, app_version=APP)
    assert read_bundle(path, reg).doc == doc


def test_bundle_refuses_a_cutoff_edited_inside(tmp_path, reg, chung):
    import openpyxl

    from nq57desk.bundle.format import BundleError

    doc = _filled(chung, "05503", make_period("cutoff", end="2025-11-06"))
    doc["period"]["start"] = "2025-12-01"
    path = tmp_path / "b.xlsx"
    write_bundle(chung, doc, path, key=TEST_KEY, app_version=APP)  # the writer trusts its caller; the reader does not
    with pytest.raises(BundleError) as e:
        read_bundle(path, reg)
    assert "sau ngày kết thúc" in str(e.value)
    assert openpyxl.load_workbook(path)  # still a workbook


def test_two_communes_of_one_cutoff_consolidate_together(desk, tmp_path, chung):
    a = _filled(chung, "05503", make_period("cutoff", start="2025-01-01", end="2025-11-06"))
    other = "05533"  # Phường Bá Xuyên, Thái Nguyên like Tân Cương
    b = _filled(chung, other, make_period("cutoff", start="2025-07-01", end="2025-11-06"))
    for i, d in enumerate((a, b)):
        d["status"] = "sent"
        write_bundle(chung, d, tmp_path / f"{i}.xlsx", key=TEST_KEY, app_version=APP, exported_at=dt.datetime(2025, 11, 8, 9))
    up = desk.upper()
    res = up.import_bundles([tmp_path / "0.xlsx", tmp_path / "1.xlsx"])
    assert res.ok and res.groups == [("chung", "2025-D1106")]
    info = [g for g in up.groups() if g.period == "2025-D1106"]
    assert len(info) == 1 and info[0].period_label == "tính đến ngày 06/11/2025"
    g = up.group("chung", "2025-D1106", province="19")
    assert {s.commune["code"] for s in g.submissions} == {"05503", other}
    out = up.write_workbook(tmp_path / "th.xlsx", period="2025-D1106")
    assert out and out[0].exists()


def test_cli_accepts_a_cutoff_code(tmp_path, chung):
    from nq57desk.cli import main

    d = _filled(chung, "05503", make_period("cutoff", end="2025-11-06"))
    d["status"] = "sent"
    write_bundle(chung, d, tmp_path / "a.xlsx", key=TEST_KEY, app_version=APP, exported_at=dt.datetime(2025, 11, 8, 9))
    import_registry(tmp_path / "data", "05503")
    rc = main(["--data-dir", str(tmp_path / "data"), "aggregate", str(tmp_path / "a.xlsx"), "-o",
               str(tmp_path / "out.xlsx"), "--period", "2025-d1106"])
    assert rc == 0 and (tmp_path / "out.xlsx").exists()


# -- the stale-period warning ---------------------------------------------------------------------------------

@pytest.mark.parametrize("period, text, found", [
    (make_period("year", 2026), "Trên đây là báo cáo 6 tháng đầu năm 2026 của UBND xã.", ["6 tháng đầu năm 2026"]),
    (make_period("year", 2026), "kết quả 5 tháng đầu năm 2026", ["5 tháng đầu năm 2026"]),
    (make_period("half", 2026, 2), "Trong 6 tháng đầu năm 2026 đã có", ["6 tháng đầu năm 2026"]),
    (make_period("month", 2026, 6), "Kết quả tháng 5/2026: tốt; tháng 5 năm 2026 cũng vậy",
     ["tháng 5/2026", "tháng 5 năm 2026"]),
    (make_period("quarter", 2026, 2), "Kết quả quý I năm 2026", ["quý I năm 2026"]),
    (make_period("month", 2026, 1), "như tháng 12/2025", ["tháng 12/2025"]),
    (make_period("month", 2026, 4), "Tính đến 6 tháng đầu năm 2026; từ ngày 01/01 đến tháng 3/2026", []),
    # not flagged: this period, the period ahead, a comparison a year back, a past year, a date, a range, other kinds
    (make_period("year", 2026), "so với năm 2025, năm 2026 tăng", []),
    (make_period("half", 2026, 1), "6 tháng đầu năm 2026; nhiệm vụ 6 tháng cuối năm 2026", []),
    (make_period("half", 2026, 1), "tăng so với 6 tháng đầu năm 2025", []),
    (make_period("months", 2026, 5), "nhiệm vụ tháng 6 và 6 tháng cuối năm 2026", []),
    (make_period("month", 2026, 4), "Kế hoạch ngày 05 tháng 3 năm 2026; từ tháng 01/2026 đến nay", []),
    (make_period("month", 2026, 4), "tháng 3/2025 và tháng 5/2026", []),
    (make_period("month", 2026, 4), "6 tháng đầu năm 2026", []),
    (make_period("year", 2026), "6 tháng đầu năm 2024", []),
    (make_period("cutoff", end="2025-11-06"), "6 tháng đầu năm 2025", []),
    (make_period("none", 2026), "tháng 5/2026", []),
])
def test_stale_period_phrases(period, text, found):
    assert stale_phrases({"period": period}, text) == found


def test_a_report_started_from_the_six_month_one_is_warned(reg):
    tpl = reg.get("hp-6thang")
    old = _doc(tpl, make_period("half", 2026, 1))
    old["values"]["ket_luan"] = hint_text(tpl.block("ket_luan"), old)  # the officer took the suggested closing
    doc = _doc(tpl, make_period("half", 2026, 2))
    doc["values"] = old["values"]  # texts kept from the previous report
    warn = [f for f in validate(tpl, doc) if f.rule == "period"]
    assert warn and all(f.severity == "warning" for f in warn)
    assert ('Nội dung còn nhắc "6 tháng đầu năm 2026" (kỳ trước?) trong khi báo cáo là 6 tháng cuối năm 2026.'
            in [f.message for f in warn])
    assert all(f.place for f in warn)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_golden_reports_are_not_warned(reg, name):
    doc = loads((REPORTS / name).read_bytes())
    tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
    assert [f.message for f in validate(tpl, doc) if f.rule == "period"] == []


def test_upper_level_paths_read_titles_as_printed(reg):
    from nq57desk.aggregate.indicators import Consolidator, proposal_blocks

    tpl = reg.get("hp-6thang")
    period = make_period("half", 2026, 1)
    cons = Consolidator(tpl, period)
    assert cons.indicators and not any("{" in i.where for i in cons.indicators)
    assert any("Chương trình công tác năm 2026" in i.where for i in cons.indicators)
    assert not any("{" in where for where, _b in proposal_blocks(tpl, period))
    assert any("Chương trình công tác năm 2026" in v for v in section_paths(tpl, context_of({"period": period})).values())


@pytest.mark.parametrize("period", [
    make_period("month", 2026, 4), make_period("quarter", 2026, 2), make_period("half", 2026, 1),
    make_period("months", 2026, 5), make_period("year", 2026), make_period("none", 2026),
    make_period("cutoff", 2025, end="2025-11-06"), make_period("custom", 2025, start="2025-07-01"),
])
def test_a_period_code_reads_back_as_its_period(period):
    """Lists that hold only a code (a held bundle at the upper level) still show the period in words."""
    back = period_of_code(period_code(period))
    assert back is not None and period_code(back) == period_code(period) and period_title(back) == period_title(period)


@pytest.mark.parametrize("text", ["", "2026", "2026-T13", "2026-Q5", "2026-D3102", "abc", "2026-T04x"])
def test_what_is_no_period_code(text):
    assert period_of_code(text) is None
