"""Print preview, printing and PDF from the same document tree as the DOCX (QtPrintSupport, no Word needed).

The pages are laid out by gui/printlayout.py from the flows of render/html.py. A PDF is written to the local
temporary folder first, checked (complete, every page there), and only then copied to the place the officer chose
(temp → fsync → read back and compared by SHA-256 → rename): a full USB stick never ends up with half a PDF under
the final name. A report with errors prints and saves as a draft («DỰ THẢO»), as the DOCX does.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from PySide6.QtGui import QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrinter

from nq57desk.errors import NQError
from nq57desk.gui.printout.printlayout import page_layout, paginate, paint_page, text_widths_mm
from nq57desk.render.html import parts
from nq57desk.render.tree import DocTree, build

RESOLUTION = 300  # the resolution the layout is measured at; Qt's rich text drifts at 1200 dpi
_PAGE_OBJ = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def error_count(tpl, doc) -> int:
    """Errors (not warnings) the report still has: the preview says so (a draft prints with «DỰ THẢO»)."""
    from nq57desk.validation import error_count as count
    from nq57desk.validation import validate

    return count(validate(tpl, doc))


def paint_report(device, tpl, doc, first: int = 1, last: int = 0, copies: int = 1) -> int:
    """Paint the report on a paged device (printer or PDF writer); returns the report's page count."""
    return paint_tree(device, build(tpl, doc), first, last, copies)


def paint_tree(device, tree: DocTree, first: int = 1, last: int = 0, copies: int = 1) -> int:
    """Pages first..last (0: to the end), `copies` times; returns the number of pages of the whole report.

    A PDF writer takes a landscape page layout between pages. A printer cannot change its layout once the job has
    started, so there a landscape page is drawn turned a quarter on a portrait sheet, which is also how it comes
    out of any office printer.
    """
    fixed = isinstance(device, QPrinter)
    if fixed and device.printerState() != QPrinter.PrinterState.Active:
        device.setResolution(RESOLUTION)
    res = device.resolution()
    if fixed:
        full = device.fullPage()
        device.setPageLayout(page_layout(False))
        device.setFullPage(full)  # a page layout comes in standard mode
    pages = paginate(device, res, parts(tree, text_widths_mm()))
    total = len(pages)
    wanted = [n for n in range(1, total + 1) if first <= n <= (last or total)]
    painter = QPainter()
    started = False
    try:
        for _copy in range(max(1, copies)):
            for n in wanted:
                page = pages[n - 1]
                if not fixed:
                    device.setPageLayout(page_layout(page.landscape))
                if not started:
                    if not painter.begin(device):
                        raise NQError("Không mở được máy in hoặc tệp PDF để ghi.")
                    started = True
                else:
                    device.newPage()
                painter.save()
                _to_page(painter, device, page.landscape, fixed, res)
                paint_page(painter, device, res, page, n, tree.draft)
                painter.restore()
    finally:
        if started:
            painter.end()
    return total


def _to_page(painter: QPainter, device, landscape: bool, turned: bool, res: float) -> None:
    """Move the painter's origin to the top left of the page's text area, from wherever the device puts it (the
    preview's printer paints the whole sheet, so that the page header in the margin is not washed out).

    On a printer a landscape page goes on the portrait sheet a quarter turn, its top along the sheet's left edge."""
    r = round(res)
    if not (isinstance(device, QPrinter) and device.fullPage()):
        origin = device.pageLayout().paintRectPixels(r).topLeft()
        painter.translate(-origin.x(), -origin.y())
    if turned and landscape:
        painter.translate(0, device.pageLayout().fullRectPixels(r).height())
        painter.rotate(-90)
    rect = page_layout(landscape).paintRectPixels(r)
    painter.translate(rect.x(), rect.y())


# -- PDF --------------------------------------------------------------------------------------------------------

def write_pdf(tree: DocTree, path: Path) -> int:
    """Paint the report into a PDF file at `path` (a local temporary file); returns the page count."""
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setTitle(tree.subject or "Báo cáo")
    writer.setCreator("nq57desk")
    try:
        pages = paint_tree(writer, tree)
    finally:
        del writer  # flushes and closes the file
    return pages


def check_pdf(path: Path, pages: int) -> None:
    """QPdfWriter reports no write errors: a complete file starts with %PDF, ends with %%EOF and has every page."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise NQError(f"Không tạo được tệp PDF: {_reason(e)}.") from None
    found = len(_PAGE_OBJ.findall(data))
    if not data.startswith(b"%PDF") or not data.rstrip().endswith(b"%%EOF") or found != pages:
        raise NQError("Không tạo được tệp PDF đầy đủ (ổ đĩa của máy có thể đã đầy); tệp chưa được lưu.")


def export_pdf(tpl, doc, path: str | os.PathLike) -> int:
    """Write a PDF safely: local temp, checked, then a verified copy (temp → fsync → SHA-256 → rename)."""
    from nq57desk.bundle.safefile import copy_verified

    final = Path(path)
    tree = build(tpl, doc)
    work = Path(tempfile.mkdtemp(prefix="nq57-pdf-"))
    try:
        tmp = work / "bao-cao.pdf"
        try:
            pages = write_pdf(tree, tmp)
        except OSError as e:
            raise NQError(f"Không tạo được tệp PDF: {_reason(e)}.") from None
        check_pdf(tmp, pages)
        try:
            copy_verified(tmp, final)
        except OSError as e:
            raise NQError(f"Không lưu được tệp PDF «{final.name}»: {_reason(e)}. Tệp chưa được lưu; hãy chọn nơi "
                          "lưu khác hoặc giải phóng chỗ trống rồi làm lại.") from None
        except ValueError:
            raise NQError(f"Tệp PDF «{final.name}» ghi ra không khớp bản gốc (ổ đĩa lỗi hoặc bị rút ra?); tệp chưa "
                          "được lưu.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return pages


def _reason(e: OSError) -> str:
    from nq57desk.errors import os_error_vi

    return os_error_vi(e)  # never the English strerror on its own


def cli_export_pdf(desk, rid: int, path: str | os.PathLike) -> int:
    """`nq57desk export ID --pdf FILE`: needs a Qt application; offscreen when there is no display."""
    import sys

    from PySide6.QtWidgets import QApplication

    if not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(["nq57desk"])
    doc = desk.document(rid)
    tpl = desk.template_of(rid)
    pages = export_pdf(tpl, doc, path)
    del app
    return pages
