"""The upper level by indicator code: communes with different templates (and provinces) add up into one row per
catalogue code; a blank figure is «chưa báo cáo», never 0, in the workbook, the DOCX and the CSV."""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from nq57desk.aggregate import collect, write_consolidated, write_dhis2_csv
from nq57desk.bundle import writer as bundle_writer
from nq57desk.bundle.reader import read_bundle
from nq57desk.bundle.writer import write_bundle
from nq57desk.report.document import loads
from nq57desk.templates import Registry
from nq57desk.units import commune_dict, communes
from tests.conftest import SHARED
from tests.helpers.keys import TEST_KEY

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reports"
XLSXCHECK = SHARED / "tools" / "xlsxcheck.py"
APP = "0.1.0-test"


def _golden(name: str) -> dict:
    return loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry():
    return Registry()


def _hp(code: str | None = None, **values) -> dict:
    doc = _golden("000_an_truong.json")
    if code:
        doc["commune"] = commune_dict(code)
    doc["values"].update(values)
    return doc


def _tw(**values) -> dict:
    """Tân Cương's report (tw-de-cuong), moved to the same half-year as An Trường's: another outline, another
    province, the same period."""
    doc = _golden("002_tan_cuong.json")
    doc["period"] = copy.deepcopy(_hp()["period"])
    doc["values"].update(values)
    return doc


