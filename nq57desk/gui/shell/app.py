"""Start the app: the window shows first; the data folder (SQLite, templates: heavy imports) opens right after,
on a worker thread, and is handed to the window. There is no global app object.

NQ57_STARTUP_PROBE=1 prints `startup_ms=<N>` when the main window is first shown, `editable_ms=<N>` when the last
report takes input (at once when the window shows it from the glimpse, whose edits are saved once the folder is
open) and `ready_ms=<N>` when the data folder is open (and the last report, if any, is shown), then exits 0.
"""

from __future__ import annotations

import os
import sys
import time

_T0 = time.perf_counter()

UI_FAMILIES = ["Segoe UI", "Liberation Sans", "DejaVu Sans", "Arial", "Tahoma"]


def process_age_ms() -> float:
    """Milliseconds since this process started (falls back to since this module was imported)."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/self/stat", "rb") as f:
                start_ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
            with open("/proc/uptime", "rb") as f:
                uptime = float(f.read().split()[0])
            return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
        if sys.platform == "win32":
            import ctypes
            from ctypes import wintypes

            ft = [wintypes.FILETIME() for _ in range(4)]
            h = ctypes.windll.kernel32.GetCurrentProcess()
            ctypes.windll.kernel32.GetProcessTimes(h, *[ctypes.byref(x) for x in ft])
            now = wintypes.FILETIME()
            ctypes.windll.kernel32.GetSystemTimeAsFileTime(ctypes.byref(now))

            def v(x):
                return (x.dwHighDateTime << 32) | x.dwLowDateTime

            return (v(now) - v(ft[0])) / 10_000
    except Exception:  # noqa: BLE001 - a probe figure is not worth failing for
        pass
    return (time.perf_counter() - _T0) * 1000


def lighter_feature_check() -> None:
    """PySide6 asks of every module imported after it whether its source mentions "PySide6" (for its optional
    `__feature__` switches) with inspect.getsource, which keeps each source in linecache: here 307 modules, 43-68 ms
    of start-up and 8.6 million characters kept for nothing. Same question, same answer, from the file's bytes,
    nothing kept. Any surprise in PySide6's internals leaves its own check in place."""
    try:
        import shibokensupport.feature as feature  # loaded with PySide6.QtCore
    except ImportError:
        return
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "nq57desk", False):
        return

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)  # built-in, extension or frozen: PySide6's own answer (no source to keep)
        try:
            with open(path, "rb") as f:
                return b"PySide6" in f.read()
        except OSError:
            return False

    uses_pyside.nq57desk = True
    feature._mod_uses_pyside = uses_pyside


def setup_app(app) -> None:
    """Vietnamese locale, Qt's own texts in Vietnamese, a UI font with Vietnamese glyphs."""
    from PySide6.QtCore import QLocale
    from PySide6.QtGui import QFont

    from nq57desk.gui.qtutil import icon
    from nq57desk.gui.shell.qt_vi import VietnameseQt

    if app.property("nq57_setup"):
        return
    app.setProperty("nq57_setup", True)
    # Saves run on a worker thread but share the interpreter lock: hand it back to the GUI thread every 1 ms
    # (Python's default is 5 ms), so a key typed during a save is not held up behind it.
    sys.setswitchinterval(0.001)
    QLocale.setDefault(QLocale(QLocale.Vietnamese, QLocale.Vietnam))
    tr = VietnameseQt(app)
    app.installTranslator(tr)
    f = QFont(app.font())
    f.setFamilies(UI_FAMILIES)
    if sys.platform != "win32":
        f.setPointSizeF(9.5)
    app.setFont(f)
    app.setApplicationName("nq57desk")
    app.setWindowIcon(icon("app"))


def _install_excepthook(data, win) -> None:
    """An unexpected error in a slot: a Vietnamese sentence for the officer, the traceback in the rotating log.

    The app goes on (Qt slots return to the event loop); the officer is told how to keep their work.
    """
    from nq57desk.gui.qtutil import error

    def hook(kind, exc, tb):
        from nq57desk.safety.logs import log_unexpected  # logging is imported when there is something to log

        where = log_unexpected(data, "trong giao diện", (kind, exc, tb))
        sys.__excepthook__(kind, exc, tb)
        error(win, "Lỗi không mong muốn", f"Có lỗi không mong muốn ({kind.__name__}). Hãy nhấn Ctrl+S để lưu, rồi "
              "mở lại báo cáo nếu màn hình hoạt động không đúng.",
              f"Chi tiết đã ghi vào nhật ký: {where}" if where else "Không ghi được nhật ký.")

    sys.excepthook = hook


