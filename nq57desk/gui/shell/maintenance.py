"""«Sao lưu», «Khôi phục» and «Xuất nhật ký» from the Tệp menu: each runs on a worker behind a progress dialog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from nq57desk import __version__
from nq57desk.errors import NQError, error_vi, is_sqlite_error
from nq57desk.gui.qtutil import ask, error, icon, info, open_file, progress, save_file
from nq57desk.gui.workers import run_async

BACKUP_FILTER = "Bản sao lưu nq57desk (*.db)"


def install(win) -> dict[str, QAction]:
    """Put the three entries in the Tệp menu, above «Thoát»."""
    menu: QMenu = win.menuBar().findChild(QMenu, "menuFile")
    quit_act = win.act.get("actQuit")
    acts = {}
    if "actBackup" in win.act:
        return {k: win.act[k] for k in ("actBackup", "actRestore", "actLogs")}
    for name, text, tip, ico, fn in (
        ("actBackup", "Sao lưu dữ liệu…", "Ghi một bản sao lưu toàn bộ dữ liệu ra thư mục hoặc USB bạn chọn",
         "save", lambda: backup(win)),
        ("actRestore", "Khôi phục từ bản sao lưu…", "Thay dữ liệu hiện tại bằng một bản sao lưu (dữ liệu hiện tại "
         "được sao lưu trước)", "history", lambda: restore(win)),
        ("actLogs", "Xuất nhật ký cho cán bộ kỹ thuật…", "Đóng gói nhật ký lỗi của ứng dụng thành một tệp .zip",
         "find", lambda: export_logs(win)),
    ):
        a = QAction(icon(ico), text, win)
        a.setObjectName(name)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        a.triggered.connect(fn)
        menu.insertAction(quit_act, a)
        acts[name] = a
    menu.insertSeparator(quit_act)
    win.act.update(acts)
    return acts


class _Busy:
    """A progress dialog for work that cannot be split: «Hủy» discards the result once the worker returns."""

    def __init__(self, win, title: str, text: str):
        self.cancelled = False
        self.dlg = progress(win, title, text, self._cancel)
        self.dlg.show()

    def _cancel(self) -> None:
        self.cancelled = True
        self.dlg.setLabelText("Đang hủy…")

    def close(self) -> bool:
        """Close the dialog; True when the officer cancelled."""
        self.cancelled = self.cancelled or self.dlg.wasCanceled()
        self.dlg.canceled.disconnect(self._cancel)
        self.dlg.close()
        self.dlg.deleteLater()
        return self.cancelled


def _run(win, title: str, text: str, work: Callable, done: Callable, undo: Callable | None = None) -> None:
    busy = _Busy(win, title, text)

    def ok(result):
        if busy.close():
            if undo is not None:
                undo(result)
            win.statusBar().showMessage(f"Đã hủy: {title.lower()}.", 5000)
            return
        done(result)

    def failed(exc):
        busy.close()
        if isinstance(exc, NQError | OSError) or is_sqlite_error(exc):
            msg = str(exc) if isinstance(exc, NQError) else f"Không ghi/đọc được tệp: {error_vi(exc)}."
            error(win, title, msg, "Chưa có tệp nào được ghi với tên chính thức; bạn có thể thử lại.")
        else:
            error(win, title, f"Lỗi không mong muốn ({type(exc).__name__}). Chi tiết đã ghi vào nhật ký.")

    run_async(work, ok, failed)


def _flush(win) -> bool:
    """What the officer typed is in the database before it is copied or replaced."""
    if win.session is None:
        return True
    try:
        win.session.flush()
        return True
    except NQError as e:
        error(win, "Lưu báo cáo", str(e))
        return False


def backup(win, path: str | None = None) -> bool:
    desk = win.desk
    if desk is None or not _flush(win):
        return False
    if path is None:
        folder = win.settings.value("backup/dir", str(Path.home()))
        name = f"nq57desk-sao-luu-{dt.datetime.now():%Y-%m-%d-%H%M}.db"
        path = save_file(win, "Sao lưu dữ liệu", str(Path(folder) / name), [BACKUP_FILTER], "db")
        if not path:
            return False
        win.settings.setValue("backup/dir", str(Path(path).parent))
    target = Path(path)

    def done(written: Path) -> None:
        size = written.stat().st_size / 1024
        info(win, "Sao lưu dữ liệu", f"Đã sao lưu và kiểm tra lại toàn bộ dữ liệu:\n{written}",
             f"{size:,.0f} KB. Nếu ghi ra USB, hãy «Tháo thiết bị an toàn» trước khi rút.".replace(",", "."))

    _run(win, "Sao lưu dữ liệu", "Đang sao lưu dữ liệu…", lambda: desk.backup(target), done,
         undo=lambda written: Path(written).unlink(missing_ok=True))
    return True


def restore(win, path: str | None = None, confirm: bool = True) -> bool:
    from nq57desk.services import Desk, restore_from_backup

    desk = win.desk
    if desk is None or not _flush(win):
        return False
    if path is None:
        path = open_file(win, "Khôi phục từ bản sao lưu", str(Path(desk.data_dir) / "backups"), [BACKUP_FILTER])
        if not path:
            return False
    src = Path(path)
    if confirm and not ask(win, "Khôi phục từ bản sao lưu", f"Thay toàn bộ dữ liệu hiện tại bằng bản sao lưu «{src.name}»?",
                           "Dữ liệu hiện tại được sao lưu trước vào thư mục backups, nên vẫn lấy lại được.",
                           yes="Khôi phục", no="Không"):
        return False
    data = Path(desk.data_dir)
    win.close_report()
    desk.close()
    win.desk = None
    win.set_mode("loading")

    def work():
        problem = None
        try:
            restore_from_backup(data, src)
        except Exception as e:  # noqa: BLE001 - reported below, after the folder is open again
            problem = e
        return Desk(data), problem  # the restored data, or the old data untouched when the restore failed

    busy = _Busy(win, "Khôi phục từ bản sao lưu", "Đang khôi phục dữ liệu…")
    busy.dlg.setCancelButton(None)  # half a restore is worse than a wait: it cannot be cancelled

    def ok(result):
        busy.close()
        reopened, problem = result
        win.attach(reopened)
        if problem is None:
            info(win, "Khôi phục từ bản sao lưu", f"Đã khôi phục dữ liệu từ «{src.name}».",
                 "Dữ liệu trước khi khôi phục được giữ trong thư mục backups.")
            return
        msg = str(problem) if isinstance(problem, NQError) else f"Lỗi không mong muốn ({type(problem).__name__})."
        error(win, "Khôi phục từ bản sao lưu", msg, "Dữ liệu hiện tại không bị thay đổi.")

    def bad(exc):
        busy.close()
        msg = str(exc) if isinstance(exc, NQError) else f"Lỗi không mong muốn ({type(exc).__name__})."
        error(win, "Mở lại dữ liệu", msg, "Hãy đóng rồi mở lại ứng dụng.")

    run_async(work, ok, bad)
    return True


def export_logs(win, path: str | None = None) -> bool:
    from nq57desk.safety.logs import pack_logs

    data = Path(win.desk.data_dir) if win.desk is not None else Path(win.data_dir) if win.data_dir else None
    if data is None:
        return False
    if path is None:
        name = f"nhat-ky-nq57desk-{dt.date.today():%Y-%m-%d}.zip"
        path = save_file(win, "Xuất nhật ký", str(Path.home() / name), ["Tệp nén (*.zip)"], "zip")
        if not path:
            return False

    def done(result) -> None:
        where, n = result
        info(win, "Xuất nhật ký", f"Đã xuất nhật ký ({n} tệp) vào:\n{where}",
             "Gửi tệp này cho cán bộ kỹ thuật; trong đó không có nội dung báo cáo.")

    _run(win, "Xuất nhật ký", "Đang đóng gói nhật ký…", lambda: pack_logs(data, path, __version__), done,
         undo=lambda result: Path(result[0]).unlink(missing_ok=True))
    return True
