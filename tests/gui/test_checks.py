"""The Kiểm tra panel: findings appear and disappear as you type; clicking jumps; Hoàn thành is refused on errors."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nq57desk.gui.formctx import ERROR_COLOR, WARNING_COLOR

from .conftest import make_report
from .helpers import panel_messages

# the template's own message, followed by the computed numbers (issue 13)
RULE = "Số hồ sơ thanh toán trực tuyến không thể lớn hơn tổng số giao dịch thanh toán (120 hồ sơ lớn hơn 100 hồ sơ)."


def test_rule_violation_appears_and_disappears(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "hp-6thang")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chinh_quyen_so")
    total, online = ed.ctx.widgets["tt_total"], ed.ctx.widgets["tt_online"]
    total.setFocus()
    qtbot.keyClicks(total, "100")
    online.setFocus()
    qtbot.keyClicks(online, "120")
    qtbot.waitUntil(lambda: RULE in panel_messages(win), timeout=2000)
    row = panel_messages(win).index(RULE)
    item = win.checks.tree.topLevelItem(row)
    assert item.text(0) == "Lỗi"
    assert "b) Chính quyền số" in item.text(1)
    assert ERROR_COLOR in online.styleSheet()
    assert win.editor.items["chinh_quyen_so"].icon(0).cacheKey() != 0
    # clicking the finding elsewhere jumps back to the section and focuses the field
    ed.show_section("_head")
    win.checks.tree.setCurrentItem(item)
    win.checks.activate(item)
    assert ed.current == "chinh_quyen_so"
    assert QApplication.focusWidget() is ed.ctx.widgets["tt_online"]
    # fix it: the finding goes away and the border too
    online = ed.ctx.widgets["tt_online"]
    online.selectAll()
    qtbot.keyClicks(online, "90")
    qtbot.waitUntil(lambda: RULE not in panel_messages(win), timeout=2000)
    assert ERROR_COLOR not in online.styleSheet()


def test_done_refused_while_errors_then_allowed(win, qtbot, gui_desk, dialogs):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chi_dao")
    docs = ed.ctx.widgets["van_ban"]
    # a document dated after the period end gives a warning (template rule), which can be acknowledged
    tbl = next(w for w in ed.scroll.widget().findChildren(type(docs)) if w is docs)
    editor = tbl.parent()
    editor.add_row()
    editor.table.item(0, 0).setText("Kế hoạch")
    editor.table.item(0, 2).setText("15/07/2026")
    qtbot.waitUntil(lambda: any(f.severity == "warning" and f.key == "van_ban" for f in win.session.findings),
                    timeout=2000)
    # an error: an impossible date typed in the documents table
    editor.table.item(0, 2).setText("31/02/2026")
    qtbot.waitUntil(lambda: win.session.error_count() > 0, timeout=2000)
    assert not win.set_status("done")
    kind, title, text, _ = dialogs.seen[-1]
    assert kind == "error" and "lỗi" in text and "Hoàn thành" in text
    assert gui_desk.document(rid)["status"] == "draft"
    # fix it; the warning remains and can be acknowledged
    editor.table.item(0, 2).setText("15/07/2026")
    qtbot.waitUntil(lambda: win.session.error_count() == 0, timeout=2000)
    warn = next(i for i in range(win.checks.tree.topLevelItemCount())
                if win.checks.tree.topLevelItem(i).data(0, Qt.UserRole).key == "van_ban")
    win.checks.tree.setCurrentItem(win.checks.tree.topLevelItem(warn))
    assert WARNING_COLOR in editor.table.styleSheet()
    win.checks.toggle_ack()
    assert "đã xem" in win.checks.summary.text()
    assert WARNING_COLOR not in editor.table.styleSheet()
    # stored with the report (so it is in backups and bundles' PC), not in the settings file
    assert any(k == "van_ban" for k, _m in gui_desk.acknowledged(rid))
    assert not win.settings.value(f"ack/{rid}")
    win.checks.show_ack.setChecked(True)

    def select_warning():
        i = next(i for i in range(win.checks.tree.topLevelItemCount())
                 if win.checks.tree.topLevelItem(i).data(0, Qt.UserRole).key == "van_ban")
        win.checks.tree.setCurrentItem(win.checks.tree.topLevelItem(i))

    select_warning()
    win.checks.toggle_ack()
    assert not any(k == "van_ban" for k, _m in gui_desk.acknowledged(rid))
    select_warning()
    win.checks.toggle_ack()
    win.session.flush()
    win.open_report(rid)  # reopened: still acknowledged
    assert "đã xem" in win.checks.summary.text()
    assert win.set_status("done")
    assert gui_desk.document(rid)["status"] == "done"
    assert "Hoàn thành" in ed.status.text()
    assert win.act["actSent"].isEnabled() and not win.act["actDone"].isEnabled()


def test_header_findings_jump_to_header_page(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("_head")
    name = ed.ctx.widgets["signature"]
    assert name.text() == ""
    f = next(f for f in win.session.findings if f.key == "signature")
    ed.show_section("kien_nghi")
    ed.jump_to_finding(f)
    assert ed.current == "_head"
    assert QApplication.focusWidget() is ed.ctx.widgets["signature"]
