"""The officer shapes the report's outline in the navigation tree and the section bar, undoes it, reopens the
report and starts the next period from it (pytest-qt, real widgets; checked through the core)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QPushButton

from nq57desk.render.tree import Heading, build
from nq57desk.report.outline import shape

from ..helpers.outline import written
from .helpers import vtype


def _report(desk):
    return desk.create_report("chung", {"kind": "half", "year": 2026, "number": 1})


def _press(widget, key, mods=Qt.NoModifier):
    QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyPress, key, mods))
    QApplication.sendEvent(widget, QKeyEvent(QEvent.KeyRelease, key, mods))


def _headings(desk, rid) -> list[str]:
    tpl = desk.template_of(rid)
    return [n.text for n in build(tpl, written(tpl, desk.document(rid))).body if isinstance(n, Heading)]


def _button(ed, name) -> QPushButton:
    return ed.scroll.widget().findChild(QPushButton, name)


def _tick_indicators(*codes: str) -> None:
    """In the open «Thêm nhóm số liệu» dialog: tick these catalogue indicators and add them."""
    from PySide6.QtWidgets import QTreeWidget

    from nq57desk.gui.editor.figuregroup import FigureGroupDialog

    d = QApplication.activeModalWidget()
    assert isinstance(d, FigureGroupDialog)
    tree = d.findChild(QTreeWidget, "indicatorTree")
    for i in range(tree.topLevelItemCount()):
        g = tree.topLevelItem(i)
        for j in range(g.childCount()):
            if g.child(j).data(0, Qt.UserRole) in codes:
                g.child(j).setCheckState(0, Qt.Checked)
    d.findChild(QPushButton, "addFigures").click()


def test_shape_the_outline_undo_reopen_and_next_period(win, qtbot, gui_desk, dialogs):
    rid = _report(gui_desk)
    win.open_report(rid)
    ed, tree = win.editor, win.editor.tree
    # rename with F2 on the tree (the dialog answers with the new heading)
    ed.show_section("chi_dao")
    tree.setFocus()
    dialogs.state["answer"] = "Lãnh đạo, chỉ đạo của Đảng ủy, Ủy ban nhân dân phường"
    _press(tree, Qt.Key_F2)
    assert ed.items["chi_dao"].text(0).endswith("Lãnh đạo, chỉ đạo của Đảng ủy, Ủy ban nhân dân phường")
    # hide a section that does not apply, from its bar
    ed.show_section("nhiem_vu")
    _button(ed, "hideButton").click()
    assert "(ẩn" in ed.items["nhiem_vu"].text(0)
    # add sections down to the sixth level under «Kết quả»
    parent = "ket_qua"
    for level in range(2, 7):
        ed.show_section(parent)
        dialogs.state["answer"] = f"Mục cấp {level}"
        _button(ed, "addChildButton").click()
        parent = ed.current
        assert parent not in ("ket_qua",) and ed.items[parent].text(0).endswith(f"Mục cấp {level}")
    deepest = parent
    vtype(next(iter(ed.ctx.widgets.values())), "Nội dung ở cấp sáu.")
    # reorder with Alt+↓ on the tree: «Đánh giá chung» goes below «Nhiệm vụ»
    ed.show_section("danh_gia")
    tree.setFocus()
    _press(tree, Qt.Key_Down, Qt.AltModifier)
    order = [s.key for s in win.session.tpl.sections]
    assert order.index("danh_gia") == order.index("nhiem_vu") + 1
    # add a list to «Kiến nghị» from the section's context menu
    menu = ed.outline_actions.menu_for("kien_nghi")
    add = next(a for a in menu.actions() if a.menu() is not None)
    next(a for a in add.menu().actions() if a.text() == "Danh sách đánh số").trigger()
    assert [b.kind for b in next(s for s in win.session.tpl.sections if s.key == "kien_nghi").blocks] == ["text", "list"]
    # an amount list and a task-progress block in the deepest section, written in through their editors
    ed.show_section(deepest)
    for label in ("Danh sách kinh phí", "Tiến độ nhiệm vụ"):
        menu = ed.outline_actions.add_menu(deepest, ed)
        next(a for a in menu.actions() if a.text().startswith(label)).trigger()
    kinds = [b.kind for b in next(s for _a, s in win.session.tpl.walk_sections() if s.key == deepest).blocks]
    assert kinds == ["text", "amounts", "tasks"]
    amounts = next(b for _a, s in win.session.tpl.walk_sections() if s.key == deepest for b in s.blocks
                   if b.kind == "amounts")
    lead = ed.ctx.widgets[f"{amounts.key}.lead"]
    lead.setFocus()
    vtype(lead, "Kinh phí mua sắm trang thiết bị:")
    assert win.session.get(("values", amounts.key, "lead")) == "Kinh phí mua sắm trang thiết bị:"
    # move a block («Văn bản đã ban hành») from «chi_dao» to «kien_nghi» through the dialog
    ed.show_section("chi_dao")

    def answer():
        d = QApplication.activeModalWidget()
        assert isinstance(d, QDialog)
        combos = d.findChildren(QComboBox)
        combos[0].setCurrentIndex(combos[0].findData("van_ban"))
        combos[1].setCurrentIndex(combos[1].findData("kien_nghi"))
        next(b for b in d.findChildren(QPushButton) if b.text() == "Chuyển").click()

    QTimer.singleShot(0, answer)
    _button(ed, "moveBlockButton").click()
    assert win.session.tpl.container_of("van_ban") == "kien_nghi"
    win.session.flush()
    hs = _headings(gui_desk, rid)
    assert any("LÃNH ĐẠO, CHỈ ĐẠO CỦA ĐẢNG ỦY" in h.upper() for h in hs)
    assert not any("NHIỆM VỤ, GIẢI PHÁP" in h.upper() for h in hs)
    labels = [h.split(" ")[0] for h in hs if "Mục cấp" in h]
    assert len(labels) == 5 and len(set(labels)) == 5  # 1. 1.1. a) - + : each level numbered its own way
    shaped_doc = gui_desk.document(rid)
    # undo all of it, then redo all of it
    while win.session.can_undo():
        win.session.undo()
    assert "outline" not in win.session.doc or shape(win.session.tpl, win.session.doc).sections == \
        gui_desk.template_of(rid).__dict__.get("_base", gui_desk.template_of(rid)).sections
    assert not ed.items["chi_dao"].text(0).endswith("phường")
    while win.session.can_redo():
        win.session.redo()
    win.session.flush()
    again = gui_desk.document(rid)
    assert again["outline"] == shaped_doc["outline"] and again["values"] == shaped_doc["values"]
    # close and reopen: the shape is there
    win.close_report()
    win.open_report(rid)
    assert win.editor.items["chi_dao"].text(0).endswith("phường")
    assert deepest in win.editor.items
    # the next period keeps the shape, not the text
    win.close_report()
    rid2 = gui_desk.create_report("chung", {"kind": "half", "year": 2026, "number": 2}, from_previous=True)
    nxt = gui_desk.document(rid2)
    assert nxt["outline"]["sections"] == again["outline"]["sections"]
    win.open_report(rid2)
    assert win.editor.items["chi_dao"].text(0).endswith("phường")
    assert "(ẩn" in win.editor.items["nhiem_vu"].text(0)
    assert "6 tháng đầu năm" not in " ".join(_headings(gui_desk, rid2))


def test_add_an_appendix_and_write_in_it(win, qtbot, gui_desk, dialogs):
    rid = _report(gui_desk)
    win.open_report(rid)
    ed = win.editor
    ed.show_section("_appendices")
    dialogs.state["answer"] = "Danh sách nhiệm vụ chưa hoàn thành"
    _button(ed, "addAppendixButton").click()
    key = ed.current
    assert ed.items[key].text(0) == "Phụ lục I. Danh sách nhiệm vụ chưa hoàn thành"
    vtype(next(iter(ed.ctx.widgets.values())), "Nhiệm vụ số hóa di tích: chưa thực hiện.")
    win.session.flush()
    tpl, doc = gui_desk.template_of(rid), gui_desk.document(rid)
    tree = build(tpl, doc)
    assert [a.label for a in tree.appendices] == ["Phụ lục I"]
    assert tree.appendices[0].body[0].text == "Nhiệm vụ số hóa di tích: chưa thực hiện."


def test_insert_a_figure_group_and_word_its_sentence(win, qtbot, gui_desk, dialogs):
    """«Thêm nội dung» › «Nhóm số liệu từ danh mục…»: tick indicators, type the figures, word the sentence."""


    rid = _report(gui_desk)
    win.open_report(rid)
    ed = win.editor
    ed.show_section("ket_qua")

    QTimer.singleShot(0, lambda: _tick_indicators("hs.payment.total", "hs.payment.online"))
    menu = ed.outline_actions.add_menu("ket_qua", ed)
    next(a for a in menu.actions() if a.text().startswith("Nhóm số liệu")).trigger()
    sec = next(s for s in win.session.tpl.sections if s.key == "ket_qua")
    group = sec.blocks[-1]
    by = {f.indicator: f.key for f in group.fields}
    assert set(by) == {"hs.payment.total", "hs.payment.online", "hs.payment.online.rate"}
    w = ed.ctx.widgets
    w[by["hs.payment.online"]].setFocus()
    qtbot.keyClicks(w[by["hs.payment.online"]], "12534")
    w[by["hs.payment.total"]].setFocus()
    qtbot.keyClicks(w[by["hs.payment.total"]], "12555")
    assert w[by["hs.payment.online.rate"]].text() == "99,83%"  # computed as the figures are typed

    def word():
        from nq57desk.gui.editor.linesdialog import LinesDialog

        d = QApplication.activeModalWidget()
        assert isinstance(d, LinesDialog)
        edit = d.edit
        edit.setPlainText("")
        edit.setFocus()
        vtype(edit, f"Thanh toán trực tuyến {{{by['hs.payment.online']}}}/{{{by['hs.payment.total']}}} hồ sơ, "
                    f"đạt {{{by['hs.payment.online.rate']}}}.")
        d.findChild(QPushButton, "saveLines").click()

    QTimer.singleShot(0, word)
    ed.scroll.widget().findChildren(QPushButton, "editLines")[-1].click()
    win.session.flush()
    text = "\n".join(n.text for n in build(gui_desk.template_of(rid), gui_desk.document(rid)).body
                     if hasattr(n, "text"))
    assert "Thanh toán trực tuyến 12.534/12.555 hồ sơ, đạt 99,83%." in text


def test_hint_is_shown_not_printed_until_used(win, qtbot, gui_desk):
    rid = _report(gui_desk)
    win.open_report(rid)
    ed = win.editor
    ed.show_section("_closing")
    box = ed.ctx.widgets["ket_luan"]
    assert box.toPlainText() == "" and "Trên đây là báo cáo" in box.placeholderText()
    win.session.flush()
    assert "Trên đây là báo cáo" not in "\n".join(n.text for n in build(gui_desk.template_of(rid),
                                                                          gui_desk.document(rid)).body)
    ed.scroll.widget().findChild(QPushButton, "useHint").click()
    win.session.flush()
    assert gui_desk.document(rid)["values"]["ket_luan"].startswith("Trên đây là báo cáo 6 tháng đầu năm 2026")


def test_free_table_defined_by_the_officer_checks_its_figures(win, qtbot, gui_desk, dialogs):
    """«Thêm nội dung» › «Bảng tự tạo…»: columns under a header group, one bound to an indicator the report states in
    a sentence too; rows pasted from Excel; the disagreement (3.199 in the table, 3.270 in the text) is flagged;
    then the columns are described again and the table removed, each one undo step."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QTableWidget

    from nq57desk.gui.editor.tabledialog import FreeTableDialog
    from nq57desk.gui.tables.tables import TableEditor
    from nq57desk.validation import validate

    rid = _report(gui_desk)
    win.open_report(rid)
    ed = win.editor
    ed.show_section("ket_qua")

    QTimer.singleShot(0, lambda: _tick_indicators("hs.online"))
    next(a for a in ed.outline_actions.add_menu("ket_qua", ed).actions() if a.text().startswith("Nhóm số liệu")).trigger()
    group = next(s for s in win.session.tpl.sections if s.key == "ket_qua").blocks[-1]
    online = next(f.key for f in group.fields if f.indicator == "hs.online")
    ed.ctx.widgets[online].setFocus()
    qtbot.keyClicks(ed.ctx.widgets[online], "3270")

    def describe():
        d = QApplication.activeModalWidget()
        assert isinstance(d, FreeTableDialog)
        d.title.setText("Số hồ sơ tiếp nhận")
        grid = d.findChild(QTableWidget, "tableColumns")
        for r, (label, group, kind, code) in enumerate([("Trong kỳ", "Số hồ sơ trực tuyến", "integer", "hs.online"),
                                                        ("Lũy kế", "Số hồ sơ trực tuyến", "integer", None),
                                                        ("Trong kỳ", "Số hồ sơ trực tiếp", "integer", "hs.direct")]):
            grid.item(r, 0).setText(label)
            grid.item(r, 1).setText(group)
            box = grid.cellWidget(r, 2)
            box.setCurrentIndex(box.findData(kind))
            fig = grid.cellWidget(r, 3)
            fig.setCurrentIndex(fig.findData(code) if code else 0)
        d.findChild(QPushButton, "tableOk").click()

    QTimer.singleShot(0, describe)
    next(a for a in ed.outline_actions.add_menu("ket_qua", ed).actions() if a.text().startswith("Bảng tự tạo")).trigger()
    table = next(s for s in win.session.tpl.sections if s.key == "ket_qua").blocks[-1]
    assert table.kind == "table" and [c.group for c in table.columns][1:] == [("Số hồ sơ trực tuyến",)] * 2 + [
        ("Số hồ sơ trực tiếp",)]
    assert [f.indicator for f in table.figures] == ["hs.direct"]  # hs.online is the sentence's figure: checked
    t = next(t for t in ed.scroll.widget().findChildren(TableEditor) if t.spec.key == table.key)
    QGuiApplication.clipboard().setText("3199\t8452\t0\n")
    t.table.setFocus()
    t.table.setCurrentCell(-1, 1)
    qtbot.keyClick(t.table, Qt.Key_V, Qt.ControlModifier)
    win.session.flush()
    doc = gui_desk.document(rid)
    assert doc["values"][table.key] == [{"cot_1": 3199, "cot_2": 8452, "cot_3": 0}]
    found = [f for f in validate(gui_desk.template_of(rid), doc) if f.rule == "eq"]
    assert any("3.199" in f.message and "3.270" in f.message for f in found), found
    from nq57desk.render.tree import to_text

    text = to_text(build(gui_desk.template_of(rid), doc))
    assert "Số hồ sơ trực tuyến" in text and "3.199" in text
    # describe it again: the cumulative column goes, the figures stay
    def again():
        d = QApplication.activeModalWidget()
        grid = d.findChild(QTableWidget, "tableColumns")
        grid.setCurrentCell(1, 0)
        d.findChild(QPushButton, "removeColumn").click()
        d.findChild(QPushButton, "tableOk").click()

    QTimer.singleShot(0, again)
    next(b for b in ed.scroll.widget().findChildren(QPushButton, "editTable")).click()
    win.session.flush()
    table = win.session.tpl.block(table.key)
    assert [c.label for c in table.columns] == ["STT", "Trong kỳ", "Trong kỳ"]
    assert list(gui_desk.document(rid)["values"][table.key][0].values()) == [3199, 0]
    win.undo()
    assert len(win.session.tpl.block(table.key).columns) == 4
    ed.show_section("ket_qua")
    ed.scroll.widget().findChildren(QPushButton, "removeBlock")[-1].click()  # the table is the last block
    assert win.session.tpl.block(table.key) is None
    win.undo()
    assert win.session.tpl.block(table.key) is not None


