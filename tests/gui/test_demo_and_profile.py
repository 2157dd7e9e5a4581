"""Small things a new officer tripped on: the demo report marked as one and never sent; the last template and
period remembered; history names the officer from the profile; a sensible default Nơi nhận."""

from __future__ import annotations

import pytest

from nq57desk.errors import NQError


def test_demo_report_is_marked_and_refused_in_a_package(win, gui_desk, dialogs, tmp_path):
    rid = gui_desk.ensure_demo()
    assert rid is not None and gui_desk.document(rid)["demo"] is True
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
