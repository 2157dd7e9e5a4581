"""Close the window, open the folder again with a new Desk and a new window: everything is still there."""

from __future__ import annotations

from pathlib import Path

from nq57desk.gui.qtutil import SETTINGS_FILE
from nq57desk.gui.shell.app import setup_app
from nq57desk.gui.shell.mainwindow import MainWindow
from nq57desk.services import Desk

from .conftest import make_report
from .helpers import vtype


def test_close_and_reopen(qtbot, qapp, tmp_path, dialogs):
    setup_app(qapp)
    data = tmp_path / "data"
    desk = Desk(data)
    desk.save_profile({"commune_code": "11635"})
    rid = make_report(desk, "hp-6thang")
    w = MainWindow(data, desk=desk)
    qtbot.addWidget(w)
    w.resize(780, 560)  # the offscreen screen is 800×600; restoreGeometry keeps windows on screen
    w.show()
    qtbot.waitExposed(w)
    w.open_report(rid)
    ed = w.editor
    ed.show_section("chinh_quyen_so")
    box = ed.ctx.widgets["hs_received"]
    box.setFocus()
    qtbot.keyClicks(box, "3270")
    ed.show_section("_head")
    vtype(ed.ctx.widgets["signature"], "Vũ Trọng Dũng")
    ed.splitter.setSizes([240, 520])
    sizes = ed.splitter.sizes()
    w.close()                                   # closeEvent: flush the session, save geometry in the INI file
    desk.close()
    ini = Path(data) / SETTINGS_FILE
    assert ini.exists()

    desk2 = Desk(data)
    try:
        doc = desk2.document(rid)
        assert doc["values"]["hs_received"] == 3270
        assert doc["signature"]["name"] == "Vũ Trọng Dũng"
        w2 = MainWindow(data, desk=desk2)
        qtbot.addWidget(w2)
        w2.show()
        qtbot.waitExposed(w2)
        assert (w2.width(), w2.height()) == (780, 560)
        assert int(w2.settings.value("session/last_report")) == rid
        assert w2.open_report(rid)
        assert w2.editor.splitter.sizes() == sizes
        assert w2.editor.current == "_head"            # the last place shown in this report
        assert w2.editor.ctx.widgets["signature"].text() == "Vũ Trọng Dũng"
        w2.editor.show_section("chinh_quyen_so")
        assert w2.editor.ctx.widgets["hs_received"].text() == "3.270"
        w2.close()
    finally:
        desk2.close()