def test_drag_a_section_in_the_tree_moves_it_in_the_outline(win, qtbot, gui_desk, dialogs):
    """A drop on the navigation tree moves the section in the report's outline (one undo step); a drop on an item
    that is not a section of the outline («Phần mở đầu») changes nothing."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDropEvent

    rid = _report(gui_desk)
    win.open_report(rid)
    ed, tree = win.editor, win.editor.tree

    def drop(src: str, onto: str) -> None:
        tree.setCurrentItem(ed.items[src])
        item = ed.items.get(onto) or next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                                          if tree.topLevelItem(i).text(0) == onto)
        pos = QPointF(tree.visualItemRect(item).center())
        ev = QDropEvent(pos, Qt.MoveAction, tree.mimeData([ed.items[src]]), Qt.LeftButton, Qt.NoModifier)
        tree.dropEvent(ev)

    def parent_of(key):
        return next((a[-1].key if a else None) for a, s in win.session.tpl.walk_sections() if s.key == key)

    before = [s.key for s in win.session.tpl.sections]
    assert tree.dropIndicatorPosition() == tree.DropIndicatorPosition.OnItem
    drop("danh_gia", "chi_dao")  # dropped on «chi_dao»: it becomes its last sub-section
    assert parent_of("danh_gia") == "chi_dao" and "danh_gia" not in [s.key for s in win.session.tpl.sections]
    assert ed.items["danh_gia"].parent() is ed.items["chi_dao"]  # the tree is rebuilt from the outline
    after = [s.key for s in win.session.tpl.sections]
    drop("chi_dao", "Phần mở đầu")  # not a section of the outline: nothing moves
    assert [s.key for s in win.session.tpl.sections] == after
    win.undo()
    assert [s.key for s in win.session.tpl.sections] == before and parent_of("danh_gia") is None
