"""What the officer typed is never dropped silently: values the store would refuse are caught at the field, and a
save that fails stays visible, is retried, and closing asks before anything is given up."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nq57desk.errors import NQError

from .conftest import make_report


def test_huge_number_is_a_field_error_and_later_edits_still_save(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "hp-6thang")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chinh_quyen_so")
    w = ed.ctx.widgets["hs_resolved"]
    w.setFocus()
    qtbot.keyClicks(w, "100000000000000000000000")
    qtbot.keyClick(w, Qt.Key_Tab)
    qtbot.waitUntil(lambda: any(f.key == "hs_resolved" and f.rule == "input" for f in win.session.findings),
                    timeout=2000)
    f = next(f for f in win.session.findings if f.key == "hs_resolved")
    assert f.severity == "error" and "quá lớn" in f.message
    ed.show_section("_head")
    name = ed.ctx.widgets["signature"]
    name.setFocus()
    qtbot.keyClicks(name, "Nguyen Van A")
    win.session.flush()  # would raise if the huge number had reached the store
    doc = gui_desk.document(rid)
    assert doc["signature"]["name"] == "Nguyen Van A"
    assert "hs_resolved" not in doc["values"] or doc["values"]["hs_resolved"] is None


def test_failed_save_is_a_finding_is_retried_and_closing_asks(win, qtbot, gui_desk, dialogs, monkeypatch):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    real = gui_desk.save_document
    state = {"fail": True}

    def flaky(*a, **k):
        if state["fail"]:
            raise NQError("ổ đĩa chứa dữ liệu đã đầy.")
        return real(*a, **k)

    monkeypatch.setattr(gui_desk, "save_document", flaky)
    ed = win.editor
    ed.show_section("_head")
    name = ed.ctx.widgets["signature"]
    name.setFocus()
    qtbot.keyClicks(name, "Tran Thi B")
    win.session.save_async()
    qtbot.waitUntil(lambda: any(f.key == "_save" for f in win.session.findings), timeout=3000)
    f = next(f for f in win.session.findings if f.key == "_save")
    assert f.severity == "error" and "đã đầy" in f.message
    assert win.checks.tree.topLevelItemCount() >= 1
    # closing while the save still fails: the officer is asked; "Ở lại" keeps the window and the text
    dialogs.state["answer"] = False
    assert win.can_close() is False
    assert win.session is not None and name.text() == "Tran Thi B"
    # the disk is freed: the retry saves and the finding goes away
    state["fail"] = False
    win.session.save_async()
    qtbot.waitUntil(lambda: not any(f.key == "_save" for f in win.session.findings), timeout=3000)
    assert gui_desk.document(rid)["signature"]["name"] == "Tran Thi B"
    assert win.can_close() is True


def test_steady_typing_is_saved_without_waiting_for_a_pause(win, qtbot, gui_desk):
    """One key every 300 ms never leaves 800 ms of quiet; the save still comes within AUTOSAVE_MAX_MS."""
    from nq57desk.gui.editor.session import AUTOSAVE_MAX_MS

    from .helpers import vtype

    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chi_dao")
    area = ed.ctx.widgets["chi_dao_text"]
    area.setFocus()
    saves = []
    win.session.saved.connect(saves.append)
    for ch in "Kế hoạch số 23 được ban hành":
        vtype(area, ch)
        qtbot.wait(300)
        if saves:
            break
    assert saves, "no save during 8 s of steady typing"
    assert len(area.toPlainText()) * 300 <= AUTOSAVE_MAX_MS + 1500
    assert gui_desk.document(rid)["values"].get("chi_dao_text")


def test_an_error_typed_into_a_finished_report_takes_it_back_to_draft(win, qtbot, gui_desk, dialogs):
    from tests.conftest import REPORTS

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    assert win.session.error_count() == 0
    assert win.set_status("done")
    assert gui_desk.document(rid)["status"] == "done"
    ed = win.editor
    ed.show_section("chinh_quyen_so")
    ontime = ed.ctx.widgets["hs_ontime"]  # on time cannot exceed resolved: a rule of the template
    ontime.setFocus()
    ontime.selectAll()
    qtbot.keyClicks(ontime, "99999999")
    qtbot.keyClick(ontime, Qt.Key_Tab)
    win.session.flush()
    qtbot.waitUntil(lambda: win.session.error_count() > 0, timeout=2000)
    assert gui_desk.document(rid)["status"] == "draft"
    assert ed.notice.isVisible() and "Nháp" in ed.notice.text()
    assert win.act["actDone"].isEnabled()
