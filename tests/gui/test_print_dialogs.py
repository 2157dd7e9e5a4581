"""«Xem trước khi in» and «In báo cáo»: the project's own dialogs, Vietnamese in every visible text, printing the
chosen pages, offering a PDF when no printer is installed, and refusing to print or save while errors remain."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess

import pytest
from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from nq57desk.gui.printout import printdialog, printpreview
from nq57desk.gui.printout.printdialog import PrintDialog
from nq57desk.gui.printout.printpreview import PreviewDialog

# Words of Qt's own English print dialogs and preview toolbar (and a few more): none may show.
ENGLISH = set("""
print printer printing preview page pages setup zoom fit width close cancel ok name properties location type file
local options output portrait landscape orientation first last next previous copies copy collate all range from to
selection current save open help apply yes no show single facing overview of the in out paper size source margins
duplex color colour grayscale reverse order document documents default status ready error warning
""".split()) - {"in", "to"}  # «In» is Vietnamese for print, «to» for big
KEY_CAPS = {"Ctrl", "Shift", "Alt", "Enter", "Esc", "PgUp", "PgDown", "Home", "End", "Tab"}
ASCII_VIETNAMESE = {"in", "trang", "sau"}  # Vietnamese words of these dialogs spelled with ASCII letters only
WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture
def app(qapp):
    from nq57desk.gui.shell.app import setup_app

    setup_app(qapp)
    return qapp


def visible_texts(root: QWidget) -> list[str]:
    """Every text the officer can see in a dialog: titles, labels, buttons, tooltips, actions, spin box affixes."""
    out = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        out += [w.toolTip(), w.statusTip(), w.whatsThis(), w.accessibleName()]
        if isinstance(w, (QAbstractButton, QLabel)):
            out.append(w.text())
        if isinstance(w, QGroupBox):
            out.append(w.title())
        if isinstance(w, QSpinBox):
            out += [w.prefix(), w.suffix(), w.specialValueText()]
        if isinstance(w, QLineEdit):
            out.append(w.placeholderText())
        for a in w.actions():
            out += [a.text(), a.toolTip(), a.statusTip(), a.iconText()]
    return [t for t in out if t and t.strip()]


def english_in(texts: list[str]) -> list[str]:
    bad = []
    for t in texts:
        plain = re.sub(r"<[^>]+>", " ", t.replace("&", ""))
        words = [w for w in WORD.findall(plain) if w not in KEY_CAPS and not (w.isupper() and len(w) <= 4)]
        if any(w.lower() in ENGLISH for w in words):
            bad.append(t)
        elif words and all(w.isascii() for w in words) and not {w.lower() for w in words} <= ASCII_VIETNAMESE:
            bad.append(t)  # no Vietnamese letter at all: most likely English
    return bad


def test_the_checker_catches_english():
    assert english_in(["Fit width", "Print…", "Printer", "Name:", "Options >>", "Zoom in", "Local file", "Xem hai trang"]) \
        == ["Fit width", "Print…", "Printer", "Name:", "Options >>", "Zoom in", "Local file", "Xem hai trang"]
    assert english_in(["Vừa chiều rộng", "In…", "Lưu PDF…", "Trang đầu (Ctrl+Home)", " / 23 ", "Trang sau"]) == []


def test_qt_print_dialogs_are_translated_should_one_ever_appear(app, qtbot):
    """The safety net (gui/qt_vi.py): the app never opens them, but Qt's own preview and print dialogs speak
    Vietnamese too. Without the translator the checker flags them (English toolbar, «Local file», «Options >>»)."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    for qt_dialog in (QPrintPreviewDialog(), QPrintDialog()):
        qtbot.addWidget(qt_dialog)
        qt_dialog.show()
        assert english_in(visible_texts(qt_dialog)) == [], type(qt_dialog).__name__