def _bundle(folder: Path, registry, doc: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tpl = registry.get(doc["template"]["id"], doc["template"]["version"])
    p = folder / f"NQ57_{doc['commune']['code']}_{doc['template']['id']}.xlsx"
    write_bundle(tpl, doc, p, key=TEST_KEY, app_version=APP)
    return p


def _rows(ws, top: int = 5) -> dict[str, tuple]:
    return {r[1]: r for r in ws.iter_rows(min_row=top, values_only=True) if r[1]}


@pytest.fixture(scope="module")
def two_outlines(tmp_path_factory, registry):
    """An Trường (Hải Phòng, hp-6thang) and Tân Cương (Thái Nguyên, tw-de-cuong), the latter without its figure of
    full-online procedures."""
    folder = tmp_path_factory.mktemp("in")
    a = _bundle(folder, registry, _hp())
    b = _bundle(folder, registry, _tw(tthc_toan_trinh=None))
    res = collect([a, b], registry)
    assert [ln.status for ln in res.lines] == ["accepted", "accepted"], [ln.message for ln in res.lines]
    return res, a, b


def test_figures_sheet_carries_the_indicator_code(two_outlines):
    _res, a, _b = two_outlines
    ws = openpyxl.load_workbook(a)["Số liệu"]
    assert ws.cell(3, 8).value == "Mã chỉ tiêu"
    codes = {r[5]: r[7] for r in ws.iter_rows(min_row=4, values_only=True) if r[5]}
    assert codes["tthc_total"] == "tthc.total" and codes["hs_ontime_rate"] == "hs.resolved.ontime.rate"
    assert codes["hs_den_ngay"] is None  # not an indicator: the cell is empty


@pytest.mark.skipif(not XLSXCHECK.is_file(), reason="xlsxcheck.py is not beside this checkout")
def test_the_bundle_still_passes_xlsxcheck(two_outlines):
    _res, a, b = two_outlines
    for p in (a, b):
        r = subprocess.run([sys.executable, str(XLSXCHECK), str(p)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout


def test_an_older_bundle_without_the_column_is_still_read(tmp_path, registry, monkeypatch):
    real = bundle_writer._figures_sheet

    def older(ws, tpl, doc):  # the sheet as bundles were written before «Mã chỉ tiêu»
        real(ws, tpl, doc)
        ws.unmerge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        ws.unmerge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
        ws.delete_cols(8)

    monkeypatch.setattr(bundle_writer, "_figures_sheet", older)
    p = _bundle(tmp_path, registry, _hp())
    monkeypatch.undo()  # read by today's app, whose writer the cross-check re-renders with
    assert openpyxl.load_workbook(p)["Số liệu"].max_column == 7
    assert read_bundle(p, registry).doc["values"]["tthc_total"] == 381


def test_two_outlines_consolidate_into_one_row_per_code(two_outlines, registry, tmp_path):
    res, _a, _b = two_outlines
    assert sorted(t for t, _p in res.groups()) == ["hp-6thang", "tw-de-cuong"]
    outs = write_consolidated(res, registry, tmp_path / "tong_hop.xlsx")
    assert len(outs) == 2
    for out in outs:  # each template's workbook counts every report of the period by code
        wb = openpyxl.load_workbook(out)
        assert "Theo chỉ tiêu" in wb.sheetnames
        rows = _rows(wb["Theo chỉ tiêu"])
        tthc = rows["tthc.total"]
        assert tthc[2] == "Tổng số thủ tục hành chính" and tthc[4] == "thủ tục"
        assert (tthc[5], tthc[6], tthc[7]) == (2, 0, 381 + 413)  # both communes, whatever their outline
        assert tthc[9] == "NQ57_TTHC_TOTAL"
        online = rows["hs.online"]  # hs_online (Hải Phòng) and hs_truc_tuyen (Thái Nguyên) are the same figure
        assert (online[5], online[6], online[7]) == (2, 0, 14706 + 3270)
        money = rows["kp.allocated"]  # only Tân Cương's outline asks for it
        assert (money[5], money[6], money[7]) == (1, 1, 200_000_000)
        data = json.loads("".join(r[0] for r in wb["_data"].iter_rows(values_only=True) if r[0]))
        assert {"code": "tthc.total", "how": "sum", "total": 794, "communes": 2, "not_reported": 0} in data["by_indicator"]


def test_a_blank_figure_is_not_reported_not_zero(two_outlines, registry, tmp_path):
    res, _a, _b = two_outlines
    out = write_consolidated(res, registry, tmp_path / "tong_hop.xlsx", template="tw-de-cuong")[0]
    wb = openpyxl.load_workbook(out)
    rows = _rows(wb["Theo chỉ tiêu"])
    full = rows["tthc.full_online"]  # An Trường gave 222; Tân Cương left it blank
    assert (full[5], full[6], full[7]) == (1, 1, 222)
    rate = rows["tthc.full_online.rate"]  # recomputed only over the commune that gave both figures
    assert (rate[5], rate[6]) == (1, 1) and rate[7] == pytest.approx(222 * 100 / 381)
    assert "nv.done.rate" in rows and "nl.positions" not in rows  # nobody gave it: no row at all
    # the per-template sheets: the blank cell stays blank, never 0
    mat = wb["Chỉ tiêu theo xã"]
    heads = [c.value for c in mat[3]]
    col = next(i for i, h in enumerate(heads) if h and h.startswith("Số TTHC trực tuyến toàn trình"))
    assert [r[col] for r in mat.iter_rows(min_row=4, values_only=True) if r[2] == "05503"] == [None]
    # the CSV: the catalogue's codes, and no row for the blank
    csv_path = tmp_path / "dhis2.csv"
    write_dhis2_csv(res, csv_path)
    got = list(csv.reader(csv_path.open(encoding="utf-8")))
    tthc = sorted((r[2], r[5]) for r in got if r[0] == "NQ57_TTHC_TOTAL")
    assert tthc == [("05503", "413"), ("11635", "381")]
    assert [r[2] for r in got if r[0] == "NQ57_TTHC_FULL_ONLINE"] == ["11635"]
    assert not any(r[0] in ("tthc_total", "tthc_toan_trinh") for r in got)
    assert any(not r[0].startswith("NQ57_") for r in got[1:])  # a field that is no indicator keeps its key


def test_the_consolidated_docx_never_counts_a_blank_as_zero(tmp_path, registry):
    """Two Hải Phòng communes; the second gave its resolved dossiers but not how many were on time: the area's
    rate of on-time dossiers is the first commune's (14650/14651), not 14650/(14651 + 1000)."""
    from nq57desk.aggregate.report_docx import consolidated_tree
    from nq57desk.render.tree import to_text

    other = next(u.code for u in communes("31") if u.code != "11635")
    a = _bundle(tmp_path / "in", registry, _hp())
    b = _bundle(tmp_path / "in", registry, _hp(other, hs_resolved=1000, hs_ontime=None, hs_late=None, tt_online=None))
    res = collect([a, b], registry)
    group = res.group("hp-6thang", res.groups()[0][1])
    assert len(group.submissions) == 2
    text = to_text(consolidated_tree(group))
    # hp-6thang version 2 prints each figure as «- label: value» (no commune's sentence)
    line = next(ln for ln in text.split("\n") if "đã giải quyết đúng hạn:" in ln and "Số hồ sơ" in ln)
    assert "14.650 hồ sơ" in line, line
    rate = next(ln for ln in text.split("\n") if "Tỷ lệ hồ sơ giải quyết đúng hạn:" in ln)
    assert "99,99%" in rate, rate  # 14650 / 14651
    assert "15.651" in text  # the resolved dossiers themselves are summed
    pay = next(ln for ln in text.split("\n") if "Tỷ lệ hồ sơ được thanh toán trực tuyến:" in ln)
    assert "99,83%" in pay, pay  # the rate over the commune that gave both: 12534/12555
    assert " 0 hồ sơ" not in line and "0,00%" not in text


def test_a_figure_group_the_commune_added_is_consolidated_by_code(tmp_path, registry):
    """A ward reporting through the general template adds a figure group to its own outline: its figures reach the
    upper level under the catalogue's codes, beside communes whose province template asks for them."""
    from nq57desk.report import outline as ops
    from nq57desk.report.document import new_document

    chung = registry.get("chung")
    doc = new_document(chung, commune_dict("05503"), copy.deepcopy(_hp()["period"]))
    doc, key = ops.add_block(chung, doc, "ket_qua", {"type": "fields", "label": "Thủ tục",
                                                     "indicators": ["tthc.total", "tthc.full_online"]})
    by = {f.indicator: f.key for f in ops.shape(chung, doc).block(key).fields}
    doc["values"].update({by["tthc.total"]: 400, by["tthc.full_online"]: 100})
    a = _bundle(tmp_path / "in", registry, _hp())
    b = _bundle(tmp_path / "in", registry, doc)
    res = collect([a, b], registry)
    assert [ln.status for ln in res.lines] == ["accepted", "accepted"], [ln.message for ln in res.lines]
    out = write_consolidated(res, registry, tmp_path / "tong_hop.xlsx", template="hp-6thang")[0]
    rows = _rows(openpyxl.load_workbook(out)["Theo chỉ tiêu"])
    assert (rows["tthc.total"][5], rows["tthc.total"][7]) == (2, 381 + 400)
    assert (rows["tthc.full_online"][5], rows["tthc.full_online"][7]) == (2, 222 + 100)


def test_a_figure_a_table_counts_is_consolidated_by_code(tmp_path, registry):
    """A commune that states its tasks only in a table of its own («Kết quả»: «Đã hoàn thành» …) still sends the
    number of tasks done and assigned upward under the catalogue's codes."""
    from nq57desk.report import outline as ops
    from nq57desk.report.document import new_document

    chung = registry.get("chung")
    doc = new_document(chung, commune_dict("05503"), copy.deepcopy(_hp()["period"]))
    doc, key = ops.add_block(chung, doc, "ket_qua", {
        "type": "table", "title": "Nhiệm vụ", "rows_indicator": "nv.assigned",
        "columns": [{"key": "ten", "label": "Tên nhiệm vụ"},
                    {"key": "kq", "label": "Kết quả", "counts": {"Đã hoàn thành": "nv.done"}}]})
    doc["values"][key] = [{"ten": "A", "kq": "Đã hoàn thành"}, {"ten": "B", "kq": "Đang thực hiện"},
                          {"ten": "C", "kq": "Đã hoàn thành"}]
    a = _bundle(tmp_path / "in", registry, _hp())
    b = _bundle(tmp_path / "in", registry, doc)
    res = collect([a, b], registry)
    assert [ln.status for ln in res.lines] == ["accepted", "accepted"], [ln.message for ln in res.lines]
    out = write_consolidated(res, registry, tmp_path / "tong_hop.xlsx", template="hp-6thang")[0]
    rows = _rows(openpyxl.load_workbook(out)["Theo chỉ tiêu"])
    # (communes reporting it, communes not reporting it, total): An Trường states 20 tasks assigned and no count done
    assert rows["nv.done"][5:8] == (1, 1, 2)
    assert rows["nv.assigned"][5:8] == (2, 0, 20 + 3)
