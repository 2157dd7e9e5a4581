"""Small things a new officer tripped on: the demo report marked as one and never sent; the last template and
period remembered; history names the officer from the profile; a sensible default Nơi nhận."""

from __future__ import annotations

import pytest

from nq57desk.errors import NQError


def test_demo_report_is_marked_and_refused_in_a_package(win, gui_desk, dialogs, tmp_path):
    rid = gui_desk.ensure_demo()
    assert rid is not None and gui_desk.document(rid)["demo"] is True
    assert gui_desk.report_info(rid).demo and [r.demo for r in gui_desk.list_reports()] == [True]
    win.home.refresh()  # the home list marks the row too
    cell = win.home.table.item(0, 3)  # «Trạng thái»
    assert cell.text() == "Báo cáo mẫu" and cell.font().italic() and "không gửi" in cell.toolTip()
    assert win.home.table.item(0, 0).font().italic()
    assert win.open_report(rid)
    assert win.windowTitle().startswith("Báo cáo mẫu — ")
    assert win.editor.status.text().startswith("Trạng thái: Báo cáo mẫu · ")
    assert "báo cáo mẫu" in win.editor.notice.text()
    assert win.act["actDeleteDemo"].isVisible()
    # never into a bundle or package: the GUI says so before any dialog, the desk refuses for every caller
    win.export_package()
    win.export("xlsx", path=str(tmp_path / "x.xlsx"), ask_path=False)
    refusals = [s for s in dialogs.seen if s[0] == "error"]
    assert len(refusals) == 2 and all("báo cáo mẫu" in s[2] for s in refusals)
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(NQError, match="báo cáo mẫu"):
        gui_desk.export_xlsx(rid, tmp_path / "y.xlsx")
    # «Xóa báo cáo mẫu»: to the bin, back home
    win.act["actDeleteDemo"].trigger()
    assert win.session is None and not win.act["actDeleteDemo"].isVisible()
    assert rid in {r.id for r in gui_desk.list_reports(deleted=True)}


def test_a_real_report_is_not_marked(win, gui_desk):
    from .conftest import make_report

    rid = make_report(gui_desk, "tw-de-cuong")
    assert win.open_report(rid)
    assert "mẫu —" not in win.windowTitle() and not win.act["actDeleteDemo"].isVisible()
    assert "demo" not in gui_desk.document(rid)
    assert not gui_desk.report_info(rid).demo


def test_new_report_remembers_the_last_template_and_period(win, gui_desk, qtbot):
    from nq57desk.gui.dialogs.report import NewReportDialog

    d = NewReportDialog(gui_desk, win)
    qtbot.addWidget(d)
    first = d.tpl_combo.currentData()
    other = next(t.id for t in gui_desk.templates() if t.id != first and "half" in t.period_kinds)
    d.tpl_combo.setCurrentIndex(d.tpl_combo.findData(other))
    d.kind.setCurrentIndex(d.kind.findData("half"))
    d.year.setCurrentIndex(d.year.findData(2026))
    d.accept()
    assert d.rid is not None
    again = NewReportDialog(gui_desk, win)
    qtbot.addWidget(again)
    assert again.tpl_combo.currentData() == other and again.kind.currentData() == "half"


def test_history_names_the_officer_from_the_profile(win, gui_desk, monkeypatch):
    from nq57desk.gui.dialogs.report import HistoryDialog

    from .conftest import make_report

    monkeypatch.setenv("NQ57_USER", "root")
    gui_desk.save_profile({"commune_code": "05503", "officer": "Nguyễn Thị Lan"})
    rid = make_report(gui_desk, "tw-de-cuong")
    doc = gui_desk.document(rid)
    doc["header"]["subject"] = "Báo cáo thử"
    gui_desk.save_document(rid, doc)
    assert win.open_report(rid)
    h = HistoryDialog(win.session, win)
    names = {h.table.item(r, 2).text() for r in range(h.table.rowCount())}
    assert names == {"Nguyễn Thị Lan"}
    h.close()
    # no name in the profile: the computer's login, as before
    gui_desk.save_profile({"commune_code": "05503"})
    assert gui_desk.author() == "root"


def test_profile_offers_a_commune_nơi_nhận_and_the_officer_field(qtbot, gui_desk, tmp_path):
    from nq57desk.gui.dialogs.profile import ProfileDialog
    from nq57desk.report.document import default_recipients
    from nq57desk.services import Desk

    fresh = Desk(tmp_path / "fresh")
    try:
        d = ProfileDialog(fresh, None, first_run=True)
        qtbot.addWidget(d)
        lines = d.recipients.toPlainText().splitlines()
        assert lines[0] == "Sở Khoa học và Công nghệ;" and lines[-1] == "Lưu: VT." and len(lines) >= 4
        d.select_code("05503")
        assert d.recipients.toPlainText().splitlines() == default_recipients("Xã Tân Cương")
        d.officer.setText("Trần Văn Bình")
        assert d.data()["officer"] == "Trần Văn Bình"
    finally:
        fresh.close()
    assert "Thường trực HĐND phường;" in default_recipients("Phường Ba Đình")


def test_the_next_period_never_inherits_from_the_demo(gui_desk):
    rid = gui_desk.ensure_demo()  # Tân Cương's, 5 tháng đầu năm 2026 — the profile's commune too
    assert gui_desk.document(rid)["commune"]["code"] == gui_desk.profile()["commune"]["code"]
    with pytest.raises(NQError, match="kỳ trước"):
        gui_desk.create_report("tw-de-cuong", {"kind": "months", "year": 2026, "number": 6}, from_previous=True)
