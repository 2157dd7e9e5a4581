"""«Giải trình…»: a small dialog to write why an error stays (the commune's figures are what they are).

A plain multi-line box: no input mask, no completer, no key handling of its own, so Unikey/EVKey type into it
as into any text field. What is written goes into the report through its DocSession (ChecksPanel does that).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
)

from nq57desk.gui.guide import help_key
from nq57desk.gui.textwidgets import VPlainTextEdit
from nq57desk.report.check import MAX_EXPLANATION_CHARS


class ExplainDialog(QDialog):
    def __init__(self, finding, text: str = "", parent=None):
        super().__init__(parent)
        self.finding = finding
        self.setWindowTitle("Giải trình lỗi")
        self.setObjectName("explainDialog")
        help_key(self, "giai-trinh")
        self.resize(560, 320)
        lay = QVBoxLayout(self)
        what = QLabel(f"<b>{_html(finding.place)}</b><br>{_html(finding.message)}")
        what.setWordWrap(True)
        what.setTextFormat(Qt.RichText)
        lay.addWidget(what)
        hint = QLabel("Vì sao số liệu vẫn đúng như vậy (ví dụ: phần còn lại thuộc loại không có trong mẫu, hai số "
                      "chốt ở hai thời điểm khác nhau). Lỗi đã giải trình vẫn được liệt kê và gửi kèm gói cấp trên.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        lay.addWidget(hint)
        self.edit = VPlainTextEdit(self)  # drops what a DOCX cannot hold as it is pasted
        self.edit.setObjectName("explainEdit")
        self.edit.setPlainText(text)
        self.edit.setTabChangesFocus(True)
        lay.addWidget(self.edit, 1)
        self.count = QLabel(self)
        self.count.setAlignment(Qt.AlignRight)
        lay.addWidget(self.count)
        self.buttons = QDialogButtonBox(self)
        self.save = self.buttons.addButton("Lưu giải trình", QDialogButtonBox.AcceptRole)
        self.save.setObjectName("saveButton")
        self.buttons.addButton("Hủy", QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.edit.textChanged.connect(self._changed)
        self._changed()
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def _changed(self) -> None:
        n = len(self.text())
        over = n > MAX_EXPLANATION_CHARS
        self.count.setText(f"{n}/{MAX_EXPLANATION_CHARS} ký tự" + (" — quá dài, hãy viết gọn lại" if over else ""))
        self.count.setStyleSheet("color: #b71c1c;" if over else "color: #555;")
        self.save.setEnabled(0 < n <= MAX_EXPLANATION_CHARS)


def _html(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
