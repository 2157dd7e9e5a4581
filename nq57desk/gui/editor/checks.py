"""The «Kiểm tra» panel: every finding with severity, place and message; click to jump; warnings can be
acknowledged; an error can be given a giải trình (written into the report through the open DocSession)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nq57desk.errors import NQError
from nq57desk.gui.formctx import ack_id
from nq57desk.gui.qtutil import error, icon
from nq57desk.validation import explainable

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
    collapsed_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.session = None  # the open report's DocSession; else the main window's (see _session)
        self.explain_dialog = None
        self.findings: list = []
        self.acknowledged: set[str] = set()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 4)
        lay.setSpacing(3)
        top = QHBoxLayout()
        self.collapsed = False
        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: bold;")
        self.summary.setCursor(Qt.PointingHandCursor)
        self.summary.mousePressEvent = lambda _ev: self.set_collapsed(not self.collapsed)
        top.addWidget(self.summary)
        self.fold = QToolButton()
        self.fold.setObjectName("foldButton")
        self.fold.setAutoRaise(True)
        self.fold.clicked.connect(lambda: self.set_collapsed(not self.collapsed))
        top.addWidget(self.fold)
        top.addStretch(1)
        self.show_ack = QCheckBox("Hiện cả cảnh báo đã xem")
        self.show_ack.toggled.connect(self._fill)
        top.addWidget(self.show_ack)
        self.ack_btn = QPushButton("Đánh dấu cảnh báo đã xem")
        self.ack_btn.setToolTip("Cảnh báo đã xem không tô màu ô nhập nữa; lỗi thì phải sửa.")
        self.ack_btn.clicked.connect(self.toggle_ack)
        top.addWidget(self.ack_btn)
        self.explain_btn = QPushButton("Giải trình…")
        self.explain_btn.setObjectName("explainButton")
        self.explain_btn.setToolTip("Lỗi không sửa được vì số liệu thực tế là như vậy: viết giải trình. Lỗi đã giải "
                                    "trình vẫn được liệt kê, không cản «Hoàn thành» và gói gửi cấp trên.")
        self.explain_btn.clicked.connect(self.explain)
        top.addWidget(self.explain_btn)
        self.unexplain_btn = QPushButton("Xóa giải trình")
        self.unexplain_btn.setObjectName("unexplainButton")
        self.unexplain_btn.clicked.connect(self.remove_explanation)
        top.addWidget(self.unexplain_btn)
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
        t.setColumnWidth(0, max(96, max(t.fontMetrics().horizontalAdvance(x) for x in ("Cảnh báo (đã xem)",
                                                                                      "Đã giải trình")) + 34))
        t.setColumnWidth(1, 360)
        t.itemActivated.connect(self.activate)
        t.itemClicked.connect(self.activate)
        t.currentItemChanged.connect(lambda *_: self._update_ack_btn())
        t.setContextMenuPolicy(Qt.ActionsContextMenu)
        self.explain_act = QAction("Giải trình…", t)
        self.explain_act.triggered.connect(self.explain)
        self.unexplain_act = QAction("Xóa giải trình", t)
        self.unexplain_act.triggered.connect(self.remove_explanation)
        t.addActions([self.explain_act, self.unexplain_act])
        lay.addWidget(t)
        self.set_findings([])
        self.set_collapsed(False)

    def set_collapsed(self, on: bool) -> None:
        """Folded to its one line («0 lỗi, 2 cảnh báo ▸») to give the page the room; the owner shrinks the dock."""
        self.collapsed = on
        for w in (self.tree, self.show_ack, self.ack_btn, self.explain_btn, self.unexplain_btn):
            w.setVisible(not on)
        self.fold.setText("▸" if on else "Thu gọn ▴")
        self.fold.setToolTip("Mở rộng bảng Kiểm tra" if on else "Thu gọn bảng Kiểm tra thành một dòng")
        self.summary.setToolTip(self.fold.toolTip())
        self.collapsed_changed.emit(on)

    def line_height(self) -> int:
        """The height of the folded panel: its one line."""
        m = self.layout().contentsMargins()
        return max(self.summary.sizeHint().height(), self.fold.sizeHint().height()) + m.top() + m.bottom()

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
        explained = sum(bool(self._explanation(f)) for f in self.findings)
        warns = [f for f in self.findings if f.severity == "warning"]
        seen = sum(ack_id(f) in self.acknowledged for f in warns)
        if not self.findings:
            self.summary.setText("Không có lỗi hay cảnh báo nào.")
            self.summary.setStyleSheet("font-weight: bold; color: #2e7d32;")
        else:
            txt = (f"{errors} lỗi" + (f" ({explained} đã giải trình)" if explained else "") +
                   f", {len(warns)} cảnh báo" + (f" ({seen} đã xem)" if seen else ""))
            if errors > explained:
                txt += " — sửa hoặc giải trình hết lỗi mới «Hoàn thành» và gửi cấp trên được"
            self.summary.setText(txt)
            self.summary.setStyleSheet(f"font-weight: bold; color: {'#b71c1c' if errors > explained else '#8a5300'};")
        keep = None
        for f in self.findings:
            acked = f.severity == "warning" and ack_id(f) in self.acknowledged
            if acked and not self.show_ack.isChecked():
                continue
            why = self._explanation(f)
            sev = SEVERITY_VI[f.severity] + (" (đã xem)" if acked else "") + ("\nĐã giải trình" if why else "")
            msg = f"{f.message}\nGiải trình: {why}" if why else f.message
            it = QTreeWidgetItem([sev, short_place(f.place), msg])
            it.setIcon(0, icon("error" if f.severity == "error" else "warning"))
            it.setData(0, Qt.UserRole, f)
            it.setToolTip(1, f.place)
            it.setToolTip(2, msg)
            if acked:
                for c in range(3):
                    it.setForeground(c, QBrush(QColor("#8a8f94")))
            elif why:
                for c in range(3):
                    it.setForeground(c, QBrush(QColor("#1b5e20")))
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
        can = f is not None and explainable(f) and self._session() is not None
        has = can and bool(self._explanation(f))
        self.explain_btn.setEnabled(can)
        self.explain_act.setEnabled(can)
        self.explain_btn.setText("Sửa giải trình…" if has else "Giải trình…")
        self.explain_act.setText(self.explain_btn.text())
        self.unexplain_btn.setEnabled(has)
        self.unexplain_act.setEnabled(has)
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

    # giải trình ----------------------------------------------------------------------------------------------
    def _session(self):
        """The DocSession the panel's findings come from: set by its owner, else the main window's open report."""
        if self.session is not None:
            return self.session
        return getattr(self.window(), "session", None)

    def _explanation(self, f) -> str:
        s = self._session()
        return s.explanation(f) if s is not None and explainable(f) else ""

    def explain(self) -> None:
        """Open «Giải trình…» for the current error; the text is written when the officer saves it."""
        from nq57desk.gui.editor.explain import ExplainDialog

        f, s = self._current(), self._session()
        if f is None or s is None or not explainable(f):
            return
        dlg = self.explain_dialog = ExplainDialog(f, self._explanation(f), self)
        dlg.accepted.connect(lambda: self._write(f, dlg.text()))
        dlg.finished.connect(lambda _r: setattr(self, "explain_dialog", None))
        dlg.open()  # window-modal, returns at once

    def remove_explanation(self) -> None:
        f = self._current()
        if f is not None and self._explanation(f):
            self._write(f, "")

    def _write(self, f, text: str) -> None:
        s = self._session()
        if s is None:
            return
        try:
            s.set_explanation(f, text)
        except NQError as e:
            error(self, "Giải trình", str(e))
            return
        s.revalidate()  # shown at once, not after the check timer

    def activate(self, it, _col=0):
        f = it.data(0, Qt.UserRole)
        if f is not None:
            self.jump.emit(f)
