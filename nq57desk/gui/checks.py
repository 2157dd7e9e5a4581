"""The «Kiểm tra» panel: every finding with severity, place and message; click to jump; warnings can be acknowledged."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.gui.formctx import ack_id
from nq57desk.gui.qtutil import icon

SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}


class _Wrap(QStyledItemDelegate):
    """Rows as tall as their wrapped message at the column's current width (QTreeView alone elides them)."""

    def __init__(self, tree: QTreeWidget):
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index):  # noqa: N802 - Qt API
        base = super().sizeHint(option, index)
        width = self.tree.columnWidth(index.column()) - 10
        text = index.data(Qt.DisplayRole) or ""
        if width <= 40 or not text:
            return base
        r = option.fontMetrics.boundingRect(QRect(0, 0, width, 100000), Qt.TextWordWrap, text)
        return QSize(base.width(), max(base.height(), r.height() + 6))


def short_place(place: str) -> str:
    """The last two steps of a place ("b) Chính quyền số › Tỷ lệ …"); the full path is in the tooltip."""
    parts = place.split(" › ")
    return place if len(parts) <= 2 else "… › " + " › ".join(parts[-2:])


class ChecksPanel(QWidget):
    jump = Signal(object)  # Finding
    acknowledged_changed = Signal()
    ack_toggled = Signal(object, bool)  # the warning, acknowledged now or not

    def __init__(self, parent=None):
        super().__init__(parent)
        self.findings: list = []
        self.acknowledged: set[str] = set()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 4)
        lay.setSpacing(3)
        top = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: bold;")
        top.addWidget(self.summary, 1)
        self.show_ack = QCheckBox("Hiện cả cảnh báo đã xem")
        self.show_ack.toggled.connect(self._fill)
        top.addWidget(self.show_ack)
        self.ack_btn = QPushButton("Đánh dấu cảnh báo đã xem")
        self.ack_btn.setToolTip("Cảnh báo đã xem không tô màu ô nhập nữa; lỗi thì phải sửa.")
        self.ack_btn.clicked.connect(self.toggle_ack)
        top.addWidget(self.ack_btn)
        lay.addLayout(top)
        t = self.tree = QTreeWidget()
        t.setColumnCount(3)
        t.setHeaderLabels(["Mức độ", "Vị trí", "Nội dung"])
        t.setRootIsDecorated(False)
        t.setUniformRowHeights(False)
        t.setWordWrap(True)
        t.setTextElideMode(Qt.ElideNone)
        t.setItemDelegate(_Wrap(t))
        t.setAlternatingRowColors(True)
        t.setSelectionMode(QAbstractItemView.SingleSelection)
        h = t.header()
        h.setStretchLastSection(True)
        h.setSectionResizeMode(0, QHeaderView.Fixed)
        h.sectionResized.connect(lambda *_: t.doItemsLayout())
        t.setColumnWidth(0, 96)
        t.setColumnWidth(1, 360)
        t.itemActivated.connect(self._activated)
        t.itemClicked.connect(self._activated)
        t.currentItemChanged.connect(lambda *_: self._update_ack_btn())
        lay.addWidget(t)
        self.set_findings([])

    def set_findings(self, findings: list) -> None:
        self.findings = list(findings)
        self._fill()

    def set_acknowledged(self, ids: set[str]) -> None:
        self.acknowledged = set(ids)
        self._fill()

    def _fill(self, *_):
        t = self.tree
        cur = t.currentItem().data(0, Qt.UserRole) if t.currentItem() else None
        t.clear()
        errors = sum(f.severity == "error" for f in self.findings)
        warns = [f for f in self.findings if f.severity == "warning"]
        seen = sum(ack_id(f) in self.acknowledged for f in warns)
        if not self.findings:
            self.summary.setText("Không có lỗi hay cảnh báo nào.")
            self.summary.setStyleSheet("font-weight: bold; color: #2e7d32;")
        else:
            txt = f"{errors} lỗi, {len(warns)} cảnh báo" + (f" ({seen} đã xem)" if seen else "")
            if errors:
                txt += " — phải sửa hết lỗi mới đánh dấu «Hoàn thành» được"
            self.summary.setText(txt)
            self.summary.setStyleSheet(f"font-weight: bold; color: {'#b71c1c' if errors else '#8a5300'};")
        keep = None
        for f in self.findings:
            acked = f.severity == "warning" and ack_id(f) in self.acknowledged
            if acked and not self.show_ack.isChecked():
                continue
            sev = SEVERITY_VI[f.severity] + (" (đã xem)" if acked else "")
            it = QTreeWidgetItem([sev, short_place(f.place), f.message])
            it.setIcon(0, icon("error" if f.severity == "error" else "warning"))
            it.setData(0, Qt.UserRole, f)
            it.setToolTip(1, f.place)
            it.setToolTip(2, f.message)
            if acked:
                for c in range(3):
                    it.setForeground(c, QBrush(QColor("#8a8f94")))
            t.addTopLevelItem(it)
            if cur is not None and f == cur:
                keep = it
        if keep is not None:
            t.setCurrentItem(keep)
        self._update_ack_btn()

    def _current(self):
        it = self.tree.currentItem()
        return it.data(0, Qt.UserRole) if it else None

    def _update_ack_btn(self):
        f = self._current()
        ok = f is not None and f.severity == "warning"
        self.ack_btn.setEnabled(ok)
        self.ack_btn.setText("Bỏ đánh dấu đã xem" if ok and ack_id(f) in self.acknowledged else "Đánh dấu cảnh báo đã xem")

    def toggle_ack(self):
        f = self._current()
        if f is None or f.severity != "warning":
            return
        i = ack_id(f)
        on = i not in self.acknowledged
        if on:
            self.acknowledged.add(i)
        else:
            self.acknowledged.discard(i)
        self._fill()
        self.ack_toggled.emit(f, on)
        self.acknowledged_changed.emit()

    def _activated(self, it, _col=0):
        f = it.data(0, Qt.UserRole)
        if f is not None:
            self.jump.emit(f)
