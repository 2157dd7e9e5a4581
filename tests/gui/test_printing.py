"""Print preview, printing and PDF: the same pages whether they go to a PDF file or through a printer."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtPrintSupport import QPrinter

from nq57desk.errors import NQError
from nq57desk.gui import printing
from nq57desk.report.document import loads
from nq57desk.templates import Registry
from tests.conftest import REPORTS


@pytest.fixture
def tan_cuong():
    doc = loads((REPORTS / "002_tan_cuong.json").read_bytes())
    return Registry().get(doc["template"]["id"], doc["template"]["version"]), doc


@pytest.fixture
def qt_warnings(qapp):
    seen: list[str] = []

    def handler(kind, _ctx, msg):
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg):
            seen.append(msg)

    old = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(old)


def test_pdf_has_every_page_and_the_report_text(qapp, tmp_path, tan_cuong):
    tpl, doc = tan_cuong
    out = tmp_path / "bao-cao.pdf"
    pages = printing.export_pdf(tpl, doc, out)
    assert pages >= 10  # the Tân Cương report runs to about 20 pages with its ten appendices
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.pdf"]  # no temp file left beside it
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert re.search(rf"^Pages:\s+{pages}$", info, re.M), info
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True,
                               text=True, check=True).stdout
        assert "BÁO CÁO" in first and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first


def test_printer_gets_the_same_pages_without_layout_warnings(qapp, tmp_path, tan_cuong, qt_warnings):
    """A printer cannot change orientation mid-job: landscape appendices are turned, not refused."""
    tpl, doc = tan_cuong
    pdf_pages = printing.export_pdf(tpl, doc, tmp_path / "a.pdf")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printer.pdf"))
    pages = printing.paint_report(printer, tpl, doc)
    assert pages == pdf_pages
    assert not [w for w in qt_warnings if "setPageLayout" in w or "active" in w], qt_warnings


def test_failed_pdf_leaves_no_file(qapp, tmp_path, tan_cuong, monkeypatch):
    tpl, doc = tan_cuong

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(printing.os, "fsync", boom)
    with pytest.raises(NQError, match="ổ đĩa đã đầy"):
        printing.export_pdf(tpl, doc, tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []
