"""The screenshot command renders the editor offscreen with a report open and a section selected."""

from __future__ import annotations

from PySide6.QtGui import QImage

from nq57desk.gui.shell.screenshot import screenshot


def test_screenshot_section_and_home(qapp, tmp_path):
    from nq57desk.services import Desk
    from tests.conftest import REPORTS

    data = tmp_path / "data"
    d = Desk(data)
    rid = d.import_report((REPORTS / "003_phu_thinh.json").read_bytes())
    d.close()
    out = tmp_path / "a.png"
    assert screenshot(str(data), rid, "pl_muc_tieu", "1366x768", str(out)) == 0
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1366, 768)
    assert screenshot(str(data), rid, "home", "1093x614", str(tmp_path / "h.png")) == 0
    assert QImage(str(tmp_path / "h.png")).width() == 1093
    assert screenshot(str(data), rid, "khong_co", "1366x768", str(tmp_path / "x.png")) == 2
