"""The new-report dialog: «Tính đến ngày», «Từ ngày … đến ngày …» (end optional) and «Không nêu kỳ», driven through
the real widgets."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QPushButton

from nq57desk.gui.dialogs.report import NewReportDialog

from .helpers import vtype


def _dialog(qtbot, gui_desk, win, kind_text: str) -> NewReportDialog:
    d = NewReportDialog(gui_desk, win, today=dt.date(2025, 11, 20))
    qtbot.addWidget(d)
    d.show()
    d.tpl_combo.setCurrentIndex(d.tpl_combo.findData("chung"))
    i = d.kind.findText(kind_text)
    assert i >= 0, [d.kind.itemText(j) for j in range(d.kind.count())]
    d.kind.setCurrentIndex(i)
    return d


def _ok(qtbot, d: NewReportDialog) -> None:
    qtbot.mouseClick(d.findChild(QPushButton, "okButton"), Qt.LeftButton)


def test_cutoff_report_from_the_date_box(win, qtbot, gui_desk, dialogs):
    d = _dialog(qtbot, gui_desk, win, "Tính đến ngày")
    assert d.cutoff.isVisible() and d.start.isVisible() and not d.end.isVisible() and not d.year.isVisible()
    d.cutoff.setFocus()
    d.cutoff.setDate(QDate(2025, 1, 1))
    for section, digits in ((QDateEdit.DaySection, "06"), (QDateEdit.MonthSection, "11"), (QDateEdit.YearSection, "2025")):
        d.cutoff.setSelectedSection(section)  # as a click on that part of the box does
        qtbot.keyClicks(d.cutoff, digits)
    assert d.cutoff.date() == QDate(2025, 11, 6)
    assert d.preview.text() == "Kỳ báo cáo: tính đến ngày 06/11/2025 (01/01/2025 – 06/11/2025)"
    _ok(qtbot, d)
    assert d.rid is not None, dialogs.seen
    doc = gui_desk.document(d.rid)
    assert doc["period"] == {"kind": "cutoff", "year": 2025, "number": None, "start": "2025-01-01", "end": "2025-11-06"}
    assert doc["header"]["subject"].endswith("trên địa bàn xã Tân Cương tính đến ngày 06/11/2025")
    info = next(r for r in gui_desk.list_reports() if r.id == d.rid)
    assert (info.period_code, info.period_label) == ("2025-D1106", "tính đến ngày 06/11/2025")


def test_cutoff_with_a_start_and_a_bad_start(win, qtbot, gui_desk, dialogs):
    d = _dialog(qtbot, gui_desk, win, "Tính đến ngày")
    d.cutoff.setDate(QDate(2025, 11, 6))
    vtype(d.start, "31/02/2025")
    assert d.preview.text() == ""
    _ok(qtbot, d)
    assert d.rid is None and "không phải ngày có thật" in dialogs.seen[-1][2]
    d.start.clear()
    vtype(d.start, "01/7/2025")
    assert "(01/7/2025 – 06/11/2025)" in d.preview.text()
    _ok(qtbot, d)
    assert gui_desk.document(d.rid)["period"]["start"] == "2025-07-01"


def test_from_a_date_to_the_time_of_the_report(win, qtbot, gui_desk, dialogs):
    d = _dialog(qtbot, gui_desk, win, "Từ ngày … đến ngày …")
    assert d.start.isVisible() and d.end.isVisible() and not d.cutoff.isVisible()
    vtype(d.start, "01/7/2025")
    assert d.preview.text() == "Kỳ báo cáo: từ ngày 01/7/2025 đến thời điểm báo cáo (01/7/2025 – thời điểm báo cáo)"
    vtype(d.end, "01/01/2025")
    _ok(qtbot, d)
    assert d.rid is None and "sau ngày kết thúc" in dialogs.seen[-1][2]
    d.end.clear()
    _ok(qtbot, d)
    doc = gui_desk.document(d.rid)
    assert doc["period"]["end"] is None and "label" not in doc["period"]
    assert doc["header"]["subject"].endswith("xã Tân Cương từ ngày 01/7/2025 đến thời điểm báo cáo")


def test_no_period(win, qtbot, gui_desk, dialogs):
    d = _dialog(qtbot, gui_desk, win, "Không nêu kỳ")
    assert d.year.isVisible() and not d.number.isVisible() and not d.cutoff.isVisible()
    d.year.setCurrentIndex(d.year.findData(2025))
    assert d.preview.text() == "Kỳ báo cáo: Không nêu kỳ (năm 2025)"
    _ok(qtbot, d)
    doc = gui_desk.document(d.rid)
    assert doc["period"]["kind"] == "none" and doc["header"]["subject"].endswith("trên địa bàn xã Tân Cương")
    win.open_report(d.rid)  # the editor opens it (outline, places, the Kiểm tra panel)
    assert win.session is not None and win.session.rid == d.rid