def collector_on() -> None:
    """After start-up: what start-up built lives as long as the app, so it leaves the collector's generations
    (gc.freeze) and the collector runs again for what comes after. Safe to call more than once."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _probe(text: str) -> None:
    """Start-up probe lines: to stdout, or to NQ57_PROBE_FILE (the windowed Windows exe has no stdout)."""
    path = os.environ.get("NQ57_PROBE_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
    elif sys.stdout is not None:
        sys.stdout.write(text)
        sys.stdout.flush()


def make_app():
    from PySide6.QtCore import QCoreApplication  # noqa: F401 - shibokensupport is loaded with it

    lighter_feature_check()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_app(app)
    return app


def _open_desk(data):
    """On a worker: open the data folder, then do the slow first-time work there too (parse every template,
    import the form builder with derive/validation), so the window stays responsive meanwhile."""
    from nq57desk.services import Desk

    desk = Desk(data)
    try:
        desk.templates()
        import nq57desk.gui.editor.editor  # noqa: F401 - warms the import; widgets are made on the GUI thread
    except Exception:  # noqa: BLE001 - only a warm-up; the GUI thread reports real problems when it uses them
        pass
    return desk


def run(data_dir: str | None = None) -> int:
    from PySide6.QtCore import QTimer

    lighter_feature_check()  # before the modules below are imported
    from nq57desk import settings as st
    from nq57desk.errors import NQError
    from nq57desk.gui.qtutil import ask, error
    from nq57desk.gui.shell.mainwindow import MainWindow
    from nq57desk.gui.workers import run_async

    app = make_app()
    data = st.data_dir(data_dir)
    probe = os.environ.get("NQ57_STARTUP_PROBE") == "1"
    win = MainWindow(data, persist=not probe)
    _install_excepthook(data, win)
    state: dict = {}
    last = int(win.settings.value("session/last_report", 0) or 0)
    previewed = win.preview_last(last)
    win.show()
    if probe:
        app.processEvents()
        ms = round(process_age_ms())
        _probe(f"startup_ms={ms}\n" + (f"report_ms={ms}\neditable_ms={ms}\n" if previewed else "")
               + f"startup_cpu_ms={round(time.process_time() * 1000)}\n")

    def opened(desk):
        collector_on()
        state["desk"] = desk
        win.attach(desk)
        if not (previewed and win.adopt(desk)):
            if last and any(r.id == last for r in desk.list_reports()):
                win.open_report(last)
            elif win.session is None:
                win.set_mode("home")
        if probe:
            app.processEvents()
            ms = round(process_age_ms())
            _probe(("" if previewed else f"editable_ms={ms}\n") + f"ready_ms={ms}\n")
            QTimer.singleShot(0, lambda: app.exit(0))
        elif desk.profile() is None:
            QTimer.singleShot(0, win.first_run)

    def failed(exc):
        collector_on()
        win.keep_glimpse_edits()
        win.close_report()  # a previewed report: its folder could not be opened
        backup = getattr(getattr(exc, "result", None), "backup", None)
        if backup is not None and not probe:
            if ask(win, "Cơ sở dữ liệu bị hỏng", str(exc), f"Khôi phục từ bản sao lưu {backup.path.name}? Tệp hỏng được "
                   "giữ lại riêng, không bị xóa.", yes="Khôi phục", no="Thoát"):
                try:
                    from nq57desk.services import restore_from_backup

                    restore_from_backup(data, backup.path)
                except NQError as e:
                    error(win, "Khôi phục", str(e))
                    app.exit(2)
                    return
                run_async(lambda: _open_desk(data), opened, failed)
                return
            app.exit(2)
            return
        msg = str(exc) if isinstance(exc, NQError) else f"Lỗi không mong muốn ({type(exc).__name__})."
        error(win, "Không mở được dữ liệu", msg, str(data))
        app.exit(2)

    run_async(lambda: _open_desk(data), opened, failed)
    QTimer.singleShot(30_000, collector_on)  # whatever happens, the collector is not off for long
    try:
        return app.exec()
    finally:
        if win.session is not None:
            win.close_report()
        if win.desk is not None:  # after «Khôi phục» the window holds the reopened folder
            win.desk.close()
        elif "desk" in state:
            state["desk"].close()
