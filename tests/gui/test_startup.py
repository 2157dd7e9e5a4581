"""`NQ57_STARTUP_PROBE=1`: the app prints when its window is first shown (and when the data folder is open), exits 0."""

from __future__ import annotations

import os
import subprocess
import sys


def test_startup_probe_reopens_last_report(tmp_path):
    from nq57desk.services import Desk
    from tests.conftest import REPORTS

    data = tmp_path / "data"
    d = Desk(data)
    rid = d.import_report((REPORTS / "003_phu_thinh.json").read_bytes())
    d.save_profile({"commune_code": "05800"})
    d.close()
    (data / "nq57desk.ini").write_text(f"[session]\nlast_report={rid}\n", encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NQ57_STARTUP_PROBE="1")
    p = subprocess.run([sys.executable, "-m", "nq57desk", "--data-dir", str(data)], env=env, capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    assert p.returncode == 0, p.stderr
    lines = dict(line.split("=", 1) for line in p.stdout.split())
    assert int(lines["startup_ms"]) > 0 and int(lines["ready_ms"]) >= int(lines["startup_ms"])
    # the probe does not touch the settings of the data folder
    assert (data / "nq57desk.ini").read_text(encoding="utf-8").strip().endswith(f"last_report={rid}")


def _window_on_a_folder(tmp_path, qtbot, qapp):
    """A data folder holding one golden report and a profile, and a main window on it not opened yet."""
    from nq57desk.gui.shell.app import setup_app
    from nq57desk.gui.shell.mainwindow import MainWindow
    from nq57desk.services import Desk
    from tests.conftest import REPORTS

    data = tmp_path / "data"
    d = Desk(data)
    rid = d.import_report((REPORTS / "000_an_truong.json").read_bytes())
    d.save_profile({"commune_code": "11635"})
    d.close()
    setup_app(qapp)
    w = MainWindow(data)
    qtbot.addWidget(w)
    return data, rid, w


def test_glimpse_shows_the_last_report_before_the_folder_opens(tmp_path, qtbot, qapp, dialogs):
    """The window shows the report read with the standard library and takes input at once (it used to wait for the
    folder, issue 14); what is typed is saved when the folder is open, and the folder is this window's meanwhile."""
    from nq57desk.safety.lock import FolderLocked
    from nq57desk.services import Desk

    from .helpers import vtype

    data, rid, w = _window_on_a_folder(tmp_path, qtbot, qapp)
    assert w.preview_last(rid)
    w.show()
    assert w.stack.currentWidget() is w.editor and w.session.desk is None
    assert not w.act["actExportDocx"].isEnabled()
    w.editor.show_section("_head")
    qtbot.waitExposed(w)
    name = w.editor.ctx.widgets["signature"]
    name.setFocus()
    name.selectAll()
    vtype(name, "Lê Văn C")
    assert name.text() == "Lê Văn C" and w.session.dirty
    w.close()  # the edits are not saved yet: the window stays until they are
    assert w.isVisible()
    other = subprocess.run([sys.executable, "-c", "import sys; from nq57desk.services import Desk; Desk(sys.argv[1])",
                            str(data)], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert FolderLocked.__name__ in other.stderr  # another process cannot open the folder under the glimpse
    desk = Desk(data)
    try:
        w.attach(desk)
        assert w.adopt(desk)
        assert w.stack.currentWidget() is w.editor and w.act["actExportDocx"].isEnabled()
        qtbot.waitUntil(lambda: not w.isVisible())  # the close asked for meanwhile, after the save
        assert desk.document(rid)["signature"]["name"] == "Lê Văn C"
    finally:
        desk.close()


def test_glimpse_edits_that_cannot_be_saved_go_to_a_file(tmp_path, qtbot, qapp, dialogs):
    """The stored report changed after the glimpse read it (or the folder did not open): what was typed on the
    glimpse is written to a JSON file in the data folder and the officer is told, never dropped silently."""
    import json

    from nq57desk.services import Desk

    data, rid, w = _window_on_a_folder(tmp_path, qtbot, qapp)
    assert w.preview_last(rid)
    w.session.set(("signature", "name"), "Gõ trên bản xem trước")
    desk = Desk(data)
    try:
        doc = desk.document(rid)
        doc["signature"]["name"] = "Sửa ở nơi khác"
        desk.save_document(rid, doc)
        w.attach(desk)
        assert not w.adopt(desk)
        kept = list(data.glob(f"bao-cao-{rid}-chua-luu-*.json"))
        assert len(kept) == 1 and json.loads(kept[0].read_text(encoding="utf-8"))["signature"]["name"] == \
            "Gõ trên bản xem trước"
        assert any("chua-luu" in " ".join(m) for m in dialogs.seen), dialogs.seen
        assert desk.document(rid)["signature"]["name"] == "Sửa ở nơi khác"
    finally:
        w.close_report()
        desk.close()


def test_glimpse_refuses_what_it_cannot_vouch_for(tmp_path):
    from nq57desk.glimpse import peek_report
    from nq57desk.services import Desk
    from tests.conftest import REPORTS

    data = tmp_path / "data"
    assert peek_report(data, 1) is None  # no database
    d = Desk(data)
    rid = d.import_report((REPORTS / "000_an_truong.json").read_bytes())
    g = peek_report(data, rid)
    assert g is not None and g.doc == d.document(rid) and g.template_paths
    d.delete_report(rid)
    assert peek_report(data, rid) is None  # in the bin
    d.close()
    import sqlite3

    con = sqlite3.connect(data / "nq57desk.db")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    assert peek_report(data, rid) is None  # a schema the app does not know: the ordinary path decides


def test_lighter_feature_check_answers_as_pyside_does():
    """PySide6's own check of "does this module use PySide6" reads the source through linecache; ours reads bytes."""
    import importlib
    import linecache

    import shibokensupport.feature as feature

    from nq57desk.gui.shell.app import lighter_feature_check

    lighter_feature_check()
    ours = feature._mod_uses_pyside
    assert getattr(ours, "nq57desk", False)
    lighter_feature_check()  # twice changes nothing
    assert feature._mod_uses_pyside is ours
    linecache.clearcache()
    for name in ("nq57desk.gui.shell.mainwindow", "nq57desk.gui.qtutil", "nq57desk.vn", "nq57desk.report.derive", "json",
                 "sqlite3", "sys", "PySide6.QtCore"):
        module = importlib.import_module(name)
        src = getattr(module, "__file__", None)
        expected = bool(src and src.endswith(".py") and "PySide6" in open(src, encoding="utf-8").read())
        assert ours(module) is expected, name
    assert not linecache.cache


def test_an_edit_that_slips_into_the_glimpse_is_kept(tmp_path, qtbot, qapp, dialogs):
    """Should anything reach the previewed report before the folder opens, it is saved, not silently dropped; and
    a report changed meanwhile elsewhere is opened afresh instead."""
    from nq57desk.services import Desk

    data, rid, w = _window_on_a_folder(tmp_path, qtbot, qapp)
    assert w.preview_last(rid)
    w.session.set(("signature", "name"), "Người ký gõ sớm")
    desk = Desk(data)
    try:
        w.attach(desk)
        assert w.adopt(desk)
        w.session.flush()
        assert desk.document(rid)["signature"]["name"] == "Người ký gõ sớm"
        w.close_report()
        # the same, but the stored report changed after the glimpse read it: opened afresh, nothing mixed
        assert w.preview_last(rid)
        w.session.set(("signature", "name"), "Bản xem trước")
        doc = desk.document(rid)
        doc["signature"]["name"] = "Sửa ở nơi khác"
        desk.save_document(rid, doc)
        assert not w.session.attach(desk)
        assert desk.document(rid)["signature"]["name"] == "Sửa ở nơi khác"
    finally:
        w.close_report()
        desk.close()


def test_icons_come_from_the_packed_resource_file_when_there(tmp_path, qapp, monkeypatch):
    """The packaged app reads every icon from resources/icons.rcc (one file opened at start-up, not ~30), made by the
    spec with uicode.pack_icons; a source tree, without it, reads the SVG files."""
    from nq57desk.gui import qtutil
    from nq57desk.gui.uicode import pack_icons
    from nq57desk.settings import resources_dir

    pack_icons(resources_dir() / "icons", tmp_path / qtutil.ICONS_RCC)
    for packed, folder in ((True, tmp_path), (False, resources_dir())):
        monkeypatch.setattr(qtutil, "resources_dir", lambda folder=folder: folder)
        monkeypatch.setattr(qtutil, "_PACKED", [])
        monkeypatch.setattr(qtutil, "_ICONS", {})
        for name in ("app", "save", "undo", "check"):
            assert not qtutil.icon(name).pixmap(20, 20).isNull(), name
        assert qtutil._PACKED == [packed]
        assert qtutil.icon("no-such-icon").isNull()
