"""Issue 13 in the window: write a giải trình for an error in the «Kiểm tra» panel, see it listed «Đã giải trình»,
undo and redo it, find it again after reopening the report; the package then goes (checked through the core)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from tests.conftest import REPORTS

from .helpers import unikey, vtype

WHY = "Xã Tân Cương có 5 thủ tục không cung cấp trực tuyến"


def _import_with_error(desk) -> int:
    doc = json.loads((REPORTS / "002_tan_cuong.json").read_text(encoding="utf-8"))
    doc["values"].update(tthc_total=3, tthc_toan_trinh=2, tthc_mot_phan=2)  # 2 + 2 > 3
    return desk.import_report(json.dumps(doc, ensure_ascii=False))


def _row_of(panel, pred):
    t = panel.tree
    for i in range(t.topLevelItemCount()):
        f = t.topLevelItem(i).data(0, Qt.UserRole)
        if pred(f):
            return t.topLevelItem(i)
    return None


def _is_sum(f):
    return f.severity == "error" and f.rule == "sum" and f.key == "tthc_total"


def test_explain_an_error_undo_redo_reopen(win, qtbot, gui_desk, dialogs):
    rid = _import_with_error(gui_desk)
    assert win.open_report(rid)
    panel = win.checks
    qtbot.waitUntil(lambda: _row_of(panel, _is_sum) is not None, timeout=3000)
    item = _row_of(panel, _is_sum)
    panel.tree.setCurrentItem(item)
    assert panel.explain_btn.isEnabled() and not panel.unexplain_btn.isEnabled()
    assert panel.explain_act in panel.tree.actions()  # the same action on the context menu

    # «Giải trình…»: a plain multi-line box; type Vietnamese as Unikey does (per-character key events)
    panel.explain()
    dlg = panel.explain_dialog
    assert dlg is not None and dlg.isVisible()
    box = dlg.findChild(QPlainTextEdit, "explainEdit")
    assert box.inputMethodHints() in (Qt.ImhNone, Qt.ImhMultiLine)  # no mask, no hint that blocks Unikey
    box.setFocus()
    assert not dlg.save.isEnabled()  # nothing written yet
    unikey(box, "Xax", 2, "ã")
    vtype(box, " Tân Cương có 5 thủ tục không cung cấp trực tuyến")
    assert box.toPlainText() == WHY
    dlg.save.click()
    qtbot.waitUntil(lambda: win.session.explanation(_row_of(panel, _is_sum).data(0, Qt.UserRole)) == WHY,
                    timeout=2000)
    item = _row_of(panel, _is_sum)
    assert "Đã giải trình" in item.text(0) and f"Giải trình: {WHY}" in item.text(2)
    assert "đã giải trình" in panel.summary.text()
    assert win.session.doc["explanations"] == [{"key": "tthc_total", "rule": "sum", "text": WHY}]
    # undo removes it, redo brings it back (the explanations are part of the document's snapshots)
    win.session.undo()
    qtbot.waitUntil(lambda: "Đã giải trình" not in _row_of(panel, _is_sum).text(0), timeout=2000)
    assert "explanations" not in win.session.doc
    win.session.redo()
    qtbot.waitUntil(lambda: "Đã giải trình" in _row_of(panel, _is_sum).text(0), timeout=2000)

    # saved in the report: after reopening it is still there
    win.session.flush()
    assert gui_desk.document(rid)["explanations"][0]["text"] == WHY
    win.close_report()
    assert win.open_report(rid)
    qtbot.waitUntil(lambda: _row_of(win.checks, _is_sum) is not None, timeout=3000)
    assert "Đã giải trình" in _row_of(win.checks, _is_sum).text(0)

    # every error explained: the bundle for the upper level goes (checked through the core)
    from nq57desk.validation import blocking

    s = win.session
    for f in blocking(s.findings, s.doc):
        s.set_explanation(f, "Đã đối chiếu số liệu.")
    s.flush()
    gui_desk.export_xlsx(rid, gui_desk.data_dir / "goi.xlsx")
    # every error of its section explained: the section is no longer marked as an error in the tree (amber)
    from nq57desk.gui.editor.editor import MARK_ROLE

    sec = win.editor.items[_row_of(win.checks, _is_sum).data(0, Qt.UserRole).where]
    qtbot.waitUntil(lambda: sec.data(0, MARK_ROLE) == "warning", timeout=2000)

    # «Xóa giải trình» takes it away again
    win.checks.tree.setCurrentItem(_row_of(win.checks, _is_sum))
    assert win.checks.unexplain_btn.isEnabled()
    win.checks.remove_explanation()
    qtbot.waitUntil(lambda: "Đã giải trình" not in _row_of(win.checks, _is_sum).text(0), timeout=2000)
    qtbot.waitUntil(lambda: sec.data(0, MARK_ROLE) == "error", timeout=2000)


def test_export_docx_of_a_report_with_errors_is_not_refused(win, qtbot, gui_desk, dialogs, tmp_path):
    from nq57desk.gui.printout.export import Exporter

    rid = _import_with_error(gui_desk)
    assert win.open_report(rid)
    qtbot.waitUntil(lambda: win.session.error_count() > 0, timeout=3000)
    done = []
    ex = Exporter(win, win.session, win.settings)
    ex.finished.connect(done.append)
    assert ex.start("docx", str(tmp_path / "nhap.docx"))
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    assert done[0].endswith("nhap.docx") and (tmp_path / "nhap.docx").exists()
    # the bundle is refused, naming the error
    assert not ex.start("xlsx", str(tmp_path / "goi.xlsx"))
    kind, _title, text, _ = dialogs.seen[-1]
    assert kind == "error" and "chưa giải trình" in text and "Các phần" in text
