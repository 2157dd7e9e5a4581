"""Task progress (`type: tasks`): strict import checks, the per-row checks with their numbers, the computed done
rate, sentences (blank clauses dropped) or a table, the bundle sheet and the upper level's sum across communes."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

from nq57desk.aggregate import collect, write_consolidated
from nq57desk.aggregate.report_docx import consolidated_tree
from nq57desk.bundle.writer import write_bundle
from nq57desk.render.tree import Table, build, to_text
from nq57desk.templates import Registry, parse_template
from nq57desk.units import commune_dict, communes
from tests.helpers.keys import TEST_KEY
from tests.test_amounts import MINI, TASKS, XLSXCHECK, chung, findings, refused, report


def sentences(rows) -> str:
    return to_text(build(chung(), report(tien_do_nhiem_vu=rows)))


@pytest.mark.parametrize("value, words, place", [
    ([{"name": "A", "done": "11"}], "«Dòng 1, đã hoàn thành» phải là số nguyên không âm", "values.tien_do_nhiem_vu[0].done"),
    ([{"name": "A", "assigned": -2}], "«Dòng 1, được giao» không được âm", "values.tien_do_nhiem_vu[0].assigned"),
    ([{"name": "A", "overdue": 10**20}], "tối đa", "values.tien_do_nhiem_vu[0].overdue"),
    ([{"name": "A", "on_time": 2.5}], "số nguyên", "values.tien_do_nhiem_vu[0].on_time"),
    ([{"name": "A"}, {"name": ["x", {"y": 1}]}], "«Dòng 2, kế hoạch, giai đoạn» phải là chữ, có một danh sách",
     "values.tien_do_nhiem_vu[1].name"),
    ([{"name": "A", "ty_le": 90}], "Dòng 1 không có khóa ty_le", "values.tien_do_nhiem_vu[0]"),
    ([{"name": "A"}] * 100_000, "có 100000 dòng, quá 300 dòng", "values.tien_do_nhiem_vu"),
    ({"name": "A"}, "Tiến độ nhiệm vụ phải là danh sách dòng, có một đối tượng", "values.tien_do_nhiem_vu"),
    (["A"], "Dòng 1 phải là một đối tượng", "values.tien_do_nhiem_vu[0]"),
    ([{"note": 5}], "«Dòng 1, ghi chú» phải là chữ", "values.tien_do_nhiem_vu[0].note"),
])
def test_hostile_values_are_refused_in_vietnamese_with_the_place(value, words, place):
    e = refused(report(tien_do_nhiem_vu=value))
    assert words in e.problem, e.problem
    assert e.place == place


def test_done_and_in_progress_beyond_assigned_gives_the_numbers():
    """A real mistake: "16/16 done" and "16 in progress (100%)" for the same phase."""
    (f,) = findings(report(tien_do_nhiem_vu=[{"name": "Giai đoạn 2", "assigned": 16, "done": 16, "in_progress": 16}]),
                    "tien_do")
    assert f.severity == "error" and f.key == "tien_do_nhiem_vu[1].in_progress" and f.where == "ket_qua"
    assert f.message == "16 đã hoàn thành + 16 đang thực hiện = 32, vượt 16 nhiệm vụ được giao."
    assert "dòng 1 «Giai đoạn 2»" in f.place


@pytest.mark.parametrize("row, key, message", [
    ({"assigned": 12, "done": 13}, "done", "Đã hoàn thành 13 nhiệm vụ, nhiều hơn 12 nhiệm vụ được giao."),
    ({"done": 5, "on_time": 6}, "on_time", "6 nhiệm vụ đúng hạn, nhiều hơn 5 nhiệm vụ đã hoàn thành."),
    ({"assigned": 4, "overdue": 5}, "overdue", "5 nhiệm vụ quá hạn, nhiều hơn 4 nhiệm vụ được giao."),
    ({"assigned": 12, "done": 5, "in_progress": 3, "not_started": 2}, "not_started",
     "5 đã hoàn thành + 3 đang thực hiện + 2 chưa thực hiện = 10, ít hơn 12 nhiệm vụ được giao."),
])
def test_each_check_quotes_its_numbers(row, key, message):
    fs = [f for f in findings(report(tien_do_nhiem_vu=[{"name": "KH 1", **row}]), "tien_do") if f.severity == "error"]
    assert [(f.key, f.message) for f in fs] == [(f"tien_do_nhiem_vu[1].{key}", message)]


def test_only_given_numbers_are_compared():
    ok = [{"name": "A", "assigned": 12, "done": 11}, {"name": "B", "done": 3, "in_progress": 50},
          {"name": "C", "assigned": 10, "done": 4, "in_progress": 3}, {"name": "D"}]
    assert findings(report(tien_do_nhiem_vu=ok), "tien_do") == []
    (w,) = findings(report(tien_do_nhiem_vu=[{"done": 1}]), "tien_do")
    assert w.severity == "warning" and "chưa ghi tên" in w.message


def test_sentences_drop_blank_clauses_and_compute_the_rate():
    text = sentences(TASKS)
    assert ("- Giai đoạn 1: được giao 12 nhiệm vụ, đã hoàn thành 11/12 nhiệm vụ (91,67%), trong đó 10 đúng hạn; "
            "đang thực hiện 1.\n- Giai đoạn 2: được giao 16 nhiệm vụ, đã hoàn thành 16/16 nhiệm vụ (100%); "
            "đang thực hiện 0; đang rà soát.\n- Tổng cộng: được giao 28 nhiệm vụ, đã hoàn thành 27/28 nhiệm vụ "
            "(96,43%), trong đó 10 đúng hạn; đang thực hiện 1.\n") in text
    assert "- Kế hoạch 05: đã hoàn thành 3 nhiệm vụ.\n" in sentences([{"name": "Kế hoạch 05", "done": 3}])
    assert "- Kế hoạch 06: được giao 0 nhiệm vụ, đã hoàn thành 0/0 nhiệm vụ.\n" in sentences(
        [{"name": "Kế hoạch 06", "assigned": 0, "done": 0}])  # no rate of nothing


def test_blank_prints_nothing():
    base = sentences([])
    assert sentences([{}, {"name": "Giai đoạn 1"}, {"name": "", "note": ""}]) == base
    assert "Tổng cộng" not in sentences([{"name": "A", "assigned": 2, "done": 1}, {"name": "B"}])


def test_table_layout():
    tpl = parse_template(MINI, "thu.yaml")
    tree = build(tpl, report(tpl, tien_do=TASKS))
    (t,) = [n for n in tree.body if isinstance(n, Table)]
    assert t.block_kind == "tasks" and t.title == "Tiến độ"
    assert [h.text for h in t.header][-2:] == ["Tỷ lệ hoàn thành", "Ghi chú"]
    assert t.rows[0].cells == ["1", "Giai đoạn 1", "12", "11", "10", "", "1", "", "91,67%", ""]
    assert t.rows[-1].cells == ["", "Tổng cộng", "28", "27", "10", "", "1", "", "96,43%", ""]
    assert t.rows[-1].kind == "total"
    assert not [n for n in build(tpl, report(tpl, tien_do=[])).body if isinstance(n, Table)]


def test_bundle_sheet(tmp_path):
    path = tmp_path / "b.xlsx"
    write_bundle(chung(), report(tien_do_nhiem_vu=TASKS), path, key=TEST_KEY, app_version="test")
    ws = openpyxl.load_workbook(path)["Tiến độ thực hiện nhiệm vụ"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0][:5] == (1, "Giai đoạn 1", 12, 11, 10) and rows[0][8] == pytest.approx(91.6667, abs=0.01)
    assert rows[-1][1:4] == ("Tổng cộng", 28, 27)
    if XLSXCHECK.exists():
        r = subprocess.run([sys.executable, str(XLSXCHECK), str(path)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout


def test_upper_level_sums_the_counts_by_column(tmp_path):
    reg = Registry()
    a, b = communes("19")[:2]
    (tmp_path / "in").mkdir()
    for u, rows in ((a, TASKS), (b, [{"name": "Kế hoạch 1", "assigned": 10, "done": 5, "overdue": 2}])):
        doc = report(tien_do_nhiem_vu=rows)
        doc["commune"] = commune_dict(u.code)
        write_bundle(chung(), doc, tmp_path / "in" / f"{u.code}.xlsx", key=TEST_KEY, app_version="test")
    out = tmp_path / "tong_hop.xlsx"
    res = collect([tmp_path / "in"], reg, province="19")
    write_consolidated(res, reg, out)
    # the consolidated report: one sentence per commune with its counts, then the sums
    text = to_text(consolidated_tree(res.group(*res.groups()[0])))
    assert (f"- {a.name}: được giao 28 nhiệm vụ, đã hoàn thành 27/28 nhiệm vụ (96,43%), trong đó 10 đúng hạn; "
            "đang thực hiện 1.") in text
    assert "- Tổng cộng: được giao 38 nhiệm vụ, đã hoàn thành 32/38 nhiệm vụ (84,21%)" in text
    ws = openpyxl.load_workbook(out)["Tiến độ thực hiện nhiệm vụ"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows[a.name][3:6] == (28, 27, 10)
    assert rows[b.name][3:7] == (10, 5, None, 2)
    total = rows["Tổng cộng"]
    assert total[3:7] == (38, 32, 10, 2) and total[9] == pytest.approx(3200 / 38)
    if XLSXCHECK.exists():
        r = subprocess.run([sys.executable, str(XLSXCHECK), str(out)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout
