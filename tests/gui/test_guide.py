"""«Hướng dẫn sử dụng»: F1 opens the shipped guide at the place the officer is working in; icon-only actions say
what they do and their shortcut."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextBrowser

from nq57desk.gui.guide import anchors, chapter_of, chapters, images, screens_dir
from nq57desk.templates.model import FieldsBlock, TextBlock

from .conftest import make_report


def _f1(qtbot, win, widget):
    widget.setFocus()
    qtbot.waitUntil(lambda: widget.hasFocus())
    qtbot.keyClick(widget, Qt.Key_F1)
    g = win._guide_window
    qtbot.waitExposed(g)
    return g


def test_guide_has_every_chapter_and_its_screens():
    assert [a for a, _t in chapters()] == ["bat-dau", "bao-cao-moi", "so-lieu", "giai-trinh", "ky-sau", "gui-usb",
                                           "cap-tren", "sao-luu", "phim-tat"]
    assert {"phan-dau", "noi-dung", "bang", "phu-luc", "in", "kiem-tra"} <= anchors()
    assert chapter_of("kiem-tra") == "so-lieu" and chapter_of("bang") == "bao-cao-moi"
    for name in images():  # the real screenshots (docs/screenshots), not copies
        assert (screens_dir() / name).is_file(), name


def test_help_menu_and_f1_open_the_guide_at_the_section(win, qtbot, gui_desk):
    assert win.act["actGuide"].shortcut().toString() == "F1"
    menu_texts = [a.text() for a in win.menuBar().findChild(type(win.menuBar().actions()[0].menu()), "menuHelp")
                  .actions()]
    assert menu_texts[0] == "Hướng dẫn sử dụng"
    rid = make_report(gui_desk, "tw-de-cuong")
    assert win.open_report(rid)
    tpl, ed = win.session.tpl, win.editor
    # a figure field → figures and checks
    num = next(f for _c, b in tpl.blocks() if isinstance(b, FieldsBlock) for f in b.fields
               if f.type == "integer" and not f.derived)
    ed.show_section(tpl.container_of(num.key))
    box = ed.ctx.widgets[num.key]
    assert isinstance(box, QLineEdit)
    g = _f1(qtbot, win, box)
    assert g.anchor == "so-lieu"
    assert g.chapters.currentItem().text().startswith("3. Số liệu")
    browser = g.findChild(QTextBrowser, "guideBrowser")
    assert "Số liệu và kiểm tra" in browser.toPlainText()
    qtbot.waitUntil(lambda: browser.verticalScrollBar().value() > 0)
    # a text box → writing; the header page → its part of chapter 2; a table → tables
    text_key = next(b.key for _c, b in tpl.blocks() if isinstance(b, TextBlock))
    ed.show_section(tpl.container_of(text_key))
    area = ed.ctx.widgets[text_key]
    assert isinstance(area, QPlainTextEdit)
    assert _f1(qtbot, win, area).anchor == "noi-dung"
    ed.show_section("_head")
    assert _f1(qtbot, win, ed.tree).anchor == "phan-dau"  # focus in the outline: the section shown
    ed.show_section("pl4")
    from nq57desk.gui.tables.tables import TableEditor

    table = ed.scroll.widget().findChildren(TableEditor)[0].table
    assert _f1(qtbot, win, table).anchor == "bang"
    # the Kiểm tra panel
    assert _f1(qtbot, win, win.checks.tree).anchor == "kiem-tra"
    g.close()


def test_f1_on_home_and_upper_level(win, qtbot):
    win.act["actGuide"].trigger()
    assert win._guide_window.anchor == "bat-dau"
    win.show_upper()
    win.act["actGuide"].trigger()
    assert win._guide_window.anchor == "cap-tren"
    win._guide_window.close()


def test_icon_only_actions_have_vietnamese_tooltips_with_shortcuts(win):
    from PySide6.QtWidgets import QToolBar, QToolButton

    tips = {name: win.act[name].toolTip().split("\n")[0] for name in ("actUndo", "actRedo", "actFind", "actHistory")}
    assert tips == {"actUndo": "Hoàn tác (Ctrl+Z)", "actRedo": "Làm lại (Ctrl+Y)", "actFind": "Tìm (Ctrl+F)",
                    "actHistory": "Lịch sử các bản (Ctrl+H)"}
    tb = win.findChild(QToolBar, "toolBar")
    for a in tb.actions():
        w = tb.widgetForAction(a)
        if isinstance(w, QToolButton) and w.toolButtonStyle() == Qt.ToolButtonIconOnly:
            assert w.toolTip().split("\n")[0].startswith(a.text().rstrip("…")), a.objectName()
    # every action with a shortcut names it in its tooltip
    for name, a in win.act.items():
        if not a.shortcut().isEmpty():
            assert f"({a.shortcut().toString()})" in a.toolTip(), name


def test_f1_in_a_dialog_opens_its_chapter(win, qtbot, gui_desk):
    from nq57desk.gui.dialogs.report import NewReportDialog
    from nq57desk.gui.editor.explain import ExplainDialog
    from nq57desk.validation import Finding

    for d, anchor in ((NewReportDialog(gui_desk, win), "bao-cao-moi"),
                      (ExplainDialog(Finding("error", "muc_1", "x", "Mục 1", "Các phần cộng lại khác tổng", "sum"), "", win),
                       "giai-trinh")):
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        d.activateWindow()
        qtbot.waitUntil(d.isActiveWindow)
        qtbot.keyClick(d.focusWidget() or d, Qt.Key_F1)
        assert d._guide_window.isVisible() and d._guide_window.anchor == anchor
        assert d._guide_window.parent() is d  # usable while the modal dialog is open
        d._guide_window.close()
        d.close()
