"""Print preview, printing and PDF from the same document tree as the DOCX (QtPrintSupport, no Word needed)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from nq57desk.render.html import parts as html_parts
from nq57desk.render.html import set_resolution
from nq57desk.render.tree import build

MARGINS_MM = (30.0, 20.0, 15.0, 20.0)  # left, top, right, bottom (Decree 30)

_PREVIEW_VI = {
    "Next page": "Trang sau", "Previous page": "Trang trước", "First page": "Trang đầu", "Last page": "Trang cuối",
    "Fit width": "Vừa chiều rộng", "Fit page": "Vừa trang", "Zoom in": "Phóng to", "Zoom out": "Thu nhỏ",
    "Portrait": "Khổ dọc", "Landscape": "Khổ ngang", "Show single page": "Một trang",
    "Show facing pages": "Hai trang đối diện", "Show overview of all pages": "Tất cả các trang",
    "Print": "In…", "Page setup": "Thiết lập trang", "Close": "Đóng",
}


def _layout(landscape: bool) -> QPageLayout:
    left, top, right, bottom = MARGINS_MM
    if landscape:  # the binding edge stays on the left of the reading direction
        left, top, right, bottom = top, right, bottom, left
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                       QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
                       QMarginsF(left, top, right, bottom), QPageLayout.Unit.Millimeter)


def paint_report(device, tpl, doc) -> int:
    """Paint every page of the report on a paged device (printer or PDF writer); returns the page count.

    A PDF writer takes a landscape page layout between pages. A printer cannot change its layout once the job has
    started, so there a landscape appendix is drawn turned a quarter on a portrait sheet (its top at the binding
    edge), which is also how it comes out of any office printer.
    """
    tree = build(tpl, doc)
    if isinstance(device, QPrinter) and device.printerState() != QPrinter.PrinterState.Active:
        device.setResolution(300)  # the resolution the layout is measured at; Qt's rich text drifts at 1200 dpi
    res = device.resolution()
    set_resolution(res)
    fixed_layout = isinstance(device, QPrinter)
    base = None
    if fixed_layout:
        device.setPageLayout(_layout(False))
        base = device.pageLayout()
    painter = QPainter()
    page_no = 0
    started = False
    for html, landscape in html_parts(tree):
        want = _layout(landscape)
        turned = False
        if not fixed_layout:
            device.setPageLayout(want)
        elif landscape:
            turned = True
        if not started:
            if not painter.begin(device):
                raise OSError("không mở được thiết bị in")
            started = True
        else:
            device.newPage()
        rect = (want if turned else device.pageLayout()).paintRectPixels(res)
        text = QTextDocument()
        text.documentLayout().setPaintDevice(device)
        text.setDefaultFont(QFont("Times New Roman", 14))
        text.setHtml(html)
        text.setPageSize(QSizeF(rect.width(), rect.height()))
        for i in range(text.pageCount()):
            if i > 0:
                device.newPage()
            page_no += 1
            painter.save()
            if turned:
                own = base.paintRectPixels(res)
                full_h = base.fullRectPixels(res).height()
                painter.translate(-own.x(), -own.y() + full_h)
                painter.rotate(-90)
                painter.translate(rect.x(), rect.y())
            painter.save()
            painter.translate(0, -i * rect.height())
            text.drawContents(painter, QRectF(0, i * rect.height(), rect.width(), rect.height()))
            painter.restore()
            if page_no > 1:  # page numbers top centre, none on page 1
                painter.setFont(QFont("Times New Roman", 13))
                band = res * 10 / 25.4
                painter.drawText(QRectF(0, -band, rect.width(), band * 0.9), int(Qt.AlignmentFlag.AlignHCenter
                                 | Qt.AlignmentFlag.AlignBottom), str(page_no))
            painter.restore()
    painter.end()
    return page_no


def export_pdf(tpl, doc, path: str | os.PathLike) -> int:
    """Write a PDF (temp → rename, so a failure never leaves a partial file under the final name)."""
    final = Path(path)
    tmp = final.with_name(f".~{final.stem[:40]}.pdf.tmp")
    try:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(300)
        writer.setTitle(doc["header"].get("subject", "Báo cáo"))
        writer.setCreator("nq57desk")
        pages = paint_report(writer, tpl, doc)
        del writer  # flushes and closes the file
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return pages


def preview(parent, tpl, doc) -> None:
    """"Xem trước / In": the report paginated on A4, printable on any installed printer."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dlg = QPrintPreviewDialog(printer, parent)
    dlg.setWindowTitle("Xem trước khi in")
    dlg.paintRequested.connect(lambda p: paint_report(p, tpl, doc))
    for act in dlg.findChildren(type(dlg.actions()[0])) if dlg.actions() else []:
        vi = _PREVIEW_VI.get(act.text().replace("&", "")) or _PREVIEW_VI.get(act.toolTip())
        if vi:
            act.setText(vi)
            act.setToolTip(vi)
    dlg.resize(1000, 700)
    dlg.exec()


def cli_export_pdf(desk, rid: int, path: str | os.PathLike) -> int:
    """`nq57desk export ID --pdf FILE`: needs a Qt application; offscreen when there is no display."""
    import sys

    from PySide6.QtWidgets import QApplication

    if not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(["nq57desk"])
    doc = desk.document(rid)
    tpl = desk.template_of(rid)
    desk._refuse_errors(tpl, doc)
    pages = export_pdf(tpl, doc, path)
    del app
    return pages
