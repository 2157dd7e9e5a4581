"""Upper level: collecting many bundles, completeness, the consolidated workbook and the DHIS2 CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import openpyxl
import pytest

try:  # fixtures and helpers shared with the bundle tests (tests/ may or may not be a package)
    from tests.test_bundle import APP, XLSXCHECK, make_doc, registry, sample_tpl  # noqa: F401
except ImportError:
    from test_bundle import APP, XLSXCHECK, make_doc, registry, sample_tpl  # noqa: F401

from nq57desk.aggregate import collect, write_consolidated, write_dhis2_csv
from nq57desk.aggregate.collect import is_late
from nq57desk.bundle.package import bundle_filename, write_package
from nq57desk.bundle.writer import write_bundle
from nq57desk.report.document import make_period
from nq57desk.units import communes
from tests.helpers.keys import TEST_KEY, import_registry

ON_TIME = dt.datetime(2026, 6, 5, 9, 30)
LATE = dt.datetime(2026, 6, 20, 9, 30)  # period ends 31/5; the deadline is 10/6


def _write(folder: Path, tpl, doc, *, when=ON_TIME, name=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / (name or bundle_filename(doc))
    write_bundle(tpl, doc, p, key=TEST_KEY, app_version=APP, exported_at=when)
    return p


def _status(res, source: Path):
    return next(ln for ln in res.lines if ln.source == str(source))


def test_newest_revision_wins(tmp_path, sample_tpl, registry):
    r1 = _write(tmp_path / "in", sample_tpl, make_doc(sample_tpl, revision=1, online=1))
    r2 = _write(tmp_path / "in", sample_tpl, make_doc(sample_tpl, revision=2, online=2))
    res = collect([r2, r1], registry)
    assert _status(res, r2).status == "accepted" and "lần gửi 1" in _status(res, r2).message
    assert _status(res, r1).status == "replaced"
    chosen = res.chosen[("05503", "thu-nghiem-goi", "2026-T05")]
    assert chosen.revision == 2 and chosen.doc["values"]["hs_online"] == 2
    assert [s.revision for s in res.history] == [1]


def test_same_revision_different_content_is_a_conflict(tmp_path, sample_tpl, registry):
    a = _write(tmp_path / "a", sample_tpl, make_doc(sample_tpl, revision=2, online=1))
    b = _write(tmp_path / "b", sample_tpl, make_doc(sample_tpl, revision=2, online=2))
    old = _write(tmp_path / "c", sample_tpl, make_doc(sample_tpl, revision=1))
    res = collect([tmp_path / "a", tmp_path / "b", tmp_path / "c"], registry, province="19")
    assert _status(res, a).status == _status(res, b).status == "conflict"
    # the same file name in two folders: the line names the folder too
    assert "«b/NQ57_05503_2026-T05_r2.xlsx»" in _status(res, a).message
    assert "«a/NQ57_05503_2026-T05_r2.xlsx»" in _status(res, b).message
    assert _status(res, old).status == "replaced" and "dùng tạm" in _status(res, old).message
    assert len(res.conflicts) == 1
    # meanwhile the consolidation uses the newest revision that is not in conflict, and says so
    used = res.chosen[("05503", "thu-nghiem-goi", "2026-T05")]
    assert used.revision == 1 and used.conflict
    st = next(c for c in res.completeness if c.code == "05503")
    assert st.status == "conflict" and st.revision == 1 and "tạm dùng lần gửi 1" in st.note


def test_conflict_without_an_earlier_revision_uses_nothing(tmp_path, sample_tpl, registry):
    _write(tmp_path / "a", sample_tpl, make_doc(sample_tpl, revision=2, online=1))
    _write(tmp_path / "b", sample_tpl, make_doc(sample_tpl, revision=2, online=2))
    res = collect([tmp_path], registry, province="19")
    assert not res.chosen and [ln.status for ln in res.lines] == ["conflict", "conflict"]
    st = next(c for c in res.completeness if c.code == "05503")
    assert st.status == "conflict" and st.revision == 2 and "chưa có bản nào" in st.note


def test_same_content_twice_is_a_duplicate(tmp_path, sample_tpl, registry):
    doc = make_doc(sample_tpl)
    a = _write(tmp_path / "a", sample_tpl, doc)
    b = _write(tmp_path / "b", sample_tpl, doc, when=ON_TIME + dt.timedelta(hours=1))
    res = collect([a, b], registry)
    assert [ln.status for ln in res.lines] == ["accepted", "duplicate"]
    assert len(res.chosen) == 1


def test_completeness_for_a_province(tmp_path, sample_tpl, registry):
    units = communes("19")
    inbox = tmp_path / "inbox"
    _write(inbox, sample_tpl, make_doc(sample_tpl, units[0].code))
    _write(inbox, sample_tpl, make_doc(sample_tpl, units[1].code), when=LATE)
    _write(inbox, sample_tpl, make_doc(sample_tpl, units[2].code, revision=3))
    _write(inbox, sample_tpl, make_doc(sample_tpl, "11635"))  # Xã An Trường, Hải Phòng: another province
    (inbox / "ghi_chu.xlsx").write_text("không phải Excel", encoding="utf-8")
    (inbox / "~$NQ57_lock.xlsx").write_bytes(b"lock file of Excel: ignored")
    res = collect([inbox], registry, province="19")
    by = {ln.source.rsplit("/", 1)[-1]: ln for ln in res.lines}
    assert by["ghi_chu.xlsx"].status == "rejected" and by["ghi_chu.xlsx"].reason == "not_xlsx"
    assert by["NQ57_11635_2026-T05_r1.xlsx"].reason == "other_province"
    assert not any("~$" in s for s in by)
    assert len(res.completeness) == len(units)
    counts = res.counts()
    assert counts["accepted"] == 3 and counts["rejected"] == 2
    assert counts["communes_submitted"] == 2 and counts["communes_late"] == 1
    assert counts["communes_missing"] == len(units) - 3
    late = next(c for c in res.completeness if c.code == units[1].code)
    assert late.late and late.status == "late" and late.status_vi == "Nộp muộn"


def test_a_late_correction_of_a_timely_report_is_not_late(tmp_path, sample_tpl, registry):
    _write(tmp_path, sample_tpl, make_doc(sample_tpl, revision=1))
    _write(tmp_path, sample_tpl, make_doc(sample_tpl, revision=2, online=2), when=LATE)
    res = collect([tmp_path], registry, province="19")
    st = next(c for c in res.completeness if c.code == "05503")
    assert st.revision == 2 and st.status == "submitted" and not st.late


def test_late_rule():
    p = make_period("month", 2026, 5)
    assert not is_late("2026-06-10T23:59:00+07:00", p)
    assert is_late("2026-06-11T00:01:00+07:00", p)
    assert not is_late("", p)


def test_validation_errors_mark_the_commune(tmp_path, sample_tpl, registry, monkeypatch):
    class Finding:
        def __init__(self, severity, message):
            self.severity, self.message = severity, message

    fake = types.ModuleType("nq57desk.validation")
    fake.validate = lambda tpl, doc: ([Finding("error", "Số hồ sơ trực tuyến lớn hơn số tiếp nhận")]
                                      if doc["values"]["hs_online"] > doc["values"]["hs_received"] else
                                      [Finding("warning", "kiểm tra lại")])
    fake.explanation = lambda doc, f: ""  # no giải trình
    fake.explanations_of = lambda doc: {}  # what the reader's cross-check of «Kiểm tra» reads
    u = communes("19")
    _write(tmp_path, sample_tpl, make_doc(sample_tpl, u[0].code, received=2, online=5))
    _write(tmp_path, sample_tpl, make_doc(sample_tpl, u[1].code))
    monkeypatch.setitem(sys.modules, "nq57desk.validation", fake)  # the upper level's check, after the bundles
    res = collect([tmp_path], registry, province="19")
    st = {c.code: c for c in res.completeness}
    assert st[u[0].code].status == "errors" and st[u[0].code].errors == 1
    assert st[u[1].code].status == "submitted" and st[u[1].code].warnings == 1


def test_zip_package_and_manifest(tmp_path, sample_tpl, registry):
    doc = make_doc(sample_tpl)
    src = _write(tmp_path / "local", sample_tpl, doc)
    z = tmp_path / "usb" / "goi.zip"
    write_package({src.name: src}, z, {"commune_code": "05503"}, key=TEST_KEY)
    res = collect([z], registry)
    assert [ln.status for ln in res.lines] == ["accepted"] and res.lines[0].source.endswith("!" + src.name)
    # a folder whose manifest disagrees with a file: damaged on the way
    folder = tmp_path / "usb2"
    write_package({src.name: src}, folder, {}, key=TEST_KEY)
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    man["files"][0]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    res = collect([folder], registry)
    assert res.lines[0].status == "rejected" and res.lines[0].reason == "manifest_mismatch"


def test_dry_run_keeps_no_documents_and_writes_nothing(tmp_path, sample_tpl, registry):
    from nq57desk.aggregate.workbook import write_consolidated as wc

    _write(tmp_path / "in", sample_tpl, make_doc(sample_tpl))
    res = collect([tmp_path / "in"], registry, dry_run=True)
    with pytest.raises(Exception, match="nhập thử"):
        wc(res, registry, tmp_path / "o.xlsx")
    assert not (tmp_path / "o.xlsx").exists()


def test_dry_run_keeps_no_documents(tmp_path, sample_tpl, registry):
    _write(tmp_path, sample_tpl, make_doc(sample_tpl))
    res = collect([tmp_path], registry, dry_run=True)
    assert res.lines[0].status == "accepted"
    assert all(s.doc is None for s in res.chosen.values())


# -- consolidation -------------------------------------------------------------------------------------------------

@pytest.fixture
def two_communes(tmp_path, sample_tpl, registry):
    u = communes("19")
    a = make_doc(sample_tpl, u[0].code, received=2, online=1)
    b = make_doc(sample_tpl, u[1].code, received=4, online=3)
    a["values"]["kien_nghi_text"] = "Đề nghị tỉnh cấp thêm máy tính.\n=cmd|' /C calc'!A0"
    _write(tmp_path / "in", sample_tpl, a)
    _write(tmp_path / "in", sample_tpl, b)
    return collect([tmp_path / "in"], registry, province="19"), (u[0], u[1])


def _indicator_row(ws, key):
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[-1] == key:
            return row
    raise AssertionError(key)


def test_rates_are_recomputed_from_sums(two_communes, registry, tmp_path):
    res, (ua, ub) = two_communes
    out = tmp_path / "tong_hop.xlsx"
    write_consolidated(res, registry, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Tổng hợp chỉ tiêu"]
    rate = _indicator_row(ws, "hs_online_rate")
    assert rate[4] == pytest.approx(400 / 6)  # (1 + 3) / (2 + 4) = 66,67 %, not the average of 50 % and 75 % (62,5 %)
    assert "4/6" in rate[5]
    assert rate[7] == 50 and rate[8] == ua.name and rate[9] == 75 and rate[10] == ub.name
    assert _indicator_row(ws, "hs_received")[4] == 6
    assert _indicator_row(ws, "kinh_phi")[4] == 2_500_000_000
    assert _indicator_row(ws, "phu_song")[4] is None  # a typed percent is never summed or averaged
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f"
    names = wb.sheetnames
    assert names[:4] == ["Tình hình nộp báo cáo", "Tổng hợp chỉ tiêu", "Chỉ tiêu theo xã", "Biểu đồ"]
    assert len(wb["Biểu đồ"]._charts) == 1
    stacked = wb["Bảng - CÁC CHỈ TIÊU CHỦ YẾU"]
    col_a = [r[0] for r in stacked.iter_rows(min_row=6, values_only=True)]
    assert col_a.count(ua.name) == 6 and col_a.count(ub.name) == 6  # 2 group rows + 3 rows + total, per commune
    assert "F3:H3" in {str(r) for r in stacked.merged_cells.ranges}  # "Năm 2026", shifted by the commune columns
    props = [r for r in wb["Kiến nghị, đề xuất"].iter_rows(min_row=4, values_only=True)]
    texts = [r[4] for r in props]
    assert "Đề nghị tỉnh cấp thêm máy tính." in texts and "=cmd|' /C calc'!A0" in texts
    assert len(props) == 4  # two paragraphs each


@pytest.mark.skipif(not XLSXCHECK.exists(), reason="../shared/tools/xlsxcheck.py not present")
def test_consolidated_passes_xlsxcheck(two_communes, registry, tmp_path):
    res, _ = two_communes
    out = tmp_path / "tong_hop.xlsx"
    write_consolidated(res, registry, out)
    r = subprocess.run([sys.executable, str(XLSXCHECK), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout


@pytest.mark.skipif(not XLSXCHECK.exists(), reason="../shared/tools/xlsxcheck.py not present")
def test_consolidated_too_many_communes_for_charts_passes_xlsxcheck(two_communes, registry, tmp_path, monkeypatch):
    monkeypatch.setattr("nq57desk.aggregate.workbook.MAX_CHART_COMMUNES", 1)  # the note replaces the charts
    res, _ = two_communes
    out = tmp_path / "tong_hop.xlsx"
    write_consolidated(res, registry, out)
    assert "quá nhiều" in openpyxl.load_workbook(out)["Biểu đồ"]["A4"].value
    r = subprocess.run([sys.executable, str(XLSXCHECK), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout


def test_consolidated_without_reports(tmp_path, registry):
    out = tmp_path / "rong.xlsx"
    write_consolidated(collect([], registry, province="19"), registry, out)
    ws = openpyxl.load_workbook(out)["Tình hình nộp báo cáo"]
    assert "chưa nộp: " in ws["A3"].value and ws.max_row > 50


def test_dhis2_csv(two_communes, tmp_path):
    res, (ua, ub) = two_communes
    out = tmp_path / "dhis2.csv"
    n = write_dhis2_csv(res, out)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value"]
    assert len(rows) == n + 1
    got = {(r[0], r[2]): r[5] for r in rows[1:]}
    assert got[("hs_received", ua.code)] == "2" and got[("hs_online_rate", ub.code)] == "75"
    assert got[("kinh_phi", ua.code)] == "1250000000" and got[("diem_cds", ua.code)] == "7.5"
    assert {r[1] for r in rows[1:]} == {"202605"}
    assert len({r[2] for r in rows[1:]}) == 2 and all(r[3] == r[4] == "" for r in rows[1:])


@pytest.mark.libreoffice
def test_libreoffice_converts_consolidated(two_communes, registry, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    res, _ = two_communes
    out = tmp_path / "tong_hop.xlsx"
    write_consolidated(res, registry, out)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), str(out)], capture_output=True, timeout=180, check=False)
    pdf = tmp_path / "pdf" / "tong_hop.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")



# -- several groups, provinces, inputs ---------------------------------------------------------------------------------

def _may(tpl, code, month):
    return make_doc(tpl, code, period=make_period("month", 2026, month))


def test_several_groups_give_one_workbook_each(tmp_path, sample_tpl, registry):
    """Never a silent choice of one group: one workbook per (template, period), or the chosen one."""
    u = communes("19")
    for i, month in enumerate((4, 5, 5, 6, 6, 6)):
        _write(tmp_path / "in", sample_tpl, _may(sample_tpl, u[i].code, month))
    res = collect([tmp_path / "in"], registry)
    out = tmp_path / "out" / "OUT.xlsx"
    out.parent.mkdir()
    paths = write_consolidated(res, registry, out)
    assert [p.name for p in paths] == ["OUT_thu-nghiem-goi_2026-T06.xlsx", "OUT_thu-nghiem-goi_2026-T05.xlsx",
                                       "OUT_thu-nghiem-goi_2026-T04.xlsx"]
    reported = [len(openpyxl.load_workbook(p)["Chỉ tiêu theo xã"]["C"]) - 3 for p in paths]
    assert reported == [3, 2, 1]  # every accepted report is in one of them
    one = write_consolidated(res, registry, out, period="2026-T05")
    assert one == [out] and openpyxl.load_workbook(out)["Tổng hợp chỉ tiêu"]["A2"].value.endswith("2 báo cáo")
    with pytest.raises(Exception, match="không có báo cáo nào"):
        write_consolidated(res, registry, out, period="2026-T09")


def test_completeness_without_a_province_keeps_provinces_and_groups_apart(tmp_path, sample_tpl, registry):
    tn, hp = communes("19"), communes("31")
    _write(tmp_path / "in", sample_tpl, _may(sample_tpl, tn[0].code, 5))
    _write(tmp_path / "in", sample_tpl, _may(sample_tpl, tn[1].code, 4))
    _write(tmp_path / "in", sample_tpl, _may(sample_tpl, hp[0].code, 4))
    res = collect([tmp_path / "in"], registry)
    by_group: dict = {}
    for c in res.completeness:
        by_group.setdefault(c.period, set()).add(c.province_code)
    assert by_group == {"2026-T05": {"19"}, "2026-T04": {"19", "31"}}
    assert len(res.completeness) == len(tn) + len(tn) + len(hp)
    g = res.group("thu-nghiem-goi", "2026-T05")
    assert {c.province_code for c in g.completeness} == {"19"} and g.counts()["missing"] == len(tn) - 1
    wb = openpyxl.load_workbook(write_consolidated(res, registry, tmp_path / "o.xlsx", period="2026-T05")[0])
    assert f"chưa nộp: {len(tn) - 1};" in wb["Tình hình nộp báo cáo"]["A3"].value


def test_every_input_gets_a_line(tmp_path, sample_tpl, registry):
    inbox = tmp_path / "in"
    good = _write(inbox / "pkg", sample_tpl, make_doc(sample_tpl))
    write_package({good.name: good}, inbox / "pkg2", {}, key=TEST_KEY)
    (inbox / "pkg2" / good.name).unlink()  # the package lost its bundle on the way
    (inbox / "cu.xls").write_bytes(b"\xd0\xcf\x11\xe0old excel")
    (inbox / "macro.xlsm").write_bytes(b"PK")
    (inbox / "ghi_chu.txt").write_text("ghi chú", encoding="utf-8")
    (inbox / "bao_cao.docx").write_bytes(b"PK")
    (inbox / "Thumbs.db").write_bytes(b"x")
    (inbox / "~$lock.xlsx").write_bytes(b"x")
    write_consolidated(collect([inbox / "pkg"], registry), registry, inbox / "tong_hop.xlsx")
    res = collect([inbox], registry)
    by = {ln.source.replace(str(inbox) + "/", ""): ln for ln in res.lines}
    assert by["pkg2/" + good.name].status == "rejected" and by["pkg2/" + good.name].reason == "missing_in_package"
    assert good.name in by["pkg2/" + good.name].message and "manifest.json" in by["pkg2/" + good.name].message
    assert by["cu.xls"].status == "rejected" and ".xls" in by["cu.xls"].message
    assert by["macro.xlsm"].status == "rejected" and "macro" in by["macro.xlsm"].message
    assert by["ghi_chu.txt"].status == "skipped" and by["bao_cao.docx"].status == "skipped"
    assert by["tong_hop.xlsx"].status == "skipped" and "bảng tổng hợp" in by["tong_hop.xlsx"].message
    assert by["pkg/" + good.name].status == "accepted"
    assert not any("Thumbs" in k or "~$" in k for k in by)


def test_empty_inputs_say_so(tmp_path, registry):
    (tmp_path / "rong").mkdir()
    res = collect([tmp_path / "rong"], registry)
    assert [(ln.status, ln.reason) for ln in res.lines] == [("rejected", "no_bundle")]
    assert "không có gói báo cáo" in res.lines[0].message


# -- the command line ------------------------------------------------------------------------------------------------

@pytest.fixture
def golden_inbox(tmp_path):
    """Bundles of the golden report 003 (built-in template) for three communes of its province."""
    import copy

    from nq57desk.report.document import loads
    from nq57desk.templates import Registry
    from nq57desk.units import commune_dict
    from tests.conftest import REPORTS

    doc = loads((REPORTS / "003_phu_thinh.json").read_bytes())
    reg = Registry()
    tpl = reg.get(doc["template"]["id"], doc["template"]["version"])
    inbox = tmp_path / "inbox"
    for u in communes("19")[:3]:
        d = copy.deepcopy(doc)
        d["commune"] = commune_dict(u.code)
        _write(inbox, tpl, d)
    return inbox


def _cli(capsys, data_dir, *args):
    from nq57desk.cli import main

    code = main(["--data-dir", str(data_dir), "aggregate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_imports_then_reruns_as_duplicates(capsys, tmp_path, golden_inbox):
    data, outs = tmp_path / "data", tmp_path / "outs"
    outs.mkdir()
    out = outs / "tong_hop.xlsx"
    import_registry(data, *(u.code for u in communes("19")[:3]))  # the province's key registry first
    capsys.readouterr()
    code, text, err = _cli(capsys, data, golden_inbox, "-o", out, "--province", "19", "--csv", outs / "d.csv",
                           "--docx", outs / "bc.docx")
    assert code == 0, err
    lines = text.splitlines()
    assert sum(x.startswith("Đã nhận\t") for x in lines) == 3
    assert f"Đã ghi bảng tổng hợp: {out}" in lines and out.exists()
    assert (outs / "d.csv").exists() and (outs / "bc.docx").exists()
    assert any("92 xã: đã nộp" in x for x in lines)
    code, text, _ = _cli(capsys, data, golden_inbox, outs, "-o", out)  # again, with the outputs among the inputs
    assert code == 0 and sum(x.startswith("Trùng, đã có\t") for x in text.splitlines()) == 3
    assert any(x.startswith("Bỏ qua\t") and "tong_hop.xlsx" in x for x in text.splitlines())


def test_cli_dry_run_creates_nothing(capsys, tmp_path, golden_inbox):
    data = tmp_path / "moi"
    data.mkdir()
    code, text, _ = _cli(capsys, data, golden_inbox, "-o", tmp_path / "o.xlsx", "--dry-run")
    # no key registry in a new folder: the bundles would wait for their keys to be confirmed (exit 1 says so)
    assert code == 1 and "chờ xác nhận" in text and "Chạy thử" in text
    assert list(data.iterdir()) == [] and not (tmp_path / "o.xlsx").exists()
    code, _, _ = _cli(capsys, tmp_path / "khong_co", golden_inbox, "-o", tmp_path / "o.xlsx", "--dry-run")
    assert code == 1 and not (tmp_path / "khong_co").exists()


@pytest.mark.parametrize("args, words", [
    (["--province", "XX"], "mã tỉnh «XX» không hợp lệ"),
    (["--province", "99"], "không có tỉnh, thành phố mã «99»"),
    (["-o", "/nonexistent/dir/o.xlsx"], "thư mục «/nonexistent/dir» không có"),
    (["-o", "o7.txt"], "phải là tệp .xlsx"),
    (["--csv", "d.xlsx"], "phải là tệp .csv"),
    (["--docx", "/nonexistent/bc.docx"], "không có"),
])
def test_cli_usage_errors_exit_2_and_touch_nothing(capsys, tmp_path, golden_inbox, args, words):
    data = tmp_path / "data"
    full = [golden_inbox, "-o", tmp_path / "o.xlsx", *args] if "-o" not in args else [golden_inbox, *args]
    code, text, err = _cli(capsys, data, *full)
    assert code == 2 and words in err and "Traceback" not in err and text == ""
    assert not data.exists()


def test_cli_exit_1_when_something_is_rejected_or_nothing_found(capsys, tmp_path, golden_inbox):
    (golden_inbox / "hong.xlsx").write_bytes(b"PK\x03\x04 cut")
    code, text, _ = _cli(capsys, tmp_path / "data", golden_inbox, "-o", tmp_path / "o.xlsx")
    assert code == 1 and any(x.startswith("Từ chối\t") and "hong.xlsx" in x for x in text.splitlines())
    (tmp_path / "rong").mkdir()
    code, text, _ = _cli(capsys, tmp_path / "data", tmp_path / "rong", "-o", tmp_path / "o2.xlsx")
    assert code == 1 and "Không tìm thấy gói báo cáo" in text and not (tmp_path / "o2.xlsx").exists()


def test_the_import_log_names_templates_by_their_title(two_communes, registry, sample_tpl, tmp_path):
    """The province's officer reads the template's title, not its id (an id only when the template is unknown)."""
    res, _ = two_communes
    out = tmp_path / "tong_hop.xlsx"
    write_consolidated(res, registry, out)
    ws = openpyxl.load_workbook(out)["Tệp đã nhập"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] in (1, 2)]
    assert len(rows) == 2
    assert all(r[6] == sample_tpl.title for r in rows)
