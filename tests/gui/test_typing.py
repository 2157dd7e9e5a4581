"""Typing Vietnamese (directly and as Unikey does), numbers in Vietnamese notation, derived values as you type."""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from nq57desk.gui.formctx import ERROR_COLOR
from nq57desk.gui.textwidgets import vi_menu

from .conftest import make_report
from .helpers import backspace, unikey, vtype


def test_vietnamese_text_and_unikey_end_nfc(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chi_dao")
    area = ed.ctx.widgets["chi_dao_text"]
    area.setFocus()
    vtype(area, "Ủy ban nhân dân xã đã ban hành kế hoạch. ")
    unikey(area, "Tan", 2, "ân")          # "Tan" → Backspace ×2 → "ân": "Tân"
    vtype(area, " C")
    unikey(area, "uong", 4, "ương")       # Cương
    # Unikey in "combining" mode sends a base letter and a combining mark
    vtype(area, " ho\u0300a")
    expected = "Ủy ban nhân dân xã đã ban hành kế hoạch. Tân Cương hòa"
    assert area.toPlainText().endswith("ho\u0300a")  # the widget keeps what was typed; the report stores NFC
    win.session.flush()
    stored = gui_desk.document(rid)["values"]["chi_dao_text"]
    assert stored == expected
    assert unicodedata.is_normalized("NFC", stored)

    ed.show_section("_head")
    name = ed.ctx.widgets["signature"]
    name.setFocus()
    name.selectAll()
    unikey(name, "Nguyeenx", 4, "ễn")     # Nguyeenx → Nguy + ễn
    vtype(name, " Văn An")
    assert name.text() == "Nguyễn Văn An"
    win.session.flush()
    assert gui_desk.document(rid)["signature"]["name"] == "Nguyễn Văn An"


def test_numbers_derived_rate_and_invalid_input(win, qtbot, gui_desk):
    rid = make_report(gui_desk, "hp-6thang")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("chinh_quyen_so")
    w = ed.ctx.widgets
    rate = w["hs_ontime_rate"]
    assert rate.isReadOnly()
    assert rate.text() == ""
    resolved, ontime = w["hs_resolved"], w["hs_ontime"]
    resolved.setFocus()
    qtbot.keyClicks(resolved, "14722")               # typed without separators
    qtbot.keyClick(resolved, Qt.Key_Tab)
    assert resolved.text() == "14.722"               # shown the Vietnamese way
    ontime.setFocus()
    qtbot.keyClicks(ontime, "14.706")                # typed with the thousands dot
    assert rate.text() == "99,89%"                   # updates while typing, before leaving the field
    backspace(ontime, 1)
    vtype(ontime, "7")
    assert rate.text() == "99,9%"
    # invalid input: never a blocked key, but a red border and a finding
    late = w["hs_late"]
    late.setFocus()
    qtbot.keyClicks(late, "12a")
    assert late.text() == "12a"
    qtbot.waitUntil(lambda: any(f.key == "hs_late" and f.rule == "input" for f in win.session.findings), timeout=2000)
    assert ERROR_COLOR in late.styleSheet()
    f = next(f for f in win.session.findings if f.key == "hs_late")
    assert win.checks.tree.topLevelItemCount() >= 1
    assert f.severity == "error" and "không phải là số" in f.message
    backspace(late, 1)
    qtbot.waitUntil(lambda: not any(f.key == "hs_late" and f.rule == "input" for f in win.session.findings), timeout=2000)
    # decimal comma in a percent field
    pct = w["tk_cbccvc_rate"]
    pct.setFocus()
    qtbot.keyClicks(pct, "97,5")
    qtbot.keyClick(pct, Qt.Key_Tab)
    assert pct.text() == "97,5"
    win.session.flush()
    v = gui_desk.document(rid)["values"]
    assert v["hs_resolved"] == 14722 and v["hs_ontime"] == 14707 and v["hs_late"] == 12
    assert v["tk_cbccvc_rate"] == 97.5
    assert "hs_ontime_rate" not in v                 # derived values are never stored


def test_text_fields_have_vietnamese_menu_and_no_masks(win, gui_desk):
    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("_head")
    for w in ed.scroll.widget().findChildren(QLineEdit):
        assert w.inputMask() == "" and w.validator() is None and w.completer() is None
    area = ed.ctx.widgets["header.subject"]
    texts = [a.text() for a in vi_menu(area).actions() if not a.isSeparator()]
    assert texts == ["Hoàn tác", "Làm lại", "Cắt", "Sao chép", "Dán", "Xóa", "Chọn tất cả"]
    line = ed.ctx.widgets["header.number"]
    texts = [a.text() for a in vi_menu(line).actions() if not a.isSeparator()]
    assert texts == ["Hoàn tác", "Làm lại", "Cắt", "Sao chép", "Dán", "Xóa", "Chọn tất cả"]


def test_paste_into_narrative_keeps_text_only(win, qtbot, gui_desk):
    from PySide6.QtCore import QMimeData

    rid = make_report(gui_desk, "chung")
    win.open_report(rid)
    ed = win.editor
    ed.show_section("kien_nghi")
    area = ed.ctx.widgets["kien_nghi_text"]
    md = QMimeData()
    md.setHtml("<b>Đề nghị</b> <i>hỗ trợ</i>")
    md.setText("Đề nghị hỗ trợ")
    area.insertFromMimeData(md)
    assert area.toPlainText() == "Đề nghị hỗ trợ"
    win.session.flush()
    assert gui_desk.document(rid)["values"]["kien_nghi_text"] == "Đề nghị hỗ trợ"
