"""What a new officer tripped on in a whole period (issue 14): new rows, finished reports, the toolbar at 1366×768,
packages from drafts, a cramped screen, files that no program opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import REPORTS

from .helpers import vtype


def _done_report(win, gui_desk):
    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    assert win.set_status("done")
    return rid


def test_editing_a_finished_report_asks_then_makes_it_draft_with_its_changes(win, qtbot, gui_desk, dialogs):
    rid = _done_report(win, gui_desk)
    ed = win.editor
    ed.show_section("_head")
    num = ed.ctx.widgets["header.number"]
    before = gui_desk.document(rid)["header"]["number"]
    dialogs.state["answer"] = False  # «Không sửa»: nothing changes, the field shows the stored number again
    num.setFocus()
    vtype(num, "7")
    kind, title, text, detail = dialogs.seen[-1]
    assert kind == "ask" and "Hoàn thành" in text and "Nháp" in detail
    qtbot.waitUntil(lambda: ed.ctx.widgets["header.number"].text() == before, timeout=2000)
    win.session.flush()
    assert gui_desk.document(rid)["status"] == "done"
    asked = len(dialogs.seen)
    dialogs.state["answer"] = True  # «Sửa, chuyển về Nháp»
    num = ed.ctx.widgets["header.number"]
    num.setFocus()
    num.selectAll()
    vtype(num, "15")
    assert len(dialogs.seen) == asked + 1  # asked once, not at every key
    assert "Nháp" in ed.status.text()
    win.session.flush()
    doc = gui_desk.document(rid)
    assert doc["status"] == "draft" and doc["header"]["number"] == "15"
    top = gui_desk.revisions(rid)[0]
    assert top.status == "draft" and top.summary.startswith("Hoàn thành → Nháp vì đã sửa") and "số văn bản" in top.summary
    assert "Nháp" in ed.notice.text() and ed.notice.isVisible()

    from nq57desk.gui.dialogs.report import HistoryDialog

    h = HistoryDialog(win.session, win)
    assert "số văn bản" in h.table.item(0, 5).text()
    h.close()
    assert win.act["actDone"].isEnabled()


def test_a_finished_report_opens_and_undoes_only_when_the_officer_agrees(win, qtbot, gui_desk, dialogs):
    rid = _done_report(win, gui_desk)
    win.open_report(rid)  # opening, showing every section: nothing is asked, nothing changes
    for key in list(win.editor.items)[:12]:
        win.editor.show_section(key)
    win.session.flush()
    assert not [d for d in dialogs.seen if d[0] == "ask"]
    assert gui_desk.document(rid)["status"] == "done" and len(gui_desk.revisions(rid)) == 2
    win.session._undo.append((win.session._snapshot(), None))  # an edit from before «Hoàn thành», still undoable
    dialogs.state["answer"] = False
    win.undo()
    assert dialogs.seen[-1][0] == "ask" and win.session.status == "done"
    assert win.session.can_undo()  # not undone
    from nq57desk.report import outline as ops

    key = next(k for k in win.editor.items if win.editor.outline_actions.section(k) is not None)
    title = win.editor.outline_actions.section(key).title
    assert win.editor.outline_actions.apply(ops.rename, key, "Tên khác") is None  # renaming a heading asks too
    assert win.editor.outline_actions.section(key).title == title and win.session.status == "done"
    dialogs.state["answer"] = True
    win.undo()
    assert win.session.status == "draft" and not win.session.can_undo()


def _table(win, key):
    from nq57desk.gui.tables.tables import TableEditor

    return next(t for t in win.editor.scroll.widget().findChildren(TableEditor) if t.spec.key == key)


def _on_screen(win, tbl, r, c) -> bool:
    """The cell is inside the table's viewport and inside the page's visible part."""
    t = tbl.table
    rect = t.visualItemRect(t.item(r, c))
    if not t.viewport().rect().contains(rect.center()):
        return False
    page = win.editor.scroll
    pos = t.viewport().mapTo(page.viewport(), rect.center())
    return page.viewport().rect().contains(pos)


def test_a_new_row_puts_the_cursor_in_its_first_cell_on_screen(win, qtbot, gui_desk, dialogs):
    rid = gui_desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    win.open_report(rid)
    win.editor.show_section("pl9")
    tbl = _table(win, "pl9_dot_pha")
    t = tbl.table
    assert t.columnCount() >= 10
    last = t.columnCount() - 1
    t.setCurrentCell(t.rowCount() - 1, last)
    t.scrollToItem(t.item(t.rowCount() - 1, last))
    assert t.horizontalScrollBar().value() > 0 or t.horizontalScrollBar().maximum() == 0
    n = len(gui_desk.document(rid)["values"].get("pl9_dot_pha") or [])
    win.editor.scroll.verticalScrollBar().setValue(0)
    tbl.add_row()
    qtbot.wait(50)
    r, c = t.currentRow(), t.currentColumn()
    first = next(i for i, col in enumerate(tbl.spec.columns) if col.type != "stt")
    assert c == first and t.item(r, c).text() == ""
    assert _on_screen(win, tbl, r, c)
    assert t.hasFocus()
    vtype(t, "Đ")  # typing goes into the new row's first cell
    vtype(QApplication.focusWidget(), "ột phá mới")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    win.session.flush()
    rows = gui_desk.document(rid)["values"]["pl9_dot_pha"]
    assert len(rows) == n + 1
    assert "Đột phá mới" in [x.get(tbl.spec.columns[first].key) for x in rows]


def _toolbar_all_visible(win) -> bool:
    from PySide6.QtWidgets import QToolButton

    tb = win.toolbar
    ext = tb.findChild(QToolButton, "qt_toolbar_ext_button")
    if ext is not None and ext.isVisible():
        return False
    right = tb.mapTo(win, tb.rect().topRight()).x()
    for a in tb.actions():
        if a.isSeparator():
            continue
        w = tb.widgetForAction(a)
        if w is None or not w.isVisible() or w.mapTo(win, w.rect().topRight()).x() > right:
            return False
    return True


def test_window_opens_maximized_on_a_small_screen_with_every_action_visible(qtbot, qapp, gui_desk, dialogs, tmp_path):
    from PySide6.QtCore import QSettings

    from nq57desk.gui.shell.mainwindow import MainWindow

    w = MainWindow(gui_desk.data_dir, desk=gui_desk, settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    assert w.screen().availableGeometry().width() <= 1366  # the offscreen screen
    assert w.windowState() & Qt.WindowMaximized  # first start: no saved size yet


def test_every_toolbar_action_is_visible_at_1366x768(win, qtbot, gui_desk, dialogs):
    rid = gui_desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    win.open_report(rid)
    qtbot.wait(50)
    assert win.width() == 1366
    assert _toolbar_all_visible(win)
    prev = win.toolbar.widgetForAction(win.act["actPreview"])
    assert prev.isVisible() and prev.text() == "Xem trước / In"
    assert prev.toolButtonStyle() == Qt.ToolButtonTextBesideIcon
    win.resize(1024, 700)  # a narrower window: the export buttons lose their words, nothing goes behind «»»
    qtbot.wait(50)
    assert _toolbar_all_visible(win)
    assert prev.toolButtonStyle() == Qt.ToolButtonTextBesideIcon
    win.go_home()
    assert _toolbar_all_visible(win)


def test_package_offers_usb_drives_only_and_asks_before_sending_a_draft(win, qtbot, gui_desk, tmp_path, dialogs):
    from nq57desk.bundle.package import Drive
    from nq57desk.gui.dialogs.package import PackageDialog

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    assert win.session.status == "draft"
    usb = tmp_path / "USB"
    usb.mkdir()
    chosen = tmp_path / "chosen"
    win.settings.setValue("package/dir", str(chosen))
    d = PackageDialog(win, win.session, win.settings, list_drives=lambda: [Drive(str(usb), "USB", True)])
    assert d.drives.count() == 2 and d.folder() == str(usb)  # the USB stick first and selected, the chosen folder after
    d.close()
    d = PackageDialog(win, win.session, win.settings, list_drives=lambda: [])  # no USB: nothing pre-selected
    assert d.folder() is None and not d.ok.isEnabled()
    assert "USB" in d.target.text() and "Chọn thư mục…" in d.target.text()
    assert d.findChild(type(d.ok), "folderButton").text().replace("&", "") == "Chọn thư mục…"
    d.close()
    d = PackageDialog(win, win.session, win.settings, list_drives=lambda: [Drive(str(usb), "USB", True)])
    dialogs.state["answer"] = False  # «Không xuất»
    d.export()
    kind, _title, text, detail = dialogs.seen[-1]
    assert kind == "ask" and "Nháp" in text and "cấp trên" in detail and "Hoàn thành" in detail
    assert d.progress is None and not any(usb.iterdir())
    dialogs.state["answer"] = True  # «Vẫn xuất bản nháp»
    d.export()
    qtbot.waitUntil(lambda: d.result is not None or dialogs.seen[-1][0] == "error", timeout=60000)
    assert d.result is not None and any(p.suffix == ".xlsx" for p in usb.iterdir())


def test_checks_panel_folds_to_one_line_and_remembers(win, qtbot, gui_desk, dialogs, tmp_path):
    from PySide6.QtCore import QSettings

    from nq57desk.gui.shell.mainwindow import MainWindow

    from .helpers import panel_messages

    rid = gui_desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    win.open_report(rid)
    qtbot.wait(50)
    p = win.checks
    assert panel_messages(win) and p.tree.isVisible()
    win.resizeDocks([win.dock], [240], Qt.Vertical)
    qtbot.wait(50)
    tall = win.dock.height()
    page = win.editor.scroll.viewport().height()
    qtbot.mouseClick(p.fold, Qt.LeftButton)
    qtbot.wait(50)
    assert p.collapsed and not p.tree.isVisible()
    assert p.summary.text().startswith("0 lỗi, 1 cảnh báo") and p.fold.text() == "▸"
    assert win.dock.height() <= p.line_height() + 2 < 40
    assert win.editor.scroll.viewport().height() > page + 150  # the page got the room
    win.save_settings()
    assert win.settings.value("checks/collapsed", type=bool)
    # a new window on the same settings: folded again; unfolded, the panel has the height it had
    s = QSettings(win.settings.fileName(), QSettings.IniFormat)
    w2 = MainWindow(gui_desk.data_dir, desk=gui_desk, settings=s, persist=False)
    qtbot.addWidget(w2)
    w2.setWindowState(Qt.WindowNoState)
    w2.resize(1366, 768)
    w2.show()
    win.close_report()
    w2.open_report(rid)
    qtbot.wait(50)
    assert w2.checks.collapsed and w2.dock.height() < 40
    w2.checks.set_collapsed(False)
    qtbot.wait(50)
    assert w2.checks.tree.isVisible() and abs(w2.dock.height() - tall) <= 8
    w2.close_report()


def test_outline_headings_cells_and_tables_show_everything(win, qtbot, gui_desk, dialogs):
    from PySide6.QtWidgets import QPlainTextEdit

    rid = gui_desk.import_report((REPORTS / "002_tan_cuong.json").read_bytes())
    doc = gui_desk.document(rid)
    rows = doc["values"]["pl9_dot_pha"]
    doc["values"]["pl9_dot_pha"] = rows + [dict(rows[0]) for _ in range(30)]
    gui_desk.save_document(rid, doc)
    win.open_report(rid)
    ed = win.editor
    # the outline: long headings are cut on screen, whole in the tooltip; the tree can be widened
    it = ed.items["pl9"]
    assert it.toolTip(0) == it.text(0) and len(it.text(0)) > 40
    left = ed.splitter.sizes()[0]
    ed.splitter.setSizes([left + 200, ed.splitter.sizes()[1] - 200])
    assert ed.splitter.sizes()[0] >= left + 150
    ed.show_section("pl9")
    qtbot.wait(50)
    tbl = _table(win, "pl9_dot_pha")
    t = tbl.table
    # a long cell: the whole text on hover
    longest = max(((r, c) for r in range(t.rowCount()) for c in range(t.columnCount()) if t.item(r, c)),
                  key=lambda rc: len(t.item(*rc).text()))
    assert len(t.item(*longest).text()) > 40 and t.item(*longest).toolTip() == t.item(*longest).text()
    # a long table takes the page's height, not a strip of a few rows
    page = ed.scroll.viewport().height()
    top = t.mapTo(ed.scroll.widget(), t.rect().topLeft()).y()
    assert page - 30 <= top + t.height() <= page  # down to the page's bottom, no further
    win.checks.set_collapsed(True)
    qtbot.wait(50)
    taller = ed.scroll.viewport().height()
    assert taller > page + 100 and taller - 30 <= top + t.height() <= taller
    # a long-text cell being edited is bigger than the cell
    c = next(i for i, col in enumerate(tbl.spec.columns) if col.type == "longtext")
    t.setCurrentCell(0, c)
    t.editItem(t.item(0, c))
    qtbot.wait(20)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    cell = t.visualItemRect(t.item(0, c))
    assert editor.height() > cell.height() and editor.height() >= editor.fontMetrics().lineSpacing() * 5
    win.checks.set_collapsed(False)


def test_a_file_no_program_opens_says_so_and_offers_its_folder(win, qtbot, gui_desk, dialogs, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []

    def no_program(url):
        opened.append(url.toLocalFile())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(no_program))
    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    results = []
    # «Có» after an export: open it
    out = tmp_path / "xuat" / "bao-cao.docx"
    assert win.export("docx", str(out))
    win.exporter.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == [str(out)] and out.exists()
    asks = [d for d in dialogs.seen if d[0] == "ask"]
    assert asks[0][3] == "Mở tệp ngay bây giờ?"
    kind, title, text, detail = asks[1]
    assert "Không mở được tệp «bao-cao.docx»" in text and "Word" in text and str(out.parent) in detail
    assert opened == [str(out), str(out.parent)]  # answered «Mở thư mục chứa tệp»: the folder was asked for
    assert dialogs.seen[-1][0] == "error" and "thư mục" in dialogs.seen[-1][2]  # and that failed too: said so
    # «Mở bằng Word»
    dialogs.seen.clear()
    opened.clear()
    dialogs.state["answer"] = False  # «Đóng»
    results.clear()
    win.open_in_word()
    win.exporter.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    (kind, title, text, detail), = dialogs.seen
    assert kind == "ask" and title == "Mở bằng Word" and "Không mở được tệp" in text and "Word" in text
    assert opened == [results[0]]


def test_export_and_print_work_from_the_home_list_on_the_selected_report(win, qtbot, gui_desk, dialogs, monkeypatch):
    """Issue 14, item 8: with a report selected on the home list, «Xuất DOCX», «Xem trước / In» … are not greyed;
    they open that report and act on it."""
    rid = gui_desk.create_report("chung", {"kind": "month", "year": 2026, "number": 5})
    win.go_home()
    home = win.home
    home.table.clearSelection()
    assert not win.act["actExportDocx"].isEnabled()  # nothing selected: nothing to export
    row = next(r for r in range(home.table.rowCount()) if home.table.item(r, 0).data(Qt.UserRole) == rid)
    home.table.selectRow(row)
    assert all(win.act[n].isEnabled() for n in ("actExportDocx", "actExportXlsx", "actPreview", "actExportPackage"))
    called = []
    monkeypatch.setattr(win, "export", lambda kind: called.append((kind, win.session.rid)))
    win.act["actExportDocx"].trigger()
    assert called == [("docx", rid)] and win.stack.currentWidget() is win.editor
