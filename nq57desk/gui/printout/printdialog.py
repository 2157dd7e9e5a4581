"""«In báo cáo»: the project's own print dialog (ui/printdialog.ui), never Qt's English QPrintDialog or the
system's dialog: printer (the default one selected), copies, all pages or «từ trang … đến trang …»."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import QComboBox, QDialog, QPushButton, QRadioButton, QSpinBox

from nq57desk.gui.qtutil import child, load_ui


def available_printers() -> tuple[list[str], str]:
    """(installed printer names, the default one or "")."""
    names = list(QPrinterInfo.availablePrinterNames())
    default = QPrinterInfo.defaultPrinterName()
    return names, default if default in names else (names[0] if names else "")


@dataclass
class PrintChoice:
    printer: str
    copies: int
    first: int  # 1-based, inclusive
    last: int


class PrintDialog(QDialog):
    def __init__(self, printers: list[str], default: str, pages: int, parent=None):
        super().__init__(parent)
        load_ui("printdialog", base=self)
        self.pages = max(1, pages)
        self.printer = child(self, QComboBox, "printerCombo")
        self.printer.addItems(printers)
        if default in printers:
            self.printer.setCurrentIndex(printers.index(default))
        self.copies = child(self, QSpinBox, "copiesSpin")
        self.all = child(self, QRadioButton, "allRadio")
        self.all.setText(f"Tất cả các trang ({self.pages} trang)")
        self.range = child(self, QRadioButton, "rangeRadio")
        self.first = child(self, QSpinBox, "fromSpin")
        self.last = child(self, QSpinBox, "toSpin")
        for spin in (self.first, self.last):
            spin.setRange(1, self.pages)
        self.last.setValue(self.pages)
        self.first.valueChanged.connect(self._range_edited)
        self.last.valueChanged.connect(self._range_edited)
        self.print_button = child(self, QPushButton, "printButton")
        self.print_button.clicked.connect(self.accept)
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)

    def _range_edited(self) -> None:
        """Typing a page number means a range; the other end follows so that from ≤ to."""
        self.range.setChecked(True)
        if self.first.value() > self.last.value():
            other = self.last if self.sender() is self.first else self.first
            other.setValue(self.sender().value())

    def choice(self) -> PrintChoice:
        first, last = (self.first.value(), self.last.value()) if self.range.isChecked() else (1, self.pages)
        return PrintChoice(self.printer.currentText(), self.copies.value(), first, last)
