"""The amount-list and task-progress editors: filled through real widgets, checked through the core."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from nq57desk.gui.editor.amounts import AmountsEditor
from nq57desk.gui.editor.tasks import TasksEditor
from nq57desk.render.tree import build, to_text
from nq57desk.validation import validate

from .conftest import make_report
from .helpers import backspace, panel_messages, vtype


def _type(w, text):
    w.setFocus()
    vtype(w, text)
    if hasattr(w, "editingFinished"):
        w.editingFinished.emit()


def _editor(win, cls):
    return next(w for w in win.editor.scroll.widget().findChildren(cls))


def _add(win, qtbot, cls, key):
    """Click the editor's add button; the form is rebuilt on the next turn of the event loop."""
    _editor(win, cls).add_button.click()
    qtbot.waitUntil(lambda: key in win.editor.ctx.widgets, timeout=2000)
    return win.editor.ctx.widgets


def test_amount_list_editor(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("ket_qua")
    w = _add(win, qtbot, AmountsEditor, "kinh_phi.items[1].name")
    _type(w["kinh_phi.lead"], "Tổng kinh phí thực hiện là 390.000.000 đồng, gồm:")
    rows = [("Máy tính để bàn", "10", "bộ", "200.000.000"), ("Máy in", "5", "chiếc", "130000000"),
            ("Đào tạo, tập huấn", "", "", "50.000.000")]
    for i, (name, qty, unit, amount) in enumerate(rows, start=1):
        if i > 1:
            w = _add(win, qtbot, AmountsEditor, f"kinh_phi.items[{i}].name")
        _type(w[f"kinh_phi.items[{i}].name"], name)
        _type(w[f"kinh_phi.items[{i}].quantity"], qty)
        _type(w[f"kinh_phi.items[{i}].unit"], unit)
        _type(w[f"kinh_phi.items[{i}].amount"], amount)
    live = _editor(win, AmountsEditor).sum_label
    assert live.text() == "Cộng các mục: 380.000.000 đồng"
    total = w["kinh_phi.total"]
    _type(total, "390.000.000")
    msg = "Tổng 390.000.000 đồng khác 200.000.000 + 130.000.000 + 50.000.000 = 380.000.000 đồng."
    qtbot.waitUntil(lambda: msg in panel_messages(win), timeout=3000)
    # Unikey's Backspace works in a cell: "bộ" → "bột" typed then erased back
    unit = ed.ctx.widgets["kinh_phi.items[1].unit"]
    unit.setFocus()
    unit.end(False)
    vtype(unit, "t")
    backspace(unit)
    unit.editingFinished.emit()
    # a negative amount is never stored: it is reported and the cell keeps the text
    neg = ed.ctx.widgets["kinh_phi.items[3].amount"]
    neg.selectAll()
    vtype(neg, "-5")
    assert ed.session.get(("values", "kinh_phi", "items", 2)).get("amount") is None
    neg.selectAll()
    vtype(neg, "60.000.000")
    neg.editingFinished.emit()
    qtbot.waitUntil(lambda: msg not in panel_messages(win), timeout=3000)
    win.session.flush()
    doc = gui_desk.document(rid)
    v = doc["values"]["kinh_phi"]
    assert v["total"] == 390000000
    assert v["items"][0] == {"name": "Máy tính để bàn", "quantity": 10, "unit": "bộ", "amount": 200000000}
    assert v["items"][2] == {"name": "Đào tạo, tập huấn", "amount": 60000000}
    tpl = win.session.tpl
    assert not [f for f in validate(tpl, doc) if f.key.startswith("kinh_phi")]
    text = to_text(build(tpl, doc))
    assert "- Máy tính để bàn: 10 bộ, 200.000.000 đồng;\n- Máy in: 5 chiếc, 130.000.000 đồng;\n" in text
    assert "- Đào tạo, tập huấn: 60.000.000 đồng.\nTổng cộng: 390.000.000 đồng." in text
    # «Tìm» finds the items' words and points at their cells
    from nq57desk.gui.editor.find import search

    hits = search(win.session, "may in")
    assert [h.entry.key for h in hits] == ["kinh_phi.items[2].name"]
    # undo takes back the last typing in that cell as one step: the amount typed before
    win.session.undo()
    assert win.session.get(("values", "kinh_phi", "items", 2, "amount")) == 50000000


def test_task_progress_editor(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("ket_qua")
    w = _add(win, qtbot, TasksEditor, "tien_do_nhiem_vu[1].name")
    _type(w["tien_do_nhiem_vu[1].name"], "Giai đoạn 1")
    for k, x in (("assigned", "12"), ("done", "11"), ("on_time", "10"), ("in_progress", "1")):
        _type(w[f"tien_do_nhiem_vu[1].{k}"], x)
    tasks_ed = _editor(win, TasksEditor)
    qtbot.waitUntil(lambda: tasks_ed.rates[0].text() == "91,67%", timeout=2000)
    w = _add(win, qtbot, TasksEditor, "tien_do_nhiem_vu[2].name")
    _type(w["tien_do_nhiem_vu[2].name"], "Giai đoạn 2")
    for k, x in (("assigned", "16"), ("done", "16"), ("in_progress", "16")):
        _type(w[f"tien_do_nhiem_vu[2].{k}"], x)
    msg = "16 đã hoàn thành + 16 đang thực hiện = 32, vượt 16 nhiệm vụ được giao."
    qtbot.waitUntil(lambda: msg in panel_messages(win), timeout=3000)
    tasks_ed = _editor(win, TasksEditor)
    assert tasks_ed.rates[1].text() == "100%"
    assert "28 nhiệm vụ" in tasks_ed.total.text()
    win.session.flush()
    doc = gui_desk.document(rid)
    assert doc["values"]["tien_do_nhiem_vu"][0] == {"name": "Giai đoạn 1", "assigned": 12, "done": 11, "on_time": 10,
                                                    "in_progress": 1}
    text = to_text(build(win.session.tpl, doc))
    assert ("- Giai đoạn 1: được giao 12 nhiệm vụ, đã hoàn thành 11/12 nhiệm vụ (91,67%), trong đó 10 đúng hạn; "
            "đang thực hiện 1.") in text
    # removing the wrong row takes its finding away
    tasks_ed.remove(1)
    qtbot.waitUntil(lambda: "tien_do_nhiem_vu[2].name" not in win.editor.ctx.widgets, timeout=2000)
    qtbot.waitUntil(lambda: msg not in panel_messages(win), timeout=3000)
    win.session.flush()
    assert len(gui_desk.document(rid)["values"]["tien_do_nhiem_vu"]) == 1
    assert isinstance(_editor(win, TasksEditor).total, QLabel)
