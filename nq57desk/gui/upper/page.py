"""«Tổng hợp cấp trên»: the upper level's page — import commune bundles as they arrive, see who has reported,
export the consolidated workbook, report (DOCX) and DHIS2 CSV.

The page talks to the store only through desk.upper() (nq57desk.upper); imports and exports run on a worker with
a progress dialog, an import can be cancelled between files (what was stored stays stored).

Signals: home_requested() — «Về báo cáo của xã» was pressed; imported(ImportResult) — a real import finished;
exported(str) — a file was written; message(str) — a line for the window's status bar.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nq57desk.errors import NQError
from nq57desk.gui.qtutil import ask, error, icon, info, progress, save_file, when
from nq57desk.gui.textwidgets import combo
from nq57desk.gui.workers import run_async

STATUS_FILTER = [("", "Tất cả"), ("submitted", "Đã nộp"), ("late", "Nộp muộn"), ("errors", "Có lỗi kiểm tra"),
                 ("conflict", "Xung đột"), ("missing", "Chưa nộp")]
COMMUNE_COLUMNS = ["TT", "Mã xã", "Xã, phường, đặc khu", "Tình trạng", "Lần gửi", "Trạng thái báo cáo",
                   "Thời điểm xuất", "Lỗi", "Cảnh báo", "Ghi chú"]
LINE_COLUMNS = ["Kết quả", "Tệp", "Xã, phường", "Kỳ", "Lần gửi", "Ghi chú, lý do"]
HELD_COLUMNS = ["Xã, phường", "Mẫu", "Kỳ", "Lần gửi", "Lý do", "Chi tiết"]
COLORS = {"missing": "#eef0f2", "late": "#fff1d6", "errors": "#fde2e1", "conflict": "#efe3fb", "submitted": "#e3f4e6",
          "accepted": "#e3f4e6", "duplicate": "#eef0f2", "replaced": "#eef0f2", "rejected": "#fde2e1",
          "skipped": "#f6f6f6", "held": "#fff1d6"}
OUTPUTS = {
    "xlsx": ("Xuất bảng tổng hợp Excel", "Tệp Excel (*.xlsx)", "xlsx", "tong-hop"),
    "docx": ("Xuất báo cáo tổng hợp DOCX", "Tệp Word (*.docx)", "docx", "bao-cao-tong-hop"),
    "csv": ("Xuất số liệu cho hệ thống DHIS2", "Bảng số liệu DHIS2 (*.csv)", "csv", "dhis2"),
}


class _Progress(QObject):
    """Carries the worker's progress to the GUI thread (queued: the object lives on the GUI thread)."""

    step = Signal(int, int, str)


