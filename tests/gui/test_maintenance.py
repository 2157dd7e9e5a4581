"""Tệp › Sao lưu / Khôi phục / Xuất nhật ký, driven through the window; results checked through the Desk."""

from __future__ import annotations

import zipfile

from nq57desk.gui.shell import maintenance
from nq57desk.safety.backup import integrity_ok
from nq57desk.safety.logs import log_unexpected
from tests.gui.conftest import make_report


def _acts(win):
    if "actBackup" not in win.act:
        maintenance.install(win)
    return win.act


def _wait_dialog(qtbot, dialogs, n):
    qtbot.waitUntil(lambda: len(dialogs.seen) >= n, timeout=15000)
    return dialogs.seen[n - 1]


def test_menu_entries_are_in_the_file_menu(win):
    acts = _acts(win)
    texts = [a.text() for a in win.menuBar().findChild(type(win.menuBar().actions()[0].menu()), "menuFile").actions()]
    for name in ("actBackup", "actRestore", "actLogs"):
        assert acts[name].text() in texts


def test_backup_to_a_chosen_file(win, qtbot, dialogs, tmp_path):
    _acts(win)
    make_report(win.desk, "chung")
    target = tmp_path / "usb" / "sao-luu.db"
    target.parent.mkdir()
    assert maintenance.backup(win, str(target))
    kind, title, text, _ = _wait_dialog(qtbot, dialogs, 1)
    assert (kind, title) == ("info", "Sao lưu dữ liệu") and str(target) in text
    assert integrity_ok(target)[0]
    assert [p.name for p in target.parent.iterdir()] == ["sao-luu.db"]


def test_restore_brings_back_the_backup_and_keeps_the_current_data(win, qtbot, dialogs, tmp_path):
    _acts(win)
    first = make_report(win.desk, "chung")
    saved = tmp_path / "truoc.db"
    win.desk.backup(saved)
    second = make_report(win.desk, "hp-6thang")
    assert {r.id for r in win.desk.list_reports()} == {first, second}
    before = {p.name for p in (win.desk.data_dir / "backups").glob("*.db")}
    old_desk = win.desk
    assert maintenance.restore(win, str(saved), confirm=False)
    qtbot.waitUntil(lambda: win.desk is not None and win.desk is not old_desk, timeout=15000)
    kind, title, *_ = _wait_dialog(qtbot, dialogs, 1)
    assert (kind, title) == ("info", "Khôi phục từ bản sao lưu")
    assert [r.id for r in win.desk.list_reports()] == [first]
    after = {p.name for p in (win.desk.data_dir / "backups").glob("*.db")}
    assert after - before, "the data before the restore was backed up first"
    assert win.stack.currentWidget() is win.home
    win.desk.close()


def test_restore_from_a_file_that_is_not_a_backup_changes_nothing(win, qtbot, dialogs, tmp_path):
    _acts(win)
    rid = make_report(win.desk, "chung")
    junk = tmp_path / "khong-phai.db"
    junk.write_bytes(b"day khong phai co so du lieu" * 100)
    old_desk = win.desk
    assert maintenance.restore(win, str(junk), confirm=False)
    qtbot.waitUntil(lambda: win.desk is not None and win.desk is not old_desk, timeout=15000)
    kind, title, text, detail = _wait_dialog(qtbot, dialogs, 1)
    assert kind == "error" and "không bị thay đổi" in detail
    assert [r.id for r in win.desk.list_reports()] == [rid]
    win.desk.close()


def test_export_logs(win, qtbot, dialogs, tmp_path):
    _acts(win)
    try:
        raise RuntimeError("thử")
    except RuntimeError:
        log_unexpected(win.desk.data_dir, "trong kiểm thử")
    out = tmp_path / "nhat-ky.zip"
    assert maintenance.export_logs(win, str(out))
    kind, title, text, _ = _wait_dialog(qtbot, dialogs, 1)
    assert kind == "info" and str(out) in text
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert "thong-tin.txt" in names and "logs/nq57desk.log" in names
        assert "RuntimeError: thử" in z.read("logs/nq57desk.log").decode("utf-8")
