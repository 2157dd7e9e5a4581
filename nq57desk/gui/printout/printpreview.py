"""«Xem trước khi in»: the project's own preview window (ui/printpreview.ui) around QPrintPreviewWidget.

Qt's QPrintPreviewDialog shows English tooltips and opens Qt's English QPrintDialog (or the system's dialog on
Windows), and Qt ships no Vietnamese translation: this window has a Vietnamese toolbar with shortcuts, prints
through the project's own «In báo cáo» dialog and saves a PDF. A report with errors previews, prints and saves as
the draft it is (the draft shows «DỰ THẢO»); a banner says how many errors remain.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewWidget
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QSpinBox, QToolBar, QToolButton, QWidget

from nq57desk.errors import NQError
from nq57desk.gui.printout import printdialog
from nq57desk.gui.printout.printing import error_count, export_pdf, paint_tree
from nq57desk.gui.printout.printlayout import page_layout
from nq57desk.gui.qtutil import ask, child, error, icon, info, load_ui, save_file
from nq57desk.render.tree import build

_QT_ICONS = ":/qt-project.org/dialogs/qprintpreviewdialog/images/{}-24.png"
_ICONS = {"actFitWidth": "zoom-fit-width", "actFitPage": "zoom-fit-page", "actZoomIn": "zoom-in",
          "actZoomOut": "zoom-out", "actFirst": "go-first", "actPrevious": "go-previous", "actNext": "go-next",
          "actLast": "go-last"}
_WITH_TEXT = ("actPrint", "actSavePdf", "actClose")  # shown with their text; the rest as icons with a tooltip


def make_printer(name: str) -> QPrinter:
    """A printer for the chosen installed printer, A4 portrait with the Decree 30 margins (tests replace this)."""
    printer = QPrinter(QPrinterInfo.printerInfo(name), QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(False))
    return printer


class PreviewDialog(QDialog):
    def __init__(self, tpl, doc, parent=None, settings=None):
        super().__init__(parent)
        load_ui("printpreview", base=self)
        self.tpl, self.doc = tpl, doc
        self.settings = settings if settings is not None else getattr(parent, "settings", None)
        self.tree = build(tpl, doc)
        self.errors = error_count(tpl, doc)
        self.pages = 0
        self.saved: Path | None = None
        self.printed = 0  # pages sent to a printer by the last «In»

        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setPageLayout(page_layout(False))
        self.printer.setFullPage(True)  # else the preview washes out the margins, where the page header is
        self.view = QPrintPreviewWidget(self.printer, self)
        child(self, QWidget, "previewHost").layout().addWidget(self.view)
        self.view.paintRequested.connect(self._paint)
        self.view.previewChanged.connect(self._changed)

        self.bar = child(self, QToolBar, "toolBar")
        self.actions_ = {name: child(self, QAction, name) for name in
                         (*_ICONS, *_WITH_TEXT)}
        a = self.actions_
        a["actZoomIn"].setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
        a["actZoomOut"].setShortcuts(QKeySequence.StandardKey.ZoomOut)
        for name, qt_name in _ICONS.items():
            a[name].setIcon(QIcon(_QT_ICONS.format(qt_name)))
        a["actPrint"].setIcon(icon("print"))
        a["actSavePdf"].setIcon(icon("save"))
        for name in _WITH_TEXT:
            button = self.bar.widgetForAction(a[name])
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        # page counter between «Trang trước» and «Trang sau»
        self.page_spin = QSpinBox(self)
        self.page_spin.setObjectName("pageSpin")
        self.page_spin.setRange(1, 1)
        self.page_spin.setToolTip("Trang đang xem: gõ số trang rồi Enter để đến trang đó")
        self.page_spin.setKeyboardTracking(False)
        self.page_total = QLabel(" / 1 ", self)
        self.page_total.setObjectName("pageTotal")
        self.bar.insertWidget(a["actNext"], self.page_spin)
        self.bar.insertWidget(a["actNext"], self.page_total)
        self.page_spin.valueChanged.connect(self.go)

        a["actFitWidth"].triggered.connect(self.view.fitToWidth)
        a["actFitPage"].triggered.connect(self.view.fitInView)
        a["actZoomIn"].triggered.connect(lambda: self.view.zoomIn(1.25))
        a["actZoomOut"].triggered.connect(lambda: self.view.zoomOut(1.25))
        a["actFirst"].triggered.connect(lambda: self.go(1))
        a["actPrevious"].triggered.connect(lambda: self.go(self.view.currentPage() - 1))
        a["actNext"].triggered.connect(lambda: self.go(self.view.currentPage() + 1))
        a["actLast"].triggered.connect(lambda: self.go(self.view.pageCount()))
        a["actPrint"].triggered.connect(self.print_report)
        a["actSavePdf"].triggered.connect(lambda: self.save_pdf())
        a["actClose"].triggered.connect(self.reject)

        banner = child(self, QLabel, "errorLabel")
        if self.errors:
            banner.setText(f"Báo cáo còn {self.errors} lỗi (xem bảng «Kiểm tra»)"
                           + (": bản in, bản PDF là bản dự thảo." if self.tree.draft else "."))
        banner.setVisible(bool(self.errors))
        self.view.setZoomMode(QPrintPreviewWidget.ZoomMode.FitToWidth)
        self.view.updatePreview()

    # -- preview ----------------------------------------------------------------------------------------------
    def _paint(self, printer: QPrinter) -> None:
        try:
            self.pages = paint_tree(printer, self.tree)
        except NQError as e:
            error(self, "Xem trước khi in", str(e))

    def go(self, n: int) -> None:
        """Show page n (clamped to the report); the counter follows (the widget only signals scrolling)."""
        self.view.setCurrentPage(max(1, min(n, self.view.pageCount())))
        self._changed()

    def _changed(self) -> None:
        n = max(1, self.view.pageCount())
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(1, n)
        self.page_spin.setValue(max(1, self.view.currentPage()))
        self.page_spin.blockSignals(False)
        self.page_total.setText(f" / {n} ")

    # -- print ------------------------------------------------------------------------------------------------
    def print_report(self) -> None:
        names, default = printdialog.available_printers()
        if not names:
            if ask(self, "In báo cáo", "Máy tính này chưa cài máy in nào.",
                   "Có thể lưu báo cáo thành tệp PDF rồi in ở máy khác.", yes="Lưu PDF…", no="Đóng"):
                self.save_pdf()
            return
        dlg = printdialog.PrintDialog(names, default, self.pages or self.view.pageCount(), self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        self.send(dlg.choice())

    def send(self, c: printdialog.PrintChoice) -> None:
        """Print pages c.first..c.last of the report on c.printer, c.copies times."""
        printer = make_printer(c.printer)
        if not printer.isValid():
            error(self, "In báo cáo", f"Không dùng được máy in «{c.printer}».",
                  "Hãy kiểm tra máy in đã bật và đã nối với máy tính, hoặc chọn máy in khác.")
            return
        printer.setDocName(self.tree.subject[:120] or "Báo cáo")
        if printer.supportsMultipleCopies():
            printer.setCopyCount(c.copies)
            repeat = 1
        else:  # the driver cannot make copies: each copy is painted
            printer.setCopyCount(1)
            repeat = c.copies
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            paint_tree(printer, self.tree, c.first, c.last, repeat)
        except NQError as e:
            QApplication.restoreOverrideCursor()
            error(self, "In báo cáo", str(e))
            return
        QApplication.restoreOverrideCursor()
        self.printed = (c.last - c.first + 1) * c.copies
        info(self, "In báo cáo", f"Đã gửi {c.last - c.first + 1} trang × {c.copies} bản tới máy in «{c.printer}».")

    # -- PDF --------------------------------------------------------------------------------------------------
    def save_pdf(self, path: str | None = None) -> Path | None:
        if path is None:
            from nq57desk.gui.printout.outputfiles import default_name

            folder = self.settings.value("export/dir", str(Path.home())) if self.settings is not None else str(Path.home())
            path = save_file(self, "Lưu PDF", str(Path(folder) / default_name(self.doc, "pdf")), ["Tệp PDF (*.pdf)"],
                             "pdf")
            if not path:
                return None
        final = Path(path)
        if final.suffix.lower() != ".pdf":
            final = final.with_name(final.name + ".pdf")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = export_pdf(self.tpl, self.doc, final)
        except NQError as e:
            QApplication.restoreOverrideCursor()
            error(self, "Lưu PDF", str(e))
            return None
        QApplication.restoreOverrideCursor()
        if self.settings is not None:
            self.settings.setValue("export/dir", str(final.parent))
        self.saved = final
        info(self, "Lưu PDF", f"Đã lưu báo cáo ({pages} trang) thành tệp PDF:", str(final))
        return final


def preview(parent, tpl, doc) -> None:
    """«Xem trước khi in»: the report paginated on A4, with «In…» and «Lưu PDF…» (a draft as a draft)."""
    dlg = PreviewDialog(tpl, doc, parent)
    dlg.exec()