class UpperPage(QWidget):
    home_requested = Signal()
    imported = Signal(object)
    exported = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None, settings=None):
        super().__init__(parent)
        self.desk = None
        self.settings = settings  # QSettings for the last folders (optional)
        self.busy = False
        self.last_result = None
        self._groups = []
        self._rows = []
        self._held = []
        self._cancel = threading.Event()
        self._progress: QProgressDialog | None = None
        self._relay = _Progress(self)
        self._relay.step.connect(self._on_step)
        self._build()
        from nq57desk.gui.dialogs.mail import install_receive

        install_receive(self)  # «Nhận từ hộp thư» in the import menu

    # layout --------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        head = QLabel("Tổng hợp cấp trên")
        head.setStyleSheet("font-size: 14pt; font-weight: bold; color: #12324f;")
        top.addWidget(head, 1)
        self.b_home = QPushButton(icon("home"), "Về báo cáo của xã")
        self.b_home.clicked.connect(self.home_requested)
        top.addWidget(self.b_home)
        lay.addLayout(top)

        pick = QHBoxLayout()
        pick.addWidget(QLabel("Tỉnh, thành phố:"))
        self.province = combo()
        self.province.setMinimumWidth(180)
        pick.addWidget(self.province)
        pick.addSpacing(10)
        pick.addWidget(QLabel("Mẫu báo cáo:"))
        self.template = combo()
        self.template.setMinimumWidth(260)
        pick.addWidget(self.template, 1)
        pick.addSpacing(10)
        pick.addWidget(QLabel("Kỳ:"))
        self.period = combo()
        self.period.setMinimumWidth(150)
        self.period.setSizeAdjustPolicy(self.period.SizeAdjustPolicy.AdjustToContents)  # «6 tháng đầu năm 2026» uncut
        pick.addWidget(self.period)
        lay.addLayout(pick)

        acts = QHBoxLayout()
        self.b_import = QPushButton(icon("open"), "Nhập gói báo cáo…")
        menu = QMenu(self.b_import)
        self.act_import_files = menu.addAction("Chọn tệp gói (.xlsx, .zip)…")
        self.act_import_folder = menu.addAction("Chọn cả thư mục…")
        self.b_import.setMenu(menu)
        self.b_preview = QPushButton(icon("find"), "Xem trước")
        self.b_preview.setToolTip("Chạy thử: cho biết từng tệp sẽ được nhận hay từ chối, không lưu gì")
        pmenu = QMenu(self.b_preview)
        self.act_preview_files = pmenu.addAction("Chọn tệp gói (.xlsx, .zip)…")
        self.act_preview_folder = pmenu.addAction("Chọn cả thư mục…")
        self.b_preview.setMenu(pmenu)
        self.act_import_files.triggered.connect(lambda: self.start_import("files"))
        self.act_import_folder.triggered.connect(lambda: self.start_import("folder"))
        self.act_preview_files.triggered.connect(lambda: self.start_import("files", dry_run=True))
        self.act_preview_folder.triggered.connect(lambda: self.start_import("folder", dry_run=True))
        for b in (self.b_import, self.b_preview):
            b.setMinimumWidth(b.sizeHint().width() + 18)  # room for the menu arrow
            acts.addWidget(b)
        acts.addStretch(1)
        self.b_xlsx = QPushButton(icon("xlsx"), "Xuất bảng tổng hợp Excel…")
        self.b_docx = QPushButton(icon("docx"), "Xuất báo cáo tổng hợp DOCX…")
        self.b_csv = QPushButton("Xuất số liệu cho DHIS2…")
        self.b_csv.setToolTip("Bảng số liệu các xã theo mã chỉ tiêu, để nhập vào hệ thống DHIS2 của ngành (nếu tỉnh dùng)")
        for kind, b in (("xlsx", self.b_xlsx), ("docx", self.b_docx), ("csv", self.b_csv)):
            b.clicked.connect(lambda _c=False, k=kind: self.start_export(k))
            acts.addWidget(b)
        lay.addLayout(acts)

        self.tabs = QTabWidget()
        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(6, 6, 6, 6)
        filt = QHBoxLayout()
        filt.addWidget(QLabel("Lọc theo tình trạng:"))
        self.status = combo([t for _k, t in STATUS_FILTER])
        filt.addWidget(self.status)
        filt.addStretch(1)
        self.counts = QLabel()
        self.counts.setStyleSheet("color: #3d4f60;")
        filt.addWidget(self.counts)
        pl.addLayout(filt)
        self.communes = _table(COMMUNE_COLUMNS, stretch=9, widths=[40, 60, 210, 130, 60, 120, 125, 45, 70])
        self.communes.itemActivated.connect(self._show_history)
        pl.addWidget(self.communes, 1)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setStyleSheet("color: #5f6b76; font-size: 11pt;")
        pl.addWidget(self.empty)
        self.tabs.addTab(page, "Tình hình nộp báo cáo")
        page2 = QWidget()
        ll = QVBoxLayout(page2)
        ll.setContentsMargins(6, 6, 6, 6)
        self.summary = QLabel("Chưa nhập lần nào trong phiên làm việc này.")
        self.summary.setWordWrap(True)
        ll.addWidget(self.summary)
        self.lines = _table(LINE_COLUMNS, stretch=5, widths=[150, 330, 190, 80, 60])
        ll.addWidget(self.lines, 1)
        self.tabs.addTab(page2, "Kết quả nhập")
        self.tabs.addTab(self._held_page(), "Chờ xác nhận")
        lay.addWidget(self.tabs, 1)

        self.province.currentIndexChanged.connect(self._province_changed)
        self.template.currentIndexChanged.connect(self._template_changed)
        self.period.currentIndexChanged.connect(self.refresh_completeness)
        self.status.currentIndexChanged.connect(self._fill_communes)
        self._update_buttons()

    def _held_page(self) -> QWidget:
        """Bundles stored but not used: key to confirm («khóa lạ — chờ xác nhận»), unsigned, signature failing."""
        page = QWidget()
        hl = QVBoxLayout(page)
        hl.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        self.held_note = QLabel()
        self.held_note.setWordWrap(True)
        row.addWidget(self.held_note, 1)
        self.b_confirm = QPushButton("Xác nhận khóa của xã…")
        self.b_confirm.setToolTip("Sau khi đã gọi điện đối chiếu mã khóa với xã: các gói xã gửi bằng khóa này được "
                                  "dùng để tổng hợp")
        self.b_confirm.clicked.connect(lambda: self.confirm_selected())
        row.addWidget(self.b_confirm)
        hl.addLayout(row)
        self.held = _table(HELD_COLUMNS, stretch=5, widths=[190, 130, 80, 60, 170])
        self.held.setContextMenuPolicy(Qt.CustomContextMenu)
        self.held.customContextMenuRequested.connect(self._held_menu)
        self.held.itemSelectionChanged.connect(self._update_buttons)
        self.held.itemActivated.connect(lambda _it: self.confirm_selected())
        hl.addWidget(self.held, 1)
        return page

    def refresh_held(self) -> None:
        from nq57desk.upper.keys import REASON_VI

        self._held = self.upper.held(self.province_code()) if self.desk else []
        t = self.held
        t.setRowCount(len(self._held))
        for i, ln in enumerate(self._held):
            cells = [f"{ln.commune_name} ({ln.commune_code})", self._template_title(ln.template),
                     ln.period_label or ln.period, str(ln.revision or ""),
                     REASON_VI.get(ln.reason, ln.reason), ln.message]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                it.setBackground(QBrush(QColor(COLORS["held" if ln.reason == "pending_key" else "rejected"])))
                t.setItem(i, j, it)
        n = len(self._held)
        self.held_note.setText(f"{n} gói đã nhận nhưng chưa dùng để tổng hợp. Khóa lạ: gọi điện cho xã, đối chiếu mã "
                               "khóa xã đọc (trong «Thông tin đơn vị» của xã) với mã ở đây, đúng thì xác nhận."
                               if n else "Không có gói nào đang chờ xác nhận.")
        self.tabs.setTabText(2, f"Chờ xác nhận ({n})" if n else "Chờ xác nhận")

    def _template_title(self, tid: str) -> str:
        """The template as the officer knows it; its id only when this installation does not have it."""
        try:
            return self.desk.registry.get(tid).title
        except NQError:
            return tid

    def _held_menu(self, pos) -> None:
        menu = QMenu(self.held)
        act = menu.addAction("Xác nhận khóa của xã…")
        act.setEnabled(self._selected_pending() is not None)
        act.triggered.connect(lambda: self.confirm_selected())
        menu.exec(self.held.viewport().mapToGlobal(pos))

    def _selected_pending(self):
        rows = {i.row() for i in self.held.selectedItems()}
        ln = self._held[min(rows)] if rows and getattr(self, "_held", None) else None
        return ln if ln is not None and ln.reason == "pending_key" else None

    def confirm_selected(self, *, asked: bool = False) -> bool:
        """Confirm the key of the selected commune after the officer compared its code over the phone."""
        ln = self._selected_pending()
        if ln is None or self.busy:
            return False
        keys = [k for k in self.upper.keys() if k["commune_code"] == ln.commune_code and k["status"] == "pending"]
        if not keys:
            return False
        k = keys[0] if len(keys) == 1 else next((x for x in keys if x["fingerprint"] in ln.message), keys[0])
        if not asked and not ask(self, "Xác nhận khóa của xã",
                                 f"Mã khóa của {ln.commune_name}: {k['fingerprint']}",
                                 "Chỉ xác nhận khi xã đọc đúng mã này qua điện thoại (mã trong «Thông tin đơn vị» "
                                 "trên máy của xã). Mã khác: không xác nhận, báo xã và chờ gói khác.",
                                 yes="Đúng mã, xác nhận", no="Không"):
            return False
        try:
            self.upper.confirm_key(ln.commune_code, k["fingerprint"])
        except NQError as e:
            error(self, "Xác nhận khóa của xã", str(e))
            return False
        self.message.emit(f"Đã xác nhận khóa {k['fingerprint']} của {ln.commune_name}.")
        self.refresh()
        return True

    # data folder ---------------------------------------------------------------------------------------------
    def set_desk(self, desk) -> None:
        """Show the store of this data folder; the province defaults to the profile's."""
        from nq57desk.units import provinces

        self.desk = desk
        self.upper = desk.upper()
        prof = desk.profile() or {}
        mine = (prof.get("commune") or {}).get("province_code")
        seen = [c for c, _n in self.upper.provinces()]
        default = mine or (seen[0] if seen else None)
        self.province.blockSignals(True)
        self.province.clear()
        for code, name in provinces():
            self.province.addItem(name, code)
        i = self.province.findData(default) if default else 0
        self.province.setCurrentIndex(max(0, i))
        self.province.blockSignals(False)
        self.refresh()
        changed = self.upper.verify_received()  # the upper level's start: stored bundles against their signatures
        if changed:
            error(self, "Tổng hợp cấp trên", f"{len(changed)} gói đã nhận bị sửa trong cơ sở dữ liệu sau khi nhập; các "
                  "gói này không được dùng để tổng hợp. Hãy nhập lại gói gốc của xã.", "\n".join(changed[:20]))

    def province_code(self) -> str | None:
        return self.province.currentData()

    def selected_group(self) -> tuple[str, str] | None:
        t, p = self.template.currentData(), self.period.currentData()
        return (t, p) if t and p else None

    def refresh(self, keep: tuple[str, str] | None = None) -> None:
        """Reload the templates and periods received for the province, then the completeness table."""
        if self.desk is None:
            return
        keep = keep or self.selected_group()
        self._groups = self.upper.groups(self.province_code())
        self.template.blockSignals(True)
        self.template.clear()
        for tid, title in dict.fromkeys((g.template, g.template_title) for g in self._groups):
            self.template.addItem(title, tid)
        if keep:
            self.template.setCurrentIndex(max(0, self.template.findData(keep[0])))
        self.template.blockSignals(False)
        self._fill_periods(keep[1] if keep else None)
        self.refresh_completeness()
        self.refresh_held()

    def _fill_periods(self, keep: str | None = None) -> None:
        tid = self.template.currentData()
        self.period.blockSignals(True)
        self.period.clear()
        for g in self._groups:
            if g.template == tid:
                self.period.addItem(f"{g.period_label} ({g.reports} xã)", g.period)
        if keep:
            self.period.setCurrentIndex(max(0, self.period.findData(keep)))
        self.period.blockSignals(False)

    def _province_changed(self, *_):
        self.refresh()

    def _template_changed(self, *_):
        self._fill_periods()
        self.refresh_completeness()

    def refresh_completeness(self, *_):
        g = self.selected_group()
        self._rows = self.upper.completeness(g[0], g[1], self.province_code()) if g and self.desk else []
        self._fill_communes()
        self._update_buttons()

    def _fill_communes(self, *_):
        from nq57desk.upper import completeness_line

        want = STATUS_FILTER[self.status.currentIndex()][0]
        rows = [c for c in self._rows if not want or c.status == want]
        t = self.communes
        t.setRowCount(len(rows))
        for i, c in enumerate(rows):
            cells = [str(i + 1), c.code, c.name, c.status_vi, str(c.revision or ""), c.report_status_vi, when(c.exported_at),
                     str(c.errors or ""), str(c.warnings or ""), c.note or "; ".join(c.findings[:2])]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setData(Qt.UserRole, c.code)
                it.setToolTip(text if j != 9 else "\n".join([c.note, *c.findings]).strip())
                if j in (0, 4, 7, 8):
                    it.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                it.setBackground(QBrush(QColor(COLORS.get(c.status, "#ffffff"))))
                t.setItem(i, j, it)
        self.counts.setText(completeness_line(self._rows) if self._rows else "")
        self.empty.setVisible(not self._rows)
        prov = self.province.currentText()
        self.empty.setText(f"Chưa nhận báo cáo nào của các xã thuộc {prov}. Nhấn «Nhập gói báo cáo…» để nhập." if
                           not self._groups else "")

    def _update_buttons(self) -> None:
        has = self.selected_group() is not None and not self.busy
        for b in (self.b_xlsx, self.b_docx, self.b_csv):
            b.setEnabled(has)
        self.b_import.setEnabled(not self.busy and self.desk is not None)
        self.b_preview.setEnabled(not self.busy and self.desk is not None)
        if hasattr(self, "held"):
            self.b_confirm.setEnabled(not self.busy and self._selected_pending() is not None)

    def _show_history(self, item) -> None:
        g = self.selected_group()
        if g is None:
            return
        lines = self.upper.history(item.data(Qt.UserRole), *g)
        if not lines:
            info(self, "Các lần gửi", f"Chưa nhận báo cáo nào của {self.communes.item(item.row(), 2).text()}.")
            return
        text = "\n".join(f"Lần gửi {ln.revision} ({ln.report_status_vi}), xuất {when(ln.exported_at)}, nhập "
                         f"{when(ln.imported_at)}: {ln.status_vi}. {ln.message}".strip() for ln in lines)
        info(self, "Các lần gửi", f"Các gói đã nhận của {lines[0].commune_name}:", text)

    # choosing files (tests replace these two) ----------------------------------------------------------------
    def ask_import_paths(self, kind: str) -> list[str]:
        folder = self._setting("upper/import_dir", str(Path.home()))
        d = QFileDialog(self, "Chọn gói báo cáo của các xã" if kind == "files" else "Chọn thư mục chứa gói báo cáo",
                        folder)
        d.setOption(QFileDialog.DontUseNativeDialog, True)
        d.setLabelText(QFileDialog.LookIn, "Tìm trong:")
        d.setLabelText(QFileDialog.FileName, "Tên tệp:" if kind == "files" else "Thư mục:")
        d.setLabelText(QFileDialog.FileType, "Loại tệp:")
        d.setLabelText(QFileDialog.Accept, "Chọn")
        d.setLabelText(QFileDialog.Reject, "Hủy")
        if kind == "files":
            d.setFileMode(QFileDialog.ExistingFiles)
            d.setNameFilters(["Gói báo cáo (*.xlsx *.zip)", "Mọi tệp (*)"])
        else:
            d.setFileMode(QFileDialog.Directory)
            d.setOption(QFileDialog.ShowDirsOnly, True)
        if d.exec() != QDialog.Accepted or not d.selectedFiles():
            return []
        paths = d.selectedFiles()
        self._set_setting("upper/import_dir", str(Path(paths[0]).parent if kind == "files" else paths[0]))
        return paths

    def ask_save_path(self, kind: str) -> str | None:
        title, filt, ext, stem = OUTPUTS[kind]
        g = self.selected_group()
        name = f"{stem}-{self.province_code() or ''}-{g[0]}-{g[1]}.{ext}" if g else f"{stem}.{ext}"
        folder = self._setting("upper/export_dir", str(Path.home()))
        path = save_file(self, title, str(Path(folder) / name), [filt], ext)
        if path:
            self._set_setting("upper/export_dir", str(Path(path).parent))
        return path

    def _setting(self, key: str, default: str) -> str:
        return str(self.settings.value(key, default)) if self.settings is not None else default

    def _set_setting(self, key: str, value: str) -> None:
        if self.settings is not None:
            self.settings.setValue(key, value)

    # import --------------------------------------------------------------------------------------------------
    def start_import(self, kind: str = "files", *, dry_run: bool = False, paths: list[str] | None = None) -> bool:
        """Ask for the inputs (unless given) and import them on a worker; False when nothing was started."""
        if self.desk is None or self.busy:
            return False
        paths = paths if paths is not None else self.ask_import_paths(kind)
        if not paths:
            return False
        self._cancel.clear()
        title = "Xem trước gói báo cáo" if dry_run else "Nhập gói báo cáo"
        self._progress = progress(self, title, "Đang liệt kê các tệp…", self._on_cancel, delay_ms=300)
        self._set_busy(True)
        upper, pc, relay, cancel = self.upper, self.province_code(), self._relay, self._cancel
        run_async(lambda: upper.import_bundles(paths, province=pc, dry_run=dry_run, cancelled=cancel.is_set,
                                               progress=lambda i, n, name: relay.step.emit(i, n, name)),
                  self._import_done, self._import_failed)
        return True

    def cancel(self) -> None:
        """«Hủy»: stop before the next file (what is stored stays stored)."""
        self._cancel.set()

    def _on_cancel(self) -> None:
        self.cancel()
        if self._progress is not None:
            self._progress.setLabelText("Đang hủy (tệp đang nhập sẽ nhập xong)…")

    def _on_step(self, i: int, n: int, name: str) -> None:
        p = self._progress
        if p is None or self._cancel.is_set():
            return
        p.setLabelText(f"Tệp {i + 1}/{n}: {Path(name.split('!')[-1]).name}")
        p.setMaximum(n)
        p.setValue(i)  # last: a modal progress dialog processes events here (the import may finish meanwhile)

    def _close_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()  # its «Hủy» (if any) dies with it: nothing to disconnect
            self._progress.deleteLater()
            self._progress = None

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self._update_buttons()

    def _import_done(self, res) -> None:
        self._close_progress()
        self._set_busy(False)
        self.last_result = res
        self.show_lines(res)
        keep = res.groups[0] if res.groups and not res.dry_run else None
        self.refresh(keep)
        if not res.dry_run:
            self.imported.emit(res)
        self.message.emit(res.summary())
        if not res.bundles and not res.cancelled and \
                not any(ln.status == "rejected" and ln.reason != "no_bundle" for ln in res.lines):
            error(self, "Nhập gói báo cáo", "Không tìm thấy gói báo cáo NQ57 (.xlsx) nào trong các tệp, thư mục đã chọn.")

    def _import_failed(self, exc) -> None:
        self._close_progress()
        self._set_busy(False)
        text = str(exc) if isinstance(exc, NQError) else f"Lỗi không mong muốn khi nhập ({type(exc).__name__})."
        error(self, "Nhập gói báo cáo", text, "Các tệp đã nhập xong trước lỗi này vẫn được giữ.")

    def show_lines(self, res) -> None:
        t = self.lines
        t.setRowCount(len(res.lines))
        for i, ln in enumerate(res.lines):
            who = ln.commune_name and f"{ln.commune_name} ({ln.commune_code})"
            cells = [ln.status_vi, ln.source, who, ln.period_label or ln.period, str(ln.revision or ""), ln.message]
            for j, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                it.setBackground(QBrush(QColor(COLORS.get(ln.status, "#ffffff"))))
                t.setItem(i, j, it)
        self.summary.setText(res.summary() + (f" Đã sao lưu trước khi nhập: {res.backup}" if res.backup else ""))
        self.tabs.setCurrentIndex(1)

    # outputs -------------------------------------------------------------------------------------------------
    def start_export(self, kind: str, path: str | None = None) -> bool:
        g = self.selected_group()
        if g is None or self.busy:
            return False
        path = path or self.ask_save_path(kind)
        if not path:
            return False
        title = OUTPUTS[kind][0]
        self._progress = progress(self, title, f"Đang {title[0].lower() + title[1:]}…", None, delay_ms=300)
        self._set_busy(True)
        upper, pc = self.upper, self.province_code()
        fn = {"xlsx": upper.write_workbook, "docx": upper.write_docx, "csv": upper.write_csv}[kind]
        run_async(lambda: fn(path, province=pc, template=g[0], period=g[1]),
                  lambda _r: self._export_done(title, path), lambda exc: self._export_failed(title, exc))
        return True

    def _export_done(self, title: str, path: str) -> None:
        self._close_progress()
        self._set_busy(False)
        self.exported.emit(str(path))
        self.message.emit(f"{title}: đã ghi {path}")
        info(self, title, f"Đã ghi:\n{path}")

    def _export_failed(self, title: str, exc) -> None:
        self._close_progress()
        self._set_busy(False)
        text = str(exc) if isinstance(exc, NQError) else f"Lỗi không mong muốn ({type(exc).__name__})."
        error(self, title, text)


def _table(columns: list[str], stretch: int, widths: list[int]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(columns)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setWordWrap(False)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.Interactive)
    h.setSectionResizeMode(stretch, QHeaderView.Stretch)
    for i, w in enumerate(widths):
        t.setColumnWidth(i, w)
    return t
