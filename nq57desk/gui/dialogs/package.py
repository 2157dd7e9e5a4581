"""«Xuất gói gửi cấp trên»: pick a USB stick (listed first) or a folder, then the DOCX, the bundle and the manifest
are built locally and copied with a read-back check on a worker (nq57desk.bundle.package.export_package).

«Hủy» while copying cannot stop a copy half-way without leaving it half-done, so it lets the copy finish and then
removes what was written: either the whole package is there, checked, or none of it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QRadioButton,
)

from nq57desk.errors import NQError
from nq57desk.gui.guide import help_key
from nq57desk.gui.qtutil import ask, child, choose_folder, error, icon, info, load_ui, progress
from nq57desk.gui.workers import run_async
from nq57desk.validation import blocking, refusal_text


class PackageDialog(QDialog):
    def __init__(self, window, session, settings, list_drives=None):
        """`list_drives`: () -> [Drive], the removable drives (nq57desk.bundle.package.removable_drives)."""
        super().__init__(window)
        self.list_drives = list_drives
        load_ui("package", base=self)
        help_key(self, "gui-usb")
        self.window_, self.session, self.settings = window, session, settings
        self.result = None  # the PackageResult once written
        self.cancelled = False
        self.progress: QProgressDialog | None = None
        self.drives: QListWidget = child(self, QListWidget, "driveList")
        self.target: QLabel = child(self, QLabel, "targetLabel")
        self.names: QLabel = child(self, QLabel, "namesLabel")
        self.zip: QRadioButton = child(self, QRadioButton, "zipRadio")
        child(self, QRadioButton, "folderRadio").toggled.connect(self._update)
        child(self, QPushButton, "folderButton").clicked.connect(self._choose)
        child(self, QPushButton, "refreshButton").clicked.connect(self.fill_drives)
        self.ok: QPushButton = child(self, QPushButton, "okButton")
        self.ok.clicked.connect(self.export)
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)
        self.drives.currentItemChanged.connect(self._update)
        self.other: str | None = settings.value("package/dir") or None
        self.fill_drives()

    # where ----------------------------------------------------------------------------------------------------
    def fill_drives(self) -> None:
        """USB drives only, the first one selected; a folder chosen earlier is listed after them, never selected by
        itself (it may be a folder on this computer, which is no way to take a package upward)."""
        from nq57desk.bundle.package import removable_drives

        self.drives.clear()
        usb = (self.list_drives or removable_drives)()
        for d in usb:
            it = QListWidgetItem(icon("usb"), f"{d.label} — {d.path}" if d.label != d.path else d.path)
            it.setData(Qt.UserRole, d.path)
            self.drives.addItem(it)
        if self.other and self.other not in {d.path for d in usb}:
            it = QListWidgetItem(icon("open"), f"Thư mục đã chọn — {self.other}")
            it.setData(Qt.UserRole, self.other)
            self.drives.addItem(it)
        self.drives.setCurrentRow(0 if usb else -1)
        self._update()

    def _choose(self) -> None:
        start = self.other or str(Path.home())
        path = choose_folder(self, "Chọn thư mục lưu gói", start)
        if not path:
            return
        self.other = path
        self.settings.setValue("package/dir", path)
        self.fill_drives()
        self.drives.setCurrentRow(self.drives.count() - 1)

    def folder(self) -> str | None:
        it = self.drives.currentItem()
        return it.data(Qt.UserRole) if it is not None else None

    def destination(self) -> Path | None:
        """The folder, or the .zip inside it, that export_package is given."""
        from nq57desk.bundle.package import bundle_filename

        f = self.folder()
        if not f:
            return None
        if self.zip.isChecked():
            return Path(f) / (bundle_filename(self.session.doc)[: -len(".xlsx")] + ".zip")
        return Path(f)

    def _update(self, *_a) -> None:
        from nq57desk.bundle.package import bundle_filename

        dest = self.destination()
        self.ok.setEnabled(dest is not None)
        if dest is None:
            self.target.setText("Chưa thấy USB: cắm USB rồi nhấn «Làm mới», hoặc «Chọn thư mục…».")
            self.names.setText("")
            return
        self.target.setText(f"Lưu vào: {dest}")
        stem = bundle_filename(self.session.doc)[: -len(".xlsx")]
        self.names.setText(f"Các tệp: {stem}.docx (báo cáo Word), {stem}.xlsx (số liệu cho cấp trên) và một tệp kiểm tra"
                           + (" (nén trong một tệp .zip)" if self.zip.isChecked() else ""))

    # writing --------------------------------------------------------------------------------------------------
    def export(self) -> None:
        from nq57desk.bundle.package import export_package

        dest = self.destination()
        s = self.session
        if dest is None or not self._draft_agreed():
            return
        try:
            s.flush()
        except NQError as e:
            error(self, "Xuất gói gửi cấp trên", str(e))
            return
        s.revalidate()
        block = blocking(s.findings, s.doc)
        if block:
            error(self, "Xuất gói gửi cấp trên", refusal_text(block, "xuất gói gửi cấp trên"))
            return
        self.cancelled = False
        owner = self if self.isVisible() else self.window_
        self.progress = progress(owner, "Xuất gói gửi cấp trên", "Đang tạo gói và chép sang nơi lưu… Chưa rút USB.",
                                 self._cancel)
        self.progress.show()
        desk, rid = s.desk, s.rid
        run_async(lambda: export_package(desk, rid, dest), self._done, self._failed)

    def _draft_agreed(self) -> bool:
        """A draft is not what the commune reports: asked first, with the reason."""
        if self.session.status != "draft":
            return True
        return ask(self, "Xuất gói từ bản nháp", "Báo cáo còn là «Nháp». Vẫn xuất gói gửi cấp trên?",
                   "Cấp trên đưa số liệu trong gói thẳng vào bảng tổng hợp, như số liệu chính thức của xã. Bản nháp "
                   "chưa được xem lại và đánh dấu «Hoàn thành»; nếu sau đó còn sửa, cấp trên sẽ giữ số liệu cũ hoặc "
                   "có hai bản khác nhau. Nên đánh dấu «Hoàn thành» rồi mới xuất gói.",
                   yes="Vẫn xuất bản nháp", no="Không xuất")

    def _cancel(self) -> None:
        self.cancelled = True
        if self.progress is not None:
            self.progress.setLabelText("Đang hủy: chờ lần chép đang chạy xong rồi xóa những gì đã chép…")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self._cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, res) -> None:
        self._close_progress()
        if self.cancelled:
            _remove_package(res)
            self.window_.statusBar().showMessage("Đã hủy xuất gói gửi cấp trên; không để lại tệp nào.", 8000)
            self.reject()
            return
        self.result = res
        files = "\n".join(f"- {f['name']}" for f in res.files)
        info(self, "Xuất gói gửi cấp trên", res.message, f"Các tệp đã chép và kiểm tra:\n{files}")
        self.window_.statusBar().showMessage(f"Đã xuất gói gửi cấp trên vào {res.target}", 10000)
        self.accept()

    def _failed(self, exc) -> None:
        self._close_progress()
        if isinstance(exc, NQError):
            error(self, "Xuất gói gửi cấp trên", str(exc))
        elif isinstance(exc, OSError):
            from nq57desk.gui.printout.outputfiles import file_problem

            error(self, "Xuất gói gửi cấp trên", file_problem(exc, str(self.destination() or "")))
        else:
            error(self, "Xuất gói gửi cấp trên", f"Lỗi không mong muốn khi xuất gói ({type(exc).__name__}). "
                  "Chi tiết đã ghi vào nhật ký.")


def _remove_package(res) -> None:
    """A cancelled package: remove what was written (each file was complete, so removing is safe)."""
    target = Path(res.target)
    try:
        if target.suffix.lower() == ".zip":
            target.unlink(missing_ok=True)
            return
        for f in res.files:
            (target / f["name"]).unlink(missing_ok=True)
        ours = {f["name"] for f in res.files}
        others = [e for e in res.manifest.get("files", []) if e.get("name") not in ours]
        if others:  # the folder held another package: its manifest entries stay (nq57desk.bundle.package merges them)
            import json

            from nq57desk.safety.atomic import atomic_write_bytes

            man = {**res.manifest, "files": others}
            atomic_write_bytes(target / "manifest.json", (json.dumps(man, ensure_ascii=False, indent=2) + "\n").encode())
        else:
            (target / "manifest.json").unlink(missing_ok=True)
    except OSError:
        pass