def test_every_text_of_the_preview_is_vietnamese(app, qtbot, tan_cuong):
    tpl, doc = tan_cuong
    dlg = PreviewDialog(tpl, doc)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    texts = visible_texts(dlg)
    assert english_in(texts) == [], english_in(texts)
    for name in ("Vừa chiều rộng", "Cả trang", "Phóng to", "Thu nhỏ", "Trang đầu", "Trang trước", "Trang sau",
                 "Trang cuối", "In…", "Lưu PDF…", "Đóng"):
        assert name in texts, name
    actions = {a.objectName(): a for a in dlg.bar.actions() if a.objectName()}
    assert all(not a.shortcut().isEmpty() for a in actions.values() if a.objectName() != "actClose")
    assert dlg.windowTitle() == "Xem trước khi in"


def test_every_text_of_the_print_dialog_is_vietnamese(app, qtbot):
    dlg = PrintDialog(["HP LaserJet 1020", "Canon LBP2900"], "Canon LBP2900", 23)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    texts = visible_texts(dlg)
    assert english_in(texts) == [], english_in(texts)
    assert {"Máy in:", "Số bản:", "Tất cả các trang (23 trang)", "Từ trang", "đến trang", "In", "Hủy"} <= \
        {t.replace("&", "") for t in texts}
    assert dlg.printer.currentText() == "Canon LBP2900"  # the default printer is selected
    combo = dlg.findChild(QComboBox, "printerCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == ["HP LaserJet 1020", "Canon LBP2900"]


def test_page_range_and_copies(app, qtbot):
    dlg = PrintDialog(["A"], "A", 12)
    qtbot.addWidget(dlg)
    assert dlg.choice() == printdialog.PrintChoice("A", 1, 1, 12)
    dlg.last.setValue(5)
    dlg.first.setValue(3)
    dlg.copies.setValue(2)
    assert dlg.range.isChecked() and dlg.choice() == printdialog.PrintChoice("A", 2, 3, 5)
    dlg.first.setValue(9)  # from beyond to: the other end follows
    assert (dlg.first.value(), dlg.last.value()) == (9, 9)
    assert dlg.first.maximum() == dlg.last.maximum() == 12
    dlg.all.setChecked(True)
    assert dlg.choice().first == 1 and dlg.choice().last == 12


def test_navigation_zoom_and_counter(app, qtbot, tan_cuong):
    tpl, doc = tan_cuong
    dlg = PreviewDialog(tpl, doc)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    a = dlg.actions_
    n = dlg.view.pageCount()
    assert n == dlg.pages >= 20 and dlg.page_total.text().strip() == f"/ {n}"
    a["actLast"].trigger()
    assert dlg.view.currentPage() == n and dlg.page_spin.value() == n
    a["actPrevious"].trigger()
    assert dlg.view.currentPage() == dlg.page_spin.value() == n - 1
    a["actFirst"].trigger()
    a["actNext"].trigger()
    assert dlg.view.currentPage() == dlg.page_spin.value() == 2
    dlg.page_spin.setValue(7)
    assert dlg.view.currentPage() == 7
    before = dlg.view.zoomFactor()
    a["actZoomIn"].trigger()
    assert dlg.view.zoomFactor() > before
    a["actZoomOut"].trigger()
    a["actZoomOut"].trigger()
    assert dlg.view.zoomFactor() < before
    a["actFitPage"].trigger()
    assert dlg.view.zoomMode() == dlg.view.ZoomMode.FitInView
    a["actClose"].trigger()
    assert not dlg.isVisible()


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_print_sends_the_chosen_pages_without_any_qt_dialog(app, qtbot, tan_cuong, tmp_path, monkeypatch, dialogs):
    tpl, doc = tan_cuong
    out = tmp_path / "printed.pdf"
    made, printers = [], []

    def fake_printer(name):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(out))
        made.append(name)
        printers.append(p)
        return p

    monkeypatch.setattr(printdialog, "available_printers", lambda: (["Máy in tổ một cửa", "HP LaserJet"], "HP LaserJet"))
    monkeypatch.setattr(printpreview, "make_printer", fake_printer)
    seen_windows = []

    def choose(self):
        seen_windows.extend(type(w) for w in QApplication.topLevelWidgets() if w.isVisible())
        assert self.printer.currentText() == "HP LaserJet"
        self.last.setValue(4)
        self.first.setValue(2)
        self.copies.setValue(2)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PrintDialog, "exec", choose)
    dlg = PreviewDialog(tpl, doc)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.actions_["actPrint"].trigger()
    assert made == ["HP LaserJet"] and dlg.printed == 6
    assert not any(issubclass(t, (QPrintDialog, QPageSetupDialog)) for t in seen_windows)
    assert dialogs.seen[-1][0] == "info" and "3 trang × 2 bản" in dialogs.seen[-1][2]
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        assert _pdf_pages(out) == (3 if printers[0].supportsMultipleCopies() else 6)  # else each copy is painted
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True,
                               check=True).stdout
        assert sorted(first.split()[:3]) == ["2", "DỰ", "THẢO"]  # the report's own page number: page 2 came first


