"""Every shipped template gets a generated form for every place; values typed in real widgets are saved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from nq57desk.gui.editor.forms import outline
from nq57desk.gui.tables.tables import TableEditor
from nq57desk.templates.model import FieldsBlock, TextBlock

from .conftest import make_report
from .helpers import vtype

TEMPLATES = ["chung", "hp-6thang", "tn-tien-do-thang", "tw-de-cuong"]


def test_all_shipped_templates_are_tested(gui_desk):
    assert sorted(t.id for t in gui_desk.templates()) == TEMPLATES


@pytest.mark.parametrize("tid", TEMPLATES)
def test_create_and_fill_each_template(win, qtbot, gui_desk, tid):
    rid = make_report(gui_desk, tid)
    assert win.open_report(rid)
    ed = win.editor
    tpl = win.session.tpl
    # every place of the outline builds a form (one generic builder, no per-template screen)
    for key, *_ in outline(tpl):
        ed.show_section(key)
        assert ed.current == key
        assert ed.scroll.widget() is not None
    # the tree is numbered like the printed report
    texts = [it.text(0) for it in ed.items.values()]
    assert texts[0] == "Phần đầu & kết"
    # type into the first text block and the first plain number field of the template
    text_key = next(b.key for _c, b in tpl.blocks() if isinstance(b, TextBlock))
    num = next((f for _c, b in tpl.blocks() if isinstance(b, FieldsBlock) for f in b.fields
                if f.type == "integer" and not f.derived), None)
    ed.show_section(tpl.container_of(text_key))
    area = ed.ctx.widgets[text_key]
    assert isinstance(area, QPlainTextEdit)
    area.setFocus()
    area.moveCursor(area.textCursor().MoveOperation.End)
    qtbot.keyClicks(area, " Them noi dung.")
    if num is not None:
        ed.show_section(tpl.container_of(num.key))
        box = ed.ctx.widgets[num.key]
        assert isinstance(box, QLineEdit)
        assert box.inputMask() == "" and box.validator() is None
        box.setFocus()
        box.selectAll()
        qtbot.keyClicks(box, "14722")
        qtbot.keyClick(box, Qt.Key_Tab)
        assert box.text() == "14.722"
    win.session.flush()
    doc = gui_desk.document(rid)
    assert doc["values"][text_key].endswith(" Them noi dung.")
    if num is not None:
        assert doc["values"][num.key] == 14722


def test_table_and_records_blocks_have_editors(win, gui_desk):
    rid = make_report(gui_desk, "tw-de-cuong")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("pl4")
    tables = [w for w in ed.scroll.widget().findChildren(TableEditor)]
    assert {t.spec.key for t in tables} == {"pl4_tthc", "pl4_dvc", "pl4_ho_so"}
    hs = next(t for t in tables if t.spec.key == "pl4_ho_so")
    # two-level header: the group over its two columns
    assert hs.header.groups[2] == ("Số hồ sơ trực tuyến",)
    assert hs.header.labels[2] == "5 tháng đầu năm 2026"
    # a cell fixed by the template is read-only and grey
    it = hs.table.item(0, 1)
    assert it.text() == "Cấp xã"
    assert not it.flags() & Qt.ItemIsEditable


def test_tab_goes_from_outline_through_the_form(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("_head")
    chain, w = [], ed.tree
    for _ in range(6):
        w = w.nextInFocusChain()
        while not (w.focusPolicy() & Qt.TabFocus) == Qt.TabFocus or not w.isVisible():
            w = w.nextInFocusChain()
        chain.append(w)
    keys = {v: k for k, v in ed.ctx.widgets.items()}
    assert [keys.get(x) for x in chain[:4]] == ["header.issuer", "header.number", "header.symbol", "header.place"]


def test_report_date_may_be_month_only(win, qtbot, gui_desk):
    """The day of a report is often written by hand when it is signed: «5/2026» keeps only the month."""
    from nq57desk.render.tree import appendix_note

    rid = make_report(gui_desk, "tw-de-cuong")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("_head")
    date = ed.ctx.widgets["header.date"]
    date.setFocus()
    date.selectAll()
    qtbot.keyClicks(date, "5/2026")
    assert win.session.get(("header", "date")) == "2026-05"
    ed.tree.setFocus()  # leaving the field shows it the way it is stored
    assert date.text() == "05/2026"
    date.setFocus()
    date.selectAll()
    qtbot.keyClicks(date, "13/2026")
    assert "header.date" in ed.ctx.session.invalid
    date.selectAll()
    qtbot.keyClicks(date, "16/5/2026")
    assert win.session.get(("header", "date")) == "2026-05-16"
    date.selectAll()
    vtype(date, "tháng 5/2026")
    win.session.flush()
    doc = gui_desk.document(rid)
    assert doc["header"]["date"] == "2026-05"
    assert "ngày" in appendix_note(doc) and "/5/2026" in appendix_note(doc)
