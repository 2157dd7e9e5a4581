"""Render the editor offscreen with a report open and a section selected, and save a PNG.

`nq57desk [--data-dir D] screenshot ID [--section KEY] [--size 1366x768] -o FILE.png`; special sections:
`home` shows the home screen (with report ID selected); `check` opens the report at its first finding, as if
it had been clicked in the Kiểm tra panel; `upper` shows «Tổng hợp cấp trên» with the bundles the data folder
has received (ID is then not used).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in str(text).lower().split("x"))
    except ValueError:
        raise ValueError(f"kích thước «{text}» phải dạng RỘNGxCAO, ví dụ 1366x768") from None
    return w, h


def _settle(app, ms: int = 250) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def screenshot(data_dir, report_id: int, section_key: str | None, size: str, output_png: str) -> int:
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt

    from nq57desk.errors import NQError
    from nq57desk.gui.shell.app import make_app
    from nq57desk.gui.shell.mainwindow import MainWindow
    from nq57desk.services import Desk

    try:
        w, h = _size(size)
    except ValueError as e:
        sys.stderr.write(f"Lỗi: {e}\n")
        return 2
    app = make_app()
    desk = Desk(data_dir)
    tmp = tempfile.TemporaryDirectory(prefix="nq57shot")
    win = None
    try:
        settings = QSettings(os.path.join(tmp.name, "shot.ini"), QSettings.IniFormat)
        win = MainWindow(desk.data_dir, desk=desk, settings=settings, persist=False)
        win.setWindowState(Qt.WindowNoState)  # the size asked for, not the (offscreen) screen's
        win.resize(w, h)
        win.show()
        _settle(app, 100)
        if section_key == "home":
            win.home.refresh()
            win.home.select(report_id)
        elif section_key == "upper":
            win.show_upper()
        elif section_key == "check":
            desk.report_info(report_id)
            if not win.open_report(report_id):
                return 2
            _settle(app, 100)
            t = win.checks.tree
            if t.topLevelItemCount():
                t.setCurrentItem(t.topLevelItem(0))
                win.checks.activate(t.topLevelItem(0))
        else:
            desk.report_info(report_id)  # a Vietnamese error when the id does not exist
            if not win.open_report(report_id, section_key):
                return 2
            if section_key and win.editor.current != section_key:
                sys.stderr.write(f"Lỗi: báo cáo {report_id} không có mục «{section_key}».\n")
                return 2
        _settle(app, 300)
        pix = win.grab()
        if not pix.save(output_png, "PNG"):
            sys.stderr.write(f"Lỗi: không ghi được tệp {output_png}.\n")
            return 2
        return 0
    except NQError as e:
        sys.stderr.write(f"Lỗi: {e}\n")
        return 2
    finally:
        if win is not None:
            win.close_report()
            win.close()
        desk.close()
        tmp.cleanup()
