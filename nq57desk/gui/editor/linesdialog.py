"""«Sửa câu in»: the officer words a figure group's sentences for this report; the figures stay figures
({names} filled from the form), and a part in [ ] is printed only when its figures are given."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nq57desk.errors import NQError, error_vi
from nq57desk.gui.qtutil import error
from nq57desk.gui.textwidgets import VPlainTextEdit, install_vi_menus
from nq57desk.report.check import check_block_lines
from nq57desk.report.derive import block_lines, render_line
from nq57desk.templates.fieldtypes import unit_after
from nq57desk.templates.model import FieldsBlock
from nq57desk.vn import nfc

HELP = ("Mỗi dòng là một câu in trong báo cáo. Số liệu ghi trong ngoặc nhọn, ví dụ {tthc_total}: nhấp đúp một số liệu "
        "ở danh sách bên phải để chèn. Phần đặt trong [ ] chỉ in khi các số liệu trong đó đã có; câu không có số liệu "
        "nào thì không in.")


class LinesDialog(QDialog):
    def __init__(self, session, block: FieldsBlock, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.block = session, block
        self.setWindowTitle(f"Sửa câu in — {block.label or block.key}")
        lay = QVBoxLayout(self)
        help_ = QLabel(HELP)
        help_.setWordWrap(True)
        lay.addWidget(help_)
        split = QSplitter(Qt.Horizontal)
        self.edit = VPlainTextEdit()  # drops what a DOCX cannot hold as it is pasted
        self.edit.setObjectName("linesEdit")
        own = block_lines(block, session.doc)
        self.edit.setPlainText("\n".join(own) if own else "\n".join(
            f"- {f.label}: {{{f.key}}}" + (f" {u}" if (u := unit_after(f.type, f.unit)) else "")
            for f in block.fields))
        self.figures = QListWidget()
        self.figures.setObjectName("figureList")
        for f in block.fields:
            it = QListWidgetItem(f"{f.label} — {{{f.key}}}")
            it.setData(Qt.UserRole, f.key)
            self.figures.addItem(it)
        self.figures.itemDoubleClicked.connect(lambda it: self.edit.insertPlainText("{" + it.data(Qt.UserRole) + "}"))
        split.addWidget(self.edit)
        split.addWidget(self.figures)
        split.setSizes([520, 280])
        lay.addWidget(split, 1)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("color: #44515c; background: #f6f8fa; border: 1px solid #dde3e8; padding: 6px;")
        lay.addWidget(self.preview)
        bb = QDialogButtonBox()
        bb.addButton("Lưu", QDialogButtonBox.AcceptRole).setObjectName("saveLines")
        self.reset = bb.addButton("Dùng câu của mẫu", QDialogButtonBox.ResetRole)
        self.reset.setObjectName("resetLines")
        self.reset.setToolTip("Bỏ câu riêng của báo cáo này, in theo mẫu (hoặc «tên số liệu: số liệu»)")
        bb.addButton("Hủy", QDialogButtonBox.RejectRole)
        bb.accepted.connect(self.save)
        bb.rejected.connect(self.reject)
        self.reset.clicked.connect(self.use_template)
        lay.addWidget(bb)
        install_vi_menus(self)
        self.edit.textChanged.connect(self._preview)
        self._preview()
        self.resize(900, 480)

    def patterns(self) -> list[str]:
        return [line.rstrip() for line in nfc(self.edit.toPlainText()).split("\n") if line.strip()]

    def _preview(self) -> None:
        s = self.session
        try:
            check_block_lines(s.tpl, s.doc, self.block.key, self.patterns())
        except NQError as e:
            self.preview.setText("Chưa dùng được: " + e.problem)
            return
        texts = [render_line(p, s.tpl, s.doc, s.env()) for p in self.patterns()]
        self.preview.setText("Câu in với số liệu hiện có:\n" + ("\n".join(t for t in texts if t) or "(chưa có câu nào được in)"))

    def save(self) -> None:
        pats = self.patterns()
        try:
            check_block_lines(self.session.tpl, self.session.doc, self.block.key, pats)
        except NQError as e:
            error(self, "Sửa câu in", error_vi(e))
            return
        self.session.set(("lines", self.block.key), pats)
        self.accept()

    def use_template(self) -> None:
        lines = dict(self.session.doc.get("lines") or {})
        if self.block.key in lines:
            del lines[self.block.key]
            self.session.set(("lines",), lines or None)
        self.accept()