def test_no_printer_offers_a_pdf(app, qtbot, tan_cuong, tmp_path, monkeypatch, dialogs):
    tpl, doc = tan_cuong
    monkeypatch.setattr(printdialog, "available_printers", lambda: ([], ""))
    monkeypatch.setattr(printpreview, "save_file", lambda *a, **k: str(tmp_path / "bao-cao"))
    dlg = PreviewDialog(tpl, doc)
    qtbot.addWidget(dlg)
    dlg.actions_["actPrint"].trigger()
    kind, title, text, _detail = dialogs.seen[0]
    assert (kind, title, text) == ("ask", "In báo cáo", "Máy tính này chưa cài máy in nào.")
    assert dlg.saved == tmp_path / "bao-cao.pdf" and dlg.saved.read_bytes().startswith(b"%PDF")
    assert dialogs.seen[-1][0] == "info" and dialogs.seen[-1][3] == str(dlg.saved)


def test_a_report_with_errors_previews_prints_and_saves_as_a_draft(app, qtbot, tan_cuong, tmp_path, monkeypatch,
                                                                   dialogs):
    """Issue 13: drafts always print (they used to be refused while errors remained)."""
    tpl, doc = tan_cuong
    doc = copy.deepcopy(doc)
    doc["values"]["nv_giao"] = -5
    out, made = tmp_path / "printed.pdf", []

    def fake_printer(name):
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(out))
        made.append(p)
        return p

    monkeypatch.setattr(printpreview, "make_printer", fake_printer)
    monkeypatch.setattr(printdialog, "available_printers", lambda: (["HP"], "HP"))
    monkeypatch.setattr(PrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    dlg = PreviewDialog(tpl, doc)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.errors >= 1 and dlg.pages > 0 and dlg.tree.draft  # the preview is there, marked DỰ THẢO (a draft)
    banner = dlg.findChild(QLabel, "errorLabel")
    assert banner.isVisible() and f"còn {dlg.errors} lỗi" in banner.text() and "dự thảo" in banner.text()
    dlg.actions_["actPrint"].trigger()
    assert made and dlg.printed > 0
    assert dlg.save_pdf(str(tmp_path / "x.pdf")) == tmp_path / "x.pdf"
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
    assert not [k for k, *_ in dialogs.seen if k == "error"]


def test_main_window_opens_the_projects_preview(win, qtbot, monkeypatch):
    """«Xem trước khi in» in the main window shows this dialog, never QPrintPreviewDialog."""
    from tests.gui.conftest import make_report

    rid = make_report(win.desk, "tw-de-cuong")
    win.open_report(rid)
    shown = []
    monkeypatch.setattr(PreviewDialog, "exec", lambda self: shown.append(self) or 0)
    win.print_preview()
    assert len(shown) == 1 and shown[0].pages > 0 and english_in(visible_texts(shown[0])) == []
