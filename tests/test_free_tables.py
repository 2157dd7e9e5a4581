"""Free tables the officer defines in any section: columns under header groups, a column whose total is a catalogue
figure, a text column whose rows count one, the number of rows as one. A figure the report already states is
checked against the table (real reports contradict themselves exactly there); one it does not state is computed
from the table and goes upward like any figure."""

from __future__ import annotations

import pytest

from nq57desk.errors import DocumentError
from nq57desk.report import outline as ops
from nq57desk.report.derive import derived_values
from nq57desk.report.document import make_period, new_document
from nq57desk.templates import Registry
from nq57desk.validation import validate

COMMUNE = {"code": "05800", "name": "Xã Phú Thịnh", "province_code": "19", "province_name": "Thái Nguyên"}

TASKS = {"type": "table", "title": "Tình hình thực hiện các nhiệm vụ", "rows_indicator": "nv.assigned",
         "columns": [{"key": "stt", "label": "STT", "type": "stt"},
                     {"key": "ten", "label": "Tên nhiệm vụ"},
                     {"key": "ket_qua", "label": "Kết quả", "counts": {"Đã hoàn thành": "nv.done",
                                                                       "Chưa thực hiện": "nv.not_started"}}]}


@pytest.fixture
def tpl():
    return Registry().get("chung")


def _report(tpl):
    return new_document(tpl, COMMUNE, make_period("month", 2026, 4))


def _tasks(doc, key, results):
    doc["values"][key] = [{"ten": f"Nhiệm vụ {i + 1}", "ket_qua": r} for i, r in enumerate(results)]


def test_counts_check_the_figures_the_report_states(tpl):
    doc = _report(tpl)
    doc, g = ops.add_block(tpl, doc, "ket_qua", {"type": "fields", "indicators": ["nv.assigned", "nv.done",
                                                                                  "nv.in_progress", "nv.overdue"]})
    doc, t = ops.add_block(tpl, doc, "ket_qua", TASKS)
    shaped = ops.shape(tpl, doc)
    by = {f.indicator: f.key for f in shaped.block(g).fields}
    # assigned and done are the sentence's figures: checked; «not started» is new: computed from the table
    assert [f.indicator for f in shaped.block(t).figures] == ["nv.not_started"]
    doc["values"].update({by["nv.assigned"]: 12, by["nv.done"]: 6, by["nv.in_progress"]: 6, by["nv.overdue"]: 0})
    _tasks(doc, t, ["Đã hoàn thành"] * 7 + ["Chưa thực hiện"] * 3 + ["Đang triển khai thực hiện", "…"])
    assert derived_values(ops.shape(tpl, doc), doc)[shaped.block(t).figures[0].key] == 3
    msgs = [f.message for f in validate(tpl, doc) if f.severity == "error"]
    # Phú Thịnh: «6 of 12 done, none unfinished» while its own task table marks 7 done and 3 not started
    assert any("7 dòng «Đã hoàn thành»" in m and "6" in m for m in msgs), msgs
    assert any("6 + 6 + 0 + 3 = 15" in m for m in msgs), msgs
    assert not any("số dòng khác" in m for m in msgs), msgs  # 12 rows, 12 tasks: agree


def test_a_table_alone_gives_its_figures_and_an_empty_one_gives_none(tpl):
    doc = _report(tpl)
    doc, t = ops.add_block(tpl, doc, "ket_qua", TASKS)
    figs = {f.indicator: f.key for f in ops.shape(tpl, doc).block(t).figures}
    assert set(figs) == {"nv.assigned", "nv.done", "nv.not_started"}
    assert all(derived_values(ops.shape(tpl, doc), doc).get(k) is None for k in figs.values())  # blank, never 0
    _tasks(doc, t, ["Đã hoàn thành", "Chưa thực hiện", "Đã hoàn thành"])
    got = derived_values(ops.shape(tpl, doc), doc)
    assert (got[figs["nv.assigned"]], got[figs["nv.done"]], got[figs["nv.not_started"]]) == (3, 2, 1)
    assert not [f for f in validate(tpl, doc) if f.severity == "error"]
    from nq57desk.bundle.writer import scalar_fields

    assert {f.indicator for _c, f in scalar_fields(ops.shape(tpl, doc))} >= set(figs)  # they go upward by code


def test_a_column_total_against_the_sentence_and_the_catalogue_sums(tpl):
    doc = _report(tpl)
    doc, g = ops.add_block(tpl, doc, "ket_qua", {"type": "fields", "indicators": ["hs.online.full", "hs.online.part"]})
    doc, t = ops.add_block(tpl, doc, "ket_qua", {
        "type": "table", "title": "Số hồ sơ", "total_label": "Tổng cộng",
        "columns": [{"key": "cap", "label": "Cấp"},
                    {"key": "ky", "label": "Trong kỳ", "group": "Số hồ sơ trực tuyến", "type": "integer",
                     "indicator": "hs.online", "total": True}]})
    shaped = ops.shape(tpl, doc)
    by = {f.indicator: f.key for f in shaped.block(g).fields}
    doc["values"].update({by["hs.online.full"]: 2996, by["hs.online.part"]: 274})
    doc["values"][t] = [{"cap": "Cấp xã", "ky": 3199}]
    msgs = [f.message for f in validate(tpl, doc) if f.severity == "error"]
    # Tân Cương: 2996 + 274 = 3270 in the text, 3199 online dossiers in its Phụ lục IV
    assert any("2.996 + 274 = 3.270" in m and "3.199" in m for m in msgs), msgs


@pytest.mark.parametrize("column, words", [
    ({"key": "x", "label": "X", "type": "text", "indicator": "hs.online"}, "phải là cột số"),
    ({"key": "x", "label": "X", "type": "integer", "indicator": "hs.online.rate"}, "không phải chỉ tiêu số"),
    ({"key": "x", "label": "X", "type": "integer", "indicator": "khong.co"}, "không phải chỉ tiêu số"),
    ({"key": "x", "label": "X", "counts": {"Xong": "kp.allocated"}}, "không đếm/cộng được"),
    ({"key": "x", "label": "X", "counts": {"Xo'ng": "nv.done"}}, "dấu '"),
    ({"key": "x", "label": "X", "counts": ["nv.done"]}, "«counts»"),
])
def test_bad_bindings_are_refused_in_vietnamese(tpl, column, words):
    with pytest.raises(DocumentError) as e:
        ops.add_block(tpl, _report(tpl), "ket_qua", {"type": "table", "title": "Bảng", "columns": [column]})
    assert words in str(e.value), str(e.value)


def test_edit_the_columns_keeps_the_rows(tpl):
    doc = _report(tpl)
    doc, t = ops.add_block(tpl, doc, "ket_qua", TASKS)
    _tasks(doc, t, ["Đã hoàn thành"])
    spec = dict(TASKS, columns=[c for c in TASKS["columns"] if c["key"] != "ten"])
    new = ops.edit_block(tpl, doc, t, spec)
    assert new["values"][t] == [{"ket_qua": "Đã hoàn thành"}]
    assert doc["values"][t][0]["ten"] == "Nhiệm vụ 1"  # the old document is untouched (undo)
    with pytest.raises(DocumentError):
        ops.edit_block(tpl, doc, t, {"type": "text"})
    with pytest.raises(DocumentError):
        ops.edit_block(tpl, doc, "ket_qua_chu", spec)  # not an added block
