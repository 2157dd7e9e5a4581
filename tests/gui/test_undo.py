"""Undo/redo across the whole report (Ctrl+Z / Ctrl+Y), one step per field typed, through the window's actions."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import make_report
from .helpers import vtype


def test_undo_redo_across_fields_and_sections(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "hp-6thang")
    win.open_report(rid)
    win.activateWindow()
    qtbot.waitActive(win)
    ed = win.editor
    ed.show_section("chinh_quyen_so")
    a = ed.ctx.widgets["tthc_total"]
    a.setFocus()
    qtbot.keyClicks(a, "381")                      # three keystrokes: one undo step
    ed.show_section("chi_dao")
    area = ed.ctx.widgets["chi_dao_kien_toan"]
    area.setFocus()
    vtype(area, "Kiện toàn Ban Chỉ đạo")
    assert win.session.get(("values", "chi_dao_kien_toan")) == "Kiện toàn Ban Chỉ đạo"
    # Ctrl+Z typed in the text box goes to the report, not to the box
    qtbot.keyClick(area, Qt.Key_Z, Qt.ControlModifier)
    assert win.session.get(("values", "chi_dao_kien_toan")) == ""
    assert ed.ctx.widgets["chi_dao_kien_toan"].toPlainText() == ""
    # the next undo goes back to the other section and shows it
    win.act["actUndo"].trigger()
    assert win.session.get(("values", "tthc_total")) is None
    assert ed.current == "chinh_quyen_so"
    assert ed.ctx.widgets["tthc_total"].text() == ""
    assert not win.session.can_undo()
    # redo both (Ctrl+Y)
    qtbot.keyClick(ed.ctx.widgets["tthc_total"], Qt.Key_Y, Qt.ControlModifier)
    assert ed.ctx.widgets["tthc_total"].text() == "381"
    win.act["actRedo"].trigger()
    assert ed.current == "chi_dao"
    assert ed.ctx.widgets["chi_dao_kien_toan"].toPlainText() == "Kiện toàn Ban Chỉ đạo"
    win.session.flush()
    doc = gui_desk.document(rid)
    assert doc["values"]["tthc_total"] == 381 and doc["values"]["chi_dao_kien_toan"] == "Kiện toàn Ban Chỉ đạo"


def test_autosave_on_worker_and_status_bar(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("kien_nghi")
    area = ed.ctx.widgets["kien_nghi_text"]
    vtype(area, "Đề nghị cấp trên hỗ trợ kinh phí.")
    assert win.session.dirty
    # ~800 ms after the last keystroke the worker saves; the status bar says when
    qtbot.waitUntil(lambda: win.saved_label.text().startswith("Đã lưu lúc "), timeout=5000)
    assert not win.session.dirty
    assert gui_desk.document(rid)["values"]["kien_nghi_text"] == "Đề nghị cấp trên hỗ trợ kinh phí."
