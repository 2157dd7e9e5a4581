"""Profile (first run), new report, history, find, home/bin, export; Qt's own texts in Vietnamese."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit, QPushButton

from nq57desk.gui.dialogs.profile import ProfileDialog
from nq57desk.gui.dialogs.report import HistoryDialog, NewReportDialog
from nq57desk.gui.editor.find import FindDialog, search

from .conftest import make_report
from .helpers import vtype


def test_profile_dialog_filters_without_diacritics(qtbot, qapp, tmp_path, dialogs):
    from nq57desk.services import Desk

    desk = Desk(tmp_path / "data")
    try:
        assert desk.profile() is None
        d = ProfileDialog(desk, first_run=True)
        qtbot.addWidget(d)
        assert d.findChild(type(d.filter), "communeFilter").completer() is None
        qtbot.keyClicks(d.filter, "tan cuong")
        names = [d.list.item(i).text() for i in range(d.list.count())]
        assert "Xã Tân Cương — Thái Nguyên" in names
        # typed with diacritics (as Unikey sends them) in one province
        d.province.setCurrentIndex(d.province.findData("19"))
        d.filter.clear()
        vtype(d.filter, "Tân Cương")
        assert [d.list.item(i).text() for i in range(d.list.count())] == ["Xã Tân Cương"]
        assert d.code == "05503"
        assert d.issuer.toPlainText() == "ỦY BAN NHÂN DÂN\nXÃ TÂN CƯƠNG"
        assert d.place.text() == "Tân Cương"
        d.signer.setText("Nguyễn Văn An")
        d.recipients.setPlainText("- Sở Khoa học và Công nghệ;\nLưu: VT.")
        d.accept()
        p = desk.profile()
        assert p["commune"]["name"] == "Xã Tân Cương"
        assert p["signature"]["name"] == "Nguyễn Văn An"
        assert p["recipients"] == ["Sở Khoa học và Công nghệ;", "Lưu: VT."]
        assert d.findChild(type(d.sign_lines), "signLinesEdit").contextMenuPolicy() == Qt.CustomContextMenu
        # «Mở báo cáo mẫu»: no demo file → returns None and the dialog just continues
        d2 = ProfileDialog(desk, first_run=True)
        qtbot.addWidget(d2)
        d2._demo()
        from nq57desk.settings import resources_dir

        if (resources_dir() / "demo" / "bao-cao-mau.json").exists():
            assert d2.demo_id is not None and desk.document(d2.demo_id)["format"] == "nq57-report/2"
        else:
            assert d2.demo_id is None
    finally:
        desk.close()


def test_new_report_dialog_and_inheritance(win, qtbot, gui_desk, dialogs):
    d = NewReportDialog(gui_desk, win, today=dt.date(2026, 5, 20))
    qtbot.addWidget(d)
    d.tpl_combo.setCurrentIndex(d.tpl_combo.findData("tn-tien-do-thang"))
    assert d.kind.currentText() == "Tháng"
    assert d.number.currentText() == "Tháng 5"
    d.number.setCurrentIndex(3)
    assert "tháng 4/2026" in d.preview.text()
    d.accept()
    assert d.rid is not None
    first = gui_desk.document(d.rid)
    assert first["period"]["number"] == 4
    # the next month, inheriting from April
    d2 = NewReportDialog(gui_desk, win, today=dt.date(2026, 5, 20))
    d2.tpl_combo.setCurrentIndex(d2.tpl_combo.findData("tn-tien-do-thang"))
    d2.inherit.setChecked(True)
    d2.accept()
    assert d2.rid is not None and d2.rid != d.rid
    # inheriting when there is no earlier report: the desk's Vietnamese message
    d3 = NewReportDialog(gui_desk, win, today=dt.date(2026, 5, 20))
    d3.tpl_combo.setCurrentIndex(d3.tpl_combo.findData("chung"))
    d3.inherit.setChecked(True)
    d3.accept()
    assert d3.rid is None
    assert dialogs.seen[-1][0] == "error" and "kỳ trước" in dialogs.seen[-1][2]


def test_history_restore_after_confirmation(win, qtbot, gui_desk, dialogs):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("kien_nghi")
    vtype(ed.ctx.widgets["kien_nghi_text"], "Bản một")
    win.session.flush()
    # a second revision: another author's edit is a new revision
    doc = gui_desk.document(rid)
    doc["values"]["kien_nghi_text"] = "Bản hai"
    gui_desk.save_document(rid, doc, author="người khác")
    win.close_report()
    win.open_report(rid)
    h = HistoryDialog(win.session, win)
    qtbot.addWidget(h)
    assert h.table.rowCount() >= 2
    first = h.table.rowCount() - 1
    h.table.selectRow(first)
    dialogs.state["answer"] = False
    h.restore()
    assert gui_desk.document(rid)["values"]["kien_nghi_text"] == "Bản hai"     # not confirmed: nothing
    dialogs.state["answer"] = True
    h.table.selectRow(1)
    n = h.selected()
    h.restore()
    assert h.restored == n
    assert gui_desk.document(rid)["values"]["kien_nghi_text"] == "Bản một"
    assert win.editor.ctx is not None
    win.editor.show_section("kien_nghi")
    assert win.editor.ctx.widgets["kien_nghi_text"].toPlainText() == "Bản một"


def test_find_jumps_to_field(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "hp-6thang")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chi_dao")
    vtype(ed.ctx.widgets["chi_dao_kien_toan"], "Kiện toàn Tổ công nghệ số cộng đồng")
    hits = search(win.session, "to cong nghe")
    assert any(h.entry.key == "chi_dao_kien_toan" for h in hits)
    ed.show_section("_head")
    f = FindDialog(ed, win)
    qtbot.addWidget(f)
    f.edit.setText("cong nghe so cong dong")
    f.run()
    assert f.list.count() >= 1
    hit = next(i for i in range(f.list.count()) if f.list.item(i).data(Qt.UserRole).entry.key == "chi_dao_kien_toan")
    f.pos = hit - 1
    f.next()
    assert ed.current == "chi_dao"
    area = ed.ctx.widgets["chi_dao_kien_toan"]
    assert area.textCursor().selectedText() == "công nghệ số cộng đồng"


def test_home_filters_duplicate_and_bin(win, qtbot, gui_desk, dialogs):
    a = make_report(gui_desk, "chung")
    b = make_report(gui_desk, "hp-6thang")
    win.home.refresh_years()
    win.home.refresh()
    assert win.home.table.rowCount() == 2
    headers = [win.home.table.horizontalHeaderItem(i).text() for i in range(5)]
    assert headers == ["Xã/phường", "Kỳ báo cáo", "Mẫu báo cáo", "Trạng thái", "Sửa lần cuối"]
    assert win.home.table.item(0, 3).text() == "Nháp"
    win.home.select(b)
    win.home._duplicate()
    assert win.home.table.rowCount() == 3
    win.home.select(a)
    win.home._delete()
    assert win.home.table.rowCount() == 2
    win.home.bin.setChecked(True)
    assert win.home.table.rowCount() == 1
    win.home._restore()
    win.home.bin.setChecked(False)
    assert win.home.table.rowCount() == 3
    win.home.status.setCurrentIndex(2)           # Hoàn thành
    assert win.home.table.rowCount() == 0
    win.home.status.setCurrentIndex(0)
    win.home.select(a)
    win.home._open()
    assert win.session is not None and win.session.rid == a
    win.go_home()
    assert win.stack.currentWidget() is win.home


def test_qt_own_texts_are_vietnamese(win):
    box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel | QDialogButtonBox.Yes | QDialogButtonBox.No)
    assert sorted(b.text() for b in box.buttons()) == sorted(["Đồng ý", "Hủy", "Có", "Không"])
    from nq57desk.gui.qtutil import _file_dialog

    d = _file_dialog(win, "Xuất DOCX", "", ["Tệp Word (*.docx)"], save=True)
    assert d.testOption(QFileDialog.DontUseNativeDialog)
    assert d.labelText(QFileDialog.Accept) == "Lưu" and d.labelText(QFileDialog.Reject) == "Hủy"
    # every visible text of the main window is Vietnamese (no common English UI words)
    english = {"File", "Edit", "View", "Help", "Cancel", "Open", "Save", "Close", "Delete", "Undo", "Redo", "Name",
               "Size", "Type", "Find", "Export", "Home", "OK", "Yes", "No", "Error", "Warning"}
    texts = [a.text() for a in win.findChildren(type(win.act["actUndo"]))]
    texts += [w.text() for w in win.findChildren(QLineEdit)]
    for t in texts:
        assert not set(t.replace("&", "").split()) & english, t
    assert QApplication.translate("QPlatformTheme", "Cancel") == "Hủy"
    assert QApplication.translate("QFileSystemModel", "Date Modified") == "Ngày sửa"


@pytest.mark.skipif(importlib.util.find_spec("nq57desk.render.docx") is None, reason="chưa có render.docx")
def test_export_docx_on_worker(win, qtbot, gui_desk, tmp_path, dialogs):

    from tests.conftest import REPORTS

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    out = tmp_path / "out" / "bao-cao.docx"
    results = []
    dialogs.state["answer"] = False
    assert win.export("docx", str(out))
    win.exporter.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == [str(out)] and out.exists() and out.stat().st_size > 1000
    assert not list(out.parent.glob("*.dang-xuat-*"))
    # cancel after start: the result is discarded
    out2 = tmp_path / "out" / "huy.docx"
    results.clear()
    assert win.export("docx", str(out2))
    win.exporter.finished.connect(results.append)
    cancel = next(b for b in win.exporter.progress.findChildren(QPushButton) if b.text() == "Hủy")
    cancel.click()
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == [""] and not out2.exists()


@pytest.mark.skipif(importlib.util.find_spec("nq57desk.bundle.writer") is None, reason="chưa có bundle.writer")
def test_export_xlsx_on_worker(win, qtbot, gui_desk, tmp_path, dialogs):
    from tests.conftest import REPORTS

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    out = tmp_path / "goi.xlsx"
    results = []
    dialogs.state["answer"] = False
    assert win.export("xlsx", str(out))
    win.exporter.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == [str(out)] and out.exists()


def test_demo_never_takes_the_officers_commune(tmp_path, qtbot, qapp, dialogs):
    from nq57desk.gui.dialogs.profile import ProfileDialog
    from nq57desk.services import Desk

    desk = Desk(tmp_path / "a")
    try:
        d = ProfileDialog(desk, first_run=True)
        qtbot.addWidget(d)
        d.filter.setText("truong quang trong")
        first = d.list.item(0)
        d.list.setCurrentItem(first)
        picked = d.code
        assert picked and picked != "05503"
        d._demo()
        assert d.demo_id is not None
        assert desk.profile()["commune"]["code"] == picked  # the officer's choice, not the demo's Tân Cương
        assert desk.document(d.demo_id)["commune"]["code"] == "05503"
    finally:
        desk.close()
    desk = Desk(tmp_path / "b")
    try:
        d = ProfileDialog(desk, first_run=True)
        qtbot.addWidget(d)
        d._demo()  # nothing picked: the demo opens, the profile stays unset (asked again next start)
        assert d.demo_id is not None and desk.profile() is None
    finally:
        desk.close()


def test_export_problems_are_vietnamese_and_word_copies_are_fresh(win, qtbot, gui_desk, tmp_path, dialogs):
    from nq57desk.gui.printout.outputfiles import default_name, word_copy_path
    from tests.conftest import REPORTS

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    doc = gui_desk.document(rid)
    assert default_name(doc, "xlsx") == "NQ57_11635_2026-H1_r1.xlsx"
    # the target is a folder: a Vietnamese sentence, no file left behind
    blocker = tmp_path / "chan.docx"
    blocker.mkdir()
    results = []
    assert win.export("docx", str(blocker))
    win.exporter.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == [""]
    kind, title, text, _ = next(d for d in dialogs.seen if d[0] == "error")
    assert title == "Xuất DOCX" and "Không ghi được tệp «chan.docx»" in text
    assert not any(w in text for w in ("Errno", "Is a directory", "Permission", "denied"))
    assert not list(tmp_path.glob("*.dang-xuat-*"))
    # «Mở bằng Word» writes a new copy each time (Word may still hold the last one)
    a = word_copy_path(gui_desk.data_dir, doc)
    a.parent.mkdir(parents=True, exist_ok=True)
    a.write_bytes(b"x")
    import os
    import time as _t

    os.utime(a, (_t.time() - 2 * 86400,) * 2)
    _t.sleep(1.1)
    b = word_copy_path(gui_desk.data_dir, doc)
    assert b != a and not a.exists()  # the day-old copy was cleared


def test_save_pdf_from_the_menu_on_a_worker(win, qtbot, gui_desk, tmp_path, dialogs):
    from tests.conftest import REPORTS

    rid = gui_desk.import_report((REPORTS / "000_an_truong.json").read_bytes())
    win.open_report(rid)
    out = tmp_path / "pdf" / "bao-cao.pdf"
    results = []
    dialogs.state["answer"] = False
    assert win.export("pdf", str(out))
    win.exporter.finished.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == [str(out)]
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1


def test_new_report_lists_the_officers_province_templates_first(gui_desk, qtbot):
    """A Thái Nguyên officer sees Thái Nguyên's outline first; a Nghệ An officer the general ones first and the other
    provinces' last (still offered)."""
    from nq57desk.gui.dialogs.report import NewReportDialog

    order = {}
    for code in ("05800", "17935"):  # Xã Phú Thịnh (Thái Nguyên), Xã Nam Đàn (Nghệ An)
        gui_desk.save_profile({**(gui_desk.profile() or {}), "commune_code": code})
        d = NewReportDialog(gui_desk)
        qtbot.addWidget(d)
        order[code] = [d.tpl_combo.itemData(i) for i in range(d.tpl_combo.count())]
        assert order[code] == [t.id for t in d.templates]
    assert order["05800"][0] == "tn-tien-do-thang"
    assert set(order["17935"][-2:]) == {"hp-6thang", "tn-tien-do-thang"}
