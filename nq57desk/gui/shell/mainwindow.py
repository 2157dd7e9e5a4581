"""The main window: shell from ui/mainwindow.ui; home, editor, the Kiểm tra dock, menus and shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from nq57desk import __version__
from nq57desk.errors import NQError
from nq57desk.gui.qtutil import ask, child, error, icon, info, load_ui, open_settings, shortcut_tip

# The editor, the session and the form builder (templates, derive, validation …) are imported when the first
# report opens, after the window is on screen.

APP_TITLE = "Báo cáo Nghị quyết 57"
ICONS = {"actHome": "home", "actNew": "new", "actProfile": "profile", "actSave": "save", "actUndo": "undo",
         "actRedo": "redo", "actFind": "find", "actHistory": "history", "actDone": "done", "actSent": "sent",
         "actDraft": "draft", "actExportDocx": "docx", "actExportXlsx": "xlsx", "actOpenWord": "word",
         "actPrevSection": "up", "actNextSection": "down", "actQuit": "quit", "actAbout": "app", "actPreview": "print",
         "actExportPackage": "usb", "actExportPdf": "pdf", "actUpper": "upper"}
SHORT_TEXT = {"actNew": "Báo cáo mới", "actDone": "Hoàn thành"}  # on the toolbar; the menus keep the full words
SQUEEZED = ("actExportDocx", "actExportXlsx", "actOpenWord", "actUpper")  # icon only when the toolbar is too narrow
MAXIMIZED_UP_TO = 1366  # screens this wide or narrower: the window opens maximized (the toolbar needs the width)
EDITOR_ACTIONS = ("actSave", "actUndo", "actRedo", "actFind", "actHistory", "actDone", "actSent", "actDraft",
                  "actExportDocx", "actExportXlsx", "actOpenWord", "actPrevSection", "actNextSection", "actPreview",
                  "actExportPackage", "actExportPdf")
# what the officer may do to the report selected on the home list: it is opened first, then the action runs
HOME_ACTIONS = ("actExportDocx", "actExportXlsx", "actOpenWord", "actPreview", "actExportPackage", "actExportPdf")


class MainWindow(QMainWindow):
    def __init__(self, data_dir: str | Path | None = None, desk=None, settings: QSettings | None = None,
                 persist: bool = True):
        super().__init__()
        load_ui("mainwindow", base=self)
        self.data_dir = data_dir
        self.settings = settings if settings is not None else open_settings(data_dir)
        self.persist = persist
        self.desk = None
        self.session = None
        self._glimpse_lock: Path | None = None  # the folder whose lock the glimpse holds (preview_last)
        self._close_when_open = False  # closed while the glimpse had unsaved edits: close once they are saved
        self.find_dialog = None
        self.exporter = None
        self.setWindowIcon(icon("app"))
        self.stack: QStackedWidget = child(self, QStackedWidget, "stack")
        self.loading = QLabel("Đang mở dữ liệu…")
        self.loading.setAlignment(Qt.AlignCenter)
        self.loading.setStyleSheet("color: #5f6b76; font-size: 12pt;")
        self.home = None  # built when the data folder is open (after the window is on screen)
        self.upper = None  # «Tổng hợp cấp trên», built the first time it is opened
        self.editor = None  # built when the first report opens
        self.checks = None
        self.stack.addWidget(self.loading)
        self.dock: QDockWidget = child(self, QDockWidget, "checksDock")
        self.saved_label = QLabel()
        self.statusBar().addPermanentWidget(self.saved_label)
        self._actions()
        self._restore_geometry()
        self.set_mode("loading")
        if desk is not None:
            self.attach(desk)

    # setup ---------------------------------------------------------------------------------------------------
    def _actions(self) -> None:
        self.act: dict[str, QAction] = {}
        for name in ICONS:
            a = self.findChild(QAction, name)
            if a is not None:
                a.setIcon(icon(ICONS[name]))
                self.act[name] = a
        a = self.act
        a["actRedo"].setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        for name, fn in (("actHome", self.go_home), ("actNew", self.new_report), ("actProfile", self.edit_profile),
                         ("actQuit", self.close), ("actSave", self.save_now), ("actUndo", self.undo),
                         ("actRedo", self.redo), ("actFind", self.find), ("actHistory", self.history),
                         ("actDone", lambda: self.set_status("done")), ("actSent", lambda: self.set_status("sent")),
                         ("actDraft", lambda: self.set_status("draft")), ("actExportDocx", lambda: self.export("docx")),
                         ("actExportXlsx", lambda: self.export("xlsx")), ("actOpenWord", self.open_in_word),
                         ("actPrevSection", lambda: self.step_section(-1)), ("actNextSection", lambda: self.step_section(1)),
                         ("actPreview", self.print_preview), ("actAbout", self.about),
                         ("actExportPackage", self.export_package), ("actExportPdf", self.export_pdf),
                         ("actUpper", self.show_upper)):
            a[name].triggered.connect(self._on_selected(fn) if name in HOME_ACTIONS else fn)
        tv = self.dock.toggleViewAction()
        tv.setText("Bảng Kiểm tra")
        tv.setShortcut(QKeySequence("F8"))
        tv.setIcon(icon("check"))
        child(self, QWidget, "menuView").addAction(tv)
        from nq57desk.gui.shell import maintenance

        maintenance.install(self)  # Tệp › Sao lưu / Khôi phục / Xuất nhật ký
        from nq57desk.gui import guide
        from nq57desk.gui.dialogs import mail, wordimport

        wordimport.install(self)  # Báo cáo › Tạo từ báo cáo Word…
        mail.install(self)  # Xuất › Gửi cấp trên qua thư điện tử, Hộp thư đi; Tệp › Thiết lập thư điện tử
        guide.install(self)  # Trợ giúp › Hướng dẫn sử dụng (F1)
        self._demo_action()
        for act in self.act.values():
            shortcut_tip(act)
        tb = child(self, QToolBar, "toolBar")
        tb.setIconSize(QSize(20, 20))
        for name in ("actUndo", "actRedo", "actFind", "actHistory"):
            w = tb.widgetForAction(a[name])
            if isinstance(w, QToolButton):
                w.setToolButtonStyle(Qt.ToolButtonIconOnly)
        for name, text in SHORT_TEXT.items():
            a[name].setIconText(text)
        self.toolbar = tb

    def fit_toolbar(self) -> None:
        """Every toolbar action stays on screen (no «»» menu): when the words do not fit the window's width, the
        export buttons show their icon only (their tooltips still name them)."""
        tb = getattr(self, "toolbar", None)
        if tb is None:
            return
        buttons = [tb.widgetForAction(self.act[n]) for n in SQUEEZED]
        buttons = [b for b in buttons if isinstance(b, QToolButton)]
        for b in buttons:
            b.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        tb.layout().invalidate()
        if tb.sizeHint().width() > self.width() - 8:
            for b in buttons:
                b.setToolButtonStyle(Qt.ToolButtonIconOnly)

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if ev.oldSize().width() != ev.size().width():
            self.fit_toolbar()

    def _demo_action(self) -> None:
        """«Báo cáo › Xóa báo cáo mẫu», shown while the demo report is open."""
        a = QAction(icon("delete"), "Xóa báo cáo mẫu", self)
        a.setObjectName("actDeleteDemo")
        a.setToolTip("Xóa báo cáo mẫu: Chuyển báo cáo mẫu vào Thùng rác (khôi phục được)")
        a.setVisible(False)
        a.triggered.connect(self.delete_demo)
        child(self, QWidget, "menuReport").addAction(a)
        self.act["actDeleteDemo"] = a

    def _restore_geometry(self) -> None:
        g = self.settings.value("window/geometry")
        if g is not None:
            self.restoreGeometry(g)
        else:
            self.resize(1280, 720)
            screen = self.screen()
            if screen is not None and screen.availableGeometry().width() <= MAXIMIZED_UP_TO:
                self.setWindowState(self.windowState() | Qt.WindowMaximized)
        st = self.settings.value("window/state")
        if st is not None:
            self.restoreState(st)
        else:
            self.resizeDocks([self.dock], [165], Qt.Vertical)

    def _ensure_editor(self):
        if self.editor is None:
            from nq57desk.gui.editor.checks import ChecksPanel
            from nq57desk.gui.editor.editor import ReportEditor

            self.checks = ChecksPanel()
            child(self, QWidget, "checksHost").layout().addWidget(self.checks)
            self.checks.jump.connect(lambda f: self.editor.jump_to_finding(f))
            self.checks.acknowledged_changed.connect(lambda: self.editor.set_acknowledged(self.checks.acknowledged))
            self.checks.ack_toggled.connect(self._ack_toggled)
            self.checks.collapsed_changed.connect(self._fold_checks)
            if self.settings.value("checks/collapsed", False, type=bool):
                self.checks.set_collapsed(True)

            self.editor = ReportEditor(self.settings)
            self.stack.addWidget(self.editor)
            sp = self.settings.value("editor/splitter")
            if sp is not None:
                self.editor.splitter.restoreState(sp)
        return self.editor

    def save_settings(self) -> None:
        if not self.persist:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        if self.checks is not None and not self.checks.collapsed and self.dock.isVisible():
            self.settings.setValue("checks/height", self.dock.height())
        if self.editor is not None:
            self.settings.setValue("editor/splitter", self.editor.splitter.saveState())
        self.settings.sync()

    def set_mode(self, mode: str) -> None:
        self.stack.setCurrentWidget({"loading": self.loading, "home": self.home, "editor": self.editor,
                                     "upper": self.upper}[mode])
        on = mode == "editor"
        for name in EDITOR_ACTIONS:
            self.act[name].setEnabled(on)
        if not on:
            self.act["actDeleteDemo"].setVisible(False)
        self.act["actNew"].setEnabled(mode != "loading")
        self.act["actProfile"].setEnabled(mode != "loading")
        self.act["actUpper"].setEnabled(mode not in ("loading", "upper"))
        self.dock.setVisible(on)
        self.dock.toggleViewAction().setEnabled(on)
        if mode == "home":
            self._home_actions()
        if on:
            self._update_status_actions()
        else:
            self.saved_label.setText("")
            self.setWindowTitle(APP_TITLE)

    # data folder -----------------------------------------------------------------------------------------------
    def attach(self, desk) -> None:
        from nq57desk.gui.shell.home import HomePage

        self.desk = desk
        if self.home is None:
            self.home = HomePage()
            self.stack.addWidget(self.home)
            self.home.open_report.connect(self.open_report)
            self.home.new_report.connect(self.new_report)
            self.home.edit_profile.connect(self.edit_profile)
            self.home.import_word.connect(self.import_word)
            self.home.table.itemSelectionChanged.connect(self._home_actions)
        self.home.set_desk(desk)
        if self.session is None:
            self.set_mode("home")

    def _on_selected(self, fn):
        """An editor action that, on the home list, first opens the selected report (export, print, package)."""
        def run():
            if self.session is None and self.home is not None and self.stack.currentWidget() is self.home:
                rid = self.home.selected_id()
                if rid is None or not self.open_report(rid):
                    return
            fn()
        return run

    def _home_actions(self) -> None:
        if self.home is not None and self.stack.currentWidget() is self.home:
            on = self.home.selected_id() is not None
            for name in HOME_ACTIONS:
                self.act[name].setEnabled(on)

    def undo_target(self):
        """Ctrl+Z in any text box of the editor undoes across the whole report."""
        return self.session if self.editor is not None and self.stack.currentWidget() is self.editor else None

    # reports ---------------------------------------------------------------------------------------------------
    def open_report(self, rid: int, section: str | None = None) -> bool:
        from nq57desk.gui.editor.session import DocSession

        if not self.can_close():
            return False
        self.close_report()
        self._ensure_editor()
        try:
            s = DocSession(self.desk, rid, self)
        except NQError as e:
            error(self, "Mở báo cáo", str(e))
            if self.home is not None:
                self.set_mode("home")
            return False
        self._show_session(s, section)
        self.set_mode("editor")
        if self.persist:
            self.settings.setValue("session/last_report", rid)
        return True

    def _show_session(self, s, section: str | None) -> None:
        self.session = s
        s.confirm_edit = self._confirm_done_edit
        s.saved.connect(self._saved)
        s.save_failed.connect(self._save_failed)
        s.findings_changed.connect(self.checks.set_findings)
        s.status_changed.connect(lambda _st: self._update_status_actions())
        self._migrate_ini_acks(s)
        acks = s.acknowledged_ids()  # one read of the database for the panel and the form
        self.checks.set_acknowledged(acks)
        self.editor.open(s, section, acks)
        self.checks.set_findings(s.findings)
        self.saved_label.setText("")

    def _confirm_done_edit(self) -> bool:
        return ask(self, "Sửa báo cáo đã hoàn thành", "Báo cáo này đã «Hoàn thành». Có sửa không?",
                   "Nếu sửa, báo cáo trở lại «Nháp»; «Lịch sử các bản» ghi lại những gì đã sửa. Xem lại xong, hãy "
                   "đánh dấu «Hoàn thành» lần nữa.", yes="Sửa, chuyển về Nháp", no="Không sửa")

    def _fold_checks(self, on: bool) -> None:
        """«Kiểm tra» folded to one line (no title bar) or back at the height it had; both remembered."""
        if on:
            if self.persist and self.dock.isVisible() and self.dock.height() > 3 * self.checks.line_height():
                self.settings.setValue("checks/height", self.dock.height())
            self.dock.setTitleBarWidget(QWidget())
            self.dock.setFixedHeight(self.checks.line_height())
        else:
            self.dock.setTitleBarWidget(None)
            self.dock.setMinimumHeight(0)
            self.dock.setMaximumHeight(16777215)
            self.resizeDocks([self.dock], [int(self.settings.value("checks/height", 165))], Qt.Vertical)
        if self.persist:
            self.settings.setValue("checks/collapsed", on)

    def _ack_toggled(self, finding, on: bool) -> None:
        try:
            self.session.set_acknowledged(finding, on)
        except NQError as e:
            error(self, "Cảnh báo đã xem", str(e))

    def _migrate_ini_acks(self, s) -> None:
        """Versions before 0.2 kept accepted warnings in the settings file; they move into the database."""
        old = self.settings.value(f"ack/{s.rid}")
        if not old or s.desk is None:
            return
        from nq57desk.validation import Finding

        for i in (old if isinstance(old, list) else [old]):
            key, _, message = str(i).partition("|")
            try:
                s.desk.acknowledge(s.rid, Finding("warning", "", key, "", message))
            except NQError:
                pass
        self.settings.remove(f"ack/{s.rid}")

    # the report shown before the data folder is open -----------------------------------------------------------
    def preview_last(self, rid: int) -> bool:
        """Show the report that was open last time, read from the database without SQLAlchemy (nq57desk.glimpse),
        while the data folder opens on a worker. It can be edited at once: the window holds the folder's lock from
        here on (no other window can change the report meanwhile); the edits wait in the session and are saved as
        soon as adopt() hands it the open folder, and the window does not close before that (closeEvent). Any
        problem here just means the ordinary path (open the folder, then the report) runs instead."""
        from nq57desk.glimpse import peek_report
        from nq57desk.safety import lock

        g = peek_report(Path(self.data_dir), rid) if self.data_dir is not None else None
        if g is None:
            return False
        try:
            lock.acquire(Path(self.data_dir))
        except NQError:  # another window has the folder open: the ordinary path tells the officer
            return False
        self._glimpse_lock = Path(self.data_dir)
        try:
            from nq57desk.gui.editor.session import DocSession
            from nq57desk.gui.qtutil import after_first_paint
            from nq57desk.templates.cache import cache_dir, cached_template

            ref = g.doc["template"]
            cache = cache_dir(self.data_dir)
            tpl = next((t for t in (cached_template(p, cache) for p in g.template_paths)
                        if t.id == ref["id"] and t.version == ref["version"]), None)
            if tpl is None:
                self._end_glimpse()
                return False
            self._ensure_editor()
            s = DocSession(None, g.rid, self, doc=g.doc, tpl=tpl, acknowledged=g.acknowledged, stored_text=g.text)
            self._show_session(s, None)
            after_first_paint(self, s, s.revalidate)  # the page first, its checks (~20 ms) a moment later
        except Exception:  # noqa: BLE001 - a glimpse only; the ordinary path reports real problems
            self.session = None
            self._end_glimpse()
            return False
        self.stack.setCurrentWidget(self.editor)
        self.dock.setVisible(True)
        self.saved_label.setText("Đang mở dữ liệu…")
        self._set_title(s.doc)
        return True

    def adopt(self, desk) -> bool:
        """The data folder is open: the previewed report is saved from now on (what was typed meanwhile first), or
        is reopened if it changed; a close asked for meanwhile happens now."""
        s = self.session
        if s is None or s.desk is not None:
            return False
        ok = s.attach(desk)
        self._end_glimpse()
        if not ok:
            self.keep_glimpse_edits()
            self.close_report()
            return False
        self.saved_label.setText("")
        self.set_mode("editor")
        if self._close_when_open:
            QTimer.singleShot(0, self.close)
        return True

    def _end_glimpse(self) -> None:
        """The window's own hold on the folder's lock ends (the open Desk holds its own)."""
        from nq57desk.safety import lock

        folder, self._glimpse_lock = self._glimpse_lock, None
        if folder is not None:
            lock.release(folder)

    def keep_glimpse_edits(self) -> None:
        """Edits made on the glimpse that cannot go into the report (its folder did not open, or the stored report
        changed meanwhile) are written to a JSON file of the report's format in the data folder, and the officer
        is told where: nothing typed is dropped without a word."""
        s = self.session
        if s is None or s.desk is not None or not s.dirty or self.data_dir is None:
            return
        import time

        from nq57desk.errors import os_error_vi
        from nq57desk.report.document import dumps
        from nq57desk.safety.atomic import atomic_write_bytes

        path = Path(self.data_dir) / f"bao-cao-{s.rid}-chua-luu-{time.strftime('%Y%m%d-%H%M%S')}.json"
        try:
            atomic_write_bytes(path, dumps(s.doc).encode("utf-8"))
            detail = (f"Những gì vừa sửa được giữ trong tệp {path} (nhập lại bằng «nq57desk import» hoặc nhờ cán bộ "
                      "tin học).")
        except (OSError, ValueError, TypeError) as e:
            detail = f"Không ghi được tệp {path}: {os_error_vi(e) if isinstance(e, OSError) else e}."
        s.discard()  # kept in the file
        error(self, "Chưa lưu được những gì vừa sửa", "Báo cáo được sửa khi dữ liệu chưa mở xong, nhưng không lưu "
              "vào báo cáo được.", detail)

    def can_close(self) -> bool:
        """Save what is pending; when that fails, the officer decides: stay (the default) or drop the changes."""
        if self.session is None:
            return True
        if self.session.desk is None:  # the glimpse: what was typed is saved once the folder is open (adopt)
            return not self.session.dirty
        try:
            self.session.flush()
            return True
        except NQError as e:
            if ask(self, "Chưa lưu được báo cáo", str(e),
                   "Nếu đóng bây giờ, các thay đổi từ lần lưu cuối sẽ mất. Hãy ở lại, sửa chỗ được đánh dấu trong bảng "
                   "«Kiểm tra» (hoặc giải phóng ổ đĩa) rồi thử lại.", yes="Đóng, bỏ các thay đổi", no="Ở lại"):
                self.session.discard()
                return True
            self.dock.show()
            return False

    def close_report(self) -> None:
        self._end_glimpse()
        if self.session is None or self.editor is None:
            return
        try:
            self.editor.close_session()
        except NQError as e:
            error(self, "Lưu báo cáo", str(e))
        self.session.deleteLater()
        self.session = None
        if self.find_dialog is not None:
            self.find_dialog.close()

    def _upper_busy(self) -> bool:
        if self.upper is not None and self.upper.busy:
            info(self, "Tổng hợp cấp trên", "Đang nhập hoặc xuất gói báo cáo.",
                 "Hãy chờ xong, hoặc nhấn «Hủy» trong hộp tiến độ, rồi làm tiếp.")
            return True
        return False

    def go_home(self) -> None:
        if self.home is None or self._upper_busy() or not self.can_close():  # home: built when the folder is open
            return
        self.close_report()
        if self.persist:
            self.settings.setValue("session/last_report", 0)
        self.home.refresh_years()
        self.home.refresh()
        self.set_mode("home")

    def show_upper(self) -> None:
        """«Tổng hợp cấp trên»: the district's or province's mode of the same app (nq57desk.gui.upper.page)."""
        from nq57desk.gui.upper.page import UpperPage

        if self.desk is None or not self.can_close():
            return
        self.close_report()
        if self.persist:
            self.settings.setValue("session/last_report", 0)
        if self.upper is None:
            self.upper = UpperPage(settings=self.settings)
            self.stack.addWidget(self.upper)
            self.upper.home_requested.connect(self.go_home)
            self.upper.message.connect(lambda m: self.statusBar().showMessage(m, 10000))
        self.upper.set_desk(self.desk)
        self.set_mode("upper")
        self.setWindowTitle(f"Tổng hợp cấp trên — {APP_TITLE}")

    def new_report(self) -> None:
        from nq57desk.gui.dialogs.report import NewReportDialog

        if self.desk is None:
            return
        if self.desk.profile() is None and not self.edit_profile():
            return
        d = NewReportDialog(self.desk, self)
        if d.exec() and d.rid is not None:
            self.home.refresh_years()
            self.home.refresh()
            self.open_report(d.rid)

    def import_word(self) -> None:
        from nq57desk.gui.dialogs import wordimport

        wordimport.start(self)

    def edit_profile(self, first_run: bool = False) -> bool:
        from nq57desk.gui.dialogs.profile import ProfileDialog

        d = ProfileDialog(self.desk, self, first_run=first_run)
        ok = bool(d.exec())
        if self.home is not None:
            self.home.refresh()
        if d.demo_id is not None:
            self.home.refresh_years()
            self.home.refresh()
            self.open_report(d.demo_id)
        return ok

    def first_run(self) -> None:
        if self.desk is not None and self.desk.profile() is None:
            self.edit_profile(first_run=True)

    # editing ---------------------------------------------------------------------------------------------------
    def undo(self) -> None:
        if self.session is not None:
            self.session.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.session.redo()

    def save_now(self) -> None:
        if self.session is None:
            return
        try:
            self.session.flush()
        except NQError as e:
            self._save_failed(f"Chưa lưu được: {e}")
            return
        if not self.saved_label.text():
            self.saved_label.setText("Đã lưu")

    def _saved(self, msg: str) -> None:
        self.saved_label.setStyleSheet("color: #2e5d34;")
        self.saved_label.setText(msg)

    def _save_failed(self, msg: str) -> None:
        self.saved_label.setText(msg)
        self.saved_label.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.statusBar().showMessage(msg, 10000)

    def find(self) -> None:
        from nq57desk.gui.editor.find import FindDialog

        if self.session is None:
            return
        if self.find_dialog is None:
            self.find_dialog = FindDialog(self.editor, self)
        self.find_dialog.show()
        self.find_dialog.raise_()
        self.find_dialog.edit.setFocus()
        self.find_dialog.edit.selectAll()

    def history(self) -> None:
        from nq57desk.gui.dialogs.report import HistoryDialog

        if self.session is not None:
            HistoryDialog(self.session, self).exec()

    def set_status(self, status: str) -> bool:
        if self.session is None:
            return False
        try:
            self.session.set_status(status)
        except NQError as e:
            self.dock.show()
            error(self, "Trạng thái báo cáo", str(e))
            return False
        from nq57desk.report.document import STATUS_VI

        self.statusBar().showMessage(f"Đã chuyển trạng thái: «{STATUS_VI[status]}».", 6000)
        return True

    def _update_status_actions(self) -> None:
        s = self.session
        if s is None:
            return
        st = s.status
        self.act["actDone"].setEnabled(st == "draft")
        self.act["actSent"].setEnabled(st == "done")
        self.act["actDraft"].setEnabled(st == "done")
        self._set_title(s.doc)

    def _set_title(self, d: dict) -> None:
        from nq57desk.report.document import DEMO_MARK, is_demo, period_title

        demo = is_demo(d)
        self.act["actDeleteDemo"].setVisible(demo and self.session is not None and self.session.desk is not None)
        self.setWindowTitle((f"{DEMO_MARK} — " if demo else "")
                            + f"{d['commune']['name']} — {period_title(d['period'])} — {APP_TITLE}")

    def _refuse_demo(self, title: str) -> bool:
        """The demo report never goes to the upper level: said before any dialog opens."""
        from nq57desk.report.document import DEMO_REFUSAL, is_demo

        if self.session is None or not is_demo(self.session.doc):
            return False
        error(self, title, DEMO_REFUSAL.format(action="xuất gói gửi cấp trên"))
        return True

    def delete_demo(self) -> None:
        from nq57desk.report.document import is_demo

        s = self.session
        if s is None or s.desk is None or not is_demo(s.doc):
            return
        if not ask(self, "Xóa báo cáo mẫu", "Xóa báo cáo mẫu?", "Báo cáo mẫu được chuyển vào Thùng rác, khôi phục "
                   "được từ trang chủ. Các báo cáo của đơn vị không bị ảnh hưởng.", yes="Xóa", no="Không xóa"):
            return
        rid = s.rid
        self.go_home()
        if self.session is None:
            self.desk.delete_report(rid)
            self.home.refresh()
            self.statusBar().showMessage("Đã chuyển báo cáo mẫu vào Thùng rác.", 6000)

    def step_section(self, step: int) -> None:
        from nq57desk.gui.editor.forms import outline

        if self.session is None:
            return
        keys = [k for k, *_ in outline(self.session.tpl)]
        cur = self.editor.current
        i = keys.index(cur) if cur in keys else 0
        j = min(max(0, i + step), len(keys) - 1)
        self.editor.show_section(keys[j])

    def export(self, kind: str, path: str | None = None, open_after: bool = False, ask_path: bool = True) -> bool:
        from nq57desk.gui.printout.export import Exporter

        if self.session is None or (kind == "xlsx" and self._refuse_demo("Xuất Excel")):
            return False
        self.exporter = Exporter(self, self.session, self.settings)
        return self.exporter.start(kind, path, open_after=open_after, ask_path=ask_path)

    def print_preview(self) -> None:
        """«Xem trước khi in»: the same document tree as the DOCX, paginated on A4 (gui/printing.py)."""
        if self.session is None:
            return
        try:
            from nq57desk.gui.printout.printpreview import preview

            self.session.flush()
            preview(self, self.session.tpl, self.session.doc)
        except ImportError:
            error(self, "Xem trước khi in", "Bản cài đặt này chưa có chức năng xem trước khi in.")
        except NQError as e:
            error(self, "Xem trước khi in", str(e))

    def export_package(self) -> None:
        """«Xuất gói gửi cấp trên»: DOCX + bundle + manifest, copied and verified on a USB stick or in a folder."""
        from nq57desk.gui.dialogs.package import PackageDialog

        if self.session is None or self._refuse_demo("Xuất gói gửi cấp trên"):
            return
        PackageDialog(self, self.session, self.settings).exec()

    def export_pdf(self) -> None:
        """«Lưu PDF…»: the same pages as the preview, written on a worker (no Word needed)."""
        self.export("pdf")

    def open_in_word(self) -> None:
        self.export("docx", open_after=True, ask_path=False)

    def about(self) -> None:
        info(self, "Giới thiệu", f"{APP_TITLE} — phiên bản {__version__}",
             "Ứng dụng soạn báo cáo thực hiện Nghị quyết số 57-NQ/TW cho UBND cấp xã; chạy không cần mạng. "
             "Mọi tỷ lệ được tính tự động, mọi tổng được kiểm tra; xuất DOCX theo Nghị định 30/2020/NĐ-CP và gói Excel "
             "gửi cấp trên.")

    # closing ---------------------------------------------------------------------------------------------------
    def closeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        if self.session is not None and self.session.desk is None and self.session.dirty:
            self._close_when_open = True  # edits on the glimpse: saved when the folder is open, then closed (adopt)
            self.saved_label.setText("Đang mở dữ liệu để lưu…")
            ev.ignore()
            return
        if self._upper_busy() or not self.can_close():
            ev.ignore()
            return
        rid = self.session.rid if self.session is not None else 0
        self.close_report()
        if self.persist:
            self.settings.setValue("session/last_report", rid)
        self.save_settings()
        ev.accept()
