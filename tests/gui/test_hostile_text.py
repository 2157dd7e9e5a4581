"""Text a DOCX or Excel file cannot hold never enters a report from the keyboard or the clipboard (issue 15)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from nq57desk.gui.textwidgets import VLineEdit, VPlainTextEdit


def test_paste_drops_characters_xml_cannot_carry(qtbot):
    line, area = VLineEdit(), VPlainTextEdit()
    qtbot.addWidget(line)
    qtbot.addWidget(area)
    QGuiApplication.clipboard().setText("Kế\ufffe hoạch\x01 số\uffff 12")
    line.setFocus()
    line.paste()
    assert line.text() == "Kế hoạch số 12"
    area.paste()
    assert area.toPlainText() == "Kế hoạch số 12"
    QGuiApplication.clipboard().setText("dòng 1\tcột\ndòng 2")  # tab and newline are text: kept
    area.clear()
    area.paste()
    assert area.toPlainText() == "dòng 1\tcột\ndòng 2"
