"""Tables: paste a block copied from Excel, copy out, add/insert/delete/move rows, fixed cells stay fixed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableWidgetSelectionRange

from nq57desk.gui.tables.tablehead import parse_tsv
from nq57desk.gui.tables.tables import TableEditor
from nq57desk.gui.textwidgets import VLineEdit

from .conftest import make_report

BLOCK = ("Sáng kiến A\tÔng An\tGiảm thời gian\tNhân rộng\n"
         "Sáng kiến B\tBà Bình\t\"Hai dòng\nbên trong\"\tKhông\n"
         "Sáng kiến C\tÔng Cường\tTiết kiệm\tCó\n")


def _table(win, key) -> TableEditor:
    return next(t for t in win.editor.scroll.widget().findChildren(TableEditor) if t.spec.key == key)


def test_parse_tsv_from_excel():
    assert parse_tsv("a\tb\n1\t2\n") == [["a", "b"], ["1", "2"]]
    assert parse_tsv('"x\ny"\tz\r\n') == [["x\ny", "z"]]
    assert parse_tsv("a\t\tc") == [["a", "", "c"]]


def test_paste_block_into_free_table_then_undo_redo(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "tw-de-cuong")
    win.open_report(rid)
    win.editor.show_section("pl2")
    t = _table(win, "pl2_sang_kien")
    assert t.table.rowCount() == 0
    QGuiApplication.clipboard().setText(BLOCK)
    t.table.setFocus()
    t.table.setCurrentCell(-1, 1)
    qtbot.keyClick(t.table, Qt.Key_V, Qt.ControlModifier)   # Ctrl+V on the grid
    assert t.table.rowCount() == 3
    assert [t.table.item(r, 0).text() for r in range(3)] == ["1", "2", "3"]
    assert t.table.item(1, 3).text() == "Hai dòng\nbên trong"
    win.session.flush()
    rows = gui_desk.document(rid)["values"]["pl2_sang_kien"]
    assert rows[0] == {"noi_dung": "Sáng kiến A", "de_xuat": "Ông An", "gia_tri": "Giảm thời gian", "kien_nghi": "Nhân rộng"}
    assert rows[2]["de_xuat"] == "Ông Cường"
    # the whole paste is one undo step
    win.undo()
    assert _table(win, "pl2_sang_kien").table.rowCount() == 0
    win.redo()
    assert _table(win, "pl2_sang_kien").table.rowCount() == 3
    # copy out: the selected block as tab-separated text
    t = _table(win, "pl2_sang_kien")
    t.table.clearSelection()
    t.table.setRangeSelected(QTableWidgetSelectionRange(0, 1, 1, 2), True)
    t.copy()
    assert QGuiApplication.clipboard().text() == "Sáng kiến A\tÔng An\nSáng kiến B\tBà Bình\n"


def test_paste_into_group_of_free_table_and_row_operations(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "tw-de-cuong")
    win.open_report(rid)
    win.editor.show_section("pl10")
    t = _table(win, "pl10_kien_nghi")
    kinds = [vr.kind for vr in t.rows]
    assert kinds == ["group", "group"]
    t.table.setCurrentCell(1, 1)                     # the heading of group II
    t.paste("Đề nghị 1\tSở KH&CN\nĐề nghị 2\tUBND tỉnh\n")
    assert [vr.kind for vr in t.rows] == ["group", "group", "data", "data"]
    t.table.setCurrentCell(0, 1)                     # heading of group I: add a row there
    t.add_row()
    assert [vr.group for vr in t.rows if vr.kind == "data"] == ["tu_xu_ly", "can_ho_tro", "can_ho_tro"]
    # move the second row of group II up, then delete it
    t.table.setCurrentCell(4, 1)
    t.move(-1)
    assert t.table.item(3, 1).text() == "Đề nghị 2"
    t.table.setCurrentCell(3, 1)
    t.delete_rows()
    assert [t.table.item(r, 1).text() for r in range(t.table.rowCount()) if t.rows[r].kind == "data"] == ["", "Đề nghị 1"]
    t.table.setCurrentCell(3, 1)
    t.insert_row()
    assert sum(vr.kind == "data" for vr in t.rows) == 3
    win.session.flush()
    rows = gui_desk.document(rid)["values"]["pl10_kien_nghi"]
    assert [r.get("_group") for r in rows] == ["tu_xu_ly", "can_ho_tro", "can_ho_tro"]
    assert rows[2]["noi_dung"] == "Đề nghị 1" and rows[2]["tham_quyen"] == "Sở KH&CN"


def test_paste_into_fixed_table_skips_fixed_cells(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "tn-tien-do-thang")
    win.open_report(rid)
    win.editor.show_section("pl_muc_tieu")
    t = _table(win, "chi_tieu")
    assert t.rows[0].kind == "group"
    assert not t.table.item(1, 1).flags() & Qt.ItemIsEditable      # the indicator name is fixed
    assert t.table.item(1, 3).text() == "90"                         # fixed target
    t.table.setCurrentCell(1, 3)
    t.paste("95\t72,5\n100\t100\n100\t99\n")
    win.session.flush()
    v = gui_desk.document(rid)["values"]["chi_tieu"]
    assert v["r1"] == {"ket_qua": 72.5} and v["r2"] == {"ket_qua": 100} and v["r3"] == {"ket_qua": 99}
    assert t.table.item(1, 4).text() == "72,5"
    # typing into a cell through the delegate's editor
    t.table.setCurrentCell(4, 4)
    t.table.setFocus()
    qtbot.keyClick(t.table, Qt.Key_F2)
    ed = t.table.viewport().findChild(VLineEdit)
    assert ed is not None and ed.completer() is None
    ed.selectAll()
    qtbot.keyClicks(ed, "88,25")
    qtbot.keyClick(ed, Qt.Key_Return)
    qtbot.waitUntil(lambda: t.table.item(4, 4).text() == "88,25", timeout=2000)
    win.session.flush()
    assert gui_desk.document(rid)["values"]["chi_tieu"]["r4"] == {"ket_qua": 88.25}


def test_typing_over_a_long_text_cell_replaces_it_and_enter_commits(win, qtbot, gui_desk):
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from .helpers import vtype

    rid = make_report(gui_desk, "tw-de-cuong")
    win.open_report(rid)
    win.editor.show_section("pl2")
    t = _table(win, "pl2_sang_kien")
    QGuiApplication.clipboard().setText(BLOCK)
    t.table.setFocus()
    t.table.setCurrentCell(-1, 1)
    t.paste()
    t = _table(win, "pl2_sang_kien")
    col = next(i for i, c in enumerate(t.spec.columns) if c.type == "longtext")
    t.table.setFocus()
    t.table.setCurrentCell(0, col)
    old = t.table.item(0, col).text()
    assert old
    qtbot.keyClick(t.table, Qt.Key_X)  # typing over the cell opens its editor with the old text selected
    ed = QApplication.focusWidget()
    assert isinstance(ed, QPlainTextEdit)
    vtype(ed, "YZ")
    qtbot.keyClick(ed, Qt.Key_Return, Qt.ShiftModifier)  # Shift+Enter: a new line inside the cell
    vtype(ed, "W")
    qtbot.keyClick(ed, Qt.Key_Return)  # Enter: the cell is finished
    assert not isinstance(QApplication.focusWidget(), QPlainTextEdit)
    win.session.flush()
    key = t.spec.columns[col].key
    assert gui_desk.document(rid)["values"]["pl2_sang_kien"][0][key] == "xYZ\nW"
